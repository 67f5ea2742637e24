"""``Lasso``: L1 regularization added to the gradient."""

from __future__ import annotations

from typing import ClassVar, Literal

from fchain.core import backend, optim_rules
from fchain.facade.update_rule import UpdateRule
from fchain.graph.variable import Variable

__all__ = ["Lasso"]


class Lasso:
    """Optimizer / update-rule hook: ``grad += rate * sign(param)`` before the update.

    Args:
        rate: coefficient of the L1 penalty.

    Attributes:
        timing: ``'pre'`` (default) or ``'post'``.
    """

    name: ClassVar[str] = "Lasso"
    call_for_each_param: ClassVar[bool] = True
    timing: Literal["pre", "post"] = "pre"

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def __call__(self, rule: UpdateRule | None, param: Variable) -> None:
        p, g = param.data, param.grad
        if p is None or g is None:
            return
        optim_rules.lasso(backend.namespace_of(p), g, p, float(self.rate))
