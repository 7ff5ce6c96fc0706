from mmhad.registry import DATASETS
from .multitask_npy_dataset import MultiTaskNpyDataset
from .synthetic_indoor import SYNTHETIC_CLASSES, generate_synthetic_indoor
from .synthetic_outdoor import OUTDOOR_CLASSES, generate_synthetic_outdoor


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
    #: ``generate(root, num_train, num_val, height, width, seed)``.
    generate = staticmethod(generate_synthetic_indoor)

    def __init__(self,
                 data_root: str,
                 num_train: int = 480,
                 num_val: int = 120,
                 height: int = 64,
                 width: int = 80,
                 seed: int = 0,
                 **kwargs) -> None:
        # Every process may call it: the generator's file lock lets one
        # write while the others wait, with no collective call, so that a
        # dataset built on one rank alone (the forgetting-strip hook) works.
        self.generate(data_root, num_train, num_val, height, width, seed)
        super().__init__(data_root=data_root, **kwargs)


@DATASETS.register_module()
class SyntheticOutdoorDataset(SyntheticIndoorDataset):
    """Synthetic street scenes (6 classes, sky without depth), generated into
    ``data_root`` on first use: the held-out scene family for checking knobs
    tuned on the indoor rooms. Arguments as :class:`SyntheticIndoorDataset`.
    """

    METAINFO = dict(classes=OUTDOOR_CLASSES)
    generate = staticmethod(generate_synthetic_outdoor)
