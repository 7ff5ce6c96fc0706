"""init_model / inference_model on a phase checkpoint of a tiny model."""
import numpy as np
import pytest
import torch
from mmcv.transforms import BaseTransform
from mmengine.config import Config

from mmhad.apis import inference_model, init_model
from mmhad.engine import CorruptCheckpointError
from mmhad.registry import MODELS, TRANSFORMS
from tests.conftest import TASKS, tiny_model_cfg

#: What a phase checkpoint's meta records: its training set's tasks.
META = dict(dataset_meta=dict(tasks=TASKS))


def test_a_phase_checkpoint_predicts_the_tasks_it_has_heads_for(tmp_path):
    cfg = Config(dict(model=tiny_model_cfg(type='FineTune')))
    trained = MODELS.build(cfg.model)
    trained.set_tasks(TASKS)
    trained.begin_phase(1, ['semantic'])
    trained.begin_phase(2, ['depth'])
    path = str(tmp_path / 'phase_2_depth.pth')
    torch.save(dict(state_dict=trained.state_dict(), meta=META), path)

    model = init_model(cfg, path)
    assert model.task_names == ['semantic', 'depth']
    image = np.random.default_rng(0).random((32, 40, 3)).astype(np.float32)
    np.save(tmp_path / 'img.npy', image)
    sample = inference_model(model, str(tmp_path / 'img.npy'))
    assert sample.pred_semantic.shape == (32, 40)
    assert sample.pred_depth.shape == (1, 32, 40)
    assert 'pred_normal' not in sample
    # the same as the trained model's own prediction
    trained.eval()
    inputs = trained.data_preprocessor(
        dict(inputs=[torch.from_numpy(image).permute(2, 0, 1)]),
        False)['inputs']
    with torch.no_grad():
        expected = trained.predict_tasks(inputs)
    assert torch.allclose(sample.pred_depth, expected['depth'][0])
    # uint8 arrays are scaled; several images give several samples
    samples = inference_model(
        model, [(image * 255).astype(np.uint8), image[:16, :24]])
    assert [s.pred_semantic.shape for s in samples] == [(32, 40), (16, 24)]
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        init_model(cfg, str(tmp_path / 'missing.pth'))


