"""Writing procedural scenes to disk in the pre-processed NYUv2 layout.

The writing half of every procedural generator (indoor rooms, outdoor
streets): seeding, the on-disk layout, the manifest, refusing to delete
folders it did not write, and skipping a set that is already up to date.

Output layout (identical to the common pre-processed NYUv2 multi-task
release)::

    root/
      manifest.json
      train/{image,label,depth,normal}/0.npy, 1.npy, ...
      val/{image,label,depth,normal}/0.npy, 1.npy, ...

* ``image``: ``H x W x 3`` float32 in ``[0, 1]``.
* ``label``: ``H x W`` float32 class ids ``0 .. C-1``; ``-1`` = ignore.
* ``depth``: ``H x W x 1`` float32, metres along the optical axis
  (z-depth, as in NYUv2); ``0`` = invalid.
* ``normal``: ``H x W x 3`` float32 unit vectors in camera coordinates
  (x right, y down, z forward); all three components ``0`` = invalid.

Only numpy and the standard library are used.
"""

from __future__ import annotations
import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

__all__ = [
    'IGNORE_INDEX',
    'FORMAT_VERSION',
    'MANIFEST_NAME',
    'SPLITS',
    'MODALITIES',
    'write_generated_dataset',
]

#: ``label`` value of pixels without ground truth.
IGNORE_INDEX = -1

# Bump whenever the rendered content or layout changes: the manifest check in
# ``write_generated_dataset`` then regenerates stale datasets on disk.
FORMAT_VERSION = 1
MANIFEST_NAME = 'manifest.json'
SPLITS: tuple[str, ...] = ('train', 'val')
MODALITIES: tuple[str, ...] = ('image', 'label', 'depth', 'normal')


def _build_manifest(params: dict[str, int], complete: bool, generator: str,
                    classes: tuple[str, ...]) -> dict:
    """Manifest describing a generated dataset (JSON-serialisable)."""
    return {
        'format_version': FORMAT_VERSION,
        'generator': generator,
        'params': dict(params),
        'classes': list(classes),
        'num_classes': len(classes),
        'ignore_index': IGNORE_INDEX,
        'splits': {
            'train': params['num_train'],
            'val': params['num_val']
        },
        'modalities': {
            'image': 'HxWx3 float32 in [0, 1]',
            'label': 'HxW float32 class id, -1 = ignore',
            'depth': 'HxWx1 float32 z-depth in metres, 0 = invalid',
            'normal': 'HxWx3 float32 unit vector, camera frame '
            '(x right, y down, z forward), all 0 = invalid',
        },
        'complete': bool(complete),
    }


def _read_manifest(path: Path) -> dict | None:
    """Load a manifest, treating unreadable files as absent."""
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_manifest(path: Path, manifest: dict) -> None:
    """Write atomically so readers never see a half-written manifest."""
    tmp = path.with_name(path.name + '.tmp')
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write('\n')
    os.replace(tmp, path)


def _is_up_to_date(root: Path,
                   manifest: dict | None,
                   params: dict[str, int],
                   generator: str | None = None) -> bool:
    """Whether ``root`` already holds a complete dataset for ``params``."""
    if manifest is None or manifest.get('complete') is not True:
        return False
    if manifest.get('format_version') != FORMAT_VERSION:
        return False
    if generator is not None and manifest.get('generator') != generator:
        return False
    if manifest.get('params') != params:
        return False
    # Cheap sanity check that the data was not deleted behind our back:
    # the last file of every split/modality must exist.
    for split, count in (('train', params['num_train']),
                         ('val', params['num_val'])):
        last = f'{count - 1}.npy'
        if count and not all((root / split / mod / last).is_file()
                             for mod in MODALITIES):
            return False
    return True


