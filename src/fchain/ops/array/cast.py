"""cast(x, typ): x converted to dtype ``typ``.

VJP: ``gy`` cast back to x's dtype, so the gradient of a float32 input stays float32
when the computation downstream runs in float64.  An input that is not floating
point gets no gradient.  Residuals: none.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.backend import is_dtype
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply, no_data_error
from fchain.graph.variable import Variable
from fchain.ops._common import ARRAY_KINDS, Forwarded, Grads, Inputs, VariableLike, describe, name_arrays
from fchain.types import ArrayNamespace, DTypeLike

__all__ = ["CAST", "CastParams", "cast"]


@dataclass(frozen=True, slots=True)
class CastParams:
    typ: DTypeLike
    in_dtype: DTypeLike
    in_floating: bool


def _forward(xp: ArrayNamespace, inputs: Inputs, p: CastParams) -> Forwarded:
    return (xp.asarray(inputs[0], dtype=p.typ),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: CastParams) -> Grads:
    if not p.in_floating:
        return (None,)
    return (xp.asarray(grads[0], dtype=p.in_dtype),)


def _sample(draw: Draw) -> Case:
    # The numerical gradient runs in float64, so the case keeps float64 precision on
    # the way: casting up to float64, to the input's own dtype, or there and back.
    kind = draw.choice(["up", "same", "round_trip"])

    def call(x: Variable) -> Variable:
        if kind == "up":
            return cast(x, "float64")
        if kind == "same":
            return cast(x, x.dtype)
        return cast(cast(x, "float64"), x.dtype)

    return Case((draw.floats(draw.shape()),), call)


CAST: OpDef[CastParams] = register(OpDef("cast", _forward, _vjp, GradSpec(_sample), float_inputs=()))


def cast(x: VariableLike, typ: DTypeLike) -> Variable:
    """``x`` with its elements converted to dtype ``typ`` (no copy when it already has it)."""
    if isinstance(x, Variable):
        if x._data is None:
            raise no_data_error("cast", "x", x)
        dtype = x._data.dtype
    else:
        found = getattr(x, "dtype", None)
        if found is None:
            raise TypeError(f"cast: x must be {ARRAY_KINDS}, got {type(x).__name__}")
        dtype = found
    try:
        return apply(CAST, (x,), CastParams(typ, dtype, dtype.kind == "f"))
    except TypeError as error:
        name_arrays("cast", ("x", x))  # a numpy scalar has a dtype but is no array
        if is_dtype(typ):
            raise  # neither x nor typ: the error is the conversion's own
        raise TypeError(f"cast: typ must be a dtype (numpy.float32, 'float64', ...), "
                        f"got {describe(typ)}") from error
