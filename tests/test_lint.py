"""The project's own lint, as CI runs it: flake8 and isort (settings in
setup.cfg, OpenMMLab's choices) over the package, the tools, the tests and
the configs."""
import importlib.util
import os.path as osp
import subprocess
import sys

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
PATHS = ['mmhad', 'tools', 'tests', 'configs', 'setup.py']


@pytest.mark.parametrize('tool,args', [
    ('flake8', []),
    ('isort', ['--check-only', '--diff']),
])
def test_lint_is_clean(tool, args):
    if importlib.util.find_spec(tool) is None:
        pytest.skip(f'{tool} is not installed (bash tools/install.sh '
                    '--tests installs it)')
    paths = PATHS if tool == 'flake8' else PATHS[:3]
    result = subprocess.run([sys.executable, '-m', tool, *args, *paths],
                            cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, (
        f'{tool} finds problems:\n{result.stdout[-6000:]}{result.stderr}')
