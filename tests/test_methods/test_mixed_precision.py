"""Distillation terms under bf16 autocast (CPU) match their fp32 values.

Under autocast the network's convolutions run in bf16, so the predictions
fed to the losses carry bf16 rounding (about 3 significant digits); the
losses themselves must compute in fp32 (logarithms of small values,
geometric means, Sobel magnitudes, softmax at a temperature). Stated
tolerance: 3 % relative per term, the rounding of the inputs; a loss that
computed in bf16 would be off by far more on the small LwF and DB terms,
or overflow."""
import math

import pytest
import torch

from mmhad.registry import MODELS
from tests.conftest import tiny_model_cfg
from tests.test_methods.test_lifelong_methods import make_batch, train_steps

TOLERANCE = 3e-2


@pytest.mark.parametrize('method', [
    dict(type='HAD'),
    dict(type='LwF', temperature=2.0),
])
def test_terms_under_bf16_autocast_equal_fp32(method):
    model = MODELS.build(tiny_model_cfg(**method))
    for phase, tasks in enumerate([['semantic'], ['depth'], ['normal']], 1):
        model.begin_phase(phase, tasks)
        train_steps(model, tasks)
    model.eval()  # no dropout: the two passes see the same network
    inputs, samples = make_batch(tasks=['normal'])
    with torch.no_grad():
        full = model.loss(inputs, samples)
        with torch.autocast('cpu', dtype=torch.bfloat16):
            mixed = model.loss(inputs, samples)
    assert len(full) >= 3
    for key, value in full.items():
        assert mixed[key].dtype == torch.float32, key
        assert math.isfinite(float(mixed[key]))
        assert float(mixed[key]) == pytest.approx(float(value),
                                                  rel=TOLERANCE), key
