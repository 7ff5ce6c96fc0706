"""mmhad registries.

Every registry that mmseg defines gets an mmhad child, so that with
``default_scope = 'mmhad'`` a config can name mmhad components and, through the
parent chain, every mmseg / mmengine component (``type='ResNetV1c'``), and
every other scope by prefix (``type='mmpretrain.ConvNeXt'``).

Three registries are mmhad's own: :data:`DENSE_TASKS`, the task kinds,
:data:`OUTPUT_FORMS`, what one pixel's prediction is (a kind names its
form), and :data:`PSEUDO_GROUPINGS`, HAD's pixel groupings. The
trained model is a ``LifelongAlgorithm`` (in :data:`MODELS`) that wraps the
architecture (``LifelongDensePredictor``, also in :data:`MODELS`); lifelong
methods are its components (HAD, LwF, EWC, replay, ...), registered in
:data:`MODELS` as well.
"""
from mmengine.registry import Registry
from mmseg.registry import DATA_SAMPLERS as MMSEG_DATA_SAMPLERS
from mmseg.registry import DATASETS as MMSEG_DATASETS
from mmseg.registry import HOOKS as MMSEG_HOOKS
from mmseg.registry import INFERENCERS as MMSEG_INFERENCERS
from mmseg.registry import LOG_PROCESSORS as MMSEG_LOG_PROCESSORS
from mmseg.registry import LOOPS as MMSEG_LOOPS
from mmseg.registry import METRICS as MMSEG_METRICS
from mmseg.registry import MODEL_WRAPPERS as MMSEG_MODEL_WRAPPERS
from mmseg.registry import MODELS as MMSEG_MODELS
from mmseg.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMSEG_OPTIM_WRAPPER_CONSTRUCTORS
from mmseg.registry import OPTIM_WRAPPERS as MMSEG_OPTIM_WRAPPERS
from mmseg.registry import OPTIMIZERS as MMSEG_OPTIMIZERS
from mmseg.registry import PARAM_SCHEDULERS as MMSEG_PARAM_SCHEDULERS
from mmseg.registry import RUNNER_CONSTRUCTORS as MMSEG_RUNNER_CONSTRUCTORS
from mmseg.registry import RUNNERS as MMSEG_RUNNERS
from mmseg.registry import TASK_UTILS as MMSEG_TASK_UTILS
from mmseg.registry import TRANSFORMS as MMSEG_TRANSFORMS
from mmseg.registry import VISBACKENDS as MMSEG_VISBACKENDS
from mmseg.registry import VISUALIZERS as MMSEG_VISUALIZERS
from mmseg.registry import WEIGHT_INITIALIZERS as MMSEG_WEIGHT_INITIALIZERS

RUNNERS = Registry(
    'runner', parent=MMSEG_RUNNERS, locations=['mmhad.engine'])
RUNNER_CONSTRUCTORS = Registry(
    'runner constructor', parent=MMSEG_RUNNER_CONSTRUCTORS)
LOOPS = Registry('loop', parent=MMSEG_LOOPS, locations=['mmhad.engine'])
HOOKS = Registry('hook', parent=MMSEG_HOOKS, locations=['mmhad.engine'])
DATASETS = Registry(
    'dataset', parent=MMSEG_DATASETS, locations=['mmhad.datasets'])
DATA_SAMPLERS = Registry('data sampler', parent=MMSEG_DATA_SAMPLERS)
TRANSFORMS = Registry(
    'transform', parent=MMSEG_TRANSFORMS, locations=['mmhad.datasets'])
MODELS = Registry(
    'model',
    parent=MMSEG_MODELS,
    locations=['mmhad.models', 'mmhad.components', 'mmhad.algorithms'])
MODEL_WRAPPERS = Registry('model_wrapper', parent=MMSEG_MODEL_WRAPPERS)
WEIGHT_INITIALIZERS = Registry(
    'weight initializer', parent=MMSEG_WEIGHT_INITIALIZERS)
OPTIMIZERS = Registry('optimizer', parent=MMSEG_OPTIMIZERS)
OPTIM_WRAPPERS = Registry(
    'optim_wrapper', parent=MMSEG_OPTIM_WRAPPERS, locations=['mmhad.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor', parent=MMSEG_OPTIM_WRAPPER_CONSTRUCTORS)
PARAM_SCHEDULERS = Registry(
    'parameter scheduler', parent=MMSEG_PARAM_SCHEDULERS)
METRICS = Registry(
    'metric', parent=MMSEG_METRICS, locations=['mmhad.evaluation'])
TASK_UTILS = Registry('task util', parent=MMSEG_TASK_UTILS)
VISUALIZERS = Registry(
    'visualizer', parent=MMSEG_VISUALIZERS,
    locations=['mmhad.visualization'])
VISBACKENDS = Registry('vis_backend', parent=MMSEG_VISBACKENDS)
LOG_PROCESSORS = Registry(
    'log_processor', parent=MMSEG_LOG_PROCESSORS, locations=['mmhad.engine'])
INFERENCERS = Registry('inferencer', parent=MMSEG_INFERENCERS)

#: HAD's pseudo-label groupings (:mod:`mmhad.components.pseudo_groups`);
#: an output form names its default one.
PSEUDO_GROUPINGS = Registry(
    'pseudo grouping', scope='mmhad', locations=['mmhad.components'])
DENSE_TASKS = Registry('dense task', scope='mmhad', locations=['mmhad.tasks'])
#: Output forms, by the name a task kind declares as its ``OUTPUT_FORM``
#: (:mod:`mmhad.tasks.output_forms`).
OUTPUT_FORMS = Registry(
    'output form', scope='mmhad', locations=['mmhad.tasks'])
