# The synthetic outdoor streets (6 classes, sky without depth, depths to
# 90 m): held out, no knob was tuned on it.
dataset = dict(type='SyntheticOutdoorDataset')
