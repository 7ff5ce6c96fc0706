"""The documentation builds without a single warning (sphinx-build -W)."""
import os
import os.path as osp
import subprocess
import sys

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DOCS = osp.join(REPO_ROOT, 'docs', 'en')


def _missing_docs_requirements():
    missing = []
    for module in ('sphinx', 'myst_parser'):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    return missing


@pytest.mark.slow
def test_docs_build_with_warnings_as_errors(tmp_path):
    missing = _missing_docs_requirements()
    if missing:
        pytest.skip(f'{", ".join(missing)} not installed: the docs build '
                    'needs pip install -r requirements/docs.txt '
                    '(bash tools/install.sh --tests installs it)')
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (REPO_ROOT, env.get('PYTHONPATH')) if p)
    command = [
        sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-b', 'html',
        '-q', '-d',
        str(tmp_path / 'doctrees'), DOCS,
        str(tmp_path / 'html')
    ]
    result = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
        timeout=1200)
    assert result.returncode == 0, (
        'sphinx-build -W failed; its warnings:\n' + result.stdout[-5000:] +
        result.stderr[-10000:])
    assert (tmp_path / 'html' / 'index.html').is_file()
    assert (tmp_path / 'html' / 'api.html').is_file()
