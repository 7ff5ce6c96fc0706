# Sphinx configuration of the mmhad documentation (Markdown through MyST).
#
#   pip install -r requirements/docs.txt
#   sphinx-build -W --keep-going -b html docs/en docs/en/_build/html
#
# The build must stay free of warnings: tests/test_docs/test_docs_build.py
# runs it with -W.
import os
import os.path as osp
import pkgutil
import sys

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
# Document this checkout, whichever copy of mmhad is installed.
sys.path.insert(0, ROOT)

project = 'mmhad'
author = 'mmhad contributors'
copyright = 'mmhad contributors'  # noqa: A001


def _version() -> str:
    namespace = {}
    with open(osp.join(ROOT, 'mmhad', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


version = release = _version()

extensions = [
    'myst_parser',
    'sphinx.ext.autodoc',
    'sphinx.ext.napoleon',
    'sphinx.ext.viewcode',
]
source_suffix = {'.md': 'markdown'}
root_doc = 'index'
exclude_patterns = ['_build']

# Markdown: `#` anchors for the headings of every page (links such as
# `datasets.md#nyuv2`), `$...$` maths, `:::` fences for directives.
myst_enable_extensions = ['dollarmath', 'colon_fence', 'deflist']
myst_heading_anchors = 3

# The HTML theme: Read the Docs' if installed (requirements/docs.txt), else
# Sphinx's built-in one, so that a bare `pip install sphinx myst-parser`
# still builds the same pages.
try:
    import sphinx_rtd_theme  # noqa: F401
    html_theme = 'sphinx_rtd_theme'
except ImportError:
    html_theme = 'alabaster'
html_title = f'mmhad {release}'
html_static_path = []

# API reference (api.md). One line per subpackage: adding a subpackage to
# mmhad means adding it here, and the build fails (with -W) naming any
# subpackage of mmhad that is missing from this list.
API_SUBPACKAGES = [
    ('mmhad.tasks', 'Task kinds'),
    ('mmhad.models', 'Models: the architecture, heads, losses'),
    ('mmhad.algorithms', 'The lifelong algorithm'),
    ('mmhad.components', 'Lifelong components (methods)'),
    ('mmhad.datasets', 'Datasets and transforms'),
    ('mmhad.evaluation', 'Evaluation'),
    ('mmhad.engine', 'Engine: the phase loop, hooks, checkpoints'),
    ('mmhad.visualization', 'Visualization'),
    ('mmhad.apis', 'Inference APIs'),
    ('mmhad.structures', 'Data structures'),
    ('mmhad.utils', 'Utilities'),
    ('mmhad.study', 'Studies over methods, seeds and scene families'),
]
#: The page the sections are appended to, and the line they replace.
API_PAGE = 'api'
API_MARKER = '<!-- API sections are generated from API_SUBPACKAGES in conf.py -->'

autodoc_default_options = {
    'members': True,
    'show-inheritance': True,
}
autodoc_member_order = 'bysource'
# Signatures show type hints; the descriptions keep the docstrings' own
# "Args:" sections (Google style, read by napoleon).
autodoc_typehints = 'signature'
napoleon_google_docstring = True
napoleon_numpy_docstring = False
# References to classes of torch / mmengine / mmseg are not resolved (no
# intersphinx: the build runs offline).
nitpicky = False


# Docstrings that write |x| for a norm, which reStructuredText reads as a
# substitution reference ("Undefined substitution referenced"): their bars
# are escaped when autodoc reads them, here rather than in the source.
ESCAPE_BARS_IN = {
    'mmhad.components.AttentionDistillation',
    'mmhad.components.lwm.AttentionDistillation',
}


def _escape_bars(app, what, name, obj, options, lines):
    if name in ESCAPE_BARS_IN:
        lines[:] = [line.replace('|', r'\|') for line in lines]


def _api_sections() -> str:
    lines = []
    for module, title in API_SUBPACKAGES:
        lines += [
            f'## {title}', '', f'`{module}`', '', '```{eval-rst}',
            f'.. automodule:: {module}', '```', ''
        ]
    return '\n'.join(lines)


def _fill_api_page(app, docname, source):
    if docname == API_PAGE:
        source[0] = source[0].replace(API_MARKER, _api_sections())


def _check_api_list(app):
    import mmhad
    listed = {module for module, _ in API_SUBPACKAGES}
    found = {
        f'mmhad.{info.name}'
        for info in pkgutil.iter_modules(mmhad.__path__) if info.ispkg
    }
    from sphinx.util import logging
    logger = logging.getLogger(__name__)
    for module in sorted(found - listed):
        logger.warning(
            f'{module} is not in the API reference: add it to '
            f'API_SUBPACKAGES in {osp.relpath(__file__, os.getcwd())}')


def setup(app):
    app.connect('source-read', _fill_api_page)
    app.connect('autodoc-process-docstring', _escape_bars)
    app.connect('builder-inited', _check_api_list)
