"""``GradientLARS``: layer-wise adaptive rate scaling of the gradients."""

from __future__ import annotations

from typing import ClassVar, Literal

from fchain.core import backend, optim_rules
from fchain.facade.update_rule import UpdateRule
from fchain.graph.variable import Variable

__all__ = ["GradientLARS"]


class GradientLARS:
    """Optimizer / update-rule hook for LARS (You et al., "Large Batch Training of
    Convolutional Networks", https://arxiv.org/abs/1708.03888).

    Per parameter: ``grad = rate * (grad + weight_decay * param)`` where
    ``rate = |param| / (eps + |grad| + weight_decay * |param|)`` when
    ``|param| > threshold`` and 1 otherwise (L2 norms over the whole array).  With
    SGD or MomentumSGD, ``lr`` then plays the role of the LARS coefficient times the
    global learning rate.

    Args:
        threshold: the weight norm above which the gradient is rescaled.
        weight_decay: coefficient of the weight decay added to the gradient.
        eps: small value for numerical stability.

    Attributes:
        timing: ``'pre'`` (default) or ``'post'``.
    """

    name: ClassVar[str] = "GradientLARS"
    call_for_each_param: ClassVar[bool] = True
    timing: Literal["pre", "post"] = "pre"

    def __init__(self, threshold: float = 1e-2, weight_decay: float = 0.0,
                 eps: float = 1e-9) -> None:
        self.threshold = threshold
        self.weight_decay = weight_decay
        self.eps = eps

    def __call__(self, rule: UpdateRule | None, param: Variable) -> None:
        p, g = param.data, param.grad
        if p is None or g is None:
            return
        optim_rules.gradient_lars(backend.namespace_of(p), g, p, float(self.threshold),
                                  float(self.weight_decay), float(self.eps))
