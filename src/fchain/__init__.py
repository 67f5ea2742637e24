"""fchain: Chainer's define-by-run deep learning, strictly typed, with a functional core.

Replace ``chainer`` by ``fchain`` in Chainer 7 code and it runs::

    import fchain
    import fchain.functions as F
    x = fchain.Variable(numpy.array([5], dtype=numpy.float32))
    y = x ** 2 - 2 * x + 1
    y.backward()
    x.grad  # array([8.], dtype=float32)
"""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING

# The layers in import order: the graph (Variable, backward), then the functions
# (which install Variable's operators), then the stateful facade.
from fchain.graph.parameter import Parameter as Parameter
from fchain.graph.variable import Variable as Variable
from fchain import functions as functions
from fchain import types as types
from fchain import backend as backend
from fchain import backends as backends
from fchain import configuration as configuration
from fchain import cuda as cuda
from fchain import gradient_check as gradient_check
from fchain import reporter as reporter
from fchain import utils as utils
from fchain.facade.function import Function as Function
from fchain.facade.function import FunctionNode as FunctionNode
from fchain.graph.backprop import backward as backward
from fchain.graph.grad import grad as grad
from fchain.graph.config import config as config
from fchain.graph.config_key import ConfigKey as ConfigKey
from fchain.graph.config import force_backprop_mode as force_backprop_mode
from fchain.graph.config import get_dtype as get_dtype
from fchain.graph.config import global_config as global_config
from fchain.graph.config import is_debug as is_debug
from fchain.graph.config import mixed16 as mixed16
from fchain.graph.config import no_backprop_mode as no_backprop_mode
from fchain.graph.config import set_debug as set_debug
from fchain.graph.config import using_config as using_config
from fchain.graph.device import get_device as get_device
from fchain.graph.device import using_device as using_device
from fchain.graph.variable import as_array as as_array
from fchain.graph.variable import as_variable as as_variable

# Models and reporting.
from fchain import initializers as initializers
from fchain.facade.link import Chain as Chain
from fchain.facade.link import ChainList as ChainList
from fchain.facade.link import Link as Link
from fchain.facade.reporter import DictSummary as DictSummary
from fchain.facade.reporter import Reporter as Reporter
from fchain.facade.reporter import Summary as Summary
from fchain.facade.reporter import get_current_reporter as get_current_reporter
from fchain.facade.reporter import report as report
from fchain.facade.reporter import report_scope as report_scope
from fchain.facade.sequential import Sequential as Sequential
from fchain import links as links

# Optimization: optimizers, hooks, and the old ``fchain.optimizer`` module.
from fchain.facade.optimizer import GradientMethod as GradientMethod
from fchain.facade.optimizer import Optimizer as Optimizer
from fchain.facade.optimizer import UpdateRule as UpdateRule
from fchain import optimizer as optimizer
from fchain import optimizer_hooks as optimizer_hooks
from fchain import optimizers as optimizers

# Data: datasets, converters, iterators.
from fchain import dataset as dataset
from fchain import datasets as datasets
from fchain import iterators as iterators

# Graph drawing (Graphviz DOT).
from fchain import computational_graph as computational_graph

# Files and training loops: loaded on first use (see ``__getattr__`` below), as
# they cost a quarter of fchain's import time; mypy reads them from here.
if TYPE_CHECKING:
    from fchain import serializers as serializers
    from fchain import training as training

__version__ = "0.1.0"

_LAZY_SUBMODULES = frozenset({"serializers", "training"})

# Hidden from mypy, which would otherwise type every unknown ``fchain.<name>`` as the
# ``object`` this returns instead of reporting it; mypy reads the lazy subpackages
# from the TYPE_CHECKING imports above.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        """Import a lazily loaded subpackage on first access (``fchain.training``)."""
        if name in _LAZY_SUBMODULES:
            return _importlib.import_module(f"fchain.{name}")
        raise AttributeError(f"module 'fchain' has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(globals()) | _LAZY_SUBMODULES)


__all__ = [
    "GradientMethod",
    "Optimizer",
    "UpdateRule",
    "optimizer",
    "optimizer_hooks",
    "optimizers",
    "utils",
    "reporter",
    "gradient_check",
    "cuda",
    "backend",
    "backends",
    "configuration",
    "get_dtype",
    "mixed16",
    "serializers",
    "training",
    "using_device",
    "FunctionNode",
    "Function",
    "Chain",
    "ChainList",
    "dataset",
    "datasets",
    "iterators",
    "computational_graph",
    "DictSummary",
    "Link",
    "Reporter",
    "Sequential",
    "Summary",
    "get_current_reporter",
    "initializers",
    "links",
    "report",
    "report_scope",
    "Parameter",
    "Variable",
    "as_array",
    "as_variable",
    "backward",
    "config",
    "ConfigKey",
    "force_backprop_mode",
    "functions",
    "types",
    "get_device",
    "global_config",
    "grad",
    "is_debug",
    "no_backprop_mode",
    "set_debug",
    "using_config",
]
