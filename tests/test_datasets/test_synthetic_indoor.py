"""Tests for the synthetic indoor scene generator.

The module is loaded by file path so these tests run without the OpenMMLab
stack (``import mmhad`` pulls it in through the package ``__init__``).
"""

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

_MODULE_PATH = (Path(__file__).resolve().parents[2] / 'mmhad' / 'datasets' /
                'synthetic_indoor.py')


def _load_module():
    name = '_mmhad_synthetic_indoor_under_test'
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, _MODULE_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look the module up here
    spec.loader.exec_module(module)
    return module


si = _load_module()

H, W = 64, 80
NUM_SCENES = 40
FLOOR = si.SYNTHETIC_CLASSES.index('floor')
WALL = si.SYNTHETIC_CLASSES.index('wall')
CEILING = si.SYNTHETIC_CLASSES.index('ceiling')


@pytest.fixture(scope='module')
def scenes():
    """40 (spec, sample) pairs from one fixed stream."""
    rng = np.random.default_rng(1234)
    out = []
    for _ in range(NUM_SCENES):
        spec = si.sample_scene(rng, H, W)
        out.append((spec, si.render_spec(spec, rng)))
    return out


def _valid(sample):
    return sample['depth'][..., 0] > 0


def _camera_points(spec, sample):
    """Camera-frame 3D points (H, W, 3) from depth and the intrinsics."""
    rays = spec.camera.pixel_rays(spec.height, spec.width)
    pts = rays * sample['depth'].reshape(-1, 1).astype(np.float64)
    return pts.reshape(spec.height, spec.width, 3)


def _backproject(spec, sample):
    """World coordinates (H, W, 3) of every pixel from depth + intrinsics."""
    cam_pts = _camera_points(spec, sample).reshape(-1, 3)
    world = cam_pts @ spec.camera.rotation.T + spec.camera.position
    return world.reshape(spec.height, spec.width, 3)


# ---------------------------------------------------------------- format


@pytest.mark.parametrize('size', [(64, 80), (48, 36), (9, 13)])
def test_render_scene_shapes_dtypes_ranges(size):
    h, w = size
    sample = si.render_scene(np.random.default_rng(0), h, w)
    assert set(sample) == {'image', 'label', 'depth', 'normal'}
    assert sample['image'].shape == (h, w, 3)
    assert sample['label'].shape == (h, w)
    assert sample['depth'].shape == (h, w, 1)
    assert sample['normal'].shape == (h, w, 3)
    for value in sample.values():
        assert value.dtype == np.float32
        assert np.isfinite(value).all()
    assert sample['image'].min() >= 0.0 and sample['image'].max() <= 1.0
    assert sample['normal'].min() >= -1.0 and sample['normal'].max() <= 1.0
    assert sample['depth'].min() >= 0.0
    labels = np.unique(sample['label'])
    assert np.all(labels == np.round(labels))
    assert set(labels.tolist()) <= set(range(-1, len(si.SYNTHETIC_CLASSES)))


def test_class_list():
    assert 6 <= len(si.SYNTHETIC_CLASSES) <= 7
    assert len(set(si.SYNTHETIC_CLASSES)) == len(si.SYNTHETIC_CLASSES)
    for name in ('floor', 'wall', 'ceiling', 'ball'):
        assert name in si.SYNTHETIC_CLASSES


# ----------------------------------------------------------- determinism


def test_render_scene_deterministic():
    a = si.render_scene(np.random.default_rng(7), H, W)
    b = si.render_scene(np.random.default_rng(7), H, W)
    c = si.render_scene(np.random.default_rng(8), H, W)
    for key in a:
        assert a[key].tobytes() == b[key].tobytes()
    assert not np.array_equal(a['image'], c['image'])
    assert not np.array_equal(a['depth'], c['depth'])


# ------------------------------------------------------- invalid pixels


def test_invalid_pixels_consistent_across_tasks(scenes):
    n_with_invalid = 0
    for _, sample in scenes:
        valid = _valid(sample)
        normal_zero = np.all(sample['normal'] == 0.0, axis=-1)
        # depth > 0 exactly where valid; everything else agrees with it.
        assert np.array_equal(~valid, sample['depth'][..., 0] == 0.0)
        assert np.array_equal(~valid, normal_zero)
        assert np.array_equal(~valid, sample['label'] == si.IGNORE_INDEX)
        assert (~valid).mean() <= si.MAX_INVALID_FRACTION + 1e-9
        n_with_invalid += int((~valid).any())
    # Windows exist in some scenes but not all.
    assert 0 < n_with_invalid < len(scenes)