def write_generated_dataset(root: str,
                            params: dict[str, int],
                            render: Callable[[np.random.Generator, int, int],
                                             dict[str, np.ndarray]],
                            generator: str,
                            classes: tuple[str, ...],
                            overwrite: bool = False) -> dict:
    """Render ``params['num_train']`` / ``['num_val']`` scenes into ``root``.

    Each split draws from its own child of
    ``np.random.SeedSequence(params['seed'])`` and every image from its own
    grandchild, so the validation set does not change with ``num_train``
    and image ``i`` of a split does not depend on how many images the split
    has.

    Args:
        root: Output directory (created if missing).
        params: ``num_train``, ``num_val``, ``height``, ``width``, ``seed``.
        render: ``render(rng, height, width) -> dict`` of the four maps
            (``image`` ``(H, W, 3)``, ``label`` ``(H, W)``, ``depth``
            ``(H, W, 1)``, ``normal`` ``(H, W, 3)``, all float32).
        generator: Module name stored in (and checked against) the manifest,
            so that two generators never take each other's set for their own.
        classes: Class names stored in the manifest.
        overwrite: Regenerate even if an up-to-date dataset exists.

    Returns:
        The manifest dict, also stored in ``root/manifest.json``.

    Raises:
        ValueError: If a count is negative or an image size is not positive.
        FileExistsError: If ``root`` holds split folders without a manifest.
    """
    if params['num_train'] < 0 or params['num_val'] < 0:
        raise ValueError('num_train and num_val must be >= 0, got '
                         f"{params['num_train']} and {params['num_val']}")
    if params['height'] <= 0 or params['width'] <= 0:
        raise ValueError('image size must be positive, got '
                         f"{params['height']}x{params['width']}")
    root_path = Path(root)
    with _generation_lock(root_path):
        return _write_unless_up_to_date(root_path, params, render, generator,
                                        classes, overwrite)


@contextlib.contextmanager
def _generation_lock(root_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<root>.lock`` beside the set.

    Every process that builds the dataset may call the generator: the
    first to take the lock writes, the others wait for it and then find the
    set up to date. No collective call is involved, so a dataset built by one
    rank alone (a hook that runs on rank 0 after the others have left)
    cannot hang or fail, unlike a ``barrier()``.
    """
    root_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = root_path.with_name(root_path.name + '.lock')
    with open(lock_path, 'a') as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _write_unless_up_to_date(root_path: Path, params: dict[str, int],
                             render: Callable, generator: str,
                             classes: tuple[str, ...],
                             overwrite: bool) -> dict:
    """:func:`write_generated_dataset`'s work, under the lock."""
    manifest_path = root_path / MANIFEST_NAME
    existing = _read_manifest(manifest_path)
    if not overwrite and _is_up_to_date(root_path, existing, params,
                                        generator):
        return existing

    split_dirs = [root_path / split for split in SPLITS]
    if existing is None and not overwrite and any(
            p.is_dir() and any(p.iterdir()) for p in split_dirs):
        raise FileExistsError(
            f'{root_path} contains split folders but no {MANIFEST_NAME}; '
            'refusing to delete data this generator did not write '
            '(pass overwrite=True to replace it).')

    root_path.mkdir(parents=True, exist_ok=True)
    # Claim the folder before deleting anything so that an interrupted run
    # is recognised as ours (incomplete) and cleaned up next time.
    manifest = _build_manifest(params, False, generator, classes)
    _write_manifest(manifest_path, manifest)
    for split_dir in split_dirs:
        if split_dir.exists():
            shutil.rmtree(split_dir)

    split_seeds = np.random.SeedSequence(params['seed']).spawn(len(SPLITS))
    for split, split_seed in zip(SPLITS, split_seeds):
        count = params[f'num_{split}']
        out_dirs = {mod: root_path / split / mod for mod in MODALITIES}
        for out_dir in out_dirs.values():
            out_dir.mkdir(parents=True, exist_ok=True)
        for index, image_seed in enumerate(split_seed.spawn(count)):
            sample = render(np.random.default_rng(image_seed),
                            params['height'], params['width'])
            for mod in MODALITIES:
                np.save(out_dirs[mod] / f'{index}.npy', sample[mod])

    manifest['complete'] = True
    _write_manifest(manifest_path, manifest)
    return manifest
