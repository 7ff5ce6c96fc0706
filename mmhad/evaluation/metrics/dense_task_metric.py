import math
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.evaluator import BaseMetric

from mmhad.registry import METRICS
from mmhad.tasks import DenseTask, build_tasks


@METRICS.register_module()
class DenseTaskMetric(BaseMetric):
    """Metrics of every task the model predicts, accumulated over the set.

    Each task kind provides summable statistics (a confusion matrix for
    segmentation, error sums and an angle histogram for depth and normals),
    so results are exact over the whole set and across processes. Tasks the
    model has no head for yet are skipped: after phase t only the first t
    tasks are scored. Keys are ``<task>/<metric>``, e.g. ``depth/abs_err``.

    The tasks are those the evaluated dataset declares
    (``dataset_meta['tasks']``, which mmengine's evaluator hands over as it
    does mmseg's class names).

    Args:
        average (str): ``'pixel'`` (default): every metric over all scored
            pixels of the set (segmentation from one confusion matrix).
            ``'image'``: each metric per image, then the mean over images
            (images without a valid pixel are left out), as mmseg's
            ``DepthMetric`` does. ``'batch'``: as the HAD reference
            evaluation: the metrics of each validation batch on its own
            (:meth:`DenseTask.batch_metrics`: depth errors, normal mean,
            ``torch.median`` and within-threshold values), then the mean over
            batches, so the last, smaller batch weighs as much as a full one;
            segmentation still from one confusion matrix over the set. Use
            the reference's validation batch size (64), one process, and
            the normal options of the reference (``NormalTask(valid_rule=
            'sum_nonzero', similarity='dot')``) in the dataset's
            declaration. Batches
            without a valid pixel are left out (the reference would give
            NaN).
        collect_device (str): Device for collecting results across ranks.
        prefix (str, optional): Prefix of the metric keys.
    """

    def __init__(self,
                 average: str = 'pixel',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if average not in ('pixel', 'image', 'batch'):
            raise ValueError(f"DenseTaskMetric: average={average!r}; "
                             "expected 'pixel', 'image' or 'batch'")
        self.average = average
        self._tasks: Optional[Dict[str, DenseTask]] = None

    @property
    def tasks(self) -> Dict[str, DenseTask]:
        """The tasks scored: the evaluated dataset's."""
        if self._tasks is None:
            declared = (self.dataset_meta or {}).get('tasks')
            if not declared:
                raise ValueError(
                    'DenseTaskMetric: the evaluated dataset declares no task '
                    "(its metainfo has no 'tasks'); declare them in the "
                    'dataset config: tasks=dict(name='
                    "dict(type='SemanticTask', ...), ...)")
            self._tasks = build_tasks(declared)
        return self._tasks

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Sum each task's statistics over the batch and store them."""
        batch_stats = {}
        for name, task in self.tasks.items():
            scored = [s for s in data_samples
                      if task.pred_key in s and task.gt_key in s]
            if not scored:
                continue
            preds = torch.stack([s[task.pred_key] for s in scored])
            gts = torch.stack([s[task.gt_key]
                               for s in scored]).to(preds.device)
            values = None
            if self.average == 'image':
                values = [
                    task.compute_metrics(
                        task.metric_stats(pred[None], gt[None]))
                    for pred, gt in zip(preds, gts)
                ]
            elif self.average == 'batch':
                batch = task.batch_metrics(preds, gts)
                values = None if batch is None else [batch]
            batch_stats[name] = task.metric_stats(preds, gts) \
                if values is None else self._value_sums(values)
        self.results.append(batch_stats)

    @staticmethod
    def _value_sums(values: List[Dict[str, float]]
                    ) -> Dict[str, torch.Tensor]:
        """Metric values (one dict per image or batch) summed, with counts
        (``sum/<metric>``, ``n/<metric>``), for their mean over the set."""
        sums: Dict[str, torch.Tensor] = {}
        for item in values:
            for key, value in item.items():
                if math.isnan(value):
                    continue  # no scored pixel in this image or batch
                for stat, add in ((f'sum/{key}', value), (f'n/{key}', 1.0)):
                    sums[stat] = sums.get(stat, 0.0) + torch.tensor(
                        add, dtype=torch.float64)
        return sums

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        totals: Dict[str, dict] = {}
        for batch_stats in results:
            for name, stats in batch_stats.items():
                total = totals.setdefault(name, {})
                for key, value in stats.items():
                    total[key] = total[key] + value if key in total else value
        metrics = {}
        for name, stats in totals.items():
            if not any(key.startswith('sum/') for key in stats):
                values = self.tasks[name].compute_metrics(stats)
            else:
                values = {
                    key[4:]: float(total / stats['n' + key[3:]])
                    for key, total in stats.items() if key.startswith('sum/')
                }
            for key, value in values.items():
                metrics[f'{name}/{key}'] = value
        return metrics
