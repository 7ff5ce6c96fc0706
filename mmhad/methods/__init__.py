from .base import BaseLifelongMethod, FineTune
from .had import HAD

__all__ = ['BaseLifelongMethod', 'FineTune', 'HAD']
