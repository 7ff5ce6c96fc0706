# Naive sequential fine-tuning on Taskonomy, ten phases (one task each), on
# the reference network and schedule of the NYUv2 configs.
_base_ = [
    '../_base_/models/lifelong_deeplabv3-tv_r18-d8.py',
    '../_base_/datasets/taskonomy.py',
    '../_base_/schedules/lifelong_adam_20e.py',
    '../_base_/default_runtime.py',
]
train_cfg = dict(task_order=[
    'segment_semantic', 'depth_zbuffer', 'normal', 'depth_euclidean',
    'edge_texture', 'edge_occlusion', 'keypoints2d', 'keypoints3d',
    'reshading', 'principal_curvature'
])
