"""Camera, primitives and ray/primitive intersection shared by the scenes.

Every procedural scene family (indoor rooms, outdoor streets) is ray-cast
with the pieces in this module: a pinhole camera that turns pixels into rays,
axis-aligned boxes and spheres, and vectorised intersection kernels that keep
the nearest hit per ray.

Coordinate conventions:

* World frame: ``y`` is **up**; the ground / floor is the plane ``y = 0``.
* Camera frame: OpenCV convention, ``x`` right, ``y`` **down**, ``z``
  forward (into the scene).  The task maps store normals in this frame.
* Pixel ``(row v, col u)`` has its centre at ``(u + 0.5, v + 0.5)``; the ray
  through it is ``((u + 0.5 - cx) / fx, (v + 0.5 - cy) / fy, 1)`` in camera
  coordinates, so a 3D point is ``depth * ray``.

Ray batches are "structure of arrays": shape ``(3, N)`` with one contiguous
row per component, which is several times faster in numpy than ``(N, 3)``
column slicing for these elementwise-heavy kernels.  The hit buffers the
kernels update in place are ``t`` ``(N,)`` (ray parameter = z-depth),
``cls`` ``(N,)`` (class id), ``normal`` ``(3, N)`` (world-frame normal) and
``face`` ``(N,)`` (which face of the scene's enclosure was hit, or
:data:`NO_FACE`).

Only numpy and the standard library are used.
"""

from __future__ import annotations
import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    'NO_FACE',
    'PinholeCamera',
    'Box',
    'Sphere',
    'camera_rotation',
    'safe_inverse',
    'intersect_box',
    'intersect_sphere',
]

# Ray parameters below this are treated as self-intersections / behind the
# camera.
_T_EPS = 1e-6

#: ``face`` value of a hit on a box or sphere: only the enclosure a scene
#: starts from (e.g. the walls of a room) has numbered faces.
NO_FACE = -1


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

    def world_rays(self, height: int, width: int) -> np.ndarray:
        """Per-pixel ray directions in world coordinates.

        A rotation keeps the parameter of the z = 1 camera rays equal to the
        z-depth, so the intersection kernels' ``t`` is the depth map.

        Args:
            height: Image height in pixels.
            width: Image width in pixels.

        Returns:
            ``(3, height * width)`` float64 array, row-major pixel order.
        """
        rays_cam = np.ascontiguousarray(self.pixel_rays(height, width).T)
        return self.rotation @ rays_cam


def camera_rotation(yaw: float, pitch: float) -> np.ndarray:
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


@dataclass(frozen=True)
class Box:
    """An axis-aligned box, e.g. furniture, a building block or a car.

    Attributes:
        cls: Class id written to the hit buffer where the box is hit.
        lo: ``(3,)`` minimum corner in world coordinates.
        hi: ``(3,)`` maximum corner in world coordinates.
    """

    cls: int
    lo: np.ndarray
    hi: np.ndarray


@dataclass(frozen=True)
class Sphere:
    """A sphere, e.g. a ball resting on the floor or on a box.

    Attributes:
        center: ``(3,)`` centre in world coordinates.
        radius: Radius in metres.
    """

    center: np.ndarray
    radius: float


def safe_inverse(d: np.ndarray) -> np.ndarray:
    """``1 / d`` with exact zeros nudged so slab tests never produce NaN.

    Args:
        d: ``(3, N)`` ray directions.

    Returns:
        ``(3, N)`` elementwise inverse, finite everywhere.
    """
    tiny = np.where(d >= 0.0, 1e-12, -1e-12)
    return 1.0 / np.where(np.abs(d) < 1e-12, tiny, d)


def intersect_box(box: Box, origin: np.ndarray, d: np.ndarray,
                  inv_d: np.ndarray, t: np.ndarray, cls: np.ndarray,
                  normal: np.ndarray, face: np.ndarray) -> None:
    """Slab test; updates the hit buffers in place where the box is nearer.

    Hit rays get ``t`` = entry parameter, ``cls`` = ``box.cls``, the normal
    of the entered face (facing the ray) and ``face`` = :data:`NO_FACE`.

    Args:
        box: The box.
        origin: ``(3,)`` common ray origin (the camera centre).
        d: ``(3, N)`` ray directions.
        inv_d: ``(3, N)`` ``safe_inverse(d)``, shared by all boxes.
        t: ``(N,)`` nearest hit so far (``inf`` = none); updated.
        cls: ``(N,)`` class id of the nearest hit; updated.
        normal: ``(3, N)`` world normal of the nearest hit; updated.
        face: ``(N,)`` enclosure face of the nearest hit; updated.
    """
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
    face[idx] = NO_FACE
    normal[:, idx] = 0.0
    ax = axis[idx]
    normal[ax, idx] = -np.sign(d[ax, idx])


def intersect_sphere(sphere: Sphere, label: int, origin: np.ndarray,
                     d: np.ndarray, d_sq: np.ndarray, t: np.ndarray,
                     cls: np.ndarray, normal: np.ndarray,
                     face: np.ndarray) -> None:
    """Ray/sphere test; updates the hit buffers in place where nearer.

    Hit rays get ``t`` = the first root, ``cls`` = ``label``, the outward
    normal and ``face`` = :data:`NO_FACE`.  The normal is not renormalised
    here, so it carries the rounding error of the division by the radius.

    Args:
        sphere: The sphere.
        label: Class id written where the sphere is hit.
        origin: ``(3,)`` common ray origin (the camera centre).
        d: ``(3, N)`` ray directions.
        d_sq: ``(N,)`` squared norms of ``d``, shared by all spheres.
        t: ``(N,)`` nearest hit so far (``inf`` = none); updated.
        cls: ``(N,)`` class id of the nearest hit; updated.
        normal: ``(3, N)`` world normal of the nearest hit; updated.
        face: ``(N,)`` enclosure face of the nearest hit; updated.
    """
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
    cls[idx] = label
    face[idx] = NO_FACE
    point = origin[:, None] + t_hit[idx] * d[:, idx]
    normal[:, idx] = (point - sphere.center[:, None]) / sphere.radius
