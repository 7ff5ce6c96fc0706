"""Synthetic street scenes: a second scene family for held-out checks.

Knobs of a method are tuned on the indoor rooms (:mod:`synthetic_indoor`);
this generator makes data of another kind to confirm them on: a camera on a
street between building blocks, with cars and poles, sky above and far
depths (up to about 90 m instead of a few metres). Classes, depth range,
the fraction of invalid depth (the sky) and the appearance all differ from
the rooms, while the layout on disk is the same (the pre-processed NYUv2
layout, see :mod:`synthetic_indoor`):

* ``label``: the :data:`OUTDOOR_CLASSES` ids; no ignored pixels;
* ``depth``: z-depth in metres; sky pixels are 0 (invalid);
* ``normal``: unit vectors in the camera frame; sky pixels are all 0.

This module is the entry point, :func:`generate_synthetic_outdoor`; the
streets are sampled and ray-cast in ``procedural/outdoor_scene.py`` with the
camera, ray/box intersection and writer the indoor rooms use too, so it
needs numpy only.
"""

from __future__ import annotations

# The class ids are unused here but stay importable from this module.
from .procedural.outdoor_scene import (BUILDING, CAR,  # noqa: F401
                                       OUTDOOR_CLASSES, POLE, ROAD, SIDEWALK,
                                       SKY, render_street)
from .procedural.writer import write_generated_dataset

__all__ = ['OUTDOOR_CLASSES', 'render_street', 'generate_synthetic_outdoor']


def generate_synthetic_outdoor(root: str,
                               num_train: int = 480,
                               num_val: int = 120,
                               height: int = 64,
                               width: int = 80,
                               seed: int = 0,
                               overwrite: bool = False) -> dict:
    """Write a synthetic street dataset in the pre-processed NYUv2 layout.

    Arguments, seeding and skipping of an up-to-date set are those of
    :func:`mmhad.datasets.synthetic_indoor.generate_synthetic_indoor`.
    """
    params = dict(num_train=int(num_train), num_val=int(num_val),
                  height=int(height), width=int(width), seed=int(seed))
    # The generator id is stored in manifests; it stays this module's name.
    return write_generated_dataset(root, params, render_street,
                                   'mmhad.datasets.synthetic_outdoor',
                                   OUTDOOR_CLASSES, overwrite)
