"""Shared by the study tests: the study tool as a module, tiny studies."""
import importlib.util
import json
import os.path as osp
import pprint

from tests.conftest import REPO_ROOT, tiny_cfg

STUDY_TOOL = osp.join(REPO_ROOT, 'tools', 'study.py')
TASKS = ['semantic', 'depth', 'normal']


def study_tool():
    """``tools/study.py`` as a module (``main(argv)`` returns the exit
    code)."""
    spec = importlib.util.spec_from_file_location('mmhad_study_tool',
                                                  STUDY_TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tiny_method(folder, config, data_root, name):
    """A shipped config with the tiny model and data, dumped to a file."""
    path = osp.join(str(folder), f'{name}.py')
    tiny_cfg(config, data_root, osp.join(str(folder), 'unused')).dump(path)
    return path


def write_study(path, **settings) -> str:
    """A study config file holding ``settings``."""
    with open(path, 'w') as f:
        for key, value in settings.items():
            f.write(f'{key} = {pprint.pformat(value, sort_dicts=False)}\n')
    return str(path)


def phases(work_dir):
    with open(osp.join(work_dir, 'lifelong_results.json')) as f:
        return json.load(f)['phases']
