"""The benchmark tool brings a method to its phase and reports every
figure (never asserted on: timings go to docs/results/benchmark.md)."""
import os.path as osp
import sys

from tests.conftest import REPO_ROOT

sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'analysis'))
from benchmark import main  # noqa: E402


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
