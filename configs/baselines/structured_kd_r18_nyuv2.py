# Structured KD: pair-wise cosine similarity of backbone positions.
_base_ = ['./finetune_r18_nyuv2.py']
model = dict(components=dict(structured_kd=dict(
    type='StructuredDistillation', loss_weight=1.0, pool=2)))
