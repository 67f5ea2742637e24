"""Evaluation across ranks: each rank evaluates its share of the validation set, the
ranks combine the results.

``create_multi_node_evaluator`` patches an ``Evaluator`` so that its ``evaluate``
returns the mean over *all ranks' batches*: each rank sends, per reported key, its
local mean and how many batches reported it (one ``allreduce_obj`` per evaluation).
With equal batch counts on every rank (``scatter_dataset``'s default) this is
ChainerMN's mean of the ranks' means; with unequal counts it still equals what one
process evaluating every batch reports, where ChainerMN's would weigh a short
rank's batches more.

``GenericMultiNodeEvaluator`` is for results that do not average: each rank's
``calc_local`` results are gathered on the root, which ``aggregate``-s them.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.graph.config import no_backprop_mode
from fchain.training.extension import PRIORITY_WRITER, Extension

if TYPE_CHECKING:
    from fchain.dataset.convert import DeviceLike
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["GenericMultiNodeEvaluator", "create_multi_node_evaluator"]

Ev = TypeVar("Ev")


class _Tally:
    """Per key: the sum of a rank's mean times its weight, and the weight; added
    across ranks by ``allreduce_obj``."""

    def __init__(self, sums: dict[str, float], weights: dict[str, float]) -> None:
        self.sums = sums
        self.weights = weights

    def __add__(self, other: _Tally) -> _Tally:
        sums, weights = dict(self.sums), dict(self.weights)
        for key, value in other.sums.items():
            sums[key] = sums.get(key, 0.0) + value
            weights[key] = weights.get(key, 0.0) + other.weights[key]
        return _Tally(sums, weights)

    def means(self) -> dict[str, float]:
        return {key: self.sums[key] / self.weights[key]
                for key in sorted(self.sums) if self.weights[key] > 0}


def _counting(func: Callable[..., Any], counts: Counter[str]) -> Callable[..., Any]:
    """``func``, counting the keys each call reports (the evaluator's observation
    scope holds exactly one batch's reports when ``func`` returns)."""
    from fchain.facade.reporter import get_current_reporter

    def counted(*args: Any, **kwargs: Any) -> Any:
        result = func(*args, **kwargs)
        counts.update(get_current_reporter().observation.keys())
        return result

    return counted


def create_multi_node_evaluator(actual_evaluator: Ev, communicator: CommunicatorBase) -> Ev:
    """Patch ``actual_evaluator`` (an ``extensions.Evaluator``, or any object with
    ``evaluate()`` returning a dict of means) so its results are the means over every
    rank's batches; returns it.  Every rank must evaluate at the same points."""
    original = getattr(actual_evaluator, "evaluate")

    def evaluate() -> dict[str, float]:
        counts: Counter[str] = Counter()
        saved = getattr(actual_evaluator, "eval_func", None)
        targets = getattr(actual_evaluator, "_targets", None)
        func = saved or (targets.get("main") if isinstance(targets, Mapping) else None)
        if func is not None:
            setattr(actual_evaluator, "eval_func", _counting(func, counts))
        try:
            local = dict(original())
        finally:
            if func is not None:
                setattr(actual_evaluator, "eval_func", saved)
        # Without counts (a custom evaluate), every rank that has a key weighs 1.
        weights = {key: float(counts.get(key, 0) or 1) for key in local}
        tally = _Tally({key: float(value) * weights[key] for key, value in local.items()}, weights)
        return communicator.allreduce_obj(tally).means()

    setattr(actual_evaluator, "evaluate", evaluate)
    setattr(actual_evaluator, "_mn_communicator", communicator)
    setattr(actual_evaluator, "_mn_original_evaluate", original)
    return actual_evaluator


class GenericMultiNodeEvaluator(Extension):
    """Evaluate with results that do not average.

    Each rank runs ``calc_local`` on every batch of its ``iterator``; the results of
    all ranks are gathered on ``root``, which passes the list to ``aggregate`` once
    (override both).  Returns ``aggregate``'s result on ``root``, ``None`` elsewhere.
    """

    trigger: TriggerLike = (1, "epoch")
    priority = PRIORITY_WRITER
    default_name = "validation"

    def __init__(self, comm: CommunicatorBase, iterator: Iterator[object],
                 target: Callable[..., object], device: DeviceLike = None,
                 converter: Callable[..., object] | None = None, root: int = 0, *,
                 progress_hook: Callable[[object], None] | None = None) -> None:
        if not 0 <= root < comm.size:
            raise ValueError(f"GenericMultiNodeEvaluator: root={root} is not a rank (0..{comm.size - 1})")
        if converter is None:
            from fchain.dataset import concat_examples

            converter = concat_examples
        self.comm = comm
        self.iterator = iterator
        self._targets = {"main": target}
        self.converter = converter
        self.device = device
        self.root = root
        self._progress_hook = progress_hook

    def calc_local(self, *args: object, **kwargs: object) -> object:
        """The result of one batch (not ``None``); by default the target's output."""
        return self._targets["main"](*args, **kwargs)

    def aggregate(self, results: list[object]) -> object:
        """Combine every rank's results (on ``root``, once); by default the list."""
        return results

    def _local(self, batch: Any) -> Any:
        in_arrays = self.converter(batch, self.device)
        with no_backprop_mode():
            if isinstance(in_arrays, tuple):
                return self.calc_local(*in_arrays)
            if isinstance(in_arrays, dict):
                return self.calc_local(**in_arrays)
            return self.calc_local(in_arrays)

    def __call__(self, trainer: Trainer | None = None) -> object:
        if hasattr(self.iterator, "reset"):
            self.iterator.reset()
            it = self.iterator
        else:
            it = copy.copy(self.iterator)
        gathered: list[Any] = []
        while True:
            try:
                batch = next(it)
                result = self._local(batch)
                if self._progress_hook is not None and self.comm.rank == self.root:
                    self._progress_hook(batch)
            except StopIteration:
                result = None
            results = self.comm.gather_obj(result, root=self.root)
            done = None
            if results is not None:
                valid = [r for r in results if r is not None]
                gathered.extend(valid)
                done = not valid
            if self.comm.bcast_obj(done, root=self.root):
                break
        return self.aggregate(gathered) if self.comm.rank == self.root else None
