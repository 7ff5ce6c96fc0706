"""Formula-driven pretraining images (FractalDB-style IFS fractals)."""
import numpy as np
import pytest
import torch

from mmhad.datasets.fractal import (FRACTALDB_VARIANTS, FractalClassification,
                                    chaos_game, fill_rate, fractal_categories,
                                    rasterize, render_instance, sample_ifs,
                                    weight_one_parameter)

#: Sum of the first image of the shipped pretraining set, drawn by the
#: generator before the FractalDB procedure was added (commit 899dc7d).
SHIPPED_IMAGE_0_SUM = 3654.269590161741


def test_categories_contract_and_fill_the_canvas():
    categories = fractal_categories(12, category_seed=3, min_fill=0.1)
    assert len(categories) == 12
    rng = np.random.default_rng(0)
    for ifs in categories:
        assert np.linalg.norm(ifs.linear, ord=2, axis=(1, 2)).max() < 1
        assert ifs.prob.sum() == pytest.approx(1.0)
        assert 2 <= len(ifs.prob) <= 4
        assert fill_rate(ifs, rng) > 0.05  # another draw of the same system


def test_chaos_game_stays_on_a_contracting_attractor():
    rng = np.random.default_rng(1)
    ifs = fractal_categories(1, category_seed=1)[0]
    points, which = chaos_game(ifs, rng, num_points=64, steps=10, burn_in=2)
    assert points.shape == (64 * 8, 2) and which.shape == (64 * 8, )
    assert np.all(np.isfinite(points))
    # a bounded attractor is fitted whole into the canvas
    flat, inside = rasterize(points, 32, 40)
    assert inside.all() and flat.min() >= 0 and flat.max() < 32 * 40


def test_diverging_points_are_not_drawn():
    flat, inside = rasterize(np.array([[0.0, 1.0], [np.inf, 0.0]]), 8, 8)
    assert flat.size == 0 and not inside.any()


def test_samples_are_deterministic_by_seed_and_index():
    kwargs = dict(num_classes=5, instances_per_class=3, height=24, width=32)
    a = FractalClassification(seed=0, **kwargs)
    b = FractalClassification(seed=0, **kwargs)
    other = FractalClassification(seed=1, **kwargs)
    assert len(a) == 15
    sample = a[7]
    assert sample['inputs'].shape == (3, 24, 32)
    assert sample['inputs'].dtype == torch.float32
    assert 0 <= sample['inputs'].min() and sample['inputs'].max() <= 1
    assert int(sample['data_samples']) == 7 % 5
    assert torch.equal(sample['inputs'], b[7]['inputs'])
    assert not torch.equal(sample['inputs'], a[2]['inputs'])  # same class
    assert not torch.equal(sample['inputs'], other[7]['inputs'])
    # another seed draws other instances of the same categories
    np.testing.assert_array_equal(a.categories[2].linear,
                                  other.categories[2].linear)


def test_a_fractal_is_drawn_over_a_background():
    image = FractalClassification(
        num_classes=2, instances_per_class=1, height=32, width=40)[0]
    pixels = image['inputs'].flatten(1).T
    colours = torch.unique(pixels, dim=0)
    assert len(colours) > 3  # background ramp, attractor shades


def test_too_few_classes_is_refused():
    with pytest.raises(ValueError, match='num_classes=1'):
        FractalClassification(num_classes=1)


def test_sample_ifs_probabilities_follow_the_area_scaling():
    ifs = sample_ifs(np.random.default_rng(4), min_maps=3, max_maps=3)
    det = np.abs(np.linalg.det(ifs.linear)) + 1e-6
    np.testing.assert_allclose(ifs.prob, det / det.sum())


def test_fractaldb_procedure_follows_the_published_rules():
    data = FractalClassification(num_classes=3, instances_per_class=100,
                                 height=32, width=40, procedure='fractaldb')
    assert data.procedure == 'fractaldb'
    rng = np.random.default_rng(0)
    for ifs in data.categories:
        assert 2 <= len(ifs.prob) <= 8
        # the published filling rate, on the published canvas
        assert fill_rate(ifs, rng, size=512, num_points=100_000) > 0.15
    # instance k of a category: variant k % 25 (one parameter weighted),
    # flip k // 25 % 4
    assert FRACTALDB_VARIANTS[0] == (None, 1.0) and len(FRACTALDB_VARIANTS) \
        == 25
    ifs = data.categories[0]
    weighted = weight_one_parameter(ifs, 4, 0.8)  # e of every map
    np.testing.assert_array_equal(weighted.offset[:, 0],
                                  ifs.offset[:, 0] * 0.8)
    np.testing.assert_array_equal(weighted.offset[:, 1], ifs.offset[:, 1])
    np.testing.assert_array_equal(weighted.linear, ifs.linear)
    image = data[0]['inputs']
    assert image.shape == (3, 32, 40) and 0 <= image.min() <= image.max() <= 1
    assert not torch.equal(image, data[3]['inputs'])  # variant 1, same class


def test_patch_rendering_covers_more_pixels_than_points():
    ifs = fractal_categories(1, category_seed=2)[0]
    painted = []
    for patch in (False, True):
        image = render_instance(ifs, np.random.default_rng(5), 48, 64,
                                patch=patch)
        # The background varies along the height only, and the attractor
        # keeps a 5 % margin (3 columns of 64; a patch reaches 1 further):
        # column 0 is the background of each row.
        painted.append((image != image[:, :1]).any(axis=2))
    # the same points (the same draws before the pattern), each drawn as
    # its pixel and more
    assert (painted[1] >= painted[0]).all()
    assert painted[1].sum() > painted[0].sum() > 0


def test_shipped_generator_is_unchanged_by_the_new_procedure():
    """The default procedure still draws what the shipped checkpoint was
    pretrained on (its first image, pinned by a checksum)."""
    image = FractalClassification(num_classes=100, instances_per_class=200,
                                  height=64, width=80)[0]['inputs']
    assert float(image.double().sum()) == pytest.approx(SHIPPED_IMAGE_0_SUM,
                                                        rel=1e-12)


def test_an_unknown_procedure_is_refused():
    with pytest.raises(ValueError, match="procedure='fractal'"):
        FractalClassification(num_classes=2, procedure='fractal')
