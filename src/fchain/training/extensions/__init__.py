"""Trainer extensions (``fchain.training.extensions``)."""

from __future__ import annotations

from fchain.training.extensions.computational_graph import DumpGraph as DumpGraph
from fchain.training.extensions.computational_graph import dump_graph as dump_graph
from fchain.training.extensions.evaluator import Evaluator as Evaluator
from fchain.training.extensions.exponential_shift import ExponentialShift as ExponentialShift
from fchain.training.extensions.fail_on_nonnumber import FailOnNonNumber as FailOnNonNumber
from fchain.training.extensions.inverse_shift import InverseShift as InverseShift
from fchain.training.extensions.linear_shift import LinearShift as LinearShift
from fchain.training.extensions.log_report import LogReport as LogReport
from fchain.training.extensions.micro_average import MicroAverage as MicroAverage
from fchain.training.extensions.multistep_shift import MultistepShift as MultistepShift
from fchain.training.extensions.parameter_statistics import ParameterStatistics as ParameterStatistics
from fchain.training.extensions.plot_report import PlotReport as PlotReport
from fchain.training.extensions.polynomial_shift import PolynomialShift as PolynomialShift
from fchain.training.extensions.print_report import PrintReport as PrintReport
from fchain.training.extensions.progress_bar import ProgressBar as ProgressBar
from fchain.training.extensions.snapshot import snapshot as snapshot
from fchain.training.extensions.snapshot import snapshot_object as snapshot_object
from fchain.training.extensions.step_shift import StepShift as StepShift
from fchain.training.extensions.value_observation import observe_lr as observe_lr
from fchain.training.extensions.value_observation import observe_value as observe_value
from fchain.training.extensions.variable_unchain import unchain_variables as unchain_variables
from fchain.training.extensions.warmup_shift import WarmupShift as WarmupShift

__all__ = [
    "DumpGraph",
    "Evaluator",
    "ExponentialShift",
    "FailOnNonNumber",
    "InverseShift",
    "LinearShift",
    "LogReport",
    "MicroAverage",
    "MultistepShift",
    "ParameterStatistics",
    "PlotReport",
    "PolynomialShift",
    "PrintReport",
    "ProgressBar",
    "StepShift",
    "WarmupShift",
    "dump_graph",
    "observe_lr",
    "observe_value",
    "snapshot",
    "snapshot_object",
    "unchain_variables",
]
