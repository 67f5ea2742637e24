"""A minimal stand-in for a trainer and updater, for trigger tests."""

from __future__ import annotations

from typing import Any


class FakeUpdater:
    """Advances like a StandardUpdater over ``iters_per_epoch`` iterations per epoch."""

    def __init__(self, iters_per_epoch: int) -> None:
        self.iters_per_epoch = iters_per_epoch
        self.iteration = 0

    @property
    def epoch(self) -> int:
        return self.iteration // self.iters_per_epoch

    @property
    def epoch_detail(self) -> float:
        return self.iteration / self.iters_per_epoch

    @property
    def previous_epoch_detail(self) -> float:
        return -1.0 if self.iteration == 0 else (self.iteration - 1) / self.iters_per_epoch

    @property
    def is_new_epoch(self) -> bool:
        return self.iteration > 0 and self.iteration % self.iters_per_epoch == 0


class FakeTrainer:
    def __init__(self, iters_per_epoch: int = 4) -> None:
        self.updater = FakeUpdater(iters_per_epoch)
        self.observation: dict[str, Any] = {}
        self.elapsed_time = 0.0

    @property
    def is_before_training(self) -> bool:
        return self.updater.iteration == 0

    def step(self) -> None:
        self.updater.iteration += 1
