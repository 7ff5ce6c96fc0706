from mmengine.dist import barrier, get_rank, is_distributed

from mmhad.registry import DATASETS
from .multitask_npy_dataset import MultiTaskNpyDataset
from .synthetic_indoor import SYNTHETIC_CLASSES, generate_synthetic_indoor


@DATASETS.register_module()
class SyntheticIndoorDataset(MultiTaskNpyDataset):
    """Synthetic indoor rooms, generated into ``data_root`` on first use.

    The scenes are ray-cast, so class, depth and normals of a pixel come from
    the same geometry. Generation is deterministic by ``seed`` and skipped
    when ``data_root`` already holds the same set (see its manifest.json).

    Args:
        data_root (str): Where the set is (or will be) written.
        num_train (int): Training images.
        num_val (int): Validation images.
        height (int): Image height.
        width (int): Image width.
        seed (int): Generation seed.
        **kwargs: See :class:`MultiTaskNpyDataset`.
    """

    METAINFO = dict(classes=SYNTHETIC_CLASSES)

    def __init__(self,
                 data_root: str,
                 num_train: int = 480,
                 num_val: int = 120,
                 height: int = 64,
                 width: int = 80,
                 seed: int = 0,
                 **kwargs) -> None:
        # Rank 0 writes, the others wait, so processes never race on files.
        if get_rank() == 0:
            generate_synthetic_indoor(data_root, num_train, num_val, height,
                                      width, seed)
        if is_distributed():
            barrier()
        super().__init__(data_root=data_root, **kwargs)