def test_normals_unit_length_where_valid(scenes):
    for _, sample in scenes:
        valid = _valid(sample)
        norms = np.linalg.norm(sample['normal'][valid], axis=-1)
        np.testing.assert_allclose(norms, 1.0, atol=1e-5)


def test_normals_face_the_camera(scenes):
    for spec, sample in scenes:
        rays = spec.camera.pixel_rays(H, W).reshape(H, W, 3)
        valid = _valid(sample)
        dots = np.sum(rays * sample['normal'], axis=-1)[valid]
        assert np.all(dots < 1e-6)


# --------------------------------------------------------------- labels


def test_every_class_appears(scenes):
    seen = set()
    for _, sample in scenes:
        seen.update(np.unique(sample['label']).astype(int).tolist())
    assert set(range(len(si.SYNTHETIC_CLASSES))) <= seen


def test_scenes_look_like_rooms(scenes):
    # Furniture may hide the floor in a rare close-up, but typical frames
    # show floor at the bottom, wall in the middle and sometimes ceiling.
    floor = np.array([(s['label'] == FLOOR).mean() for _, s in scenes])
    wall = np.array([(s['label'] == WALL).mean() for _, s in scenes])
    ceiling = np.array([(s['label'] == CEILING).mean() for _, s in scenes])
    assert np.mean(floor > 0.02) >= 0.9 and np.median(floor) > 0.15
    assert np.mean(wall > 0.05) >= 0.9 and np.median(wall) > 0.2
    assert 0.2 <= np.mean(ceiling > 0) < 1.0
    for _, sample in scenes:
        rows = np.nonzero(sample['label'] == FLOOR)[0]
        if rows.size:
            assert rows.mean() > H / 2  # floor is in the lower half


# -------------------------------------------------------------- geometry


def test_floor_normals_point_up_and_walls_are_horizontal(scenes):
    # Camera frame is OpenCV: y points down, so "up" is -y.
    for _, sample in scenes:
        label, normal = sample['label'], sample['normal']
        floor_n = normal[label == FLOOR]
        assert np.all(floor_n[:, 1] < -0.9)
        ceiling_n = normal[label == CEILING]
        if ceiling_n.size:
            assert np.all(ceiling_n[:, 1] > 0.9)
        wall_n = normal[label == WALL]
        # Only the camera pitch (<= 18 degrees) tilts wall normals.
        assert np.all(np.abs(wall_n[:, 1]) < 0.35)


def test_floor_depth_increases_towards_horizon(scenes):
    # Within a column, floor rows nearer the top of the image are farther.
    checked = 0
    for _, sample in scenes:
        floor = sample['label'] == FLOOR
        depth = sample['depth'][..., 0]
        both = floor[:-1] & floor[1:]  # vertically adjacent floor pixels
        upper, lower = depth[:-1][both], depth[1:][both]
        assert np.all(upper > lower)
        checked += both.sum()
    assert checked > 1000


def test_depth_backprojects_onto_room_geometry(scenes):
    for spec, sample in scenes:
        world = _backproject(spec, sample)
        label = sample['label']
        tol = 1e-3 * max(1.0, float(sample['depth'].max()))
        np.testing.assert_allclose(world[label == FLOOR][:, 1], 0.0, atol=tol)
        np.testing.assert_allclose(world[label == CEILING][:, 1],
                                   spec.room[1],
                                   atol=tol)
        wall = world[label == WALL]
        dist_to_wall = np.min(
            np.abs(
                np.stack([
                    wall[:, 0], wall[:, 0] - spec.room[0], wall[:, 2],
                    wall[:, 2] - spec.room[2]
                ])),
            axis=0)
        assert np.all(dist_to_wall < tol)
        # Every valid point lies inside the room.
        pts = world[_valid(sample)]
        assert np.all(pts >= -tol) and np.all(pts <= spec.room + tol)


def test_normals_match_world_geometry(scenes):
    for spec, sample in scenes:
        world_n = sample['normal'].reshape(-1, 3) @ spec.camera.rotation.T
        world_n = world_n.reshape(H, W, 3)
        label = sample['label']
        up = np.array([0.0, 1.0, 0.0])
        assert np.all(np.abs(world_n[label == FLOOR] - up) < 1e-5)
        assert np.all(np.abs(world_n[label == CEILING] + up) < 1e-5)
        np.testing.assert_allclose(world_n[label == WALL][:, 1], 0.0,
                                   atol=1e-5)


