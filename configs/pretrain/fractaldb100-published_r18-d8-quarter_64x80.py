# The synthetic configs' encoder pretrained on fractals made by FractalDB's
# published procedure (Kataoka et al. ACCV 2020) where mmhad's generator
# departs from it: 2 to 8 maps, no contraction filter, a filling rate of
# 0.2 of a 512 x 512 canvas, one-parameter instance weights with the four
# flips, patch rendering (mmhad.datasets.FractalClassification,
# procedure='fractaldb'). Every other setting as
# fractaldb100_r18-d8-quarter_64x80.py; docs/en/pretraining.md compares the
# two on the phase-1 teacher.
_base_ = ['./fractaldb100_r18-d8-quarter_64x80.py']
train_dataloader = dict(dataset=dict(procedure='fractaldb'))
