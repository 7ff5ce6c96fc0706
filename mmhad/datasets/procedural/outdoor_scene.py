"""Random street scenes: the held-out outdoor family, sampled and ray-cast.

A camera on a street between building blocks, with cars and poles, sky
above and far depths (up to about 90 m instead of a few metres).  Classes,
depth range, the fraction of invalid depth (the sky) and the appearance all
differ from the indoor rooms, while the task maps use the same encoding:

* ``label``: the :data:`OUTDOOR_CLASSES` ids; no ignored pixels;
* ``depth``: z-depth in metres; sky pixels are 0 (invalid);
* ``normal``: unit vectors in the camera frame; sky pixels are all 0.

Unlike the indoor family, sampling and ray casting stay in one function:
they draw from one random stream in an interleaved order, and separating
them would reorder the draws and so change every generated street.

Only numpy and the standard library are used.
"""

from __future__ import annotations

import numpy as np

from .geometry import (Box, PinholeCamera, camera_rotation, intersect_box,
                       safe_inverse)

__all__ = [
    'OUTDOOR_CLASSES', 'ROAD', 'SIDEWALK', 'BUILDING', 'CAR', 'POLE', 'SKY',
    'render_street'
]

OUTDOOR_CLASSES: tuple[str, ...] = ('road', 'sidewalk', 'building', 'car',
                                    'pole', 'sky')
#: Class ids, the indices of :data:`OUTDOOR_CLASSES`.
ROAD, SIDEWALK, BUILDING, CAR, POLE, SKY = range(len(OUTDOOR_CLASSES))

#: The street ends in a row of buildings this far ahead, so depth is bounded.
_STREET_END = 90.0
# Base colours per class; each scene draws one and jitters it.  The sky has
# none: its colour is a gradient over the ray elevation.
_PALETTES = {
    ROAD: ((0.28, 0.28, 0.30), (0.35, 0.33, 0.32)),
    SIDEWALK: ((0.62, 0.60, 0.56), (0.70, 0.64, 0.58)),
    BUILDING: ((0.66, 0.44, 0.34), (0.55, 0.56, 0.60), (0.78, 0.72, 0.58)),
    CAR: ((0.75, 0.10, 0.10), (0.12, 0.22, 0.62), (0.85, 0.85, 0.85),
          (0.10, 0.10, 0.10)),
    POLE: ((0.30, 0.32, 0.30), ),
}
# Luminance noise per class, a cheap stand-in for material roughness.
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
        rotation=camera_rotation(
            rng.uniform(-0.35, 0.35), rng.uniform(-0.05, 0.2)))
    d = camera.world_rays(height, width)  # parameter t along d is z-depth
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
    inv_d = safe_inverse(d)
    for box in _street_boxes(rng, road_half, walk):
        intersect_box(box, origin, d, inv_d, t, cls, normal_w, face)
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
