"""Evaluator: the model's mean loss/accuracy over a validation set, each epoch."""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fchain.facade.link_base import Link
from fchain.graph.config import no_backprop_mode, using_config
from fchain.training.extension import PRIORITY_WRITER, Extension
from fchain.training.extensions._console import ERASE, isatty

if TYPE_CHECKING:
    from typing import IO

    from typing_extensions import TypeVar as _TypeVarWithDefault

    from fchain.dataset.convert import DeviceLike
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

    BatchesT = _TypeVarWithDefault("BatchesT", bound=Iterable[object], default=Iterable[object],
                                   covariant=True)
    EvalTargetT = _TypeVarWithDefault("EvalTargetT", bound=Link, default=Link, covariant=True)
else:
    BatchesT = TypeVar("BatchesT", bound=Iterable[object], covariant=True)
    EvalTargetT = TypeVar("EvalTargetT", bound=Link, covariant=True)

__all__ = ["Evaluator"]


class Evaluator(Extension, Generic[BatchesT, EvalTargetT]):
    """Runs ``target`` over every batch of ``iterator`` in test mode (``train=False``)
    without building graphs, and reports the mean of what it reported, prefixed by
    the extension's name (``validation/main/loss``).

    ``iterator`` must not repeat (``repeat=False``); it is reset before each run.
    ``eval_func`` replaces ``target`` as the function called on each batch.
    ``progress_bar=True`` shows Chainer's validation bar on stdout while evaluating
    (``validation [###...]  42.00%`` and the number of batches); on a terminal it
    is redrawn in place and erased at the end, elsewhere one line is printed at
    the end of each evaluation.

    Generic in its iterator (any iterable of batches, reset or copied before each
    run) and its target link, read from the arguments: ``get_iterator('main')``
    and ``get_target('main')`` are typed as given.
    """

    trigger: TriggerLike = (1, "epoch")
    priority = PRIORITY_WRITER
    default_name = "validation"

    converter: Callable[..., object]
    """``converter(batch, device)`` turns a batch into the target's arguments."""
    device: DeviceLike
    eval_hook: Callable[[Evaluator], None] | None
    eval_func: Callable[..., object] | None

    def __init__(self, iterator: BatchesT | Mapping[str, BatchesT],
                 target: EvalTargetT | Mapping[str, EvalTargetT],
                 converter: Callable[..., object] | None = None,
                 device: DeviceLike = None, eval_hook: Callable[[Evaluator], None] | None = None,
                 eval_func: Callable[..., object] | None = None, *, progress_bar: bool = False) -> None:
        self._iterators: dict[str, BatchesT] = (
            dict(iterator) if isinstance(iterator, Mapping) else {"main": iterator})
        self._targets: dict[str, EvalTargetT] = (
            dict(target) if isinstance(target, Mapping) else {"main": target})
        if converter is None:
            from fchain.dataset import concat_examples

            converter = concat_examples
        self.converter = converter
        self.device = device
        self.eval_hook = eval_hook
        self.eval_func = eval_func
        self._progress_bar = progress_bar

    def get_iterator(self, name: str) -> BatchesT:
        """The iterator registered as ``name`` (``'main'``)."""
        return self._iterators[name]

    def get_all_iterators(self) -> dict[str, BatchesT]:
        """Every iterator, by name."""
        return dict(self._iterators)

    def get_target(self, name: str) -> EvalTargetT:
        """The target registered as ``name`` (``'main'``)."""
        return self._targets[name]

    def get_all_targets(self) -> dict[str, EvalTargetT]:
        """Every target, by name."""
        return dict(self._targets)

    def __call__(self, trainer: Trainer | None = None) -> dict[str, float]:
        from fchain.facade.reporter import Reporter, report

        reporter = Reporter()
        prefix = self.name + "/" if self.name else ""
        for name, target in self._targets.items():
            reporter.add_observer(prefix + name, target)
            namedlinks = getattr(target, "namedlinks", None)
            if namedlinks is not None:
                reporter.add_observers(prefix + name, namedlinks(skipself=True))
        with reporter, using_config("train", False):
            result = self.evaluate()
        report(result)
        return result

    def evaluate(self) -> dict[str, float]:
        """The mean of every value reported while evaluating all batches."""
        from fchain.facade.reporter import DictSummary, get_current_reporter

        iterator = self._iterators["main"]
        eval_func = self.eval_func or self._targets["main"]
        if self.eval_hook is not None:
            self.eval_hook(self)
        if hasattr(iterator, "reset"):
            iterator.reset()
            it = iterator
        else:
            it = copy.copy(iterator)
        summary = DictSummary()
        converter = self.converter
        device = self.device
        batches: Iterable[Any] = it
        if self._progress_bar:
            batches = _with_progress(it, self.name or "validation", sys.stdout)
        # One no-backprop scope for the whole pass (Chainer enters it per batch,
        # around eval_func only: the same for the evaluation, which builds no graph).
        with no_backprop_mode():
            for batch in batches:
                observation: dict[str, Any] = {}
                # ``with report_scope(observation):`` written out (it runs every batch).
                reporter = get_current_reporter()
                previous = reporter.observation
                reporter.observation = observation
                reporter.__enter__()
                try:
                    in_arrays = converter(batch, device)
                    if isinstance(in_arrays, tuple):
                        eval_func(*in_arrays)
                    elif isinstance(in_arrays, dict):
                        eval_func(**in_arrays)
                    else:
                        eval_func(in_arrays)
                finally:
                    reporter.__exit__(None, None, None)
                    reporter.observation = previous
                summary.add(observation)
        return {key: float(value) for key, value in summary.compute_mean().items()}

    def finalize(self) -> None:
        for iterator in self._iterators.values():
            finalize = getattr(iterator, "finalize", None)
            if finalize is not None:
                finalize()


def _with_progress(batches: Iterable[Any], name: str, out: IO[str], bar_length: int = 50,
                   ) -> Iterator[Any]:
    """Yield ``batches`` and draw a progress bar after each one has been evaluated
    (the bar's rate is the iterator's ``epoch_detail`` when it has one)."""
    tty = isatty(out)
    count = 0

    def lines() -> str:
        detail = getattr(batches, "epoch_detail", None)
        text = ""
        if isinstance(detail, (int, float)):
            rate = min(max(float(detail), 0.0), 1.0)
            marks = int(rate * bar_length)
            text = f"{name} [{'#' * marks}{'.' * (bar_length - marks)}] {rate:6.2%}\n"
        return text + f"{count:10} iterations\n"

    try:
        for batch in batches:
            yield batch  # the batch is evaluated before the generator resumes
            count += 1
            if tty:
                block = lines()
                out.write(ERASE + block + f"\033[{block.count(chr(10))}A")
                out.flush()
    finally:
        if tty:
            out.write(ERASE)
        else:
            out.write(lines())
        out.flush()
