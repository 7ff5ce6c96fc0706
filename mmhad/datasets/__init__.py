from .cityscapes import (CITYSCAPES_7_CLASSES, CITYSCAPES_19_CLASSES,
                         CityscapesDataset)
from .fractal import FractalClassification
from .multitask_npy_dataset import (DEFAULT_TASK_FOLDERS, NYUV2_13_CLASSES,
                                    MultiTaskNpyDataset, NYUv2Dataset)
from .pascal_context import (PASCAL_TASKS, LoadPascalContext,
                             PascalContextDataset)
from .phase_split import SPLIT_MODES, PhaseSubset, split_phases
from .synthetic_dataset import SyntheticIndoorDataset, SyntheticOutdoorDataset
from .taskonomy import LoadTaskonomy, TaskonomyDataset, decode_taskonomy
from .transforms import *  # noqa: F401,F403

__all__ = [
    'CITYSCAPES_7_CLASSES', 'CITYSCAPES_19_CLASSES', 'CityscapesDataset',
    'DEFAULT_TASK_FOLDERS', 'NYUV2_13_CLASSES', 'MultiTaskNpyDataset',
    'NYUv2Dataset', 'SyntheticIndoorDataset', 'SyntheticOutdoorDataset',
    'PASCAL_TASKS', 'PascalContextDataset', 'LoadPascalContext',
    'TaskonomyDataset', 'LoadTaskonomy', 'decode_taskonomy', 'SPLIT_MODES',
    'PhaseSubset', 'split_phases', 'FractalClassification'
]
