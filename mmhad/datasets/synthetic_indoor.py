"""Procedural synthetic indoor scenes in the pre-processed NYUv2 layout.

The generator ray-casts simple box rooms with furniture-like boxes and balls
and writes the three dense tasks the project trains on (semantic labels,
depth, surface normals) plus an RGB image.  All four maps come from the same
ray hits, so they are mutually consistent: back-projecting the depth with the
camera intrinsics lands floor pixels on the floor plane, the normals are the
true normals of those planes, and so on.  That makes the data useful for
smoke tests and small lifelong-learning experiments without downloading
NYUv2, and it lets unit tests check geometric invariants exactly.

Only numpy and the standard library are used, so the module can be imported
(or loaded by file path) without the OpenMMLab stack.

Output layout (identical to the common pre-processed NYUv2 multi-task
release)::

    root/
      manifest.json
      train/{image,label,depth,normal}/0.npy, 1.npy, ...
      val/{image,label,depth,normal}/0.npy, 1.npy, ...

* ``image``: ``H x W x 3`` float32 in ``[0, 1]``.
* ``label``: ``H x W`` float32 class ids ``0 .. C-1``; ``-1`` = ignore.
* ``depth``: ``H x W x 1`` float32, metres along the optical axis
  (z-depth, as in NYUv2); ``0`` = invalid.
* ``normal``: ``H x W x 3`` float32 unit vectors in camera coordinates;
  all three components ``0`` = invalid.

Coordinate conventions:

* World frame: ``x`` along the room width, ``y`` **up**, ``z`` along the room
  depth.  The room interior is ``[0, W] x [0, H_room] x [0, D]``; the floor is
  the plane ``y = 0``.
* Camera frame (used for the stored normals): OpenCV convention, ``x`` right,
  ``y`` **down**, ``z`` forward (into the scene).  Hence floor normals have a
  strongly negative ``y`` component, ceiling normals a positive one, wall
  normals a small ``|y|`` (only the camera pitch tilts them), and every valid
  normal faces the camera (``n . ray < 0``, so ``n_z`` is mostly negative).
* Pixel ``(row v, col u)`` has its centre at ``(u + 0.5, v + 0.5)``; the ray
  through it is ``((u + 0.5 - cx) / fx, (v + 0.5 - cy) / fy, 1)`` in camera
  coordinates, so a 3D point is ``depth * ray``.

Invalid pixels are the windows on the walls (NYUv2's sensor returns no depth
there either); they carry ``depth = 0``, ``normal = 0`` and ``label = -1``
and cover at most ``MAX_INVALID_FRACTION`` of an image.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

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

SYNTHETIC_CLASSES: tuple[str, ...] = ('floor', 'wall', 'ceiling', 'bed',
                                      'table', 'cabinet', 'ball')
FLOOR, WALL, CEILING, BED, TABLE, CABINET, BALL = range(len(SYNTHETIC_CLASSES))
IGNORE_INDEX = -1

# Bump whenever the rendered content or layout changes: the manifest check in
# ``generate_synthetic_indoor`` then regenerates stale datasets on disk.
FORMAT_VERSION = 1
MANIFEST_NAME = 'manifest.json'
SPLITS: tuple[str, ...] = ('train', 'val')
MODALITIES: tuple[str, ...] = ('image', 'label', 'depth', 'normal')

# NYUv2 has a few percent of missing depth; windows beyond this budget are
# dropped at render time so no image is dominated by ignore pixels.
MAX_INVALID_FRACTION = 0.05

# Ray parameters below this are treated as self-intersections / behind the
# camera.
_T_EPS = 1e-6

# Room faces are indexed ``2 * axis + side`` (side 0 = the ``0`` plane,
# side 1 = the far plane), e.g. 0: x = 0 wall, 1: x = W wall, 2: floor,
# 3: ceiling, 4: z = 0 wall (behind the camera), 5: z = D wall.
_NO_FACE = -1

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
# Luminance noise per class: a cheap stand-in for material roughness that
# gives classes different local texture statistics.
_CLASS_NOISE = np.array([0.03, 0.015, 0.01, 0.05, 0.03, 0.02, 0.02])
_WINDOW_COLOUR = np.array([0.86, 0.92, 1.0])

# Object size ranges in metres: (x extent, height, z extent) before a random
# 90-degree turn of the footprint.
_BOX_SIZES: dict[int, tuple[tuple[float, float], ...]] = {
    BED: ((0.9, 1.8), (0.40, 0.65), (1.9, 2.2)),  # long and low
    TABLE: ((0.8, 1.6), (0.70, 0.80), (0.6, 1.0)),  # medium
    CABINET: ((0.4, 0.9), (1.20, 2.00), (0.35, 0.6)),  # tall and narrow
}


@dataclass(frozen=True)
class PinholeCamera:
    """A pinhole camera placed in the world frame.

    Attributes:
        fx: Focal length along image columns, in pixels.
        fy: Focal length along image rows, in pixels.
        cx: Principal point column (pixel centres are at ``u + 0.5``).
        cy: Principal point row (pixel centres are at ``v + 0.5``).
        position: ``(3,)`` camera centre in world coordinates (metres).
        rotation: ``(3, 3)`` camera-to-world rotation; its columns are the
            camera's x (right), y (down), z (forward) axes in world
            coordinates.
    """

    fx: float
    fy: float
    cx: float
    cy: float
    position: np.ndarray
    rotation: np.ndarray

    def pixel_rays(self, height: int, width: int) -> np.ndarray:
        """Per-pixel ray directions in camera coordinates.

        The rays are scaled so that their z component is 1; a ray parameter
        ``t`` therefore equals the z-depth of the hit point, which is exactly
        the NYUv2 depth definition.

        Args:
            height: Image height in pixels.
            width: Image width in pixels.

        Returns:
            ``(height * width, 3)`` float64 array, row-major pixel order.
        """
        u = (np.arange(width, dtype=np.float64) + 0.5 - self.cx) / self.fx
        v = (np.arange(height, dtype=np.float64) + 0.5 - self.cy) / self.fy
        rays = np.empty((height, width, 3), dtype=np.float64)
        rays[..., 0] = u[None, :]
        rays[..., 1] = v[:, None]
        rays[..., 2] = 1.0
        return rays.reshape(-1, 3)


@dataclass(frozen=True)
class Box:
    """An axis-aligned box standing on the floor.

    Attributes:
        cls: Class id (``BED``, ``TABLE`` or ``CABINET``).
        lo: ``(3,)`` minimum corner in world coordinates.
        hi: ``(3,)`` maximum corner in world coordinates.
    """

    cls: int
    lo: np.ndarray
    hi: np.ndarray


@dataclass(frozen=True)
class Sphere:
    """A ball resting on the floor or on a box.

    Attributes:
        center: ``(3,)`` centre in world coordinates.
        radius: Radius in metres.
    """

    center: np.ndarray
    radius: float


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


# --------------------------------------------------------------------------
# Scene sampling
# --------------------------------------------------------------------------


def _camera_rotation(yaw: float, pitch: float) -> np.ndarray:
    """Camera-to-world rotation for a camera with the given yaw and pitch.

    Args:
        yaw: Rotation about the world up axis in radians (positive turns the
            view towards +x).
        pitch: Downward tilt in radians (positive looks down).

    Returns:
        ``(3, 3)`` rotation whose columns are the camera axes in world
        coordinates.
    """
    # OpenCV camera axes (x right, y down, z forward) expressed in a world
    # frame with y up, before any yaw/pitch.
    flip = np.diag([1.0, -1.0, 1.0])
    cp, sp = math.cos(pitch), math.sin(pitch)
    # Rotation about world x that sends forward (0, 0, 1) to
    # (0, -sin(pitch), cos(pitch)), i.e. tilts the view down.
    r_pitch = np.array([[1.0, 0.0, 0.0], [0.0, cp, -sp], [0.0, sp, cp]])
    cy, sy = math.cos(yaw), math.sin(yaw)
    r_yaw = np.array([[cy, 0.0, sy], [0.0, 1.0, 0.0], [-sy, 0.0, cy]])
    return r_yaw @ r_pitch @ flip


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
        A :class:`SceneSpec` ready for :func:`render_spec`.
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
                           rotation=_camera_rotation(yaw, pitch))

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


# --------------------------------------------------------------------------
# Ray casting
# --------------------------------------------------------------------------


# Arrays below are "structure of arrays": shape (3, N) with one contiguous
# row per component, which is several times faster in numpy than (N, 3)
# column slicing for these elementwise-heavy kernels.


def _safe_inverse(d: np.ndarray) -> np.ndarray:
    """``1 / d`` with exact zeros nudged so slab tests never produce NaN."""
    tiny = np.where(d >= 0.0, 1e-12, -1e-12)
    return 1.0 / np.where(np.abs(d) < 1e-12, tiny, d)


def _intersect_room(origin: np.ndarray, d: np.ndarray, inv_d: np.ndarray,
                    room: np.ndarray):
    """Exit point of rays (``(3, N)``) from inside the room box.

    Returns:
        ``(t, cls, normal, face)``: ``(N,)`` ray parameters, ``(N,)`` class
        ids, ``(3, N)`` world normals and ``(N,)`` room face indices.
    """
    n = d.shape[1]
    t = np.full(n, np.inf)
    axis = np.zeros(n, dtype=np.int64)
    for k in range(3):
        # The camera is inside the box, so along each axis the ray leaves
        # through the plane it is heading towards; the nearest one wins.
        t_k = np.where(d[k] > 0.0, room[k] - origin[k], -origin[k]) * inv_d[k]
        closer = t_k < t
        t = np.where(closer, t_k, t)
        axis[closer] = k
    rows = np.arange(n)
    side = (d[axis, rows] > 0.0).astype(np.int64)
    face = 2 * axis + side
    cls = np.full(n, WALL, dtype=np.int64)
    cls[face == 2] = FLOOR
    cls[face == 3] = CEILING
    normal = np.zeros((3, n))
    # Room normals point into the room, i.e. against the ray direction.
    normal[axis, rows] = np.where(side == 1, -1.0, 1.0)
    return t, cls, normal, face


def _intersect_box(box: Box, origin: np.ndarray, d: np.ndarray,
                   inv_d: np.ndarray, t: np.ndarray, cls: np.ndarray,
                   normal: np.ndarray, face: np.ndarray) -> None:
    """Slab test; updates the hit buffers in place where the box is nearer."""
    t_near = np.full(t.shape, -np.inf)
    t_far = t.copy()  # only hits in front of the current nearest matter
    axis = np.zeros(t.shape, dtype=np.int64)
    for k in range(3):
        t1 = (box.lo[k] - origin[k]) * inv_d[k]
        t2 = (box.hi[k] - origin[k]) * inv_d[k]
        entry = np.minimum(t1, t2)
        later = entry > t_near
        t_near = np.where(later, entry, t_near)
        axis[later] = k
        np.minimum(t_far, np.maximum(t1, t2), out=t_far)
    hit = (t_near <= t_far) & (t_near > _T_EPS) & (t_near < t)
    idx = np.flatnonzero(hit)
    if idx.size == 0:
        return
    t[idx] = t_near[idx]
    cls[idx] = box.cls
    face[idx] = _NO_FACE
    normal[:, idx] = 0.0
    ax = axis[idx]
    normal[ax, idx] = -np.sign(d[ax, idx])


def _intersect_sphere(sphere: Sphere, origin: np.ndarray, d: np.ndarray,
                      d_sq: np.ndarray, t: np.ndarray, cls: np.ndarray,
                      normal: np.ndarray, face: np.ndarray) -> None:
    """Ray/sphere test; updates the hit buffers in place where nearer."""
    oc = origin - sphere.center
    half_b = oc @ d  # (N,)
    c = float(oc @ oc) - sphere.radius**2
    disc = half_b * half_b - d_sq * c
    hit = disc >= 0.0
    t_hit = (-half_b - np.sqrt(np.where(hit, disc, 0.0))) / d_sq
    hit &= (t_hit > _T_EPS) & (t_hit < t)
    idx = np.flatnonzero(hit)
    if idx.size == 0:
        return
    t[idx] = t_hit[idx]
    cls[idx] = BALL
    face[idx] = _NO_FACE
    point = origin[:, None] + t_hit[idx] * d[:, idx]
    normal[:, idx] = (point - sphere.center[:, None]) / sphere.radius


def _window_masks(spec: SceneSpec, point: np.ndarray, cls: np.ndarray,
                  face: np.ndarray) -> list[np.ndarray]:
    """Boolean pixel mask of every window (only visible wall pixels)."""
    masks = []
    for window in spec.windows:
        on_face = (cls == WALL) & (face == window.face)
        # x = const walls run along z; z = const walls run along x.
        u = point[2] if window.face in (0, 1) else point[0]
        y = point[1]
        masks.append(on_face & (u >= window.u_range[0])
                     & (u <= window.u_range[1]) & (y >= window.y_range[0])
                     & (y <= window.y_range[1]))
    return masks


def _texture(spec: SceneSpec, cls: np.ndarray, point: np.ndarray,
             normal_w: np.ndarray) -> np.ndarray:
    """Multiplicative per-pixel texture from world position and normal.

    Textures are functions of the 3D hit point, so they are perspective
    correct and consistent with the geometry (planks converge towards the
    horizon, stripes follow the surfaces).
    """
    tex = np.ones(cls.shape[0])
    px, py, pz = point
    phase = spec.phase

    m = np.flatnonzero(cls == FLOOR)
    if m.size:
        if spec.floor_pattern == 'planks':
            across = point[spec.floor_axis, m] / spec.floor_period
            other = point[2 - spec.floor_axis, m]
            plank = np.floor(across)
            frac = across - plank
            # Per-plank brightness from a cheap hash of the plank index.
            shade = 0.08 * np.sin(plank * 12.9898 + phase)
            grain = 0.04 * np.sin(2.0 * np.pi * other / 0.07 + plank * 3.1)
            seam = np.where(frac < 0.06, -0.25, 0.0)
            tex[m] = 1.0 + shade + grain + seam
        else:
            size = spec.floor_period * 2.5
            gx, gz = px[m] / size, pz[m] / size
            fx, fz = gx - np.floor(gx), gz - np.floor(gz)
            checker = ((np.floor(gx) + np.floor(gz)) % 2.0) * 0.08 - 0.04
            grout = np.where((fx < 0.04) | (fz < 0.04), -0.3, 0.0)
            tex[m] = 1.0 + checker + grout

    # Horizontal coordinate along a vertical face: z for x-facing faces.
    def along(idx: np.ndarray) -> np.ndarray:
        return np.where(np.abs(normal_w[0, idx]) > 0.5, pz[idx], px[idx])

    m = np.flatnonzero(cls == WALL)
    if m.size:
        amp, period = spec.wall_stripe
        tex[m] = 1.0 + amp * np.sin(2.0 * np.pi * along(m) / period + phase)

    m = np.flatnonzero(cls == BED)
    if m.size:
        stripes = np.sin(2.0 * np.pi * point[spec.bed_axis, m] / 0.25 + phase)
        tex[m] = 1.0 + 0.12 * np.sign(stripes)

    m = np.flatnonzero(cls == TABLE)
    if m.size:
        tex[m] = 1.0 + 0.08 * np.sin(2.0 * np.pi * (px[m] + 0.3 * pz[m]) /
                                     0.05 + 5.0 * np.sin(py[m] * 3.0))

    m = np.flatnonzero(cls == CABINET)
    if m.size:
        doors = along(m) / spec.cabinet_panel
        seam = (doors - np.floor(doors)) < 0.05
        tex[m] = np.where(seam, 0.6, 1.0)

    m = np.flatnonzero(cls == BALL)
    if m.size:
        # Beach-ball segments from the azimuth of the surface normal.
        azimuth = np.arctan2(normal_w[0, m], normal_w[2, m])
        tex[m] = 1.0 + 0.25 * np.sign(np.sin(3.0 * azimuth + phase))
    return tex


def render_spec(spec: SceneSpec,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Ray-cast a scene into the four task maps.

    Args:
        spec: Scene produced by :func:`sample_scene`.
        rng: Source of the per-pixel noise (image only; the geometry maps
            are a deterministic function of ``spec``).

    Returns:
        ``dict(image=HxWx3, label=HxW, depth=HxWx1, normal=HxWx3)``, all
        float32, with the ranges and invalid-pixel encoding described in the
        module docstring.
    """
    height, width = spec.height, spec.width
    n_pix = height * width
    cam = spec.camera
    rays_cam = np.ascontiguousarray(cam.pixel_rays(height, width).T)
    # Rotating the z=1 camera rays keeps their parameter equal to z-depth.
    d = cam.rotation @ rays_cam
    origin = cam.position
    inv_d = _safe_inverse(d)

    t, cls, normal_w, face = _intersect_room(origin, d, inv_d, spec.room)
    for box in spec.boxes:
        _intersect_box(box, origin, d, inv_d, t, cls, normal_w, face)
    if spec.spheres:
        d_sq = np.einsum('ij,ij->j', d, d)
        for sphere in spec.spheres:
            _intersect_sphere(sphere, origin, d, d_sq, t, cls, normal_w, face)
    point = origin[:, None] + t * d

    # Normals facing the camera is the NYUv2 convention; the constructions
    # above already guarantee it, the flip only guards degenerate grazing
    # hits.  Renormalising removes the sphere normals' rounding error.
    facing = np.einsum('ij,ij->j', normal_w, d)
    normal_w *= np.where(facing > 0.0, -1.0, 1.0) / np.sqrt(
        np.einsum('ij,ij->j', normal_w, normal_w))

    # Windows, smallest first, until the invalid budget would be exceeded.
    masks = _window_masks(spec, point, cls, face)
    invalid = np.zeros(n_pix, dtype=bool)
    for mask in sorted(masks, key=lambda mk: int(mk.sum())):
        merged = invalid | mask
        if merged.sum() <= MAX_INVALID_FRACTION * n_pix:
            invalid = merged

    # Appearance: base colour x texture x Lambert x depth fall-off x tint.
    shade = spec.ambient + spec.diffuse * np.clip(spec.light_dir @ normal_w,
                                                  0.0, None)
    tex = _texture(spec, cls, point, normal_w)
    tex += rng.standard_normal(n_pix) * _CLASS_NOISE[cls]
    gain = shade * np.exp(-spec.attenuation * t) * tex
    image = spec.colours[cls] * (spec.tint * gain[:, None])
    if invalid.any():
        image[invalid] = _WINDOW_COLOUR * rng.uniform(0.95, 1.05)
    image += rng.normal(0.0, spec.pixel_noise, image.shape)
    np.clip(image, 0.0, 1.0, out=image)

    depth = np.where(invalid, 0.0, t)
    normal_c = (cam.rotation.T @ normal_w).T  # world -> camera frame
    normal_c[invalid] = 0.0
    label = np.where(invalid, IGNORE_INDEX, cls)

    return dict(
        image=image.reshape(height, width, 3).astype(np.float32),
        label=label.reshape(height, width).astype(np.float32),
        depth=depth.reshape(height, width, 1).astype(np.float32),
        normal=normal_c.reshape(height, width, 3).astype(np.float32),
    )


