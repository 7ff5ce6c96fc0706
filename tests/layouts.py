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
