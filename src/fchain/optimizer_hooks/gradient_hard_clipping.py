"""``GradientHardClipping``: clip every gradient element into a range."""

from __future__ import annotations

from typing import ClassVar, Literal

from fchain.core import backend, optim_rules
from fchain.facade.update_rule import UpdateRule
from fchain.graph.variable import Variable

__all__ = ["GradientHardClipping"]


class GradientHardClipping:
    """Optimizer / update-rule hook: ``grad = clip(grad, lower_bound, upper_bound)``.

    Args:
        lower_bound: the smallest allowed gradient element.
        upper_bound: the largest allowed gradient element.

    Attributes:
        timing: ``'pre'`` (default) or ``'post'``.
    """

    name: ClassVar[str] = "GradientHardClipping"
    call_for_each_param: ClassVar[bool] = True
    timing: Literal["pre", "post"] = "pre"

    def __init__(self, lower_bound: float, upper_bound: float) -> None:
        if lower_bound > upper_bound:
            raise ValueError(
                f"GradientHardClipping: lower_bound ({lower_bound}) must not exceed "
                f"upper_bound ({upper_bound})")
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def __call__(self, rule: UpdateRule | None, param: Variable) -> None:
        g = param.grad
        if g is None:
            return
        optim_rules.gradient_hard_clipping(backend.namespace_of(g), g, float(self.lower_bound),
                                           float(self.upper_bound))
