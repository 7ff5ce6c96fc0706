import numpy as np
import pytest

from mmhad.datasets.transforms import RandomHorizontalFlip, RandomScaleCrop


def make_results(height=6, width=8):
    rng = np.random.default_rng(0)
    normal = rng.uniform(-1, 1, (height, width, 3)).astype(np.float32)
    return dict(
        img=rng.random((height, width, 3), dtype=np.float32),
        gt_semantic=rng.integers(0, 5, (height, width)).astype(np.float32),
        gt_depth=rng.uniform(1, 5, (height, width, 1)).astype(np.float32),
        gt_normal=normal,
        gt_fields=['gt_semantic', 'gt_depth', 'gt_normal'])


def test_flip_mirrors_everything_and_negates_normal_x():
    results = make_results()
    original = {k: v.copy() for k, v in results.items() if k != 'gt_fields'}
    out = RandomHorizontalFlip(prob=1.0).transform(results)
    assert out['flip'] is True
    assert np.array_equal(out['img'], original['img'][:, ::-1])
    assert np.array_equal(out['gt_semantic'],
                          original['gt_semantic'][:, ::-1])
    flipped = original['gt_normal'][:, ::-1]
    assert np.array_equal(out['gt_normal'][..., 0], -flipped[..., 0])
    assert np.array_equal(out['gt_normal'][..., 1:], flipped[..., 1:])


def test_no_flip_keeps_the_data():
    results = make_results()
    img = results['img'].copy()
    out = RandomHorizontalFlip(prob=0.0).transform(results)
    assert out['flip'] is False and np.array_equal(out['img'], img)


def test_scale_crop_keeps_size_and_divides_depth_by_the_scale():
    results = make_results(height=10, width=10)
    results['gt_depth'][:] = 3.0
    results['gt_depth'][0, 0] = 0.0  # invalid stays invalid (0 / s)
    out = RandomScaleCrop(scales=(2.0, )).transform(results)
    assert out['scale'] == 2.0
    assert out['img'].shape == (10, 10, 3)
    assert out['gt_depth'].shape == (10, 10, 1)
    valid = out['gt_depth'] > 0
    assert np.allclose(out['gt_depth'][valid], 1.5)
    # nearest-neighbour labels keep their values
    assert set(np.unique(out['gt_semantic'])) <= set(range(5))


def test_scale_one_is_the_identity():
    results = make_results()
    depth = results['gt_depth'].copy()
    out = RandomScaleCrop(scales=(1.0, )).transform(results)
    assert np.array_equal(out['gt_depth'], depth)


def test_bad_arguments():
    with pytest.raises(ValueError, match='scales'):
        RandomScaleCrop(scales=(0.5, 1.0))
    with pytest.raises(ValueError, match='prob'):
        RandomHorizontalFlip(prob=2)
