"""Pins the bytes the procedural generators write, and their import paths.

The hashes below were recorded from the generators as they were before they
were split into :mod:`mmhad.datasets.procedural`.  A change that alters any
generated value fails here.  If the change is intended, bump
``FORMAT_VERSION`` in ``procedural/writer.py`` (so that datasets already on
disk are regenerated) and record the new hashes.

The hashes cover float64 arithmetic done by numpy ufuncs (``sin``, ``exp``,
...); they were recorded with numpy 2.4 on x86-64.  A numpy release or CPU
whose ufuncs round differently in the last bit would change them too.
"""
import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from mmhad.datasets import procedural
from mmhad.datasets import synthetic_indoor as indoor
from mmhad.datasets import synthetic_outdoor as outdoor

_REPO = Path(__file__).resolve().parents[2]

# generate(root, num_train=2, num_val=1, height=12, width=16, seed=3)
_TINY = dict(num_train=2, num_val=1, height=12, width=16, seed=3)
_PINNED = {
    'indoor':
    'c2e6a14a3b1549603bd7712807ec6de3293a58f0e6f7b0e01d8c910ed3417f00',
    'outdoor':
    'd387ed933af446138faae17cfdf252e5a975873b398239f23a59f87b5ea6921f',
}


def _digest(root):
    """SHA-256 over every ``.npy`` file: path, dtype, shape and raw bytes.

    The array content is hashed rather than the file, so a change of the
    ``.npy`` header written by another numpy version does not count.
    """
    h = hashlib.sha256()
    for path in sorted(Path(root).rglob('*.npy')):
        arr = np.load(path)
        h.update(path.relative_to(root).as_posix().encode())
        h.update(f'{arr.dtype.str}{arr.shape}'.encode())
        h.update(arr.tobytes())
    return h.hexdigest()


@pytest.mark.parametrize('family,generate', [
    ('indoor', indoor.generate_synthetic_indoor),
    ('outdoor', outdoor.generate_synthetic_outdoor),
])
def test_generated_bytes_are_pinned(tmp_path, family, generate):
    root = tmp_path / family
    manifest = generate(str(root), **_TINY)
    assert manifest['generator'] == f'mmhad.datasets.synthetic_{family}'
    assert manifest['params'] == _TINY
    assert _digest(root) == _PINNED[family], (
        f'the {family} generator writes different data; if intended, bump '
        'FORMAT_VERSION and update _PINNED')


def test_loaded_by_path_without_openmmlab(tmp_path):
    """``synthetic_indoor.py`` loaded by path (as tools/ does) needs numpy
    only and writes the same bytes."""
    script = textwrap.dedent(f"""
        import importlib.util, json, sys
        path = {str(_REPO / 'mmhad' / 'datasets' / 'synthetic_indoor.py')!r}
        spec = importlib.util.spec_from_file_location('_si_by_path', path)
        module = importlib.util.module_from_spec(spec)
        sys.modules['_si_by_path'] = module
        spec.loader.exec_module(module)
        module.generate_synthetic_indoor({str(tmp_path)!r}, **{_TINY!r})
        heavy = sorted(m for m in sys.modules
                       if m.split('.')[0] in ('mmhad', 'mmengine', 'mmseg',
                                              'mmcv', 'torch'))
        print(json.dumps(heavy))
    """)
    out = subprocess.run([sys.executable, '-c', script],
                         capture_output=True,
                         text=True,
                         check=True,
                         cwd=str(tmp_path))
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
    assert _digest(tmp_path) == _PINNED['indoor']


def test_public_names_are_the_shared_objects():
    for name in indoor.__all__:
        if name != 'generate_synthetic_indoor':
            assert getattr(indoor, name) is getattr(procedural, name), name
    for name in ('FLOOR', 'WALL', 'CEILING', 'BED', 'TABLE', 'CABINET',
                 'BALL'):
        assert getattr(indoor, name) == getattr(procedural, name)
    for name in ('OUTDOOR_CLASSES', 'render_street', 'ROAD', 'SIDEWALK',
                 'BUILDING', 'CAR', 'POLE', 'SKY'):
        assert getattr(outdoor, name) is getattr(procedural, name)
    # Both families ray-cast with the same camera and box kernel.
    assert procedural.outdoor_scene.intersect_box is \
        procedural.indoor_render.intersect_box
