"""Tiny folders in the layouts and encodings of the public releases."""
import os
import os.path as osp

import numpy as np


def write_cityscapes(root, num_train=8, num_val=4, height=16, width=32,
                     single_label=False, seed=0):
    """The multi-task Cityscapes release: image HxWx3 float in [0, 1],
    label_7 / label_19 HxW float (-1 ignore), depth HxWx1 disparity in
    [0, 0.49] with 0 invalid; ``single_label`` writes one ``label/`` folder
    (7 classes) instead."""
    rng = np.random.default_rng(seed)
    for split, count in (('train', num_train), ('val', num_val)):
        for i in range(count):
            # left-right bands of classes, like road / cars / sky
            column = np.linspace(0, 1, width)[None].repeat(height, 0)
            label7 = np.floor(column * 7).clip(0, 6).astype(np.float32)
            label7[rng.random((height, width)) < 0.05] = -1
            label19 = np.where(label7 < 0, -1, label7 * 2 + (i % 2))
            disparity = (0.49 * (1 - column) *
                         (rng.random((height, width)) > 0.1))[..., None]
            image = np.stack([column, 1 - column, rng.random(
                (height, width))], -1) * 0.9
            arrays = dict(image=image, depth=disparity)
            if single_label:
                arrays['label'] = label7
            else:
                arrays.update(label_7=label7, label_19=label19)
            for folder, array in arrays.items():
                os.makedirs(osp.join(root, split, folder), exist_ok=True)
                np.save(osp.join(root, split, folder, f'{i}.npy'),
                        array.astype(np.float32))
    return root


def _save_png(path, array):
    from PIL import Image
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.fromarray(array).save(path)


def _part_annotation(path, people):
    """A PASCAL-Part file: ``anno`` with ``objects`` (class, class_ind,
    mask, parts (part_name, mask)), as the release's .mat files hold."""
    from scipy.io import savemat
    objects = np.empty((1, len(people)), dtype=[
        ('class', 'O'), ('class_ind', 'O'), ('mask', 'O'), ('parts', 'O')])
    for i, (class_ind, mask, parts) in enumerate(people):
        part_array = np.empty((1, len(parts)),
                              dtype=[('part_name', 'O'), ('mask', 'O')])
        for j, (name, part_mask) in enumerate(parts):
            part_array[0, j] = (name, part_mask.astype(np.uint8))
        objects[0, i] = ('person' if class_ind == 15 else 'cat',
                         np.array([[class_ind]], dtype=np.uint8),
                         mask.astype(np.uint8), part_array)
    anno = np.empty((1, 1), dtype=[('imname', 'O'), ('objects', 'O')])
    anno[0, 0] = ('image', objects)
    os.makedirs(osp.dirname(path), exist_ok=True)
    savemat(path, {'anno': anno})


