"""Intervals over seeds and the exact sign test of paired wins.

Intervals of a mean over seeds are Student-t intervals, mean +- t * s /
sqrt(n) with n - 1 degrees of freedom (:func:`t_interval`): with the
handful of seeds a study can afford, a percentile bootstrap of the mean is
far below its nominal coverage (with 3 seeds its 95 % interval is the
seeds' min-max range, which holds the true mean about 1 - 2 ** (1 - 3) =
75 % of the time).

A ratio of two means (Delta_m as a fraction of joint training's) has no
t-interval; it gets a percentile bootstrap interval: the seeds are
resampled with replacement and the ratio of the two means, taken on the
same resampled seeds, is recomputed on each resample. With few seeds (up
to ``EXACT_UP_TO``) every one of the ``n ** n`` resamples is enumerated
(no Monte-Carlo error, not an exact coverage); with more, ``resamples``
random ones are drawn with a fixed seed. Its coverage is below nominal at
small n, and the report says so. Quantiles are taken by the inverted
empirical distribution (the smallest value whose cumulative share reaches
q), so an interval's ends are values the statistic can take.

Sign test: in how many paired comparisons (one per seed) a method is ahead
of another, ties left out, and the exact two-sided binomial p-value of
that count under "either is ahead with probability 1/2". With n pairs its
smallest p-value is 2 / 2 ** n (:func:`smallest_p`): below 6 pairs no
outcome reaches p < 0.05 (:func:`pairs_needed`).
"""
import itertools
import math
from typing import Optional, Sequence, Tuple

import numpy as np

#: Enumerate every resample up to this many seeds (6 ** 6 = 46656).
EXACT_UP_TO = 6


def bootstrap_indices(n: int, resamples: int = 10000,
                      seed: int = 0) -> np.ndarray:
    """Resamples of ``range(n)`` with replacement, one per row: all
    ``n ** n`` of them for ``n <= EXACT_UP_TO``, else ``resamples`` drawn
    with ``seed``."""
    if n < 1:
        raise ValueError('bootstrap needs at least one value')
    if n <= EXACT_UP_TO:
        return np.array(list(itertools.product(range(n), repeat=n)))
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def quantile(values: Sequence[float], q: float) -> float:
    """The smallest value whose share of values at or below it is >= q
    (NaNs left out)."""
    ordered = np.sort(np.asarray(values, dtype=float))
    ordered = ordered[~np.isnan(ordered)]
    if not len(ordered):
        return float('nan')
    index = min(max(math.ceil(q * len(ordered) - 1e-12) - 1, 0),
                len(ordered) - 1)
    return float(ordered[index])


def percentile_interval(values: Sequence[float],
                        confidence: float = 0.95) -> Tuple[float, float]:
    tail = (1.0 - confidence) / 2.0
    return quantile(values, tail), quantile(values, 1.0 - tail)


def bootstrap_interval(values: Sequence[float],
                       confidence: float = 0.95,
                       resamples: int = 10000,
                       seed: int = 0) -> Tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values``."""
    values = np.asarray(values, dtype=float)
    means = values[bootstrap_indices(len(values), resamples, seed)].mean(1)
    return percentile_interval(means, confidence)


def bootstrap_ratio_interval(numerator: Sequence[float],
                             denominator: Sequence[float],
                             confidence: float = 0.95,
                             resamples: int = 10000,
                             seed: int = 0) -> Tuple[float, float]:
    """Percentile bootstrap interval of ``mean(numerator) /
    mean(denominator)``, both taken on the same resampled seeds (resamples
    whose denominator mean is 0 are left out)."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    if num.shape != den.shape:
        raise ValueError(f'{len(num)} numerators for {len(den)} '
                         'denominators; pair them by seed')
    index = bootstrap_indices(len(num), resamples, seed)
    top, bottom = num[index].mean(1), den[index].mean(1)
    with np.errstate(divide='ignore', invalid='ignore'):
        ratios = np.where(bottom != 0, top / np.where(bottom != 0, bottom, 1),
                          np.nan)
    return percentile_interval(ratios, confidence)


def sign_test(ahead: int, behind: int) -> float:
    """Exact two-sided sign test: the probability, with ``ahead + behind``
    fair coin flips, of a split at least as uneven as the one seen."""
    n = ahead + behind
    if n == 0:
        return 1.0
    k = min(ahead, behind)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2.0 * tail)


def paired_comparison(first: Sequence[float], second: Sequence[float],
                      higher_is_better: bool = True,
                      tolerance: float = 0.0) -> dict:
    """How often ``first`` is ahead of ``second`` over paired values (one
    pair per seed and order).

    Returns:
        dict: ``n``, ``ahead``, ``behind``, ``tied`` (differences within
        ``tolerance``), ``p_value`` (sign test, ties left out) and
        ``mean_difference`` (first - second, NaN for no pair).
    """
    if len(first) != len(second):
        raise ValueError(f'{len(first)} values against {len(second)}; '
                         'pair them by seed and order')
    sign = 1.0 if higher_is_better else -1.0
    diffs = [sign * (a - b) for a, b in zip(first, second)]
    ahead = sum(d > tolerance for d in diffs)
    behind = sum(d < -tolerance for d in diffs)
    mean_difference: Optional[float] = (
        sum(a - b for a, b in zip(first, second)) / len(first)
        if len(first) else float('nan'))
    return dict(n=len(diffs), ahead=ahead, behind=behind,
                tied=len(diffs) - ahead - behind,
                p_value=sign_test(ahead, behind),
                mean_difference=mean_difference)


def t_interval(values: Sequence[float],
               confidence: float = 0.95) -> Tuple[float, float]:
    """Student-t interval of the mean of ``values`` (NaN ends for fewer
    than two values)."""
    from scipy.stats import t
    values = np.asarray(values, dtype=float)
    n = len(values)
    if n < 2:
        return float('nan'), float('nan')
    mean = float(values.mean())
    half = float(t.ppf(0.5 + confidence / 2.0, n - 1) *
                 values.std(ddof=1) / math.sqrt(n))
    return mean - half, mean + half


def smallest_p(pairs: int) -> float:
    """The smallest p-value the two-sided sign test can give with
    ``pairs`` untied pairs (all on one side)."""
    return sign_test(pairs, 0)


def pairs_needed(alpha: float = 0.05) -> int:
    """The fewest untied pairs with which the two-sided sign test can
    reach ``p < alpha``."""
    n = 1
    while smallest_p(n) >= alpha:
        n += 1
    return n
