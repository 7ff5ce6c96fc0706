"""save_predictions writes every output form and channel count losslessly;
the inferencer's picture is labelled with the config's class names."""
from types import SimpleNamespace

import numpy as np
import torch
from PIL import Image

from mmhad.apis import DEPTH_PNG_SCALE, save_predictions
from mmhad.registry import DENSE_TASKS, OUTPUT_FORMS
from mmhad.structures import MultiTaskDataSample

H, W = 5, 7


def _model(**tasks):
    """What save_predictions reads of a model: its tasks, in order."""
    built = {name: DENSE_TASKS.build(cfg, default_args=dict(name=name))
             for name, cfg in tasks.items()}
    return SimpleNamespace(task_names=list(built), tasks=built)


def _names(files):
    return sorted(f.split('/')[-1] for f in files)


def test_every_output_form_is_saved_and_the_npy_is_exact(tmp_path):
    model = _model(
        semantic=dict(type='SemanticTask', num_classes=7),
        edge=dict(type='EdgeTask'),
        depth=dict(type='DepthTask'),
        curvature=dict(type='DenseRegressionTask', channels=2),
        normal=dict(type='NormalTask'))
    gen = torch.Generator().manual_seed(0)
    sample = MultiTaskDataSample()
    sample.pred_semantic = torch.randint(0, 7, (H, W), generator=gen)
    sample.pred_edge = torch.rand(1, H, W, generator=gen)
    sample.pred_depth = torch.rand(1, H, W, generator=gen) * 5
    sample.pred_curvature = torch.randn(2, H, W, generator=gen)
    sample.pred_normal = torch.nn.functional.normalize(
        torch.randn(3, H, W, generator=gen), dim=0)
    files = save_predictions(sample, model, str(tmp_path), 'x')
    assert _names(files) == sorted([
        'x_semantic.png', 'x_edge.npy', 'x_edge.png', 'x_depth.npy',
        'x_depth.png', 'x_curvature.npy', 'x_normal.npy', 'x_normal.png'])
    # the .npy files are the predictions, bit for bit
    for name in ('edge', 'depth', 'curvature', 'normal'):
        saved = np.load(tmp_path / f'x_{name}.npy')
        pred = sample.get(f'pred_{name}').numpy()
        assert saved.dtype == pred.dtype and np.array_equal(saved, pred)
    assert np.load(tmp_path / 'x_curvature.npy').shape == (2, H, W)
    # class ids: an exact 8-bit PNG
    ids = np.asarray(Image.open(tmp_path / 'x_semantic.png'))
    assert ids.dtype == np.uint8
    assert np.array_equal(ids, sample.pred_semantic.numpy())
    # previews: probabilities x 255, depth in millimetres, normals RGB
    edge = np.asarray(Image.open(tmp_path / 'x_edge.png'))
    assert np.array_equal(edge, np.round(
        sample.pred_edge[0].numpy() * 255).astype(np.uint8))
    depth = np.asarray(Image.open(tmp_path / 'x_depth.png')).astype(int)
    assert np.array_equal(depth, np.round(
        sample.pred_depth[0].numpy() * DEPTH_PNG_SCALE).astype(int))
    normal = np.asarray(Image.open(tmp_path / 'x_normal.png'))
    assert normal.shape == (H, W, 3)
    assert np.array_equal(normal, np.round(
        (sample.pred_normal.numpy().transpose(1, 2, 0) + 1) / 2 *
        255).astype(np.uint8))