def write_pascal_context(root, num_train=4, num_val=2, height=20, width=24,
                         seed=0):
    """The PASCAL_MT release: JPEG images, semseg PNGs (21 classes, 255
    ignore), PASCAL-Part .mat files for images with people, LabelMap .mat
    files, normals PNGs (2x/255 - 1) and saliency PNGs; even images have a
    person (class 15) with a head and a torso, odd ones none."""
    from scipy.io import savemat
    rng = np.random.default_rng(seed)
    for split, count in (('train', num_train), ('val', num_val)):
        ids = [f'2008_{split}_{i:04d}' for i in range(count)]
        os.makedirs(osp.join(root, 'ImageSets', 'Context'), exist_ok=True)
        with open(osp.join(root, 'ImageSets', 'Context', f'{split}.txt'),
                  'w') as f:
            f.write('\n'.join(ids) + '\n')
        for i, name in enumerate(ids):
            image = (rng.random((height, width, 3)) * 255).astype(np.uint8)
            _save_png(osp.join(root, 'JPEGImages', f'{name}.jpg'), image)
            person = np.zeros((height, width), bool)
            person[4:16, 6:14] = i % 2 == 0
            semseg = np.where(person, 15, 0).astype(np.uint8)
            semseg[0, :3] = 255
            _save_png(osp.join(root, 'semseg', 'pascal-context',
                               f'{name}.png'), semseg)
            if i % 2 == 0:
                head, torso = person.copy(), person.copy()
                head[8:] = False
                torso[:8] = False
                _part_annotation(
                    osp.join(root, 'human_parts', f'{name}.mat'),
                    [(15, person, [('head', head), ('torso', torso)])])
            # context labels: left half 3 (normals kept), right half 2
            label_map = np.full((height, width), 3, np.uint16)
            label_map[:, width // 2:] = 2
            label_map[person] = 284
            os.makedirs(osp.join(root, 'pascal-context', 'trainval'),
                        exist_ok=True)
            savemat(osp.join(root, 'pascal-context', 'trainval',
                             f'{name}.mat'), {'LabelMap': label_map})
            normal = np.zeros((height, width, 3), np.uint8)
            normal[..., 2] = 255  # (0, 0, 1) after 2x/255 - 1, x: -1
            _save_png(osp.join(root, 'normals_distill', f'{name}.png'),
                      normal)
            _save_png(osp.join(root, 'sal_distill', f'{name}.png'),
                      np.where(person, 200, 30).astype(np.uint8))
    return root


TASKONOMY_16BIT = ('depth_zbuffer', 'depth_euclidean', 'edge_texture',
                   'edge_occlusion', 'keypoints2d', 'keypoints3d')
TASKONOMY_DOMAINS = ('rgb', 'segment_semantic', 'normal', *TASKONOMY_16BIT,
                     'reshading', 'principal_curvature')
#: Rows and columns of the views' pixels without geometry.
TASKONOMY_NO_GEOMETRY = (slice(0, 3), slice(0, 4))


def taskonomy_folder(root, layout, domain, building):
    """Where one domain's files of a building lie in each layout the
    Taskonomy downloads unpack to."""
    parts = dict(task_first=(domain, building),
                 omnidata=(domain, 'taskonomy', building),
                 building_first=(building, domain))[layout]
    return osp.join(root, *parts)


def write_taskonomy(root, buildings=('hanson', 'darden'), views=3, size=16,
                    seed=0, layout='task_first', domains=TASKONOMY_DOMAINS):
    """The Taskonomy release: ``point_<p>_view_<v>_domain_<task>.png`` in
    ``layout`` (``task_first``: the release's ``<task>/<building>/``,
    ``omnidata``: the download tool's ``<task>/taskonomy/<building>/``,
    ``building_first``); 16-bit depth in 1/512 m and 16-bit edges and
    keypoints, 8-bit normals centred on 127, segmentation 0 (uncertain) /
    1 (background) / 2..17, 8-bit 3-channel reshading and curvature. The
    pixels of :data:`TASKONOMY_NO_GEOMETRY` have no geometry, stored as the
    release stores it: depth 65535, normal 128 in every channel, curvature
    0 (reshading, occlusion edges and 3D keypoints 0 too)."""
    rng = np.random.default_rng(seed)
    hole = TASKONOMY_NO_GEOMETRY
    for building in buildings:
        for p in range(views):
            view = f'point_{p}_view_{p % 2}'
            arrays = dict(
                rgb=(rng.random((size, size, 3)) * 255).astype(np.uint8),
                segment_semantic=rng.integers(0, 18, (size, size)).astype(
                    np.uint8))
            normal = np.full((size, size, 3), 127, np.uint8)
            normal[..., 2] = 255
            normal[hole] = 128
            arrays['normal'] = normal
            for task in TASKONOMY_16BIT:
                arrays[task] = rng.integers(500, 9000, (size, size)).astype(
                    np.uint16)
            arrays['reshading'] = np.repeat(rng.integers(
                0, 256, (size, size, 1)).astype(np.uint8), 3, axis=2)
            arrays['principal_curvature'] = rng.integers(
                100, 160, (size, size, 3)).astype(np.uint8)
            for task in ('depth_zbuffer', 'depth_euclidean'):
                arrays[task][hole] = 65535
            for task in ('principal_curvature', 'reshading',
                         'edge_occlusion', 'keypoints3d'):
                arrays[task][hole] = 0
            for domain in domains:
                _save_png(osp.join(
                    taskonomy_folder(root, layout, domain, building),
                    f'{view}_domain_{domain}.png'), arrays[domain])
    return root


def shortened_run(config, work_dir, datasets, cfg_options=None,
                  **train_cfg):
    """Train a shipped benchmark config on the tiny model, one epoch per
    phase, batch 2; return its phases from ``lifelong_results.json``.

    Args:
        config (str): Config path relative to the repository.
        work_dir: The run's work dir.
        datasets (dict): Loader name -> dataset fields to override.
        cfg_options (dict, optional): Other config fields to override.
        **train_cfg: ``train_cfg`` fields to override.
    """
    import json

    from mmengine.config import Config

    from mmhad.engine import LifelongRunner
    from tests.conftest import REPO_ROOT, TINY_ARCHITECTURE
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    cfg.model.architecture.backbone = TINY_ARCHITECTURE['backbone']
    cfg.model.architecture.decode_head = dict(
        TINY_ARCHITECTURE['decode_head'], align_corners=True)
    for loader, fields in datasets.items():
        cfg[loader].update(num_workers=0, persistent_workers=False,
                           batch_size=2)
        cfg[loader].dataset.update(fields)
    cfg.train_cfg.update(max_epochs=1, **train_cfg)
    cfg.merge_from_dict(cfg_options or {})
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = cfg.visualizer.name = osp.basename(str(work_dir))
    LifelongRunner.from_cfg(cfg).train()
    with open(osp.join(str(work_dir), 'lifelong_results.json')) as f:
        return json.load(f)['phases']
