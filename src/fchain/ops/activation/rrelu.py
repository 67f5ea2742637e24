"""rrelu(x, l=1/8, u=1/3, *, r=None, return_r=False) = x where x >= 0, else r * x.

Randomized leaky ReLU: in training each element has its own slope ``r``, drawn
uniformly from ``[l, u)`` (``fchain.graph.random``, reseedable with
``fchain.graph.random.seed``) unless ``r`` is given; outside training every slope
is ``(l + u) / 2`` and a given ``r`` is ignored, as in Chainer.  ``r`` enters the
pure rule as a constant input, so the rule is deterministic.

VJP: ``gy`` where ``y >= 0``, ``gy * r`` elsewhere (Chainer tests the output).
Residuals: (y, r).

Convention at the kink (Chainer 7's): rrelu'(0) = 1, since ``x >= 0`` keeps ``x``.
The mask is a constant to double backprop: the second derivative is zero.
"""

from __future__ import annotations

from typing import Literal, overload

from fchain.core import backend
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import DTypeError, ShapeError
from fchain.graph.apply import apply
from fchain.graph.config import config
from fchain.graph.random import uniform
from fchain.graph.variable import Variable, as_array
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, bool_arg, name_arrays, real_arg
from fchain.types import Array, ArrayNamespace

__all__ = ["RRELU", "rrelu"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x, r = inputs
    y = xp.where(xp.greater_equal(x, 0.0), x, x * r)
    return (y,), (y, r)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    y, r = residuals
    gy = grads[0]
    return xp.where(xp.greater_equal(y, 0.0), gy, gy * r), None


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    r = draw.floats(shape, low=0.125, high=1.0 / 3.0)
    return Case((draw.floats(shape, kinks=(0.0,)), r), lambda x, rv: rrelu(x, r=rv.array), check=(0,))


RRELU: OpDef[None] = register(OpDef(
    "rrelu", _forward, _vjp, GradSpec(_sample, conventions=("rrelu'(0) = 1",)),
    arg_names=("x", "r"), float_inputs=(0, 1), broadcasts=False))


@overload
def rrelu(x: VariableLike, l: float = 1.0 / 8, u: float = 1.0 / 3, *, r: Array | None = None,
          return_r: Literal[False] = False) -> Variable: ...


@overload
def rrelu(x: VariableLike, l: float = 1.0 / 8, u: float = 1.0 / 3, *, r: Array | None = None,
          return_r: Literal[True]) -> tuple[Variable, Array]: ...


def rrelu(x: VariableLike, l: float = 1.0 / 8, u: float = 1.0 / 3, *, r: Array | None = None,
          return_r: bool = False) -> Variable | tuple[Variable, Array]:
    """Randomized leaky ReLU: ``x`` where ``x >= 0``, ``r * x`` elsewhere.

    ``l``, ``u``: the bounds of the uniform slopes (``0 <= l < u < 1``).  ``r``: the
    slopes to use in training instead of random ones (``x``'s shape and dtype).
    ``return_r``: also return the slopes used, to pass them again later.
    """
    if type(l) is not float:
        l = real_arg("rrelu", "l", l)  # noqa: E741  (Chainer's name)
    if type(u) is not float:
        u = real_arg("rrelu", "u", u)
    if not 0.0 <= l < 1.0:
        raise ValueError(f"rrelu: l must be in [0, 1), got {l!r}")
    if not 0.0 <= u < 1.0:
        raise ValueError(f"rrelu: u must be in [0, 1), got {u!r}")
    if not l < u:
        raise ValueError(f"rrelu: l must be less than u, got l={l!r} and u={u!r}")
    if type(return_r) is not bool:
        return_r = bool_arg("rrelu", "return_r", return_r)
    try:
        data = as_array(x)
    except TypeError:
        name_arrays("rrelu", ("x", x))
        raise
    if data.dtype.kind != "f":
        raise DTypeError(f"rrelu: x must be a floating-point array, got dtype {data.dtype}")
    if not config.train:
        slopes = backend.namespace_of(data).full(data.shape, (l + u) / 2, dtype=data.dtype)
    elif r is None:
        slopes = uniform(data, l, u)
    else:
        if isinstance(r, Variable) or getattr(r, "shape", None) is None:
            raise TypeError(f"rrelu: r must be a numpy.ndarray or cupy.ndarray, got {type(r).__name__}")
        if tuple(r.shape) != tuple(data.shape):
            raise ShapeError(f"rrelu: r has shape {tuple(r.shape)} but x has shape {tuple(data.shape)}")
        if r.dtype != data.dtype:
            raise DTypeError(f"rrelu: r has dtype {r.dtype} but x has dtype {data.dtype}")
        slopes = r
    y = apply(RRELU, (x, slopes), None)
    return (y, slopes) if return_r else y
