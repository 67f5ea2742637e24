"""``check_backward`` and ``check_double_backward`` with the kit's default: the
numerical side in float64.

They are ``fchain.gradient_check``'s functions (Chainer's semantics: a directional
derivative along one random direction, compared as ``|numerical - backprop| <=
atol + rtol * |backprop|``), except that ``dtype`` defaults to ``float64`` instead
of the inputs' own dtype, and the random direction comes from numpy's global
random state unless ``rng`` is given (so ``numpy.random.seed`` makes a test
reproducible, as in Chainer).

Why float64: with float32 inputs and a float32 numerical side, a correct float32
rule fails Chainer's default tolerances (eps 1e-3, atol 1e-5, rtol 1e-4) on a
large share of random seeds, because a difference quotient in float32 keeps few
digits: measured on fchain's ops over 300 seeds each
(``benchmarks/gradient_check_false_alarms.py``: float32 inputs of shape (3, 4)),
21% (sin), 22% (tanh), 39% (matmul), 43% (sigmoid), 51% (exp) and 55% (softmax);
none with a float64 numerical side.  ``fchain.gradient_check`` keeps Chainer's default for code ported from
Chainer; ``FunctionTestCase``, ``LinkTestCase`` and ``check_op`` all use float64,
as Chainer's own ``FunctionTestCase`` does (``numerical_grad_dtype``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy

from fchain import gradient_check
from fchain.graph.parameter import Parameter
from fchain.types import Array, DTypeLike

__all__ = ["check_backward", "check_double_backward", "direction_rng"]


def direction_rng() -> numpy.random.Generator:
    """A Generator seeded from numpy's global random state."""
    return numpy.random.default_rng(int(numpy.random.randint(0, 2**31 - 1)))


def check_backward(func: Callable[..., object], x_data: Array | Sequence[Array],
                   y_grad: Array | Sequence[Array | None] | None,
                   params: Sequence[Parameter] | Parameter = (), eps: float = 1e-3, atol: float = 1e-5,
                   rtol: float = 1e-4, no_grads: Sequence[bool] | None = None,
                   dtype: DTypeLike | None = numpy.float64, detect_nondifferentiable: bool = False,
                   rng: numpy.random.Generator | None = None) -> None:
    """``fchain.gradient_check.check_backward`` with ``dtype=float64`` by default."""
    gradient_check.check_backward(func, x_data, y_grad, params, eps=eps, atol=atol, rtol=rtol,
                                  no_grads=no_grads, dtype=dtype,
                                  detect_nondifferentiable=detect_nondifferentiable,
                                  rng=rng if rng is not None else direction_rng())


def check_double_backward(func: Callable[..., object], x_data: Array | Sequence[Array],
                          y_grad: Array | Sequence[Array | None] | None,
                          x_grad_grad: Array | Sequence[Array],
                          params: Sequence[Parameter] | Parameter = (),
                          params_grad_grad: Sequence[Array] | Array = (),
                          eps: float = 1e-3, atol: float = 1e-4, rtol: float = 1e-3,
                          no_grads: Sequence[bool] | None = None, dtype: DTypeLike | None = numpy.float64,
                          detect_nondifferentiable: bool = False,
                          rng: numpy.random.Generator | None = None) -> None:
    """``fchain.gradient_check.check_double_backward`` with ``dtype=float64`` by default."""
    gradient_check.check_double_backward(func, x_data, y_grad, x_grad_grad, params, params_grad_grad,
                                         eps=eps, atol=atol, rtol=rtol, no_grads=no_grads, dtype=dtype,
                                         detect_nondifferentiable=detect_nondifferentiable,
                                         rng=rng if rng is not None else direction_rng())
