"""Install mmhad. Run ``bash tools/install.sh`` on a fresh machine: it installs
torch and the OpenMMLab stack (including mmcv built with its compiled ops) in
the order they need, then this package in editable mode."""
import os.path as osp

from setuptools import find_packages, setup


def read_version():
    namespace = {}
    with open(osp.join('mmhad', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


def read_requirements(path):
    with open(path) as f:
        return [
            line.strip() for line in f
            if line.strip() and not line.startswith('#')
        ]


setup(
    name='mmhad',
    version=read_version(),
    description='Lifelong heterogeneous learning of dense prediction '
    '(HAD, CVPR 2026) for the MMSegmentation ecosystem',
    long_description=open('README.md', encoding='utf-8').read()
    if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(
        exclude=('configs', 'configs.*', 'tools', 'tools.*', 'tests',
                 'tests.*')),
    package_data={'mmhad.datasets': ['*.json']},
    python_requires='>=3.8',
    install_requires=read_requirements('requirements/runtime.txt'),
    extras_require={'tests': read_requirements('requirements/tests.txt')},
    license='Apache License 2.0',
    zip_safe=False)
