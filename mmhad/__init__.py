"""mmhad: lifelong heterogeneous learning of dense prediction."""
from .version import __version__

__all__ = ['__version__']
