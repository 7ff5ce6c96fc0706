# The weak-teacher regime: the NYUv2 configs (the reference network at full
# width, 13 classes) from scratch with lr 1e-4, 6 epochs of batch 8 per
# phase and 80 training images per phase (240 in all), 160 validation
# images: the phase-1 teacher is weak (unsure, few classes predicted). The
# images are the benchmark's family, read by its generating dataset class
# (the same files as NYUv2's layout; the 13-class head stays). Every method
# runs mmhad's own protocol (_base_/protocols/mmhad_nyuv2.py), as when the
# regime's results were made: the configs without it of their own take it
# as options.
_base_ = ['../../_base_/protocols/mmhad_nyuv2.py']
methods = {
    'FT': 'configs/baselines/finetune-mm_r18_nyuv2.py',
    'LwF': dict(config='configs/baselines/lwf_r18_nyuv2.py',
                options={{_base_.mmhad_protocol}}),
    'HAD-paper': dict(config='configs/had/had_paper_r18_nyuv2.py',
                      options={{_base_.mmhad_protocol}}),
    'HAD-reference': 'configs/had/had_reference-loss_r18_nyuv2.py',
    'HAD': 'configs/had/had-mm_r18_nyuv2.py',
    'HAD-scratch': 'configs/had/had_scratch_r18_nyuv2.py',
    'HAD-robust': 'configs/had/had_robust_r18_nyuv2.py',
}
dataset = dict(
    data_root='{data_dir}/{benchmark}_weak', num_train=240, num_val=160)
dataloader = dict(num_workers=0, persistent_workers=False)
options = dict(
    model=dict(architecture=dict(backbone=dict(init_cfg=None))),
    train_cfg=dict(max_epochs=6),
    optim_wrapper=dict(optimizer=dict(lr=1e-4)),
    train_dataloader=dict(batch_size=8))
