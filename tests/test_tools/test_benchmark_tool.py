"""The benchmark tool brings a method to its phase and reports every
figure (never asserted on: timings go to docs/results/benchmark.md)."""
import json
import os.path as osp
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'analysis'))
from benchmark import main  # noqa: E402
from benchmark_reference import import_reference  # noqa: E402


def test_benchmark_reports_a_row_per_config(tmp_path, capsys):
    out = tmp_path / 'bench.md'
    main([osp.join(REPO_ROOT, 'configs/had/had_r18_synthetic.py'),
          '--compare', osp.join(REPO_ROOT,
                                'configs/baselines/ewc_r18_synthetic.py'),
          '--size', '32', '40', '--batch-size', '2', '--iters', '1',
          '--warmup', '1', '--amp', '--out', str(out)])
    table = out.read_text()
    assert table.strip() in capsys.readouterr().out
    rows = [line for line in table.splitlines()
            if line.startswith('| had_') or line.startswith('| ewc_')]
    assert len(rows) == 2
    had = [cell.strip() for cell in rows[0].split('|')[1:-1]]
    assert had[1] == '3' and float(had[2]) > 0 and float(had[5]) > 0
    ewc = [cell.strip() for cell in rows[1].split('|')[1:-1]]
    assert float(ewc[5]) == 0  # no teacher


def test_benchmark_counts_flops_per_image(capsys):
    main([osp.join(REPO_ROOT, 'configs/had/had_r18_synthetic.py'),
          '--compare', osp.join(REPO_ROOT,
                                'configs/baselines/finetune_r18_synthetic.py'),
          '--size', '32', '40', '--batch-size', '2', '--iters', '1',
          '--warmup', '0', '--flops'])
    out = capsys.readouterr().out
    assert 'train GFLOPs/img | inference GFLOPs/img' in out
    cells = {}
    for line in out.splitlines():
        if line.startswith('| had_') or line.startswith('| finetune_'):
            row = [cell.strip() for cell in line.split('|')[1:-1]]
            cells[row[0].split('_')[0]] = [float(v) for v in row[-2:]]
    (had_train, had_infer), (ft_train, ft_infer) = cells['had'], cells[
        'finetune']
    # same network at phase 3: same inference; HAD's step adds the
    # teacher's forward, and a step (forward + backward) costs more than
    # an inference
    assert had_infer == ft_infer > 0
    assert had_train > ft_train > ft_infer


def test_benchmark_compile_times_the_compiled_step(tmp_path, capsys,
                                                   monkeypatch):
    import torch
    compiled = []

    def eager_compile(fn, **kwargs):
        # dynamo without a C++ compiler, and proof it was asked for
        compiled.append(fn.__name__)
        return torch._dynamo.optimize('eager')(fn)

    monkeypatch.setattr(torch, 'compile', eager_compile)
    main([osp.join(REPO_ROOT, 'configs/had/had_r18_synthetic.py'),
          '--size', '32', '40', '--batch-size', '2', '--iters', '1',
          '--warmup', '1', '--compile'])
    out = capsys.readouterr().out
    # once per phase as the method is brought to phase 3
    assert compiled == ['_loss'] * 3 and 'torch.compile' in out
    row = [line for line in out.splitlines() if line.startswith('| had_')]
    cells = [cell.strip() for cell in row[0].split('|')[1:-1]]
    assert float(cells[2]) > 0 and float(cells[5]) == 0  # teacher inside


FAKE_REFERENCE = {
    'model/__init__.py': '',
    'model/resnet.py': 'def resnet18(pretrained=True):\n'
                       '    assert not pretrained, "would download"\n',
    'methods/had.py': '',
    # records how the tool drives the reference learner
    'methods/__init__.py': '''
import json, torch
from model import resnet
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        resnet.resnet18(pretrained=True)
        self.conv = torch.nn.Conv2d(3, 3, 1)
    def update_decoder(self, task):
        LOG.append(['decoder', task])
class Learner:
    def __init__(self, args):
        self.args, self.competence, self._network = args, [], Net()
    def after_task(self):
        self.args.cur_task += 1
    def _new_train(self, loader, _, optimizer, scheduler):
        LOG.append(['train', self.args.cur_task, self.task_type,
                    list(self.competence),
                    [[list(x.shape), list(y['normal'].shape)]
                     for x, y in loader]])
        json.dump(LOG, open('log.json', 'w'))
LOG = []
def get_model(args):
    return Learner(args)
''',
}


def test_reference_benchmark_drives_phase_3(tmp_path):
    for name, text in FAKE_REFERENCE.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    tool = osp.join(REPO_ROOT, 'tools', 'analysis', 'benchmark_reference.py')
    result = subprocess.run(
        [sys.executable, tool, str(tmp_path), '--size', '8', '12',
         '--batch-size', '3', '--iters', '2', '--warmup', '1'],
        cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert '| reference HAD | 3 | 8x12 | 3 |' in result.stdout
    log = json.loads((tmp_path / 'log.json').read_text())
    assert log[:3] == [['decoder', 'semantic'], ['decoder', 'depth'],
                       ['decoder', 'normal']]
    shapes = [[3, 3, 8, 12], [3, 3, 8, 12]]
    assert log[3] == ['train', 3, 'normal', ['semantic', 'depth', 'normal'],
                      [shapes]]
    assert log[4][-1] == [shapes, shapes]


def test_reference_benchmark_names_a_wrong_checkout(tmp_path):
    with pytest.raises(FileNotFoundError, match='no methods/had.py'):
        import_reference(str(tmp_path))
