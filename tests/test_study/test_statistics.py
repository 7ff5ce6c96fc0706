"""Bootstrap intervals and the sign test, checked by hand on small tables."""
import math

import numpy as np
import pytest

from mmhad.study.statistics import (bootstrap_indices, bootstrap_interval,
                                    bootstrap_ratio_interval,
                                    paired_comparison, quantile, sign_test)


def test_sign_test_by_hand():
    # 5 ahead, 1 behind of 6: P(<= 1 of 6) = (1 + 6) / 64, two-sided x2
    assert sign_test(5, 1) == pytest.approx(14 / 64)
    assert sign_test(1, 5) == pytest.approx(14 / 64)
    assert sign_test(6, 0) == pytest.approx(2 / 64)
    assert sign_test(3, 0) == pytest.approx(0.25)  # 2 * 1/8
    assert sign_test(3, 3) == 1.0  # capped
    assert sign_test(0, 0) == 1.0
    # 9 of 10: 2 * (1 + 10) / 1024
    assert sign_test(9, 1) == pytest.approx(22 / 1024)


def test_paired_comparison_counts_ties_apart():
    # Δm of A and B over 3 seeds x 2 orders
    a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    b = [0.5, 2.0, 3.5, 1.0, 1.0, 1.0]
    result = paired_comparison(a, b)
    assert (result['ahead'], result['behind'], result['tied']) == (4, 1, 1)
    assert result['n'] == 6
    # ties left out: 4 vs 1 of 5 -> 2 * (1 + 5) / 32
    assert result['p_value'] == pytest.approx(12 / 32)
    assert result['mean_difference'] == pytest.approx(
        (0.5 + 0 - 0.5 + 3 + 4 + 5) / 6)
    # a lower Mean Rank is better
    ranks = paired_comparison([1.0, 2.0], [2.0, 1.5], higher_is_better=False)
    assert (ranks['ahead'], ranks['behind']) == (1, 1)
    with pytest.raises(ValueError):
        paired_comparison([1.0], [1.0, 2.0])


def test_few_seeds_enumerate_every_resample():
    index = bootstrap_indices(3)
    assert index.shape == (27, 3)
    assert len({tuple(r) for r in index}) == 27
    # no random seed is used: the same set whatever seed
    assert (bootstrap_indices(3, seed=5) == index).all()
    assert bootstrap_indices(7, resamples=50, seed=1).shape == (50, 7)
    assert (bootstrap_indices(7, resamples=50, seed=1) ==
            bootstrap_indices(7, resamples=50, seed=1)).all()


def test_bootstrap_interval_of_three_seeds_by_hand():
    # Means of the 27 resamples of (1, 2, 3): sums 3..9 with counts
    # 1, 3, 6, 7, 6, 3, 1, i.e. means 1, 4/3, 5/3, 2, 7/3, 8/3, 3.
    # 95 %: the 2.5 % quantile is 1 (1/27 = 3.7 % >= 2.5 %), the 97.5 %
    # one is 3 (26/27 = 96.3 % < 97.5 %).
    assert bootstrap_interval([1.0, 2.0, 3.0]) == (1.0, 3.0)
    # 90 %: 5 % -> 4/3 (4/27 = 14.8 %), 95 % -> 8/3 (26/27 >= 95 %)
    low, high = bootstrap_interval([1.0, 2.0, 3.0], confidence=0.9)
    assert (low, high) == pytest.approx((4 / 3, 8 / 3))
    # 50 %: 25 % -> 5/3 (10/27 = 37 %), 75 % -> 7/3 (23/27 = 85 %)
    assert bootstrap_interval([1.0, 2.0, 3.0], confidence=0.5) == \
        pytest.approx((5 / 3, 7 / 3))
    # one seed: no spread
    assert bootstrap_interval([4.2]) == (4.2, 4.2)
    # two seeds (0, 10): resample means 0, 5, 5, 10
    assert bootstrap_interval([0.0, 10.0]) == (0.0, 10.0)
    assert bootstrap_interval([0.0, 10.0], confidence=0.4) == (5.0, 5.0)


def test_quantile_is_the_inverted_distribution():
    values = [3.0, 1.0, 2.0, 4.0]
    assert quantile(values, 0.25) == 1.0
    assert quantile(values, 0.26) == 2.0
    assert quantile(values, 0.5) == 2.0
    assert quantile(values, 1.0) == 4.0
    assert quantile(values + [float('nan')], 1.0) == 4.0
    assert math.isnan(quantile([float('nan')], 0.5))
    for q in (0.1, 0.33, 0.5, 0.9):
        assert quantile(values, q) == np.quantile(values, q,
                                                  method='inverted_cdf')


def test_ratio_interval_resamples_both_on_the_same_seeds():
    # method Δm (2, 4), joint's (4, 4): resamples (0,0) 2/4, (0,1) and
    # (1,0) 3/4, (1,1) 4/4
    assert bootstrap_ratio_interval([2.0, 4.0], [4.0, 4.0]) == (0.5, 1.0)
    assert bootstrap_ratio_interval([2.0, 4.0], [4.0, 4.0],
                                    confidence=0.4) == (0.75, 0.75)
    # when the method is joint training itself: exactly 1
    assert bootstrap_ratio_interval([1.0, 5.0, 3.0],
                                    [1.0, 5.0, 3.0]) == (1.0, 1.0)
    # resamples whose denominator mean is 0 are left out: of (0,0) 1/1,
    # (0,1) and (1,0) 1/0, (1,1) 1/-1 only 1 and -1 stay
    assert bootstrap_ratio_interval([1.0, 1.0], [1.0, -1.0]) == (-1.0, 1.0)
