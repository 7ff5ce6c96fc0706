"""Import the authors' HAD reference code (github Deexaa/HAD) from a checkout,
offline and without CUDA, for the side-by-side tools
(``benchmark_reference.py``, ``parity_reference.py``).

Nothing of the reference code is copied into mmhad: these helpers put the
checkout on ``sys.path`` and neutralise what cannot run here (its
``pretrained=True`` downloads, ``.cuda()`` calls on a machine without a GPU,
and the imports of packages its NYUv2 path never uses).
"""
import importlib.machinery
import os.path as osp
import sys
import types

import torch


def _stub(name: str, **attributes) -> None:
    """An importable placeholder for a package the reference imports but
    never calls on the NYUv2 path, when it is not installed."""
    try:
        __import__(name)
        return
    except ImportError:
        pass
    parts = name.split('.')
    for i in range(1, len(parts) + 1):
        sub = '.'.join(parts[:i])
        if sub not in sys.modules:
            module = types.ModuleType(sub)
            module.__spec__ = importlib.machinery.ModuleSpec(sub, None)
            module.__path__ = []
            sys.modules[sub] = module
            if i > 1:
                setattr(sys.modules['.'.join(parts[:i - 1])], parts[i - 1],
                        module)
    vars(sys.modules[name]).update(attributes)


def import_reference(ref_root: str):
    """The reference's ``methods`` package, with its ResNets built without
    downloading ImageNet weights (callers load the weights they compare)."""
    if not osp.isfile(osp.join(ref_root, 'methods', 'had.py')):
        raise FileNotFoundError(
            f'{ref_root!r} is not a checkout of github Deexaa/HAD (no '
            'methods/had.py in it)')
    if not torch.cuda.is_available():
        torch.Tensor.cuda = lambda self, *args, **kwargs: self
        torch.nn.Module.cuda = lambda self, *args, **kwargs: self
    _stub('tqdm', tqdm=lambda iterable, **kwargs: iterable)
    _stub('skimage.morphology', thin=None)
    _stub('six.moves.urllib')
    sys.path.insert(0, osp.abspath(ref_root))
    from model import resnet
    for name in ('resnet18', 'resnet50'):
        build = getattr(resnet, name, None)
        if build is None:
            continue
        setattr(resnet, name,
                lambda pretrained=False, _build=build, **kwargs: _build(
                    pretrained=False, **kwargs))
    import methods
    return methods
