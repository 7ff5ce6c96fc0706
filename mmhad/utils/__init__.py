from .config_check import check_hook_arguments, unread_key_warnings
from .distributed import distributed_session, setup_cpu_distributed
from .set_env import register_all_modules

__all__ = [
    'register_all_modules', 'setup_cpu_distributed', 'distributed_session',
    'check_hook_arguments', 'unread_key_warnings'
]
