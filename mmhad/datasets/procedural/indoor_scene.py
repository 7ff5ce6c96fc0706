"""Sampling random indoor rooms: layout, furniture, windows, camera, light.

A scene is a box room with furniture-like boxes (bed, table, cabinet),
balls and wall windows, seen by a pinhole camera standing in the room, plus
the appearance parameters (colours, textures, light, noise) that
:mod:`.indoor_render` needs.  :func:`sample_scene` draws all of it from one
random generator into a :class:`SceneSpec`; nothing here touches pixels.

World frame: ``x`` along the room width, ``y`` up, ``z`` along the room
depth.  The room interior is ``[0, W] x [0, H_room] x [0, D]``; the floor is
the plane ``y = 0`` and the camera looks roughly along ``+z``.  Room faces
are indexed ``2 * axis + side`` (side 0 = the ``0`` plane, side 1 = the far
plane): 0: x = 0 wall, 1: x = W wall, 2: floor, 3: ceiling, 4: z = 0 wall
(behind the camera), 5: z = D wall.

Only numpy and the standard library are used.
"""

from __future__ import annotations
import math
from dataclasses import dataclass

import numpy as np

from .geometry import Box, PinholeCamera, Sphere, camera_rotation

__all__ = [
    'SYNTHETIC_CLASSES',
    'FLOOR',
    'WALL',
    'CEILING',
    'BED',
    'TABLE',
    'CABINET',
    'BALL',
    'Window',
    'SceneSpec',
    'sample_scene',
]

SYNTHETIC_CLASSES: tuple[str, ...] = ('floor', 'wall', 'ceiling', 'bed',
                                      'table', 'cabinet', 'ball')
#: Class ids, the indices of :data:`SYNTHETIC_CLASSES`.
FLOOR, WALL, CEILING, BED, TABLE, CABINET, BALL = range(len(SYNTHETIC_CLASSES))

# Per-class colour palettes (linear-ish RGB).  Several entries per class, plus
# per-scene jitter, so a class is recognisable from colour/texture statistics
# but never from one exact RGB value.
_PALETTES: dict[int, tuple[tuple[float, float, float], ...]] = {
    FLOOR: ((0.55, 0.38, 0.24), (0.68, 0.52, 0.36), (0.45, 0.43, 0.41)),
    WALL: ((0.82, 0.80, 0.74), (0.76, 0.80, 0.78), (0.84, 0.76, 0.68)),
    CEILING: ((0.92, 0.92, 0.90), (0.88, 0.89, 0.92)),
    BED: ((0.30, 0.40, 0.70), (0.70, 0.34, 0.40), (0.45, 0.60, 0.45)),
    TABLE: ((0.38, 0.24, 0.14), (0.55, 0.55, 0.58), (0.48, 0.32, 0.20)),
    CABINET: ((0.50, 0.36, 0.24), (0.78, 0.76, 0.70), (0.35, 0.42, 0.38)),
    BALL: ((0.88, 0.20, 0.12), (0.95, 0.75, 0.10), (0.15, 0.45, 0.85)),
}

# Object size ranges in metres: (x extent, height, z extent) before a random
# 90-degree turn of the footprint.
_BOX_SIZES: dict[int, tuple[tuple[float, float], ...]] = {
    BED: ((0.9, 1.8), (0.40, 0.65), (1.9, 2.2)),  # long and low
    TABLE: ((0.8, 1.6), (0.70, 0.80), (0.6, 1.0)),  # medium
    CABINET: ((0.4, 0.9), (1.20, 2.00), (0.35, 0.6)),  # tall and narrow
}


@dataclass(frozen=True)
class Window:
    """A rectangular window on a wall, rendered as invalid (no depth).

    Attributes:
        face: Room face index ``2 * axis + side`` (0, 1 or 5 here).
        u_range: ``(lo, hi)`` along the wall's horizontal axis (world ``z``
            for the ``x = const`` walls, world ``x`` for ``z = const``).
        y_range: ``(lo, hi)`` in world height.
    """

    face: int
    u_range: tuple[float, float]
    y_range: tuple[float, float]


@dataclass(frozen=True)
class SceneSpec:
    """Everything needed to render one scene deterministically.

    Attributes:
        height: Image height in pixels.
        width: Image width in pixels.
        room: ``(3,)`` room extent (width x, height y, depth z) in metres.
        camera: The camera.
        boxes: Furniture boxes.
        spheres: Balls.
        windows: Wall windows (invalid regions).
        colours: ``(C, 3)`` per-class base colour for this scene.
        light_dir: ``(3,)`` unit vector towards the light (world frame).
        ambient: Ambient shading term.
        diffuse: Lambertian shading weight.
        attenuation: Exponential depth attenuation rate per metre.
        tint: ``(3,)`` global colour/brightness multiplier.
        pixel_noise: Standard deviation of additive Gaussian pixel noise.
        floor_pattern: ``'planks'`` or ``'tiles'``.
        floor_axis: World axis (0 or 2) the planks run across.
        floor_period: Plank width or tile size in metres.
        wall_stripe: ``(amplitude, period)`` of the wallpaper stripes.
        bed_axis: World axis (0 or 2) of the blanket stripes.
        cabinet_panel: Cabinet door width in metres.
        phase: Random phase used by the textures.
    """

    height: int
    width: int
    room: np.ndarray
    camera: PinholeCamera
    boxes: tuple[Box, ...]
    spheres: tuple[Sphere, ...]
    windows: tuple[Window, ...]
    colours: np.ndarray
    light_dir: np.ndarray
    ambient: float
    diffuse: float
    attenuation: float
    tint: np.ndarray
    pixel_noise: float
    floor_pattern: str
    floor_axis: int
    floor_period: float
    wall_stripe: tuple[float, float]
    bed_axis: int
    cabinet_panel: float
    phase: float


