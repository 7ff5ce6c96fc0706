"""Ray-casting a sampled indoor scene into the four task maps.

:func:`render_spec` turns a :class:`~.indoor_scene.SceneSpec` into image,
label, depth and normal maps.  All four come from the same ray hits, so they
are mutually consistent: back-projecting the depth with the camera
intrinsics lands floor pixels on the floor plane, the normals are the true
normals of those planes, and so on.  Floor normals therefore have a strongly
negative camera-frame ``y`` component, ceiling normals a positive one, wall
normals a small ``|y|`` (only the camera pitch tilts them), and every valid
normal faces the camera (``n . ray < 0``, so ``n_z`` is mostly negative).

Invalid pixels are the windows on the walls (NYUv2's sensor returns no depth
there either); they carry ``depth = 0``, ``normal = 0`` and ``label = -1``
and cover at most :data:`MAX_INVALID_FRACTION` of an image.

Only numpy and the standard library are used.
"""

from __future__ import annotations

import numpy as np

from .geometry import intersect_box, intersect_sphere, safe_inverse
from .indoor_scene import (BALL, BED, CABINET, CEILING, FLOOR, TABLE, WALL,
                           SceneSpec, sample_scene)
from .writer import IGNORE_INDEX

__all__ = ['MAX_INVALID_FRACTION', 'render_spec', 'render_scene']

#: Largest share of invalid (window) pixels in an image.  NYUv2 has a few
#: percent of missing depth; windows beyond this budget are dropped at render
#: time so no image is dominated by ignore pixels.
MAX_INVALID_FRACTION = 0.05

# Luminance noise per class: a cheap stand-in for material roughness that
# gives classes different local texture statistics.
_CLASS_NOISE = np.array([0.03, 0.015, 0.01, 0.05, 0.03, 0.02, 0.02])
_WINDOW_COLOUR = np.array([0.86, 0.92, 1.0])


def _intersect_room(origin: np.ndarray, d: np.ndarray, inv_d: np.ndarray,
                    room: np.ndarray):
    """Exit point of rays (``(3, N)``) from inside the room box.

    The room is the enclosure every indoor ray starts in, so this creates
    the hit buffers that boxes and spheres then update.

    Args:
        origin: ``(3,)`` camera centre, inside the room.
        d: ``(3, N)`` ray directions.
        inv_d: ``(3, N)`` ``safe_inverse(d)``.
        room: ``(3,)`` room extent.

    Returns:
        ``(t, cls, normal, face)``: ``(N,)`` ray parameters, ``(N,)`` class
        ids, ``(3, N)`` world normals and ``(N,)`` room face indices
        (``2 * axis + side``, see :mod:`.indoor_scene`).
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


def _window_masks(spec: SceneSpec, point: np.ndarray, cls: np.ndarray,
                  face: np.ndarray) -> list[np.ndarray]:
    """Boolean pixel mask of every window (only visible wall pixels).

    Args:
        spec: The scene, whose ``windows`` are masked.
        point: ``(3, N)`` world hit points.
        cls: ``(N,)`` class ids of the hits.
        face: ``(N,)`` room face indices of the hits.

    Returns:
        One ``(N,)`` bool mask per window, in ``spec.windows`` order.
    """
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

    Args:
        spec: The scene (texture parameters).
        cls: ``(N,)`` class ids of the hits.
        point: ``(3, N)`` world hit points.
        normal_w: ``(3, N)`` world normals of the hits.

    Returns:
        ``(N,)`` float64 brightness factors around 1.
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
        spec: Scene produced by :func:`~.indoor_scene.sample_scene`.
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
    d = cam.world_rays(height, width)  # parameter t along d is z-depth
    origin = cam.position
    inv_d = safe_inverse(d)

    t, cls, normal_w, face = _intersect_room(origin, d, inv_d, spec.room)
    for box in spec.boxes:
        intersect_box(box, origin, d, inv_d, t, cls, normal_w, face)
    if spec.spheres:
        d_sq = np.einsum('ij,ij->j', d, d)
        for sphere in spec.spheres:
            intersect_sphere(sphere, BALL, origin, d, d_sq, t, cls, normal_w,
                             face)
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