def test_a_damaged_or_foreign_checkpoint_is_refused_naming_it(tmp_path):
    cfg = Config(dict(model=tiny_model_cfg(type='FineTune')))
    trained = MODELS.build(cfg.model)
    trained.set_tasks(TASKS)
    trained.begin_phase(1, ['semantic'])
    path = tmp_path / 'phase_1_semantic.pth'
    torch.save(dict(state_dict=trained.state_dict(), meta=META), path)
    assert init_model(cfg, str(path)).task_names == ['semantic']
    # a copy cut short
    truncated = tmp_path / 'truncated.pth'
    truncated.write_bytes(path.read_bytes()[:path.stat().st_size // 2])
    with pytest.raises(CorruptCheckpointError, match='truncated.pth'):
        init_model(cfg, str(truncated))
    # another model's weights: mmengine would load none of them silently
    foreign = tmp_path / 'backbone.pth'
    torch.save({'conv1.weight': torch.ones(8, 3, 3, 3)}, foreign)
    with pytest.raises(ValueError, match='backbone.pth holds none of the '
                       'weights of this model'):
        init_model(cfg, str(foreign))
    no_weights = tmp_path / 'meta_only.pth'
    torch.save(dict(meta=dict(epoch=3)), no_weights)
    with pytest.raises(ValueError, match='meta_only.pth holds no state dict'):
        init_model(cfg, str(no_weights))


def test_image_demo_writes_each_task_losslessly(tmp_path):
    import os.path as osp
    import sys

    from PIL import Image

    from mmhad.apis import DEPTH_PNG_SCALE
    from tests.conftest import REPO_ROOT
    sys.path.insert(0, osp.join(REPO_ROOT, 'demo'))
    from image_demo import main
    cfg = Config(dict(model=tiny_model_cfg(type='FineTune')))
    trained = MODELS.build(cfg.model)
    trained.set_tasks(TASKS)
    for phase, task in enumerate(['semantic', 'depth', 'normal'], 1):
        trained.begin_phase(phase, [task])
    path = str(tmp_path / 'phase_3_normal.pth')
    torch.save(dict(state_dict=trained.state_dict(), meta=META), path)
    cfg_path = str(tmp_path / 'cfg.py')
    cfg.dump(cfg_path)
    image = (np.random.default_rng(1).random(
        (32, 40, 3)) * 255).astype(np.uint8)
    Image.fromarray(image).save(tmp_path / 'room.png')
    out = tmp_path / 'out'
    main([str(tmp_path / 'room.png'), cfg_path, path, '--out-dir', str(out)])
    classes = np.asarray(Image.open(out / 'room_semantic.png'))
    assert classes.shape == (32, 40) and classes.max() < 7
    depth = np.load(out / 'room_depth.npy')
    depth_png = np.asarray(Image.open(out / 'room_depth.png'))
    assert depth_png.dtype == np.uint16 or depth_png.dtype == np.int32
    expected = np.round(depth[0].clip(0, None) * DEPTH_PNG_SCALE)
    assert np.array_equal(
        depth_png.astype(np.int64), expected.astype(np.int64))
    # a folder: every image in it, each at its own size
    folder = tmp_path / 'folder'
    folder.mkdir()
    Image.fromarray(image[:16]).save(folder / 'a.png')
    np.save(folder / 'b.npy', image.astype(np.float32) / 255)
    main([str(folder), cfg_path, path, '--out-dir', str(tmp_path / 'f')])
    assert np.asarray(Image.open(tmp_path / 'f' / 'a_semantic.png')).shape \
        == (16, 40)
    assert (tmp_path / 'f' / 'b_normal.npy').is_file()
    normal = np.load(out / 'room_normal.npy')
    assert normal.shape == (3, 32, 40)
    assert np.asarray(Image.open(out / 'room_normal.png')).shape == (32, 40, 3)


def test_inferencer_on_a_folder_in_batches(tmp_path):
    from mmhad.apis import MultiTaskInferencer
    cfg = Config(dict(model=tiny_model_cfg(type='FineTune')))
    trained = MODELS.build(cfg.model)
    trained.set_tasks(TASKS)
    trained.begin_phase(1, ['semantic'])  # a phase-1 checkpoint
    path = str(tmp_path / 'phase_1_semantic.pth')
    torch.save(dict(state_dict=trained.state_dict(), meta=META), path)
    folder = tmp_path / 'images'
    folder.mkdir()
    rng = np.random.default_rng(2)
    for i in range(3):
        np.save(folder / f'{i}.npy',
                rng.random((24, 32, 3)).astype(np.float32))
    (folder / 'notes.txt').write_text('not an image')
    inferencer = MultiTaskInferencer(cfg, path)
    result = inferencer(
        str(folder), batch_size=2, out_dir=str(tmp_path / 'out'))
    predictions = result['predictions']
    assert len(predictions) == 3
    assert list(predictions[0]) == ['semantic']  # only its phase's task
    assert predictions[2]['semantic'].shape == (24, 32)
    assert sorted(p.name for p in (
        tmp_path /
        'out').iterdir()) == sorted([f'{i}_semantic.png' for i in range(3)] +
                                    [f'{i}_panel.png' for i in range(3)])
    samples = inferencer(
        np.zeros((8, 8, 3), np.uint8), return_datasamples=True)['predictions']
    assert samples[0].pred_semantic.shape == (8, 8)


def test_resize_and_pad_of_the_test_pipeline_are_undone(tmp_path):
    cfg = Config(
        dict(
            model=tiny_model_cfg(type='FineTune'),
            test_dataloader=dict(
                dataset=dict(pipeline=[
                    dict(type='LoadTaskonomy'),
                    dict(type='ResizeTo', size=(32, 40)),
                    dict(type='PadTo', size=(48, 48)),
                    dict(type='PackMultiTaskInputs')
                ]))))
    trained = MODELS.build(cfg.model)
    trained.set_tasks(TASKS)
    for phase, task in enumerate(['semantic', 'depth'], 1):
        trained.begin_phase(phase, [task])
    path = str(tmp_path / 'phase_2_depth.pth')
    torch.save(dict(state_dict=trained.state_dict(), meta=META), path)
    model = init_model(cfg, path)
    sample = inference_model(
        model,
        np.random.default_rng(3).random((20, 30, 3)).astype(np.float32))
    assert sample.pred_semantic.shape == (20, 30)
    assert sample.pred_depth.shape == (1, 20, 30)


def test_save_predictions_of_every_task_kind(tmp_path):
    from PIL import Image

    from mmhad.apis import save_predictions
    tasks = dict(
        semantic=dict(type='SemanticTask', num_classes=7),
        edge=dict(type='EdgeTask'),
        sal=dict(type='SaliencyTask'),
        parts=dict(type='HumanPartsTask'),
        curvature=dict(type='DenseRegressionTask', channels=2),
        depth=dict(type='DepthTask'),
        normal=dict(type='NormalTask'))
    cfg = Config(dict(model=tiny_model_cfg(type='FineTune')))
    model = MODELS.build(cfg.model)
    model.set_tasks(tasks)
    model.begin_phase(1, list(tasks))
    model.eval()
    sample = inference_model(model, np.zeros((16, 20, 3), np.float32))
    files = save_predictions(sample, model, str(tmp_path), 'x')
    names = sorted(p.split('/')[-1] for p in files)
    assert names == sorted([
        'x_semantic.png', 'x_parts.png', 'x_edge.npy', 'x_edge.png',
        'x_sal.npy', 'x_sal.png', 'x_curvature.npy', 'x_depth.npy',
        'x_depth.png', 'x_normal.npy', 'x_normal.png'
    ])
    edge = np.asarray(Image.open(tmp_path / 'x_edge.png'))
    assert edge.dtype == np.uint8 and edge.shape == (16, 20)
    assert np.load(tmp_path / 'x_curvature.npy').shape == (2, 16, 20)


@TRANSFORMS.register_module(force=True)
class _InvertImage(BaseTransform):
    """A test-pipeline step that keeps the size: 1 - image."""

    def transform(self, results):
        results['img'] = 1 - results['img']
        return results


@TRANSFORMS.register_module(force=True)
class _CropHalf(BaseTransform):
    """A test-pipeline step that changes the size and cannot be undone."""

    def transform(self, results):
        results['img'] = results['img'][:results['img'].shape[0] // 2]
        return results


def test_inference_runs_every_step_of_the_test_pipeline(tmp_path):
    """Every non-loading step runs, as in evaluation (not only the
    geometric ones); a size change without an inverse is refused."""
    def pipeline_cfg(*steps):
        return Config(dict(
            model=tiny_model_cfg(type='FineTune'),
            test_dataloader=dict(dataset=dict(pipeline=[
                dict(type='LoadMultiTaskNpy'), *steps,
                dict(type='PackMultiTaskInputs')
            ]))))

    plain_cfg = pipeline_cfg()
    trained = MODELS.build(plain_cfg.model)
    trained.set_tasks(TASKS)
    trained.begin_phase(1, ['depth'])
    path = str(tmp_path / 'phase_1_depth.pth')
    torch.save(dict(state_dict=trained.state_dict(), meta=META), path)
    image = np.random.default_rng(0).random((16, 20, 3)).astype(np.float32)
    plain = inference_model(init_model(plain_cfg, path), image)
    inverted = inference_model(
        init_model(pipeline_cfg(dict(type='_InvertImage')), path), image)
    by_hand = inference_model(init_model(plain_cfg, path), 1 - image)
    assert torch.equal(inverted.pred_depth, by_hand.pred_depth)
    assert not torch.equal(inverted.pred_depth, plain.pred_depth)
    with pytest.raises(ValueError, match='_CropHalf changes the image'):
        inference_model(
            init_model(pipeline_cfg(dict(type='_CropHalf')), path), image)
