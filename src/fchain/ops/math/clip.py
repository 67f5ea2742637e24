"""clip(x, x_min, x_max): elements limited to ``[x_min, x_max]``; either bound may be None.

VJP: gy where ``x_min <= x <= x_max``, else 0.  Residuals: (x,), the input itself.

Convention at the bounds (Chainer 7's, documented as "its gradients at x_min and
x_max are regarded as 1"): an element exactly at a bound passes the gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays, real_arg
from fchain.types import ArrayNamespace

__all__ = ["CLIP", "ClipParams", "clip"]


@dataclass(frozen=True, slots=True)
class ClipParams:
    x_min: float | None
    x_max: float | None


def _forward(xp: ArrayNamespace, inputs: Inputs, p: ClipParams) -> Forwarded:
    x = inputs[0]
    if p.x_min is None:
        assert p.x_max is not None
        y = xp.minimum(x, p.x_max)
    elif p.x_max is None:
        y = xp.maximum(x, p.x_min)
    else:
        y = xp.clip(x, p.x_min, p.x_max)
    return (y,), (x,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: ClipParams) -> Grads:
    x = residuals[0]
    gy = grads[0]
    if p.x_min is None:
        assert p.x_max is not None
        inside = xp.less_equal(x, p.x_max)
    elif p.x_max is None:
        inside = xp.greater_equal(x, p.x_min)
    else:
        inside = xp.logical_and(xp.greater_equal(x, p.x_min), xp.less_equal(x, p.x_max))
    return (gy * inside.astype(gy.dtype),)


def _sample(draw: Draw) -> Case:
    x_min, x_max = draw.choice([(-1.0, 0.5), (-0.3, 1.2), (None, 0.4), (-0.6, None)])
    kinks = tuple(b for b in (x_min, x_max) if b is not None)
    x = draw.floats(draw.shape(), kinks=kinks)
    return Case((x,), lambda v: clip(v, x_min, x_max))


CLIP: OpDef[ClipParams] = register(OpDef(
    "clip", _forward, _vjp, GradSpec(_sample, conventions=("clip'(x_min) = clip'(x_max) = 1",))))


def clip(x: VariableLike, x_min: float | None, x_max: float | None) -> Variable:
    """Elements of ``x`` clipped to ``[x_min, x_max]`` (Chainer's ``F.clip``).

    One bound may be ``None`` (no limit on that side); ``x_min < x_max`` is
    required.  Elements exactly at a bound receive the full gradient.
    """
    if x_min is None and x_max is None:
        raise ValueError("clip: x_min and x_max cannot both be None; set at least one bound")
    lo = x_min if x_min is None or type(x_min) is float else real_arg("clip", "x_min", x_min)
    hi = x_max if x_max is None or type(x_max) is float else real_arg("clip", "x_max", x_max)
    if lo is not None and hi is not None and not lo < hi:
        raise ValueError(f"clip: x_min must be less than x_max, got x_min={x_min!r} and x_max={x_max!r}")
    try:
        return apply(CLIP, (x,), ClipParams(lo, hi))
    except TypeError:
        name_arrays("clip", ("x", x))
        raise