def render_scene(rng: np.random.Generator, height: int,
                 width: int) -> dict[str, np.ndarray]:
    """Sample and render one random indoor scene.

    Args:
        rng: Source of randomness; equal generator states give identical
            outputs.
        height: Image height in pixels.
        width: Image width in pixels.

    Returns:
        ``dict(image=HxWx3, label=HxW, depth=HxWx1, normal=HxWx3)`` float32
        arrays: image in ``[0, 1]``; label class ids with ``-1`` = ignore;
        depth in metres with ``0`` = invalid; normal unit vectors in camera
        coordinates (x right, y down, z forward) with all-zero = invalid.
    """
    spec = sample_scene(rng, height, width)
    return render_spec(spec, rng)


# --------------------------------------------------------------------------
# Dataset generation
# --------------------------------------------------------------------------


def _build_manifest(params: dict[str, int],
                    complete: bool,
                    generator: str = 'mmhad.datasets.synthetic_indoor',
                    classes: tuple[str, ...] = SYNTHETIC_CLASSES) -> dict:
    """Manifest describing a generated dataset (JSON-serialisable)."""
    return {
        'format_version': FORMAT_VERSION,
        'generator': generator,
        'params': dict(params),
        'classes': list(classes),
        'num_classes': len(classes),
        'ignore_index': IGNORE_INDEX,
        'splits': {
            'train': params['num_train'],
            'val': params['num_val']
        },
        'modalities': {
            'image': 'HxWx3 float32 in [0, 1]',
            'label': 'HxW float32 class id, -1 = ignore',
            'depth': 'HxWx1 float32 z-depth in metres, 0 = invalid',
            'normal': 'HxWx3 float32 unit vector, camera frame '
            '(x right, y down, z forward), all 0 = invalid',
        },
        'complete': bool(complete),
    }


