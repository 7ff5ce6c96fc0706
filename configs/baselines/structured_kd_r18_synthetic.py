_base_ = ['./finetune_r18_synthetic.py']
model = dict(components=dict(structured_kd=dict(
    type='StructuredDistillation', loss_weight=1.0, pool=1)))
