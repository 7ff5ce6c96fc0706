"""Formula-driven pretraining images: fractals of random iterated function
systems, one class per system (FractalDB, Kataoka et al., ACCV 2020).

An encoder pretrained to tell such fractals apart learns edges, corners and
self-similar textures without one natural image, one download or one label
of the lifelong tasks; it stands in for ImageNet weights where those cannot
be fetched (the tests, the CPU demo, offline machines).

* A **category** is an iterated function system (IFS): ``N`` affine maps
  ``x -> A_i x + b_i`` of the plane (``N`` in ``[min_maps, max_maps]``, every
  parameter uniform in ``[-1, 1]``), map ``i`` drawn with probability
  proportional to ``|det A_i|``. A system is kept only if its attractor is
  bounded (every map contracts: largest singular value below 1) and fills
  at least ``min_fill`` of a square canvas (FractalDB's filling-rate rule):
  systems that diverge, or collapse to a point or a line, are redrawn.
* An **instance** of a category scales every map's parameters by a factor
  in ``[1 - jitter, 1 + jitter]`` (FractalDB's weight perturbation), flips
  the attractor at random, and paints it in a random colour on a dark
  random background; the points of each map get their own shade.

Everything is numpy and deterministic: categories by ``category_seed``,
instance ``i`` of a :class:`FractalClassification` set by ``(seed, i)``, so
a resumed pretraining run sees the same images.
"""

from __future__ import annotations
from dataclasses import dataclass
from typing import List

import numpy as np
import torch
from torch.utils.data import Dataset

from mmhad.registry import DATASETS

__all__ = [
    'IteratedFunctionSystem', 'sample_ifs', 'chaos_game', 'rasterize',
    'fill_rate', 'fractal_categories', 'render_instance',
    'FractalClassification'
]


@dataclass
class IteratedFunctionSystem:
    """``N`` affine maps of the plane and the probability of each.

    Attributes:
        linear (np.ndarray): ``(N, 2, 2)`` matrices ``A_i``.
        offset (np.ndarray): ``(N, 2)`` translations ``b_i``.
        prob (np.ndarray): ``(N, )`` probabilities, summing to 1.
    """
    linear: np.ndarray
    offset: np.ndarray
    prob: np.ndarray


def sample_ifs(rng: np.random.Generator, min_maps: int = 2,
               max_maps: int = 4) -> IteratedFunctionSystem:
    """A random system: parameters uniform in ``[-1, 1]``, probabilities
    proportional to the maps' ``|det A|`` (area scaling)."""
    num = int(rng.integers(min_maps, max_maps + 1))
    params = rng.uniform(-1.0, 1.0, size=(num, 6))
    linear = params[:, :4].reshape(num, 2, 2)
    det = np.abs(np.linalg.det(linear)) + 1e-6
    return IteratedFunctionSystem(linear, params[:, 4:], det / det.sum())


def chaos_game(ifs: IteratedFunctionSystem, rng: np.random.Generator,
               num_points: int = 1024, steps: int = 12,
               burn_in: int = 4) -> tuple:
    """Points of the attractor by the chaos game, ``num_points`` chains run
    side by side.

    Returns:
        tuple: ``points`` ``(M, 2)`` and ``which`` ``(M, )``, the map that
        produced each point; ``M = num_points * (steps - burn_in)``. Points
        of a diverging system are not finite.
    """
    x = rng.uniform(-1.0, 1.0, size=(num_points, 2))
    choice = rng.choice(len(ifs.prob), size=(steps, num_points), p=ifs.prob)
    points, which = [], []
    with np.errstate(over='ignore', invalid='ignore'):
        for step in range(steps):
            idx = choice[step]
            x = np.einsum('pij,pj->pi', ifs.linear[idx], x) + ifs.offset[idx]
            if step >= burn_in:
                points.append(x)
                which.append(idx)
    return np.concatenate(points), np.concatenate(which)


def rasterize(points: np.ndarray, height: int, width: int,
              margin: float = 0.05) -> tuple:
    """Fit the points' bounding box into the canvas (one scale for both axes)
    and give each point its pixel.

    Returns:
        tuple: Flat pixel indices ``(K, )`` of the points that land on the
        canvas and the boolean mask ``(M, )`` of those points; empty for
        non-finite points.
    """
    if not np.all(np.isfinite(points)):
        return np.zeros(0, dtype=np.int64), np.zeros(len(points), dtype=bool)
    lo, hi = points.min(axis=0), points.max(axis=0)
    extent = np.maximum(hi - lo, 1e-9)
    scale = (1 - 2 * margin) * min(width / extent[0], height / extent[1])
    centre = (lo + hi) / 2
    col = np.floor((points[:, 0] - centre[0]) * scale + width / 2)
    row = np.floor((points[:, 1] - centre[1]) * scale + height / 2)
    inside = (col >= 0) & (col < width) & (row >= 0) & (row < height)
    flat = row[inside].astype(np.int64) * width + col[inside].astype(np.int64)
    return flat, inside