def _footprints_overlap(a: tuple[float, float, float, float],
                        b: tuple[float, float, float, float],
                        gap: float) -> bool:
    """Whether two ``(x0, z0, x1, z1)`` footprints are closer than ``gap``."""
    return not (a[2] + gap <= b[0] or b[2] + gap <= a[0] or a[3] + gap <= b[1]
                or b[3] + gap <= a[1])


def _sample_box(rng: np.random.Generator, cls: int, room: np.ndarray,
                cam_pos: np.ndarray,
                taken: list[tuple[float, float, float, float]]) -> Box | None:
    """Place one furniture box on the floor in front of the camera.

    Returns ``None`` when no collision-free placement is found; the caller
    just gets fewer objects, which keeps sampling bounded.
    """
    (sx_lo, sx_hi), (sy_lo, sy_hi), (sz_lo, sz_hi) = _BOX_SIZES[cls]
    sx, sy, sz = rng.uniform(sx_lo, sx_hi), rng.uniform(sy_lo, sy_hi), \
        rng.uniform(sz_lo, sz_hi)
    sy = min(sy, room[1] - 0.3)  # cabinets must fit under the ceiling
    if rng.random() < 0.5:
        sx, sz = sz, sx
    margin = 0.02
    # The lowest image rows see the floor about 1.5-2.5 m ahead; starting
    # furniture beyond that keeps some floor visible in almost every frame
    # (and the camera never inside a box).
    z_min = cam_pos[2] + 1.6
    for _ in range(20):
        x_hi_lim = room[0] - sx - margin
        z_hi_lim = room[2] - sz - margin
        if x_hi_lim <= margin or z_hi_lim <= z_min:
            sx, sz = sz, sx  # the other orientation may still fit
            x_hi_lim = room[0] - sx - margin
            z_hi_lim = room[2] - sz - margin
            if x_hi_lim <= margin or z_hi_lim <= z_min:
                return None
        x0 = rng.uniform(margin, x_hi_lim)
        z0 = rng.uniform(z_min, z_hi_lim)
        # Real furniture hugs walls; snapping half of the boxes makes the
        # wall/object contact edges common in the data.
        snap = rng.integers(0, 6)
        if snap == 0:
            x0 = margin
        elif snap == 1:
            x0 = x_hi_lim
        elif snap == 2:
            z0 = z_hi_lim
        foot = (x0, z0, x0 + sx, z0 + sz)
        if any(_footprints_overlap(foot, other, 0.1) for other in taken):
            continue
        taken.append(foot)
        return Box(cls=cls,
                   lo=np.array([x0, 0.0, z0]),
                   hi=np.array([x0 + sx, sy, z0 + sz]))
    return None


def _sample_sphere(rng: np.random.Generator, room: np.ndarray,
                   cam_pos: np.ndarray, boxes: tuple[Box, ...],
                   taken: list[tuple[float, float, float, float]],
                   spheres: list[Sphere]) -> Sphere | None:
    """Place one ball on the floor or on top of a low enough box."""
    radius = float(rng.uniform(0.1, 0.3))
    for _ in range(20):
        supports = [b for b in boxes if b.hi[1] < 1.6 and min(
            b.hi[0] - b.lo[0], b.hi[2] - b.lo[2]) > 2 * radius + 0.05]
        if supports and rng.random() < 0.35:
            box = supports[rng.integers(0, len(supports))]
            cx = rng.uniform(box.lo[0] + radius, box.hi[0] - radius)
            cz = rng.uniform(box.lo[2] + radius, box.hi[2] - radius)
            center = np.array([cx, box.hi[1] + radius, cz])
        else:
            z_lo, z_hi = cam_pos[2] + 1.2, room[2] - radius - 0.02
            if z_hi <= z_lo:
                return None
            cx = rng.uniform(radius + 0.02, room[0] - radius - 0.02)
            cz = rng.uniform(z_lo, z_hi)
            foot = (cx - radius, cz - radius, cx + radius, cz + radius)
            if any(_footprints_overlap(foot, other, 0.02) for other in taken):
                continue
            center = np.array([cx, radius, cz])
        if any(
                np.linalg.norm(center - s.center) < radius + s.radius + 0.02
                for s in spheres):
            continue
        return Sphere(center=center, radius=radius)
    return None


