# LwM on the synthetic rooms (see lwm_r18_nyuv2.py for gamma = 0.01).
_base_ = ['./lwf_r18_synthetic.py']
model = dict(
    components=dict(
        lwm=dict(type='AttentionDistillation', loss_weight=0.01)))
