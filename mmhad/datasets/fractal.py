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
  at least ``min_fill`` of a square canvas (a filling-rate rule like
  FractalDB's, with its own threshold and canvas):
  systems that diverge, or collapse to a point or a line, are redrawn.
* An **instance** of a category scales every map's parameters by a factor
  in ``[1 - jitter, 1 + jitter]`` (where FractalDB weights one parameter
  at a time), flips
  the attractor at random, and paints it in a random colour on a dark
  random background; the points of each map get their own shade.

That is mmhad's generator (``procedure='mmhad'``, the shipped checkpoint's).
``procedure='fractaldb'`` follows FractalDB's published procedure where it
differs: 2 to 8 maps, no contraction filter (diverging systems fail the
filling rate anyway), a filling rate of at least 0.2 of a 512 x 512 canvas
with 100 000 points, instances that weight one parameter at a time
(``a`` .. ``f`` of every map times 0.8, 0.9, 1.1 or 1.2, or none) with the
four flips, and points rendered as 3 x 3 patches of a random pattern.
docs/en/pretraining.md lists every departure of both from the paper.

Everything is numpy and deterministic: categories by ``category_seed``,
instance ``i`` of a :class:`FractalClassification` set by ``(seed, i)``, so
a resumed pretraining run sees the same images.
"""

from __future__ import annotations
from dataclasses import dataclass
from typing import List, Optional

import numpy as np
import torch
from torch.utils.data import Dataset

from mmhad.registry import DATASETS

__all__ = [
    'IteratedFunctionSystem', 'sample_ifs', 'chaos_game', 'rasterize',
    'fill_rate', 'fractal_categories', 'weight_one_parameter',
    'render_instance', 'FractalClassification'
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
              size: int = 64, num_points: int = 8192) -> float:
    """Fraction of a ``size`` x ``size`` canvas the attractor covers, drawn
    with ``num_points`` points (chains of 8 kept steps each)."""
    points, _ = chaos_game(ifs, rng, num_points=max(1, num_points // 8))
    flat, _ = rasterize(points, size, size)
    return len(np.unique(flat)) / float(size * size)


#: FractalDB's published category rules: maps, filling rate, its canvas and
#: points, no contraction filter.
FRACTALDB_CATEGORIES = dict(min_maps=2, max_maps=8, min_fill=0.2,
                            fill_size=512, fill_points=100_000,
                            contract=False)


def fractal_categories(num_classes: int, category_seed: int = 0,
                       min_maps: int = 2, max_maps: int = 4,
                       min_fill: float = 0.1, fill_size: int = 64,
                       fill_points: int = 8192,
                       contract: bool = True) -> List[IteratedFunctionSystem]:
    """``num_classes`` systems that pass the filling-rate rule (and, with
    ``contract``, whose every map contracts)."""
    rng = np.random.default_rng(category_seed)
    categories = []
    while len(categories) < num_classes:
        ifs = sample_ifs(rng, min_maps, max_maps)
        if contract and np.linalg.norm(ifs.linear, ord=2,
                                       axis=(1, 2)).max() >= 1:
            continue
        if fill_rate(ifs, rng, fill_size, fill_points) >= min_fill:
            categories.append(ifs)
    return categories


#: FractalDB's intra-category variants: no change, or one of the six
#: parameters ``a`` .. ``f`` (of every map) times one of these weights.
FRACTALDB_WEIGHTS = (0.8, 0.9, 1.1, 1.2)
FRACTALDB_VARIANTS = [(None, 1.0)] + [(param, weight) for param in range(6)
                                      for weight in FRACTALDB_WEIGHTS]
#: Horizontal and vertical flips of an instance (x, y signs).
FLIPS = ((1.0, 1.0), (-1.0, 1.0), (1.0, -1.0), (-1.0, -1.0))


def weight_one_parameter(ifs: IteratedFunctionSystem, param: int,
                         weight: float) -> IteratedFunctionSystem:
    """The system with parameter ``param`` (``a, b, c, d`` of ``A``, then
    ``e, f`` of ``b``) of every map multiplied by ``weight``."""
    params = np.concatenate([ifs.linear.reshape(-1, 4), ifs.offset], axis=1)
    params[:, param] *= weight
    return IteratedFunctionSystem(params[:, :4].reshape(-1, 2, 2),
                                  params[:, 4:], ifs.prob)


def patch_pixels(flat: np.ndarray, height: int, width: int,
                 pattern: np.ndarray) -> np.ndarray:
    """Flat pixels of a ``(3, 3)`` boolean ``pattern`` centred on each of
    ``flat``'s pixels (parts off the canvas dropped), per point:
    ``(K, P)`` with -1 where the pattern is off or off the canvas."""
    row, col = flat // width, flat % width
    out = []
    for dy, dx in zip(*np.nonzero(pattern)):
        r, c = row + dy - 1, col + dx - 1
        inside = (r >= 0) & (r < height) & (c >= 0) & (c < width)
        out.append(np.where(inside, r * width + c, -1))
    return np.stack(out, axis=1)


def render_instance(ifs: IteratedFunctionSystem, rng: np.random.Generator,
                    height: int, width: int, jitter: float = 0.1,
                    num_points: int = 1024, variant: int = None,
                    patch: bool = False) -> np.ndarray:
    """One image ``(H, W, 3)`` float32 in ``[0, 1]`` of a category.

    Args:
        ifs (IteratedFunctionSystem): The category.
        rng (np.random.Generator): The instance's generator.
        height (int): Image height.
        width (int): Image width.
        jitter (float): With ``variant=None``: every parameter scaled by a
            factor in ``[1 - jitter, 1 + jitter]`` and the flips drawn at
            random (mmhad's generator).
        num_points (int): Chaos-game chains (8 points each).
        variant (int, optional): FractalDB's instance: variant
            ``variant % 25`` of :data:`FRACTALDB_VARIANTS` with flip
            ``variant // 25 % 4`` of :data:`FLIPS`.
        patch (bool): Draw each point as a 3 x 3 patch of a random pattern
            (FractalDB's patch rendering) instead of one pixel.
    """
    if variant is None:
        scale = rng.uniform(1 - jitter, 1 + jitter, size=(len(ifs.prob), 6))
        linear = ifs.linear * scale[:, :4].reshape(-1, 2, 2)
        instance = IteratedFunctionSystem(linear, ifs.offset * scale[:, 4:],
                                          ifs.prob)
        points, which = chaos_game(instance, rng, num_points)
        flip = np.where(rng.random(2) < 0.5, -1.0, 1.0)
    else:
        param, weight = FRACTALDB_VARIANTS[variant % len(FRACTALDB_VARIANTS)]
        instance = ifs if param is None else weight_one_parameter(
            ifs, param, weight)
        points, which = chaos_game(instance, rng, num_points)
        flip = np.array(FLIPS[variant // len(FRACTALDB_VARIANTS) % 4])
    points = points * flip
    flat, inside = rasterize(points, height, width)
    background = rng.uniform(0.0, 0.3, size=3)
    # a gentle ramp, so that the background is not one flat colour
    ramp = np.linspace(-1, 1, height)[:, None, None] * rng.uniform(
        -0.1, 0.1, size=3)
    image = np.broadcast_to(background + ramp, (height, width, 3)).copy()
    colour = rng.uniform(0.3, 1.0, size=3)
    shades = rng.uniform(0.6, 1.0, size=len(ifs.prob))
    pixels = image.reshape(-1, 3)
    values = colour * shades[which[inside], None]
    if patch:
        pattern = rng.random((3, 3)) < 0.5
        pattern[1, 1] = True  # the point itself is always drawn
        spread = patch_pixels(flat, height, width, pattern)
        keep = spread >= 0
        flat = spread[keep]
        values = np.repeat(values, keep.sum(axis=1), axis=0)
    # a pixel hit by several maps takes the last one's shade: cheap, and
    # enough to give the maps' parts of the attractor different tones
    pixels[flat] = values
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
        procedure (str): ``'mmhad'`` (the shipped checkpoint's generator) or
            ``'fractaldb'`` (FractalDB's published category rules,
            :data:`FRACTALDB_CATEGORIES`, one-parameter instances with flips,
            :data:`FRACTALDB_VARIANTS`, and patch rendering).
        min_maps (int, optional): Fewest affine maps of a system (default:
            the procedure's, 2).
        max_maps (int, optional): Most affine maps (4; FractalDB 8).
        min_fill (float, optional): Filling-rate threshold of a category
            (0.1 of 64 x 64; FractalDB 0.2 of 512 x 512).
        jitter (float): ``'mmhad'``: relative perturbation of every one of an
            instance's parameters.
    """

    PROCEDURES = ('mmhad', 'fractaldb')

    def __init__(self,
                 num_classes: int = 100,
                 instances_per_class: int = 1000,
                 height: int = 64,
                 width: int = 80,
                 seed: int = 0,
                 category_seed: int = 0,
                 procedure: str = 'mmhad',
                 min_maps: Optional[int] = None,
                 max_maps: Optional[int] = None,
                 min_fill: Optional[float] = None,
                 jitter: float = 0.1) -> None:
        if num_classes < 2:
            raise ValueError(f'num_classes={num_classes}: a classification '
                             'pretext needs at least 2 categories')
        if procedure not in self.PROCEDURES:
            raise ValueError(f'FractalClassification: procedure='
                             f'{procedure!r}; expected one of '
                             f'{self.PROCEDURES}')
        self.num_classes = num_classes
        self.instances_per_class = instances_per_class
        self.height, self.width = height, width
        self.seed, self.jitter = seed, jitter
        self.procedure = procedure
        rules = dict(FRACTALDB_CATEGORIES) if procedure == 'fractaldb' \
            else dict(min_maps=2, max_maps=4, min_fill=0.1)
        rules.update({k: v for k, v in dict(min_maps=min_maps,
                                            max_maps=max_maps,
                                            min_fill=min_fill).items()
                      if v is not None})
        self.categories = fractal_categories(num_classes, category_seed,
                                             **rules)
        self.metainfo = dict(
            classes=tuple(f'ifs_{i}' for i in range(num_classes)))

    def __len__(self) -> int:
        return self.num_classes * self.instances_per_class

    def __getitem__(self, index: int) -> dict:
        """``inputs`` (3, H, W) float in [0, 1] and the class ``label``."""
        label = index % self.num_classes
        rng = np.random.default_rng((self.seed, index))
        fractaldb = self.procedure == 'fractaldb'
        image = render_instance(
            self.categories[label], rng, self.height, self.width,
            self.jitter,
            variant=index // self.num_classes if fractaldb else None,
            patch=fractaldb)
        return dict(
            inputs=torch.from_numpy(image).permute(2, 0, 1).contiguous(),
            data_samples=torch.tensor(label))
