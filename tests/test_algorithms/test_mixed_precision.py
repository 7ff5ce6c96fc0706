"""Distillation losses keep fp32 numerics under bf16 autocast (CPU).

Under autocast the network runs in bf16, so the predictions reaching the
losses are bf16. Given the same bf16 predictions (student's and teacher's),
every term computed under autocast must equal the term computed in fp32
from those predictions cast to fp32, to 1e-5: logarithms of small losses,
geometric means, Sobel magnitudes and softmax at a temperature must not
run in bf16 (their error would be about 1e-2)."""
import math

import pytest
import torch

from tests.conftest import tiny_model
from tests.test_algorithms.test_lifelong_algorithm import (component_losses,
                                                           make_batch)

TOLERANCE = 1e-5


@pytest.mark.parametrize('method', [
    dict(type='HAD'),
    dict(type='HAD', db_loss=dict(type='DistributionBalancedLoss',
                                  group_weighting='softmax')),
    dict(type='LwF', temperature=2.0),
])
def test_terms_of_bf16_predictions_compute_in_fp32(method):
    torch.manual_seed(0)
    model = tiny_model(**method)
    for phase, tasks in enumerate([['semantic'], ['depth'], ['normal']], 1):
        model.begin_phase(phase, tasks)
    model.eval()
    inputs, samples = make_batch(tasks=['normal'])
    old = ['semantic', 'depth']
    with torch.no_grad():
        student = model.predict_tasks(inputs, old + ['normal'])
        teacher = model.teacher.predict_tasks(inputs * 0.9, old)
    # bf16 predictions, as autocast hands them over
    student = {k: v.bfloat16() for k, v in student.items()}
    teacher = {k: v.bfloat16() for k, v in teacher.items()}
    with torch.autocast('cpu', dtype=torch.bfloat16):
        mixed = component_losses(model, student, old, inputs, samples,
                                 teacher_outputs=teacher)
    full = component_losses(model, {k: v.float() for k, v in student.items()},
                            old, inputs, samples,
                            teacher_outputs={k: v.float()
                                             for k, v in teacher.items()})
    assert len(full) >= 2
    for key, value in full.items():
        assert mixed[key].dtype == torch.float32, key
        assert math.isfinite(float(mixed[key]))
        assert float(mixed[key]) == pytest.approx(float(value),
                                                  rel=TOLERANCE), key


def test_a_short_had_run_under_cpu_bf16_autocast(tiny_data_root, tmp_path):
    import json

    from mmhad.engine import CPUAutocastOptimWrapper, LifelongRunner
    from tests.conftest import tiny_cfg
    seen = []
    forward = CPUAutocastOptimWrapper.optim_context

    def spy(self, model):
        seen.append(self.cast_dtype)
        return forward(self, model)

    CPUAutocastOptimWrapper.optim_context = spy
    try:
        cfg = tiny_cfg('configs/had/had_r18_synthetic.py', tiny_data_root,
                       tmp_path)
        cfg.optim_wrapper.type = 'CPUAutocastOptimWrapper'
        LifelongRunner.from_cfg(cfg).train()
    finally:
        CPUAutocastOptimWrapper.optim_context = forward
    assert seen and set(seen) == {torch.bfloat16}
    with open(tmp_path / 'lifelong_results.json') as f:
        phases = json.load(f)['phases']
    assert [p['phase'] for p in phases] == [1, 2, 3]
    assert all(math.isfinite(v) for m in phases[-1]['metrics'].values()
               for v in m.values())


def test_cpu_autocast_wrapper_casts_the_forward_to_bf16():
    from mmhad.engine import CPUAutocastOptimWrapper
    layer = torch.nn.Linear(4, 4)
    wrapper = CPUAutocastOptimWrapper(
        optimizer=torch.optim.SGD(layer.parameters(), lr=0.1))
    with wrapper.optim_context(layer):
        out = layer(torch.rand(2, 4))
    assert out.dtype == torch.bfloat16
    assert layer(torch.rand(2, 4)).dtype == torch.float32
