"""dropout(x, ratio=0.5): in training, ``x * mask`` with a random mask.

The mask holds ``1 / (1 - ratio)`` for kept units and 0 for dropped ones, in
``x``'s dtype.  It is drawn by the public function (``fchain.graph.random``,
reseedable with ``fchain.graph.random.seed``) and enters the pure rule as a
constant input, so the rule is deterministic.  ``x`` must be floating point, as
``OpDef.float_inputs`` declares; the public function checks that before it draws
the mask (which has ``x``'s dtype), so a wrong dtype gets the op's ``DTypeError``
and leaves the random stream untouched.  VJP: ``gy * mask`` (none for the
mask).  Residuals: (mask,).  Outside training (``fchain.config.train`` False) the
function returns ``x`` itself, as Chainer does.
"""

from __future__ import annotations

from typing import Literal, overload

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply, check_dtypes
from fchain.graph.config import config
from fchain.graph.random import random_mask
from fchain.graph.variable import Variable, as_array, as_variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, bool_arg, name_arrays, real_arg
from fchain.types import Array, ArrayNamespace

__all__ = ["DROPOUT", "dropout"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    mask = inputs[1]
    return (inputs[0] * mask,), (mask,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    return grads[0] * residuals[0], None


def _sample(draw: Draw) -> Case:
    ratio = draw.choice([0.5, 0.2, 0.8])
    shape = draw.shape()
    keep = draw.floats(shape, low=0.0, high=1.0) >= ratio
    mask = keep * (1.0 / (1.0 - ratio))
    return Case((draw.floats(shape), mask), lambda x, m: dropout(x, ratio, mask=m.array),
                check=(0,))


DROPOUT: OpDef[None] = register(OpDef(
    "dropout", _forward, _vjp, GradSpec(_sample), arg_names=("x", "mask"), float_inputs=(0, 1)))


@overload
def dropout(x: VariableLike, ratio: float = 0.5, *, mask: Array | None = None,
            return_mask: Literal[False] = False) -> Variable: ...


@overload
def dropout(x: VariableLike, ratio: float = 0.5, *, mask: Array | None = None,
            return_mask: Literal[True]) -> tuple[Variable, Array | None]: ...


def dropout(x: VariableLike, ratio: float = 0.5, *, mask: Array | None = None,
            return_mask: bool = False) -> Variable | tuple[Variable, Array | None]:
    """Randomly zero elements with probability ``ratio`` and scale the rest by
    ``1 / (1 - ratio)``, in training mode only.

    ``mask``: a precomputed mask (already scaled, shape of ``x``) to use instead of
    a random one.  ``return_mask``: also return the mask used (``None`` outside
    training), as Chainer's ``return_mask=True``.
    """
    if type(ratio) is not float:
        ratio = real_arg("dropout", "ratio", ratio)
    if not 0.0 <= ratio < 1.0:
        raise ValueError(f"dropout: ratio must be in [0, 1), got {ratio!r}")
    if type(return_mask) is not bool:
        return_mask = bool_arg("dropout", "return_mask", return_mask)
    try:
        if not config.train:
            out = as_variable(x)
            return (out, None) if return_mask else out
        data = as_array(x)
    except TypeError:
        name_arrays("dropout", ("x", x))
        raise
    if mask is None:
        if data.dtype.kind != "f":
            check_dtypes(DROPOUT, (data,))  # apply's DTypeError, before any randomness is drawn
        mask = random_mask(data, ratio)
    else:
        m_shape = getattr(mask, "shape", None)
        if m_shape is None or isinstance(mask, Variable):
            raise TypeError(f"dropout: mask must be a numpy.ndarray or cupy.ndarray, "
                            f"got {type(mask).__name__}")
        if tuple(m_shape) != tuple(data.shape):
            raise ShapeError(f"dropout: mask has shape {tuple(m_shape)} but x has shape {tuple(data.shape)}")
    y = apply(DROPOUT, (x, mask), None)
    return (y, mask) if return_mask else y
