"""``GradientNoise``: add annealed Gaussian noise to the gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Literal, cast

import numpy

from fchain.core import backend
from fchain.facade.update_rule import UpdateRule
from fchain.graph.variable import Variable
from fchain.types import Array, ArrayNamespace, DType, Shape

__all__ = ["GradientNoise", "NoiseFunction", "exponential_decay_noise"]


def exponential_decay_noise(xp: ArrayNamespace, shape: Shape, dtype: DType,
                            hook: GradientNoise, opt: UpdateRule) -> Array:
    """Gaussian noise with variance ``hook.eta / (1 + opt.t) ** 0.55`` (Neelakantan
    et al., "Adding Gradient Noise Improves Learning for Very Deep Networks"), drawn
    from ``xp.random`` (seed it with ``numpy.random.seed`` / ``cupy.random.seed``)."""
    std = numpy.sqrt(hook.eta / numpy.power(1 + opt.t, 0.55))
    random = cast(Any, xp).random
    return cast(Array, random.normal(0, std, shape).astype(dtype))


NoiseFunction = Callable[[ArrayNamespace, Shape, DType, "GradientNoise", UpdateRule], Array]
"""``noise_func(xp, shape, dtype, hook, update_rule) -> noise array``."""


class GradientNoise:
    """Optimizer / update-rule hook: ``grad += noise_func(xp, grad.shape, grad.dtype,
    hook, update_rule)``, by default annealed Gaussian noise.

    Args:
        eta: scale of the noise (0.01, 0.3 or 1.0 in the paper).
        noise_func: the noise generator.

    Attributes:
        timing: ``'pre'`` (default) or ``'post'``.
    """

    name: ClassVar[str] = "GradientNoise"
    call_for_each_param: ClassVar[bool] = True
    timing: Literal["pre", "post"] = "pre"

    def __init__(self, eta: float, noise_func: NoiseFunction = exponential_decay_noise) -> None:
        self.eta = eta
        self.noise_func = noise_func

    def __call__(self, rule: UpdateRule, param: Variable) -> None:
        g = param.grad
        if g is None:
            return
        xp = backend.namespace_of(g)
        noise = self.noise_func(xp, tuple(g.shape), g.dtype, self, rule)
        g += noise
