import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register mmhad's (and mmseg's) modules and make mmhad the default scope.

    Configs set ``default_scope = 'mmhad'`` and the Runner does this; call it
    when building components outside a Runner (scripts, notebooks, tests).

    Args:
        init_default_scope (bool): Make ``mmhad`` the current default scope.
    """
    import mmhad.algorithms  # noqa: F401,F811
    import mmhad.components  # noqa: F401,F811
    import mmhad.datasets  # noqa: F401,F811
    import mmhad.engine  # noqa: F401,F811
    import mmhad.evaluation  # noqa: F401,F811
    import mmhad.models  # noqa: F401,F811
    import mmhad.tasks  # noqa: F401,F811
    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None or not DefaultScope.check_instance_created('mmhad'):
        DefaultScope.get_instance('mmhad', scope_name='mmhad')
    elif current.scope_name != 'mmhad':
        warnings.warn(f'The current default scope "{current.scope_name}" is '
                      'not "mmhad"; a new one named "mmhad-<time>" is made.')
        name = f'mmhad-{datetime.datetime.now()}'
        DefaultScope.get_instance(name, scope_name='mmhad')
