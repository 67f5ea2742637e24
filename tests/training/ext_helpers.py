"""Stand-ins for the trainer pieces extension tests need, and a toy regression."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy

from tests.training.fakes import FakeTrainer, FakeUpdater

if TYPE_CHECKING:
    from fchain.training.trainer import Trainer


class FakeOptimizer:
    """An object with hyperparameter attributes, as schedules see an optimizer."""

    def __init__(self, **hyperparams: float) -> None:
        for name, value in hyperparams.items():
            setattr(self, name, value)
        self.target: Any = None


class OptimizingUpdater(FakeUpdater):
    def __init__(self, iters_per_epoch: int, optimizers: dict[str, Any]) -> None:
        super().__init__(iters_per_epoch)
        self.optimizers = optimizers

    def get_optimizer(self, name: str) -> Any:
        return self.optimizers[name]

    def get_all_optimizers(self) -> dict[str, Any]:
        return dict(self.optimizers)


class ExtTrainer(FakeTrainer):
    """A FakeTrainer whose updater has optimizers and which has an ``out`` folder."""

    def __init__(self, iters_per_epoch: int = 4, out: str = "result", **optimizers: Any) -> None:
        super().__init__(iters_per_epoch)
        self.updater = OptimizingUpdater(iters_per_epoch, optimizers)
        self.out = out

    def as_trainer(self) -> Trainer:
        return cast("Trainer", self)


def regression_data(n: int = 8, seed: int = 0) -> tuple[numpy.ndarray[Any, Any], numpy.ndarray[Any, Any]]:
    """x (n, 1) and t = 3 x + noise (n, 1), float32."""
    rng = numpy.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 1)).astype(numpy.float32)
    t = (3.0 * x + 0.1 * rng.standard_normal((n, 1))).astype(numpy.float32)
    return x, t
