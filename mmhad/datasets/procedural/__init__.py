"""Procedural scene generators for dense multi-task data (numpy only).

Scenes are ray-cast, so class, depth and normals of a pixel come from the
same geometry.  One idea per module:

* :mod:`.geometry`: pinhole camera, boxes and spheres, and the vectorised
  ray/primitive intersection kernels every scene family shares.
* :mod:`.indoor_scene`: sampling a random room (furniture, balls, windows,
  camera, light, textures) into a :class:`SceneSpec`.
* :mod:`.indoor_render`: ray-casting and shading a :class:`SceneSpec` into
  image, label, depth and normal maps.
* :mod:`.outdoor_scene`: sampling and ray-casting a random street, the
  held-out scene family.
* :mod:`.writer`: writing rendered scenes to disk in the pre-processed NYUv2
  layout, with a manifest that lets an up-to-date set be reused.

The dataset entry points are
:func:`mmhad.datasets.synthetic_indoor.generate_synthetic_indoor` and
:func:`mmhad.datasets.synthetic_outdoor.generate_synthetic_outdoor`.

Only numpy and the standard library are used, and the modules import each
other relatively, so the package also works when loaded by file path
without the OpenMMLab stack (see :mod:`mmhad.datasets.synthetic_indoor`).
"""

from .geometry import (NO_FACE, Box, PinholeCamera, Sphere, camera_rotation,
                       intersect_box, intersect_sphere, safe_inverse)
from .indoor_render import MAX_INVALID_FRACTION, render_scene, render_spec
from .indoor_scene import (BALL, BED, CABINET, CEILING, FLOOR,
                           SYNTHETIC_CLASSES, TABLE, WALL, SceneSpec, Window,
                           sample_scene)
from .outdoor_scene import (BUILDING, CAR, OUTDOOR_CLASSES, POLE, ROAD,
                            SIDEWALK, SKY, render_street)
from .writer import (FORMAT_VERSION, IGNORE_INDEX, MANIFEST_NAME, MODALITIES,
                     SPLITS, write_generated_dataset)

__all__ = [
    # geometry
    'NO_FACE', 'PinholeCamera', 'Box', 'Sphere', 'camera_rotation',
    'safe_inverse', 'intersect_box', 'intersect_sphere',
    # indoor rooms
    'SYNTHETIC_CLASSES', 'FLOOR', 'WALL', 'CEILING', 'BED', 'TABLE',
    'CABINET', 'BALL', 'Window', 'SceneSpec', 'sample_scene',
    'MAX_INVALID_FRACTION', 'render_spec', 'render_scene',
    # outdoor streets
    'OUTDOOR_CLASSES', 'ROAD', 'SIDEWALK', 'BUILDING', 'CAR', 'POLE', 'SKY',
    'render_street',
    # on-disk layout
    'IGNORE_INDEX', 'FORMAT_VERSION', 'MANIFEST_NAME', 'SPLITS', 'MODALITIES',
    'write_generated_dataset'
]
