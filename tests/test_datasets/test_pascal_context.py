"""PASCAL-Context, as the PASCAL_MT release ships it, through the configs."""
import numpy as np
import pytest

from mmhad.datasets import PascalContextDataset
from mmhad.datasets.pascal_context import context_boundaries
from tests.layouts import shortened_run, write_pascal_context

PIPELINE = [
    dict(type='LoadPascalContext'),
    dict(type='PadTo', size=(32, 32)),
    dict(type='PackMultiTaskInputs')
]


@pytest.fixture(scope='module')
def pascal_root(tmp_path_factory):
    return write_pascal_context(str(tmp_path_factory.mktemp('PASCAL_MT')))


def test_decodes_every_task_as_the_release_encodes_it(pascal_root):
    dataset = PascalContextDataset(pascal_root, pipeline=PIPELINE)
    assert len(dataset) == 4
    with_person = dataset[0]['data_samples']
    parts = with_person.gt_human_parts.numpy()
    assert (parts[4:8, 6:14] == 1).all() and (parts[8:16, 6:14] == 2).all()
    assert parts[20:, :].tolist() == np.full((12, 32), 255.).tolist()
    semantic = with_person.gt_semantic.numpy()
    assert semantic[5, 7] == 15 and semantic[0, 0] == 255
    normal = with_person.gt_normal.numpy()
    # kept on context classes NYUv2 labels too (3, air conditioner; 284,
    # person), not on 2 (aeroplane, the right half)
    assert normal[:, 0, 0].tolist() == [-1, -1, 1]
    assert normal[:, 10, 8].tolist() == [-1, -1, 1]
    assert normal[:, 0, 20].tolist() == [0, 0, 0]
    sal = with_person.gt_sal.numpy()
    assert sal[10, 8] == 1 and sal[0, 20] == 0 and sal[25, 0] == 255
    without = dataset[1]['data_samples'].gt_human_parts.numpy()
    assert set(np.unique(without[:20, :24])) == {0}


def test_boundaries_are_one_pixel_thin():
    label_map = np.zeros((6, 8), np.uint16)
    label_map[:, 4:] = 7
    edge = context_boundaries(label_map)
    assert set(np.unique(edge)) == {0, 1}
    # the Laplacian marks both columns 3 and 4; thinning keeps one (and
    # may shorten the line's end by a pixel)
    assert edge.sum() >= 5 and (edge.sum(axis=1) <= 1).all()
    assert set(np.nonzero(edge)[1]) <= {3, 4}


def test_missing_release_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='Context/train.txt'):
        PascalContextDataset(str(tmp_path))
    with pytest.raises(KeyError, match='depth'):
        PascalContextDataset(str(tmp_path), tasks=['depth'])


@pytest.mark.parametrize('config', [
    'configs/had/had_r18_pascal-context.py',
    'configs/baselines/finetune_r18_pascal-context.py',
    'configs/baselines/lwf_r18_pascal-context.py',
])
def test_shortened_pascal_runs_learn_all_five_tasks(config, pascal_root,
                                                    tmp_path):
    # 4 images, 5 phases: every phase sees all of them
    phases = shortened_run(config, tmp_path / 'work', {
        loader: dict(data_root=pascal_root, pipeline=PIPELINE)
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader')}, split='shared')
    assert [p['task'] for p in phases] == [
        'semantic', 'human_parts', 'sal', 'normal', 'edge']
    final = phases[-1]['metrics']
    assert set(final['edge']) == {'loss', 'odsF'}
    assert set(final['sal']) == {'maxF', 'max_mIoU'}
    assert all(np.isfinite(v) for m in final.values() for v in m.values())


def test_the_dataset_checks_its_mat_and_png_files_before_training(tmp_path):
    """PASCAL-Context's annotations span several files (.mat parts and
    context maps, PNGs): the dataset checks them sample by sample through
    its own loader, and names a corrupt file before any training."""
    from mmhad.tasks import build_tasks
    root = write_pascal_context(str(tmp_path / 'PASCAL_MT'))
    tasks = build_tasks(dict(
        semantic=dict(type='SemanticTask', num_classes=21, ignore_index=255),
        human_parts=dict(type='HumanPartsTask', ignore_index=255),
        edge=dict(type='EdgeTask'), normal=dict(type='NormalTask'),
        sal=dict(type='SaliencyTask')))
    dataset = PascalContextDataset(root, pipeline=PIPELINE)
    assert dataset.check_files('train', range(len(dataset)), list(tasks),
                               tasks, values=True) == 4
    info = dataset.get_data_info(0)
    with open(info['human_parts_path'], 'wb') as f:
        f.write(b'not a MATLAB file')
    with pytest.raises(ValueError, match='1 bad file') as err:
        dataset.check_files('train', range(len(dataset)), list(tasks), tasks,
                            values=True)
    assert info['img_path'] in str(err.value)
    open(info['label_map_path'], 'wb').close()  # headers find it empty
    with pytest.raises(ValueError, match='empty file') as err:
        dataset.check_files('train', range(len(dataset)), ['edge'], tasks,
                            values=False)
    assert info['label_map_path'] in str(err.value)