def fill_rate(ifs: IteratedFunctionSystem, rng: np.random.Generator,
              size: int = 64) -> float:
    """Fraction of a ``size`` x ``size`` canvas the attractor covers."""
    points, _ = chaos_game(ifs, rng)
    flat, _ = rasterize(points, size, size)
    return len(np.unique(flat)) / float(size * size)


def fractal_categories(num_classes: int, category_seed: int = 0,
                       min_maps: int = 2, max_maps: int = 4,
                       min_fill: float = 0.1) -> List[IteratedFunctionSystem]:
    """``num_classes`` systems that pass the filling-rate rule."""
    rng = np.random.default_rng(category_seed)
    categories = []
    while len(categories) < num_classes:
        ifs = sample_ifs(rng, min_maps, max_maps)
        contracts = np.linalg.norm(ifs.linear, ord=2, axis=(1, 2)).max() < 1
        if contracts and fill_rate(ifs, rng) >= min_fill:
            categories.append(ifs)
    return categories


def render_instance(ifs: IteratedFunctionSystem, rng: np.random.Generator,
                    height: int, width: int, jitter: float = 0.1,
                    num_points: int = 1024) -> np.ndarray:
    """One image ``(H, W, 3)`` float32 in ``[0, 1]`` of a category."""
    scale = rng.uniform(1 - jitter, 1 + jitter, size=(len(ifs.prob), 6))
    linear = ifs.linear * scale[:, :4].reshape(-1, 2, 2)
    instance = IteratedFunctionSystem(linear, ifs.offset * scale[:, 4:],
                                      ifs.prob)
    points, which = chaos_game(instance, rng, num_points)
    points = points * np.where(rng.random(2) < 0.5, -1.0, 1.0)  # flips
    flat, inside = rasterize(points, height, width)
    background = rng.uniform(0.0, 0.3, size=3)
    # a gentle ramp, so that the background is not one flat colour
    ramp = np.linspace(-1, 1, height)[:, None, None] * rng.uniform(
        -0.1, 0.1, size=3)
    image = np.broadcast_to(background + ramp, (height, width, 3)).copy()
    colour = rng.uniform(0.3, 1.0, size=3)
    shades = rng.uniform(0.6, 1.0, size=len(ifs.prob))
    pixels = image.reshape(-1, 3)
    # a pixel hit by several maps takes the last one's shade: cheap, and
    # enough to give the maps' parts of the attractor different tones
    pixels[flat] = colour * shades[which[inside], None]
    return np.clip(image, 0.0, 1.0).astype(np.float32)


@DATASETS.register_module()
class FractalClassification(Dataset):
    """Fractal images made on the fly, labelled by their category.

    Sample ``i`` is an instance of category ``i % num_classes``, drawn from
    a generator seeded by ``(seed, i)``: the same index gives the same image
    in every run and after a resume.

    Args:
        num_classes (int): Categories (FractalDB-100 has 100).
        instances_per_class (int): Instances of each; the set has
            ``num_classes * instances_per_class`` samples.
        height (int): Image height.
        width (int): Image width.
        seed (int): Seed of the instances.
        category_seed (int): Seed of the categories; a validation set
            shares it with the training set and takes another ``seed``.
        min_maps (int): Fewest affine maps of a system.
        max_maps (int): Most affine maps of a system.
        min_fill (float): Filling-rate threshold of a category.
        jitter (float): Relative perturbation of an instance's parameters.
    """

    def __init__(self,
                 num_classes: int = 100,
                 instances_per_class: int = 1000,
                 height: int = 64,
                 width: int = 80,
                 seed: int = 0,
                 category_seed: int = 0,
                 min_maps: int = 2,
                 max_maps: int = 4,
                 min_fill: float = 0.1,
                 jitter: float = 0.1) -> None:
        if num_classes < 2:
            raise ValueError(f'num_classes={num_classes}: a classification '
                             'pretext needs at least 2 categories')
        self.num_classes = num_classes
        self.instances_per_class = instances_per_class
        self.height, self.width = height, width
        self.seed, self.jitter = seed, jitter
        self.categories = fractal_categories(num_classes, category_seed,
                                             min_maps, max_maps, min_fill)
        self.metainfo = dict(
            classes=tuple(f'ifs_{i}' for i in range(num_classes)))

    def __len__(self) -> int:
        return self.num_classes * self.instances_per_class

    def __getitem__(self, index: int) -> dict:
        """``inputs`` (3, H, W) float in [0, 1] and the class ``label``."""
        label = index % self.num_classes
        rng = np.random.default_rng((self.seed, index))
        image = render_instance(self.categories[label], rng, self.height,
                                self.width, self.jitter)
        return dict(
            inputs=torch.from_numpy(image).permute(2, 0, 1).contiguous(),
            data_samples=torch.tensor(label))
