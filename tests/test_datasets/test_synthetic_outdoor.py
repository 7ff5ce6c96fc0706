"""The held-out scene family: synthetic streets in the NYUv2 layout."""
import json

import numpy as np
import pytest

from mmhad.datasets.synthetic_indoor import generate_synthetic_indoor
from mmhad.datasets.synthetic_outdoor import (OUTDOOR_CLASSES,
                                              generate_synthetic_outdoor,
                                              render_street)

SKY = OUTDOOR_CLASSES.index('sky')


@pytest.fixture(scope='module')
def streets():
    return [render_street(np.random.default_rng(i), 40, 56)
            for i in range(6)]


def test_maps_use_the_nyuv2_encoding(streets):
    for s in streets:
        assert s['image'].shape == (40, 56, 3)
        assert s['label'].shape == (40, 56)
        assert s['depth'].shape == (40, 56, 1)
        assert s['normal'].shape == (40, 56, 3)
        assert all(v.dtype == np.float32 for v in s.values())
        assert 0 <= s['image'].min() and s['image'].max() <= 1
        labels = s['label'].astype(int)
        assert set(np.unique(labels)) <= set(range(len(OUTDOOR_CLASSES)))


def test_sky_has_no_depth_and_no_normal(streets):
    for s in streets:
        sky = s['label'] == SKY
        assert sky.any() and not sky.all()
        assert (s['depth'][..., 0][sky] == 0).all()
        assert (s['normal'][sky] == 0).all()
        solid = ~sky
        assert (s['depth'][..., 0][solid] > 0).all()
        assert s['depth'].max() < 110  # the street ends in a row of blocks
        norms = np.linalg.norm(s['normal'][solid], axis=-1)
        np.testing.assert_allclose(norms, 1, atol=1e-5)


def test_ground_normals_point_up_in_the_camera_frame(streets):
    for s in streets:
        ground = s['label'] <= OUTDOOR_CLASSES.index('sidewalk')
        # camera y points down, so the up-facing ground has y < 0
        assert (s['normal'][ground][:, 1] < -0.9).all()


def test_generation_is_deterministic_and_kept_apart_from_indoor(tmp_path):
    root = tmp_path / 'streets'
    generate_synthetic_outdoor(str(root), 3, 2, 24, 32, seed=5)
    first = np.load(root / 'train' / 'depth' / '2.npy')
    manifest = json.loads((root / 'manifest.json').read_text())
    assert manifest['classes'] == list(OUTDOOR_CLASSES)
    assert manifest['generator'] == 'mmhad.datasets.synthetic_outdoor'
    generate_synthetic_outdoor(str(root), 3, 2, 24, 32, seed=5)
    np.testing.assert_array_equal(
        np.load(root / 'train' / 'depth' / '2.npy'), first)
    # the indoor generator does not take the street folder for its own set
    generate_synthetic_indoor(str(root), 3, 2, 24, 32, seed=5)
    assert json.loads((root / 'manifest.json').read_text())['generator'] \
        == 'mmhad.datasets.synthetic_indoor'