def _read_manifest(path: Path) -> dict | None:
    """Load a manifest, treating unreadable files as absent."""
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_manifest(path: Path, manifest: dict) -> None:
    """Write atomically so readers never see a half-written manifest."""
    tmp = path.with_name(path.name + '.tmp')
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write('\n')
    os.replace(tmp, path)


def _is_up_to_date(root: Path,
                   manifest: dict | None,
                   params: dict[str, int],
                   generator: str | None = None) -> bool:
    """Whether ``root`` already holds a complete dataset for ``params``."""
    if manifest is None or manifest.get('complete') is not True:
        return False
    if manifest.get('format_version') != FORMAT_VERSION:
        return False
    if generator is not None and manifest.get('generator') != generator:
        return False
    if manifest.get('params') != params:
        return False
    # Cheap sanity check that the data was not deleted behind our back:
    # the last file of every split/modality must exist.
    for split, count in (('train', params['num_train']),
                         ('val', params['num_val'])):
        last = f'{count - 1}.npy'
        if count and not all((root / split / mod / last).is_file()
                             for mod in MODALITIES):
            return False
    return True


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
    return write_generated_dataset(root, params, render_scene,
                                   'mmhad.datasets.synthetic_indoor',
                                   SYNTHETIC_CLASSES, overwrite)


