"""``GradientClipping``: rescale all gradients to a maximum global L2 norm."""

from __future__ import annotations

from typing import ClassVar, Literal

from fchain.core import backend, optim_rules
from fchain.facade.optimizer_base import Optimizer

__all__ = ["GradientClipping"]


class GradientClipping:
    """Optimizer hook: when the L2 norm of all gradients together exceeds
    ``threshold``, multiply every gradient by ``threshold / norm``.

    Args:
        threshold: the largest allowed global gradient norm.

    Attributes:
        timing: ``'pre'`` (default) or ``'post'``.
    """

    name: ClassVar[str] = "GradientClipping"
    timing: Literal["pre", "post"] = "pre"

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold

    def __call__(self, opt: Optimizer) -> None:
        grads = [g for g in (p.grad for p in opt.target.params(False)) if g is not None]
        if not grads:
            return
        xp = backend.namespace_of(grads[0])
        rate = optim_rules.gradient_clipping_rate(xp, grads, float(self.threshold))
        if rate >= 1:
            return
        for g in grads:
            optim_rules.scale(backend.namespace_of(g), g, rate)
