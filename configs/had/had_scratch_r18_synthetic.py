# HAD with the knobs chosen as mmhad's default in the from-scratch regimes,
# before the pretrained regime replaced them (configs/_base_/methods/had.py;
# docs/en/results/from_scratch.md): the reference code's loss choices
# (had_reference_r18_synthetic.py) without its regression SG term, whose
# depth form carries the reference's batch-broadcast bug:
# - lambda / 2 per old task (no 1 / (t - 1) factor);
# - segmentation DB: geometric class means (exact zeros left out), weighted
#   by softmax(-class loss), averaged over all classes: a class the student
#   matches badly, often a weak teacher's rare and wrong one, weighs less;
# - regression DB: pixels split on the student's prediction at delta,
#   arithmetic means of the two groups summed (a geometric mean of an L1 map
#   weighs each pixel by 1 / |error|);
# - segmentation SG averaged over all pixels, zero-padded Sobel, k = 0.9;
#   no SG term for regression tasks.
_base_ = ['./had_reference_r18_synthetic.py']
model = dict(components=dict(had=dict(sg_loss=dict(regression=None))))