def test_class_ids_a_png_cannot_hold_and_other_channel_counts(tmp_path):
    model = _model(
        many=dict(type='SemanticTask', num_classes=300),
        flow=dict(type='DenseRegressionTask', channels=5))
    # a task of two-dimensional directions
    model.tasks['direction'] = SimpleNamespace(
        pred_key='pred_direction',
        output_form=OUTPUT_FORMS.build(dict(type='unit_vectors')))
    model.task_names.append('direction')
    sample = MultiTaskDataSample()
    ids = torch.arange(H * W).view(H, W) * 10  # up to 340: 16 bits
    sample.pred_many = ids
    sample.pred_flow = torch.randn(5, H, W)
    angle = torch.rand(H, W) * 6.28
    sample.pred_direction = torch.stack([angle.cos(), angle.sin()])
    files = save_predictions(sample, model, str(tmp_path), 'y')
    assert _names(files) == sorted([
        'y_many.png', 'y_flow.npy', 'y_direction.npy', 'y_direction.png'])
    wide = np.asarray(Image.open(tmp_path / 'y_many.png'))
    assert np.array_equal(wide.astype(int), ids.numpy())
    assert np.array_equal(np.load(tmp_path / 'y_flow.npy'),
                          sample.pred_flow.numpy())
    rgb = np.asarray(Image.open(tmp_path / 'y_direction.png'))
    assert rgb.shape == (H, W, 3) and (rgb[..., 2] == 128).all()
    # ids no PNG holds (negative) and undecoded scores: exact .npy
    sample = MultiTaskDataSample()
    sample.pred_many = ids - 1
    sample.pred_flow = torch.randn(5, H, W)
    sample.pred_direction = torch.stack([angle.cos(), angle.sin()])
    save_predictions(sample, model, str(tmp_path / 'neg'), 'z')
    assert np.array_equal(np.load(tmp_path / 'neg' / 'z_many.npy'),
                          (ids - 1).numpy())
    scores = torch.randn(300, H, W)
    sample.pred_many = scores
    files = save_predictions(sample, model, str(tmp_path / 's'), 's')
    assert {'s_many.npy', 's_many.png'} <= set(_names(files))
    assert np.array_equal(np.load(tmp_path / 's' / 's_many.npy'),
                          scores.numpy())
    assert np.array_equal(
        np.asarray(Image.open(tmp_path / 's' / 's_many.png')).astype(int),
        scores.argmax(0).numpy())


def test_inferencer_panel_names_the_config_dataset_classes(tmp_path):
    from mmengine.config import Config

    from mmhad.apis import MultiTaskInferencer
    from mmhad.apis.inferencer import dataset_meta
    from mmhad.datasets.synthetic_indoor import SYNTHETIC_CLASSES
    from mmhad.registry import MODELS
    from mmhad.visualization import MultiTaskVisualizer, figure_texts
    from tests.conftest import tiny_model_cfg
    tasks = dict(semantic=dict(type='SemanticTask', num_classes=7),
                 curvature=dict(type='DenseRegressionTask', channels=2))
    cfg = Config(dict(
        model=tiny_model_cfg(type='FineTune'),
        # read for its class names only: never built, no data needed
        test_dataloader=dict(dataset=dict(type='SyntheticIndoorDataset',
                                          data_root=str(tmp_path / 'none'),
                                          pipeline=[]))))
    assert dataset_meta(cfg)['classes'] == SYNTHETIC_CLASSES
    trained = MODELS.build(cfg.model)
    trained.set_tasks(tasks)
    trained.begin_phase(1, list(tasks))
    path = str(tmp_path / 'phase_1_semantic+curvature.pth')
    torch.save(dict(state_dict=trained.state_dict(),
                    meta=dict(dataset_meta=dict(tasks=tasks))), path)
    inferencer = MultiTaskInferencer(cfg, path)
    image = np.random.default_rng(0).random((24, 32, 3)).astype(np.float32)
    result = inferencer([image], out_dir=str(tmp_path / 'out'))
    assert sorted(p.name for p in (tmp_path / 'out').iterdir()) == [
        '00000_curvature.npy', '00000_panel.png', '00000_semantic.png']
    assert np.array_equal(np.load(tmp_path / 'out' / '00000_curvature.npy'),
                          result['predictions'][0]['curvature'])
    panel = np.asarray(Image.open(tmp_path / 'out' / '00000_panel.png'))
    assert panel.shape[0] > 2 * 200  # two rows of upscaled cells
    texts = figure_texts(MultiTaskVisualizer.get_instance(
        f'inferencer_{id(inferencer)}').last_figure)
    assert '00000: predictions' in texts
    assert 'input' in texts and 'prediction' in texts
    assert 'mean of 2 channels' in texts
    shown = set(result['predictions'][0]['semantic'].ravel().tolist())
    assert {SYNTHETIC_CLASSES[i] for i in shown} <= set(texts)
