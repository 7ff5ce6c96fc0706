"""Generate the synthetic indoor multi-task dataset (NYUv2 layout).

Example::

    python tools/dataset_converters/generate_synthetic.py data/synthetic_indoor

The generator module is loaded by file path rather than through
``import mmhad``: the package ``__init__`` pulls in the OpenMMLab stack,
which this purely numpy tool does not need.
"""

from __future__ import annotations
import argparse
import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

_MODULE_PATH = (Path(__file__).resolve().parents[2] / 'mmhad' / 'datasets' /
                'synthetic_indoor.py')


def load_generator_module() -> ModuleType:
    """Load ``mmhad/datasets/synthetic_indoor.py`` without importing mmhad."""
    name = '_mmhad_synthetic_indoor'
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, _MODULE_PATH)
    if spec is None or spec.loader is None:
        raise ImportError(f'cannot load {_MODULE_PATH}')
    module = importlib.util.module_from_spec(spec)
    # Registered before execution so dataclasses can resolve the module.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Render synthetic indoor scenes (image, label, depth, '
        'normal) in the pre-processed NYUv2 multi-task layout.')
    parser.add_argument('root', help='output directory')
    parser.add_argument('--num-train', type=int, default=480,
                        help='number of training scenes (default: 480)')
    parser.add_argument('--num-val', type=int, default=120,
                        help='number of validation scenes (default: 120)')
    parser.add_argument('--height', type=int, default=64,
                        help='image height in pixels (default: 64)')
    parser.add_argument('--width', type=int, default=80,
                        help='image width in pixels (default: 80)')
    parser.add_argument('--seed', type=int, default=0,
                        help='master random seed (default: 0)')
    parser.add_argument('--overwrite', action='store_true',
                        help='regenerate even if an up-to-date dataset '
                        'exists (also replaces folders without a manifest)')
    return parser.parse_args(argv)


def _manifest_stamp(path: Path) -> tuple[int, int] | None:
    """Identity of the manifest file, to tell a reuse from a rewrite."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def main(argv: list[str] | None = None) -> int:
    """Run the generator and print a one-line summary."""
    args = parse_args(argv)
    generator = load_generator_module()
    manifest_path = Path(args.root) / generator.MANIFEST_NAME
    before = _manifest_stamp(manifest_path)
    start = time.perf_counter()
    manifest = generator.generate_synthetic_indoor(
        args.root,
        num_train=args.num_train,
        num_val=args.num_val,
        height=args.height,
        width=args.width,
        seed=args.seed,
        overwrite=args.overwrite)
    elapsed = time.perf_counter() - start
    reused = before is not None and before == _manifest_stamp(manifest_path)
    params = manifest['params']
    print(f"synthetic_indoor: {'reused' if reused else 'generated'} "
          f"{params['num_train']} train + {params['num_val']} val scenes "
          f"({params['height']}x{params['width']}, "
          f"{manifest['num_classes']} classes, seed {params['seed']}) "
          f'in {Path(args.root).resolve()} [{elapsed:.2f}s]')
    return 0


if __name__ == '__main__':
    sys.exit(main())
