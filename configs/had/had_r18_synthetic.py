# HAD on the synthetic indoor rooms, on the CPU in minutes (the README's
# main job). HAD's knobs are listed in had_r18_nyuv2.py; defaults here.
_base_ = ['../baselines/finetune_r18_synthetic.py']
model = dict(type='HAD')
