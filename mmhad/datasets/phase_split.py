"""Which training images each phase may use."""
from typing import List, Sequence

import numpy as np
from torch.utils.data import Dataset

SPLIT_MODES = ('contiguous', 'shuffled', 'shared')


def split_phases(num_samples: int,
                 num_phases: int,
                 mode: str = 'contiguous',
                 seed: int = 0) -> List[np.ndarray]:
    """Indices of the training images of each phase.

    Args:
        num_samples (int): Size of the training set.
        num_phases (int): Number of phases T.
        mode (str): ``'contiguous'`` (the reference protocol): T disjoint
            chunks of ``num_samples // T`` images in index order, the
            remainder unused; ``'shuffled'``: the same after a seeded
            permutation; ``'shared'``: every phase sees every image (with
            only its own task's labels), not exemplar-free in images.
        seed (int): Seed of the ``'shuffled'`` permutation.

    Returns:
        list[np.ndarray]: One int64 index array per phase.

    Raises:
        ValueError: For an unknown mode, or when a phase would be empty.
    """
    if mode not in SPLIT_MODES:
        raise ValueError(f'unknown split mode {mode!r}; choose from '
                         f'{SPLIT_MODES}')
    if num_phases < 1:
        raise ValueError(f'num_phases must be >= 1, got {num_phases}')
    order = np.arange(num_samples, dtype=np.int64)
    if mode == 'shared':
        if num_samples == 0:
            raise ValueError('the training set is empty')
        return [order.copy() for _ in range(num_phases)]
    if mode == 'shuffled':
        order = np.random.default_rng(seed).permutation(order)
    chunk = num_samples // num_phases
    if chunk == 0:
        raise ValueError(
            f'cannot split {num_samples} training images into {num_phases} '
            'non-empty phases')
    return [order[i * chunk:(i + 1) * chunk] for i in range(num_phases)]


class PhaseSubset(Dataset):
    """The images of one phase, loading only the labels of ``task_names``
    (a selection, as a dataset's ``task_names``; the declaration stays in
    the dataset's metainfo).

    Args:
        dataset: A :class:`MultiTaskNpyDataset` (anything with
            ``get_data_info`` and ``pipeline``).
        indices (Sequence[int]): Indices into ``dataset``.
        task_names (Sequence[str]): Tasks whose labels this phase may read.
    """

    def __init__(self, dataset, indices: Sequence[int],
                 task_names: Sequence[str]) -> None:
        self.dataset = dataset
        self.indices = [int(i) for i in indices]
        self.task_names = list(task_names)

    @property
    def metainfo(self) -> dict:
        return self.dataset.metainfo

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, idx: int) -> dict:
        info = self.dataset.get_data_info(self.indices[idx])
        info['tasks'] = list(self.task_names)
        return self.dataset.pipeline(info)