def test_depth_and_normals_agree_locally(scenes):
    """Neighbouring 3D points on a flat patch are orthogonal to its normal."""
    checked = 0
    for spec, sample in scenes:
        pts = _camera_points(spec, sample)  # same frame as the normals
        normal = sample['normal'].astype(np.float64)
        valid = _valid(sample)
        room = np.isin(sample['label'], (FLOOR, WALL, CEILING))
        for axis in (0, 1):
            a = [slice(None)] * 2
            b = [slice(None)] * 2
            a[axis], b[axis] = slice(None, -1), slice(1, None)
            a, b = tuple(a), tuple(b)
            # On room surfaces, equal label and normal means the same plane
            # (two parallel box faces of one class could hide a depth edge).
            same = (valid[a] & valid[b] & room[a]
                    & (sample['label'][a] == sample['label'][b])
                    & np.all(np.abs(normal[a] - normal[b]) < 1e-6, axis=-1))
            step = pts[b] - pts[a]
            length = np.linalg.norm(step, axis=-1)
            cos = np.abs(np.sum(step * normal[a], axis=-1)) / np.maximum(
                length, 1e-9)
            assert np.all(cos[same] < 1e-3)
            checked += same.sum()
    assert checked > 10000


# ------------------------------------------------------------ appearance


def test_colours_vary_across_scenes_and_have_texture(scenes):
    floor_means = []
    for _, sample in scenes:
        floor = sample['image'][sample['label'] == FLOOR]
        if len(floor) < 20:
            continue
        floor_means.append(floor.mean(axis=0))
        # Texture + noise: a class is never a flat colour inside an image.
        assert floor.std(axis=0).max() > 0.01
    # Per-scene jitter / palettes: no single exact floor colour.
    assert np.std(np.array(floor_means), axis=0).max() > 0.02


def test_classes_recognisable_from_colour_statistics(scenes):
    """Region colour statistics identify the class well above chance.

    A 1-nearest-neighbour classifier on standardised (mean RGB, std RGB) of
    each (scene, class) region is fit on the first half of the scenes and
    evaluated on the second.  Palettes are multi-modal (e.g. red, yellow or
    blue balls), hence nearest neighbour rather than class centroids.
    """

    def features(subset):
        feats, targets = [], []
        for _, sample in subset:
            for cls in range(len(si.SYNTHETIC_CLASSES)):
                px = sample['image'][sample['label'] == cls]
                if len(px) >= 20:
                    feats.append(np.r_[px.mean(axis=0), px.std(axis=0)])
                    targets.append(cls)
        return np.array(feats), np.array(targets)

    half = len(scenes) // 2
    x_fit, y_fit = features(scenes[:half])
    x_test, y_test = features(scenes[half:])
    mean, std = x_fit.mean(axis=0), x_fit.std(axis=0)
    x_fit, x_test = (x_fit - mean) / std, (x_test - mean) / std
    dist = np.linalg.norm(x_test[:, None] - x_fit[None], axis=-1)
    accuracy = (y_fit[dist.argmin(axis=1)] == y_test).mean()
    assert accuracy > 0.4  # chance is about 1 / 7


# --------------------------------------------------------------- dataset


def _params(**overrides):
    params = dict(num_train=4, num_val=3, height=12, width=16, seed=5)
    params.update(overrides)
    return params


def _read_split(root, split, count):
    return {
        mod: [
            np.load(Path(root) / split / mod / f'{i}.npy')
            for i in range(count)
        ]
        for mod in si.MODALITIES
    }


def test_generate_layout_and_manifest(tmp_path):
    root = tmp_path / 'syn'
    manifest = si.generate_synthetic_indoor(str(root), **_params())
    on_disk = json.loads((root / 'manifest.json').read_text())
    assert manifest == on_disk
    assert manifest['params'] == _params()
    assert manifest['classes'] == list(si.SYNTHETIC_CLASSES)
    assert manifest['num_classes'] == len(si.SYNTHETIC_CLASSES)
    assert manifest['splits'] == {'train': 4, 'val': 3}
    assert manifest['format_version'] == si.FORMAT_VERSION
    assert manifest['complete'] is True
    for split, count in (('train', 4), ('val', 3)):
        for mod in si.MODALITIES:
            files = sorted(p.name for p in (root / split / mod).iterdir())
            assert files == sorted(f'{i}.npy' for i in range(count))
    data = _read_split(root, 'train', 4)
    assert data['image'][0].shape == (12, 16, 3)
    assert data['label'][0].shape == (12, 16)
    assert data['depth'][0].shape == (12, 16, 1)
    assert data['normal'][0].shape == (12, 16, 3)
    assert all(a.dtype == np.float32 for arrs in data.values() for a in arrs)
    # Train and val come from different streams.
    val = _read_split(root, 'val', 3)
    assert not np.array_equal(data['image'][0], val['image'][0])