def write_generated_dataset(root: str, params: dict[str, int], render,
                            generator: str, classes: tuple[str, ...],
                            overwrite: bool = False) -> dict:
    """Render ``params['num_train']`` / ``['num_val']`` scenes into ``root``.

    The writing half of every procedural generator (indoor rooms, outdoor
    streets): seeds, manifest, refusal to delete folders it did not write,
    and skipping an up-to-date set.

    Args:
        root: Output directory (created if missing).
        params: ``num_train``, ``num_val``, ``height``, ``width``, ``seed``.
        render: ``render(rng, height, width) -> dict`` of the four maps.
        generator: Module name stored in (and checked against) the manifest.
        classes: Class names stored in the manifest.
        overwrite: Regenerate even if an up-to-date dataset exists.

    Returns:
        The manifest dict, also stored in ``root/manifest.json``.

    Raises:
        ValueError: If a count is negative or an image size is not positive.
        FileExistsError: If ``root`` holds split folders without a manifest.
    """
    if params['num_train'] < 0 or params['num_val'] < 0:
        raise ValueError('num_train and num_val must be >= 0, got '
                         f"{params['num_train']} and {params['num_val']}")
    if params['height'] <= 0 or params['width'] <= 0:
        raise ValueError('image size must be positive, got '
                         f"{params['height']}x{params['width']}")
    root_path = Path(root)
    manifest_path = root_path / MANIFEST_NAME
    existing = _read_manifest(manifest_path)
    if not overwrite and _is_up_to_date(root_path, existing, params,
                                           generator):
        return existing

    split_dirs = [root_path / split for split in SPLITS]
    if existing is None and not overwrite and any(
            p.is_dir() and any(p.iterdir()) for p in split_dirs):
        raise FileExistsError(
            f'{root_path} contains split folders but no {MANIFEST_NAME}; '
            'refusing to delete data this generator did not write '
            '(pass overwrite=True to replace it).')

    root_path.mkdir(parents=True, exist_ok=True)
    # Claim the folder before deleting anything so that an interrupted run
    # is recognised as ours (incomplete) and cleaned up next time.
    manifest = _build_manifest(params, False, generator, classes)
    _write_manifest(manifest_path, manifest)
    for split_dir in split_dirs:
        if split_dir.exists():
            shutil.rmtree(split_dir)

    split_seeds = np.random.SeedSequence(params['seed']).spawn(len(SPLITS))
    for split, split_seed in zip(SPLITS, split_seeds):
        count = params[f'num_{split}']
        out_dirs = {mod: root_path / split / mod for mod in MODALITIES}
        for out_dir in out_dirs.values():
            out_dir.mkdir(parents=True, exist_ok=True)
        for index, image_seed in enumerate(split_seed.spawn(count)):
            sample = render(np.random.default_rng(image_seed),
                            params['height'], params['width'])
            for mod in MODALITIES:
                np.save(out_dirs[mod] / f'{index}.npy', sample[mod])

    manifest['complete'] = True
    _write_manifest(manifest_path, manifest)
    return manifest
