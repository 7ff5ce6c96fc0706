"""The model zoo stays complete: every folder of model configs has a
README.md and a metafile.yml that lists each of its configs, every metafile
entry points to a config that exists, and the READMEs' relative links
resolve."""
import glob
import os
import os.path as osp
import re

import pytest
import yaml

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(REPO_ROOT, 'configs')
#: Folders of configs/ that hold no model configs, so no model zoo.
NOT_MODEL_ZOO = {
    '_base_': 'fragments inherited by the configs',
    'studies': 'study specifications for tools/study.py (runs of the '
    'model configs), not models',
}
CONFIG_FOLDERS = sorted(
    name for name in os.listdir(CONFIGS)
    if name not in NOT_MODEL_ZOO and osp.isdir(osp.join(CONFIGS, name)))
MODEL_KEYS = ('Name', 'In Collection', 'Config', 'Metadata', 'Weights')

# [text](target) and ![alt](target), not inside code spans
_LINK = re.compile(r'!?\[[^\]]*\]\(([^)\s]+)\)')


def load_metafile(folder):
    path = osp.join(CONFIGS, folder, 'metafile.yml')
    assert osp.isfile(path), (
        f'configs/{folder}/ has no metafile.yml (every config folder except '
        '_base_ needs one, listing each of its configs)')
    with open(path, encoding='utf-8') as f:
        return yaml.safe_load(f)


def relative_links(markdown_path):
    """Local link targets of a Markdown file, without their #anchors."""
    with open(markdown_path, encoding='utf-8') as f:
        text = re.sub(r'```.*?```', '', f.read(), flags=re.S)
    text = re.sub(r'`[^`]*`', '', text)
    for target in _LINK.findall(text):
        if re.match(r'^[a-z][a-z0-9+.-]*:', target) or target.startswith('#'):
            continue  # http:, https:, mailto: ... or an in-page anchor
        yield target.split('#')[0]


def test_there_are_config_folders():
    assert {'had', 'baselines', 'pretrain'} <= set(CONFIG_FOLDERS)


@pytest.mark.parametrize('folder', CONFIG_FOLDERS)
def test_every_config_is_listed_in_its_folder_metafile(folder):
    meta = load_metafile(folder)
    collections = {c['Name'] for c in meta['Collections']}
    listed = []
    for model in meta['Models']:
        missing = [k for k in MODEL_KEYS if k not in model]
        assert not missing, f'{folder} metafile, {model.get("Name")}: ' \
                            f'no {missing}'
        assert model['In Collection'] in collections, model['Name']
        config = model['Config']
        assert osp.isfile(osp.join(REPO_ROOT, config)), (
            f'configs/{folder}/metafile.yml lists {config}, which does not '
            'exist')
        assert config.startswith(f'configs/{folder}/'), config
        assert model['Name'] == osp.splitext(osp.basename(config))[0], (
            f'{model["Name"]}: the name must be the config file\'s')
        for result in model.get('Results') or []:
            assert {'Task', 'Dataset', 'Metrics'} <= set(result), model['Name']
            assert all(isinstance(v, (int, float))
                       for v in result['Metrics'].values()), model['Name']
        listed.append(config)
    assert len(listed) == len(set(listed)), f'{folder}: a config listed twice'
    configs = sorted(
        osp.relpath(p, REPO_ROOT)
        for p in glob.glob(osp.join(CONFIGS, folder, '*.py')))
    unlisted = sorted(set(configs) - set(listed))
    assert not unlisted, (
        f'configs/{folder}/metafile.yml does not list {unlisted}: add an '
        'entry for each (no Results when nothing was measured)')


@pytest.mark.parametrize('folder', CONFIG_FOLDERS)
def test_config_folder_readme_links_resolve(folder):
    readme = osp.join(CONFIGS, folder, 'README.md')
    assert osp.isfile(readme), f'configs/{folder}/ has no README.md'
    broken = [
        target for target in relative_links(readme)
        if not osp.exists(osp.join(CONFIGS, folder, target))
    ]
    assert not broken, f'configs/{folder}/README.md: broken links {broken}'


def test_readme_links_resolve():
    readme = osp.join(REPO_ROOT, 'README.md')
    broken = [
        target for target in relative_links(readme)
        if not osp.exists(osp.join(REPO_ROOT, target))
    ]
    assert not broken, f'README.md: broken links {broken}'
