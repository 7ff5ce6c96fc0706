"""Procedural synthetic street scenes: a second scene family for held-out checks.

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

It shares the indoor generator's ray-box intersection, camera and writer,
so it too uses numpy only.
"""

from __future__ import annotations

import numpy as np

from .synthetic_indoor import (Box, PinholeCamera, _camera_rotation,
                               _intersect_box, _safe_inverse,
                               write_generated_dataset)

__all__ = ['OUTDOOR_CLASSES', 'render_street', 'generate_synthetic_outdoor']

OUTDOOR_CLASSES: tuple[str, ...] = ('road', 'sidewalk', 'building', 'car',
                                    'pole', 'sky')
ROAD, SIDEWALK, BUILDING, CAR, POLE, SKY = range(len(OUTDOOR_CLASSES))

#: The street ends in a row of buildings this far ahead, so depth is bounded.
_STREET_END = 90.0
_PALETTES = {
    ROAD: ((0.28, 0.28, 0.30), (0.35, 0.33, 0.32)),
    SIDEWALK: ((0.62, 0.60, 0.56), (0.70, 0.64, 0.58)),
    BUILDING: ((0.66, 0.44, 0.34), (0.55, 0.56, 0.60), (0.78, 0.72, 0.58)),
    CAR: ((0.75, 0.10, 0.10), (0.12, 0.22, 0.62), (0.85, 0.85, 0.85),
          (0.10, 0.10, 0.10)),
    POLE: ((0.30, 0.32, 0.30), ),
}
_NOISE = np.array([0.04, 0.03, 0.02, 0.015, 0.01, 0.0])


def _street_boxes(rng: np.random.Generator, road_half: float,
                  walk: float) -> list[Box]:
    """Building blocks on both sides and across the end, cars, poles."""
    boxes = []
    inner = road_half + walk
    for side in (-1.0, 1.0):
        z = -10.0
        while z < _STREET_END:
            length = rng.uniform(8.0, 22.0)
            height = rng.uniform(5.0, 28.0)
            setback = rng.uniform(0.0, 1.5)
            x0 = inner + setback
            lo = (x0, 0.0, z) if side > 0 else (-x0 - 12.0, 0.0, z)
            hi = (x0 + 12.0, height, z + length) if side > 0 else \
                (-x0, height, z + length)
            boxes.append(Box(BUILDING, np.array(lo), np.array(hi)))
            z += length + rng.uniform(0.0, 4.0)  # alleys between blocks
    boxes.append(
        Box(BUILDING, np.array([-60.0, 0.0, _STREET_END]),
            np.array([60.0, rng.uniform(8.0, 30.0), _STREET_END + 10.0])))
    for _ in range(rng.integers(2, 7)):
        lane = rng.choice([-1.0, 1.0]) * rng.uniform(0.3, road_half - 1.0)
        z = rng.uniform(4.0, 45.0)
        size = np.array([1.8, rng.uniform(1.3, 1.9), rng.uniform(3.8, 4.8)])
        lo = np.array([lane - size[0] / 2, 0.0, z])
        boxes.append(Box(CAR, lo, lo + size))
    for z in np.arange(rng.uniform(2.0, 8.0), 60.0, rng.uniform(8.0, 15.0)):
        for side in (-1.0, 1.0):
            x = side * (road_half + 0.4)
            boxes.append(
                Box(POLE, np.array([x - 0.08, 0.0, z]),
                    np.array([x + 0.08, rng.uniform(3.5, 6.0), z + 0.16])))
    return boxes


