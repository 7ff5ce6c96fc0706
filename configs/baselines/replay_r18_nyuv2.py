# Exemplar replay (iCaRL-style rehearsal): 80 images of earlier phases with
# their labels, 16 rehearsed per step. Not exemplar-free, unlike HAD.
_base_ = ['./finetune_r18_nyuv2.py']
model = dict(components=dict(replay=dict(type='ExemplarReplay',
                                         memory_size=80,
                                         replay_batch_size=16,
                                         target='label')))
