"""Trainer extensions (``fchain.training.extensions``)."""

from __future__ import annotations

from fchain.training.extensions.evaluator import Evaluator as Evaluator
from fchain.training.extensions.log_report import LogReport as LogReport
from fchain.training.extensions.print_report import PrintReport as PrintReport
from fchain.training.extensions.progress_bar import ProgressBar as ProgressBar
from fchain.training.extensions.snapshot import snapshot as snapshot
from fchain.training.extensions.snapshot import snapshot_object as snapshot_object

__all__ = [
    "Evaluator",
    "LogReport",
    "PrintReport",
    "ProgressBar",
    "snapshot",
    "snapshot_object",
]
