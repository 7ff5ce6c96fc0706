"""Procedural synthetic indoor scenes in the pre-processed NYUv2 layout.

The generator ray-casts simple box rooms with furniture-like boxes and balls
and writes the three dense tasks the project trains on (semantic labels,
depth, surface normals) plus an RGB image.  All four maps come from the same
ray hits, so they are mutually consistent, which makes the data useful for
smoke tests and small lifelong-learning experiments without downloading
NYUv2, and lets unit tests check geometric invariants exactly.

This module is the entry point: :func:`generate_synthetic_indoor`, plus the
public names of :mod:`mmhad.datasets.procedural`, where the code lives (one
idea per file), re-exported here so that they stay importable from this
module:

* camera and primitives (:class:`PinholeCamera`, :class:`Box`,
  :class:`Sphere`; coordinate conventions in ``procedural/geometry.py``);
* scene sampling (:data:`SYNTHETIC_CLASSES`, :class:`Window`,
  :class:`SceneSpec`, :func:`sample_scene`; ``procedural/indoor_scene.py``);
* ray casting (:func:`render_spec`, :func:`render_scene`,
  :data:`MAX_INVALID_FRACTION`; ``procedural/indoor_render.py``);
* the on-disk layout and writer (:data:`IGNORE_INDEX`,
  :data:`FORMAT_VERSION`, :data:`MANIFEST_NAME`, :data:`SPLITS`,
  :data:`MODALITIES`, :func:`write_generated_dataset`;
  ``procedural/writer.py``).

Only numpy and the standard library are used, so the module can be imported,
or loaded by file path (``tools/dataset_converters/generate_synthetic.py``
and the unit tests do), without the OpenMMLab stack.
"""

from __future__ import annotations
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

__all__ = [
    'SYNTHETIC_CLASSES',
    'IGNORE_INDEX',
    'FORMAT_VERSION',
    'MANIFEST_NAME',
    'SPLITS',
    'MODALITIES',
    'MAX_INVALID_FRACTION',
    'PinholeCamera',
    'Box',
    'Sphere',
    'Window',
    'SceneSpec',
    'sample_scene',
    'render_spec',
    'render_scene',
    'generate_synthetic_indoor',
    'write_generated_dataset',
]


def _load_procedural_by_path() -> ModuleType:
    """Load the sibling ``procedural`` package without importing mmhad.

    Importing ``mmhad.datasets.procedural`` would first run
    ``mmhad/datasets/__init__.py`` and with it the OpenMMLab stack, which a
    caller that loaded this file by path wants to avoid.  The package only
    uses relative imports, so it works under any top-level name.

    Returns:
        The package, registered in ``sys.modules`` as ``_mmhad_procedural``.
    """
    name = '_mmhad_procedural'
    if name in sys.modules:
        return sys.modules[name]
    folder = Path(__file__).resolve().with_name('procedural')
    spec = importlib.util.spec_from_file_location(
        name, folder / '__init__.py', submodule_search_locations=[str(folder)])
    if spec is None or spec.loader is None:
        raise ImportError(f'cannot load {folder}')
    module = importlib.util.module_from_spec(spec)
    # Registered before execution: the relative imports inside the package
    # and the dataclasses look their parent module up there.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


if __package__:  # imported as mmhad.datasets.synthetic_indoor
    from . import procedural as _procedural
else:  # loaded by file path
    _procedural = _load_procedural_by_path()

# Classes (and their ids) of the indoor rooms.
SYNTHETIC_CLASSES = _procedural.SYNTHETIC_CLASSES
FLOOR = _procedural.FLOOR
WALL = _procedural.WALL
CEILING = _procedural.CEILING
BED = _procedural.BED
TABLE = _procedural.TABLE
CABINET = _procedural.CABINET
BALL = _procedural.BALL
# The on-disk layout.
IGNORE_INDEX = _procedural.IGNORE_INDEX
FORMAT_VERSION = _procedural.FORMAT_VERSION
MANIFEST_NAME = _procedural.MANIFEST_NAME
SPLITS = _procedural.SPLITS
MODALITIES = _procedural.MODALITIES
write_generated_dataset = _procedural.write_generated_dataset
# Scene description, sampling and ray casting.
PinholeCamera = _procedural.PinholeCamera
Box = _procedural.Box
Sphere = _procedural.Sphere
Window = _procedural.Window
SceneSpec = _procedural.SceneSpec
sample_scene = _procedural.sample_scene
MAX_INVALID_FRACTION = _procedural.MAX_INVALID_FRACTION
render_spec = _procedural.render_spec
render_scene = _procedural.render_scene


def generate_synthetic_indoor(root: str,
                              num_train: int = 480,
                              num_val: int = 120,
                              height: int = 64,
                              width: int = 80,
                              seed: int = 0,
                              overwrite: bool = False) -> dict:
    """Write a synthetic indoor dataset in the pre-processed NYUv2 layout.

    Each split draws from its own child of ``np.random.SeedSequence(seed)``
    and every image from its own grandchild, so the validation set does not
    change with ``num_train`` and image ``i`` of a split does not depend on
    how many images the split has.

    Args:
        root: Output directory (created if missing).
        num_train: Number of training scenes.
        num_val: Number of validation scenes.
        height: Image height in pixels.
        width: Image width in pixels.
        seed: Master seed.
        overwrite: Regenerate even if an up-to-date dataset exists.

    Returns:
        The manifest dict, also stored in ``root/manifest.json``.

    Raises:
        ValueError: If a count is negative or an image size is not positive.
        FileExistsError: If ``root`` holds split folders that this generator
            did not create (no manifest) and ``overwrite`` is False; they are
            never deleted silently.
    """
    params = {
        'num_train': int(num_train),
        'num_val': int(num_val),
        'height': int(height),
        'width': int(width),
        'seed': int(seed),
    }
    # The generator id is the public module name, not ``__name__``: it is
    # stored in manifests and must not depend on how this file was loaded.
    return write_generated_dataset(root, params, render_scene,
                                   'mmhad.datasets.synthetic_indoor',
                                   SYNTHETIC_CLASSES, overwrite)
