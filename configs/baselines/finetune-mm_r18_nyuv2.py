# Fine-tuning on NYUv2 with mmhad's own protocol (_base_/protocols/
# mmhad_nyuv2.py: shuffled loader, metrics over every valid pixel, mmseg's
# head init): the lower bound of had-mm_r18_nyuv2.py and of the other HAD
# variants that were measured with it (had_reference-loss, had_scratch,
# had_robust). Not the paper's protocol: set no paper figure beside it.
_base_ = ['./finetune_r18_nyuv2.py', '../_base_/protocols/mmhad_nyuv2.py']
model = {{_base_.mmhad_protocol.model}}
train_dataloader = {{_base_.mmhad_protocol.train_dataloader}}
val_dataloader = {{_base_.mmhad_protocol.val_dataloader}}
test_dataloader = {{_base_.mmhad_protocol.test_dataloader}}
val_evaluator = {{_base_.mmhad_protocol.val_evaluator}}
test_evaluator = {{_base_.mmhad_protocol.test_evaluator}}
tasks = {{_base_._mmhad_tasks}}
