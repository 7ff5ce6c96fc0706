# LwM on NYUv2: LwF's distillation plus attention distillation between the
# teacher's and the student's Grad-CAM maps of the shared features, for
# every old task. gamma = 0.01, not LwM's 1: here the term (an L1 between
# unit-norm maps over every feature position) is large: on the synthetic
# rooms (README, Methods; one seed) it fell below fine-tuning at 1 and below
# LwF at 0.1; 0.01 was confirmed on the held-out streets over 3 seeds.
_base_ = ['./lwf_r18_nyuv2.py']
model = dict(
    components=dict(
        lwm=dict(type='AttentionDistillation', loss_weight=0.01)))
