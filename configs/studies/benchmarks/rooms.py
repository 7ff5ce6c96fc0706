# The synthetic indoor rooms (7 classes): the family HAD's knobs were tuned
# on. Where the images go and how many is the regime's business.
dataset = dict(type='SyntheticIndoorDataset')
