"""The worked examples of the advanced guides, run step by step as a reader
would run them, so that a guide cannot drift from the code.

The fenced code blocks of a page are taken in order, in the repository
root of a sandbox: a temporary folder whose ``tools/``, ``checkpoints/``
and ``configs/<folder>/`` link to this repository, and where ``data/`` and
``work_dirs/`` are its own.

* a ``python`` block whose first line is ``# file: PATH`` is saved as PATH
  (never through a link into the repository);
* any other ``python`` block is run as a script;
* a ``bash`` block is run with bash (``set -euo pipefail``);
* blocks of any other language (``text``, ...) are only shown.
"""
import os
import os.path as osp
import re
import subprocess
import sys

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
GUIDES_DIR = osp.join(REPO_ROOT, 'docs', 'en', 'advanced_guides')
GUIDES = ['add_method.md', 'add_task_kind.md', 'add_dataset.md']
LINKED = ('tools', 'checkpoints', 'demo')
STEP_TIMEOUT_S = 900

_FENCE = re.compile(r'^```(\S*)\s*$')
_FILE_MARK = re.compile(r'^#\s*file:\s*(\S+)\s*$')


def code_blocks(path):
    """``(language, code)`` of every fenced block of a Markdown page."""
    blocks, language, lines = [], None, []
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if language is None:
                match = _FENCE.match(line)
                if match:
                    language, lines, start = match.group(1), [], number
            elif line.strip() == '```':
                blocks.append((language, '\n'.join(lines) + '\n', start))
                language = None
            else:
                lines.append(line)
    assert language is None, f'{path}:{start}: code block never closed'
    return blocks


def guide_steps(path):
    """The page's blocks as steps: ``('file', path, code, line)``,
    ``('python', None, code, line)`` or ``('bash', None, code, line)``."""
    steps = []
    for language, code, line in code_blocks(path):
        if language == 'python':
            match = _FILE_MARK.match(code.splitlines()[0])
            steps.append(('file', match.group(1), code, line) if match else
                         ('python', None, code, line))
        elif language == 'bash':
            steps.append(('bash', None, code, line))
    return steps


def make_sandbox(root):
    os.makedirs(osp.join(root, 'configs'))
    for name in LINKED:
        if osp.exists(osp.join(REPO_ROOT, name)):
            os.symlink(osp.join(REPO_ROOT, name), osp.join(root, name))
    configs = osp.join(REPO_ROOT, 'configs')
    for name in os.listdir(configs):
        if osp.isdir(osp.join(configs, name)):
            os.symlink(
                osp.join(configs, name), osp.join(root, 'configs', name))


def save_file(root, relative, code):
    """Write a page's file, refusing paths that leave the sandbox or go
    through one of its links into the repository."""
    assert not osp.isabs(relative), f'{relative}: not a relative path'
    target = osp.normpath(osp.join(root, relative))
    assert target.startswith(root + os.sep), f'{relative}: leaves the root'
    current = root
    for part in osp.relpath(osp.dirname(target), root).split(os.sep):
        if part in ('', '.'):
            continue
        current = osp.join(current, part)
        assert not osp.islink(current), (
            f'{relative}: would be written through {current}, a link into '
            'the repository; guides must save new files outside existing '
            'folders of configs/ (e.g. configs/<new folder>/)')
    os.makedirs(osp.dirname(target), exist_ok=True)
    with open(target, 'w', encoding='utf-8') as f:
        f.write(code)


def run_step(root, number, kind, code, env):
    if kind == 'python':
        script = osp.join(root, f'.guide_step_{number}.py')
        with open(script, 'w', encoding='utf-8') as f:
            f.write(code)
        command = [sys.executable, script]
    else:
        command = ['bash', '-c', 'set -euo pipefail\n' + code]
    return subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True,
        timeout=STEP_TIMEOUT_S)


@pytest.mark.parametrize('guide', GUIDES)
def test_guide_has_a_worked_example(guide):
    steps = guide_steps(osp.join(GUIDES_DIR, guide))
    kinds = [step[0] for step in steps]
    assert 'file' in kinds, f'{guide}: no "# file:" block to save'
    assert 'python' in kinds or 'bash' in kinds, f'{guide}: nothing runs'


@pytest.mark.slow
@pytest.mark.parametrize('guide', GUIDES)
def test_guide_runs_step_by_step(guide, tmp_path):
    path = osp.join(GUIDES_DIR, guide)
    root = osp.realpath(str(tmp_path / 'repo'))
    make_sandbox(root)
    env = dict(os.environ)
    # This checkout's mmhad, whichever copy is installed; the interpreter
    # running the tests is the `python` of the bash steps.
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (REPO_ROOT, env.get('PYTHONPATH')) if p)
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    env.setdefault('OMP_NUM_THREADS', '1')
    for number, (kind, relative, code, line) in enumerate(
            guide_steps(path), 1):
        if kind == 'file':
            save_file(root, relative, code)
            continue
        result = run_step(root, number, kind, code, env)
        assert result.returncode == 0, (
            f'{guide}, line {line} ({kind} step {number}) failed with exit '
            f'code {result.returncode}:\n{code}\n--- output (tail) ---\n'
            f'{result.stdout[-3000:]}\n{result.stderr[-6000:]}')
