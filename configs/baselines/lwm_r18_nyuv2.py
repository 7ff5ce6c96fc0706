# LwM on NYUv2: LwF's distillation plus attention distillation between the
# teacher's and the student's Grad-CAM maps of the shared features, for
# every old task. gamma = 0.01, not LwM's 1: here the term (an L1 between
# unit-norm maps over every feature position) is large, and at 1 (and 0.1)
# it dominated and fell below fine-tuning on the synthetic rooms (README,
# Methods; one seed, not confirmed on held-out data).
_base_ = ['./lwf_r18_nyuv2.py']
model = dict(type='LwM', attention_weight=0.01)
