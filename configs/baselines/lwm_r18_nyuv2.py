# LwM on NYUv2: LwF's distillation plus attention distillation between the
# teacher's and the student's Grad-CAM maps of the shared features, for
# every old task (gamma = 1, as LwM).
_base_ = ['./lwf_r18_nyuv2.py']
model = dict(type='LwM', attention_weight=1.0)