def render_street(rng: np.random.Generator, height: int,
                  width: int) -> dict[str, np.ndarray]:
    """Sample and ray-cast one street scene.

    Args:
        rng: Source of randomness; equal states give identical outputs.
        height: Image height in pixels.
        width: Image width in pixels.

    Returns:
        ``dict(image=HxWx3, label=HxW, depth=HxWx1, normal=HxWx3)`` float32
        arrays in the pre-processed NYUv2 encoding (module docstring).
    """
    road_half = rng.uniform(3.0, 6.0)
    walk = rng.uniform(1.5, 3.5)
    focal = width * rng.uniform(0.7, 1.0)
    camera = PinholeCamera(
        fx=focal, fy=focal, cx=width / 2, cy=height / 2,
        position=np.array([rng.uniform(-road_half + 1.0, road_half - 1.0),
                           rng.uniform(1.2, 2.2), 0.0]),
        rotation=_camera_rotation(rng.uniform(-0.35, 0.35),
                                  rng.uniform(-0.05, 0.2)))
    rays = np.ascontiguousarray(camera.pixel_rays(height, width).T)
    d = camera.rotation @ rays  # parameter t along d is z-depth
    origin = camera.position
    n_pix = height * width

    # The ground plane y = 0, seen by rays going down.
    down = d[1] < -1e-9
    t = np.where(down, -origin[1] / np.where(down, d[1], -1.0), np.inf)
    ground_x = np.abs(origin[0] + t * d[0])
    cls = np.where(ground_x < road_half, ROAD, SIDEWALK).astype(np.int64)
    cls[~down] = SKY
    normal_w = np.zeros((3, n_pix))
    normal_w[1, down] = 1.0
    face = np.zeros(n_pix, dtype=np.int64)
    inv_d = _safe_inverse(d)
    for box in _street_boxes(rng, road_half, walk):
        _intersect_box(box, origin, d, inv_d, t, cls, normal_w, face)
    sky = ~np.isfinite(t)
    t = np.where(sky, 0.0, t)
    cls[sky] = SKY
    point = origin[:, None] + t * d

    # Appearance: palette x Lambert (sun) x texture, hazed with distance.
    colours = np.zeros((len(OUTDOOR_CLASSES), 3))
    for c, options in _PALETTES.items():
        colours[c] = options[rng.integers(len(options))] * rng.uniform(
            0.85, 1.15, 3)
    sun = np.array([rng.uniform(-0.6, 0.6), 1.0, rng.uniform(-0.8, 0.2)])
    sun /= np.linalg.norm(sun)
    shade = 0.35 + 0.65 * np.clip(sun @ normal_w, 0.0, None)
    tex = np.ones(n_pix)
    px, py, pz = point
    road = cls == ROAD
    tex[road & (np.abs(px) < 0.12) & (np.mod(pz, 6.0) < 3.0)] = 3.0  # lane
    slabs = (cls == SIDEWALK) & ((np.mod(pz, 1.2) < 0.08)
                                 | (np.mod(px, 1.2) < 0.08))
    tex[slabs] = 0.7
    facade = cls == BUILDING
    along = np.where(np.abs(normal_w[0]) > 0.5, pz, px)
    windows = facade & (np.mod(along, 3.0) < 1.4) & (np.mod(py, 3.2) > 1.2)
    tex[windows] = 0.45
    tex += rng.standard_normal(n_pix) * _NOISE[cls]
    image = colours[cls] * (shade * tex)[:, None]
    elevation = np.clip(d[1] / np.linalg.norm(d, axis=0), 0.0, 1.0)
    sky_colour = np.array([0.75, 0.85, 1.0]) - elevation[:, None] * np.array(
        [0.35, 0.3, 0.1])
    haze = np.exp(-t / rng.uniform(80.0, 200.0))[:, None]
    image = np.where(sky[:, None], sky_colour,
                     haze * image + (1 - haze) * sky_colour)
    image += rng.normal(0.0, 0.01, image.shape)
    np.clip(image, 0.0, 1.0, out=image)

    # Box normals face the ray already; the ground's faces up (towards it).
    normal_c = (camera.rotation.T @ normal_w).T
    normal_c[sky] = 0.0
    return dict(
        image=image.reshape(height, width, 3).astype(np.float32),
        label=cls.reshape(height, width).astype(np.float32),
        depth=t.reshape(height, width, 1).astype(np.float32),
        normal=normal_c.reshape(height, width, 3).astype(np.float32))


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
    return write_generated_dataset(root, params, render_street,
                                   'mmhad.datasets.synthetic_outdoor',
                                   OUTDOOR_CLASSES, overwrite)

