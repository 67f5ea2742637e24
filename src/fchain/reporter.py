"""``fchain.reporter`` (Chainer's ``chainer.reporter``): reporting observations."""

from __future__ import annotations

from fchain.facade.reporter import DictSummary as DictSummary
from fchain.facade.reporter import Reporter as Reporter
from fchain.facade.reporter import Summary as Summary
from fchain.facade.reporter import get_current_reporter as get_current_reporter
from fchain.facade.reporter import report as report
from fchain.facade.reporter import report_scope as report_scope

__all__ = ["DictSummary", "Reporter", "Summary", "get_current_reporter", "report", "report_scope"]