def test_generate_deterministic_and_seed_dependent(tmp_path):
    si.generate_synthetic_indoor(str(tmp_path / 'a'), **_params())
    si.generate_synthetic_indoor(str(tmp_path / 'b'), **_params())
    si.generate_synthetic_indoor(str(tmp_path / 'c'), **_params(seed=6))
    for split in si.SPLITS:
        for mod in si.MODALITIES:
            for f in (tmp_path / 'a' / split / mod).iterdir():
                twin = tmp_path / 'b' / split / mod / f.name
                assert f.read_bytes() == twin.read_bytes()
    a = np.load(tmp_path / 'a' / 'train' / 'image' / '0.npy')
    c = np.load(tmp_path / 'c' / 'train' / 'image' / '0.npy')
    assert not np.array_equal(a, c)


def test_val_independent_of_num_train(tmp_path):
    si.generate_synthetic_indoor(str(tmp_path / 'a'), **_params(num_train=2))
    si.generate_synthetic_indoor(str(tmp_path / 'b'), **_params(num_train=6))
    for mod in si.MODALITIES:
        for i in range(3):
            name = f'{i}.npy'
            assert ((tmp_path / 'a' / 'val' / mod / name).read_bytes() == (
                tmp_path / 'b' / 'val' / mod / name).read_bytes())
        # Image i of a split does not depend on the split size either.
        for i in range(2):
            name = f'{i}.npy'
            assert ((tmp_path / 'a' / 'train' / mod / name).read_bytes() == (
                tmp_path / 'b' / 'train' / mod / name).read_bytes())


def test_generate_is_idempotent(tmp_path):
    root = tmp_path / 'syn'
    first = si.generate_synthetic_indoor(str(root), **_params())
    marker = root / 'train' / 'image' / 'marker.txt'
    marker.write_text('untouched')
    stamp = (root / 'manifest.json').stat().st_mtime_ns
    data_stamp = (root / 'val' / 'depth' / '0.npy').stat().st_mtime_ns

    second = si.generate_synthetic_indoor(str(root), **_params())
    assert second == first
    assert marker.exists()  # nothing was regenerated
    assert (root / 'manifest.json').stat().st_mtime_ns == stamp
    assert (root / 'val' / 'depth' / '0.npy').stat().st_mtime_ns == data_stamp

    # overwrite=True regenerates from scratch, with identical content.
    before = (root / 'train' / 'depth' / '1.npy').read_bytes()
    third = si.generate_synthetic_indoor(
        str(root), overwrite=True, **_params())
    assert third == first
    assert not marker.exists()
    assert (root / 'train' / 'depth' / '1.npy').read_bytes() == before


def test_generate_regenerates_on_parameter_change(tmp_path):
    root = tmp_path / 'syn'
    si.generate_synthetic_indoor(str(root), **_params(num_train=4))
    manifest = si.generate_synthetic_indoor(str(root), **_params(num_train=2))
    assert manifest['params']['num_train'] == 2
    assert json.loads((root / 'manifest.json').read_text()) == manifest
    # Old split folders were removed, so no stale files remain.
    for mod in si.MODALITIES:
        assert sorted(p.name for p in (root / 'train' / mod).iterdir()) == [
            '0.npy', '1.npy'
        ]
    # A size change is picked up too.
    manifest = si.generate_synthetic_indoor(str(root), **_params(height=10))
    assert np.load(root / 'val' / 'image' / '0.npy').shape == (10, 16, 3)


def test_generate_recovers_from_incomplete_run(tmp_path):
    root = tmp_path / 'syn'
    si.generate_synthetic_indoor(str(root), **_params())
    # Simulate an interrupted run: manifest not marked complete.
    manifest = json.loads((root / 'manifest.json').read_text())
    manifest['complete'] = False
    (root / 'manifest.json').write_text(json.dumps(manifest))
    (root / 'train' / 'image' / '3.npy').unlink()
    result = si.generate_synthetic_indoor(str(root), **_params())
    assert result['complete'] is True
    assert (root / 'train' / 'image' / '3.npy').is_file()


def test_generate_refuses_foreign_folders(tmp_path):
    root = tmp_path / 'syn'
    (root / 'train').mkdir(parents=True)
    (root / 'train' / 'precious.npy').write_bytes(b'x')
    with pytest.raises(FileExistsError):
        si.generate_synthetic_indoor(str(root), **_params())
    assert (root / 'train' / 'precious.npy').exists()
    si.generate_synthetic_indoor(str(root), overwrite=True, **_params())
    assert not (root / 'train' / 'precious.npy').exists()


def test_generate_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        si.generate_synthetic_indoor(str(tmp_path), **_params(num_train=-1))
    with pytest.raises(ValueError):
        si.generate_synthetic_indoor(str(tmp_path), **_params(width=0))