def _sample_window(rng: np.random.Generator, room: np.ndarray,
                   cam_pos: np.ndarray) -> Window | None:
    """Place one window on a side wall or on the far wall."""
    face = int(rng.choice([0, 1, 5]))
    w = rng.uniform(0.6, 1.4)
    sill = rng.uniform(0.7, 1.1)
    top = min(sill + rng.uniform(0.7, 1.3), room[1] - 0.2)
    if face == 5:
        u_lo, u_hi = 0.2, room[0] - 0.2 - w
    else:
        # Side-wall windows start ahead of the camera; behind it they would
        # never be seen anyway.
        u_lo, u_hi = cam_pos[2] + 0.5, room[2] - 0.2 - w
    if u_hi <= u_lo or top <= sill:
        return None
    u0 = rng.uniform(u_lo, u_hi)
    return Window(face=face, u_range=(u0, u0 + w), y_range=(sill, top))


def sample_scene(rng: np.random.Generator, height: int,
                 width: int) -> SceneSpec:
    """Sample a random room, camera, objects and appearance.

    Args:
        rng: Source of randomness; the result is a deterministic function of
            its state.
        height: Image height in pixels.
        width: Image width in pixels.

    Returns:
        A :class:`SceneSpec` ready for
        :func:`~.indoor_render.render_spec`.
    """
    room = np.array([
        rng.uniform(4.0, 7.0),  # width (x)
        rng.uniform(2.5, 3.2),  # height (y)
        rng.uniform(4.0, 8.0),  # depth (z)
    ])
    cam_pos = np.array([
        rng.uniform(0.35, 0.65) * room[0],
        rng.uniform(1.2, 1.7),
        rng.uniform(0.3, 1.0),
    ])
    yaw = math.radians(rng.uniform(-20.0, 20.0))
    # A downward pitch keeps the floor in the lower part of the frame while
    # the upper rows still reach the ceiling in most scenes.
    pitch = math.radians(rng.uniform(5.0, 18.0))
    hfov = math.radians(rng.uniform(60.0, 70.0))
    focal = (width / 2.0) / math.tan(hfov / 2.0)
    camera = PinholeCamera(fx=focal,
                           fy=focal,
                           cx=width / 2.0,
                           cy=height / 2.0,
                           position=cam_pos,
                           rotation=camera_rotation(yaw, pitch))

    taken: list[tuple[float, float, float, float]] = []
    boxes: list[Box] = []
    for _ in range(int(rng.integers(1, 5))):
        cls = int(rng.choice([BED, TABLE, CABINET], p=[0.3, 0.35, 0.35]))
        box = _sample_box(rng, cls, room, cam_pos, taken)
        if box is not None:
            boxes.append(box)
    spheres: list[Sphere] = []
    for _ in range(int(rng.integers(0, 4))):
        sphere = _sample_sphere(rng, room, cam_pos, tuple(boxes), taken,
                                spheres)
        if sphere is not None:
            spheres.append(sphere)
    windows = [
        w for w in (_sample_window(rng, room, cam_pos)
                    for _ in range(int(rng.integers(0, 3)))) if w is not None
    ]

    colours = np.empty((len(SYNTHETIC_CLASSES), 3))
    for cls, palette in _PALETTES.items():
        base = np.asarray(palette[int(rng.integers(0, len(palette)))])
        jitter = base * (1.0 + rng.normal(0.0, 0.06, 3)) + rng.normal(
            0.0, 0.02, 3)
        colours[cls] = np.clip(jitter, 0.02, 0.98)

    light = np.array([
        rng.uniform(-1.0, 1.0),
        rng.uniform(0.3, 1.0),
        rng.uniform(-1.0, 1.0),
    ])
    ambient = float(rng.uniform(0.45, 0.6))
    return SceneSpec(
        height=int(height),
        width=int(width),
        room=room,
        camera=camera,
        boxes=tuple(boxes),
        spheres=tuple(spheres),
        windows=tuple(windows),
        colours=colours,
        light_dir=light / np.linalg.norm(light),
        ambient=ambient,
        diffuse=float(1.0 - ambient + rng.uniform(0.1, 0.3)),
        attenuation=float(rng.uniform(0.01, 0.05)),
        tint=rng.uniform(0.85, 1.15) * (1.0 + rng.normal(0.0, 0.03, 3)),
        pixel_noise=float(rng.uniform(0.005, 0.02)),
        floor_pattern='planks' if rng.random() < 0.6 else 'tiles',
        floor_axis=int(rng.choice([0, 2])),
        floor_period=float(rng.uniform(0.12, 0.25)),
        wall_stripe=(float(rng.uniform(0.0, 0.05)),
                     float(rng.uniform(0.08, 0.3))),
        bed_axis=int(rng.choice([0, 2])),
        cabinet_panel=float(rng.uniform(0.35, 0.5)),
        phase=float(rng.uniform(0.0, 2.0 * math.pi)),
    )
