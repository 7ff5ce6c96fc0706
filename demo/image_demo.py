"""Predict every task of a trained lifelong model on an image.

    python demo/image_demo.py IMG CONFIG CHECKPOINT [--out-dir DIR] [--device cpu]

IMG is an image file (PNG, JPEG), an H x W x 3 ``.npy`` in [0, 1], or a
folder of them; every task the checkpoint has a head for is written to DIR
in a lossless form
(``mmhad.apis.save_predictions``: class PNGs, depth as .npy and 16-bit PNG
in millimetres, normals as .npy and RGB PNG, binary maps as 8-bit PNG).
"""
import argparse
import os
import os.path as osp

from mmhad.apis import inference_model, init_model, save_predictions

IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.npy')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('img')
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out-dir', default='demo_out')
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args(argv)
    model = init_model(args.config, args.checkpoint, device=args.device)
    images = [args.img]
    if osp.isdir(args.img):
        images = [osp.join(args.img, f) for f in sorted(os.listdir(args.img))
                  if f.lower().endswith(IMAGE_SUFFIXES)]
        if not images:
            raise SystemExit(f'no {IMAGE_SUFFIXES} files in {args.img}')
    for img in images:
        sample = inference_model(model, img)
        stem = osp.splitext(osp.basename(img))[0]
        for path in save_predictions(sample, model, args.out_dir, stem):
            print(path)


if __name__ == '__main__':
    main()
