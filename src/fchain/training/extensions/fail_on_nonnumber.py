"""FailOnNonNumber: stop training when a parameter becomes NaN or infinite."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fchain.training.extension import Extension
from fchain.training.extensions._arrays import all_finite

if TYPE_CHECKING:
    from fchain.training.trainer import Trainer

__all__ = ["FailOnNonNumber"]


class FailOnNonNumber(Extension):
    """Raises ``RuntimeError`` when any parameter of any of the updater's
    optimizers' targets holds a NaN or an infinity (Chainer's ``FailOnNonNumber``),
    so a diverged run stops instead of computing on.  Runs every iteration.
    """

    def __call__(self, trainer: Trainer) -> None:
        for name, optimizer in trainer.updater.get_all_optimizers().items():
            target = getattr(optimizer, "target", None)
            if target is None:
                continue
            for param in target.params():
                array = param.array
                if array is not None and not all_finite(array):
                    raise RuntimeError(
                        f"Kill the process since parameters in optimizer '{name}' diverge. R.I.P.")
