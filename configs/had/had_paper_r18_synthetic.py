# HAD with the paper's text defaults on the synthetic indoor rooms.
# had_r18_synthetic.py is mmhad's default HAD on the same data.
_base_ = [
    '../baselines/finetune_r18_synthetic.py', '../_base_/methods/had_paper.py'
]
model = dict(components=dict(had={{_base_.had_paper}}))
