# The users' regime: the synthetic configs as shipped (the quarter-width
# R18 starting from the fractal-pretrained encoder
# checkpoints/fractaldb100_r18-d8-quarter_64x80.pth, Adam lr 3e-3,
# 15 epochs of batch 16 per phase), 160 training images per phase (480 in
# all) and 160 validation images, generated into the study's data dir.
dataset = dict(
    data_root='{data_dir}/{benchmark}', num_train=480, num_val=160)
