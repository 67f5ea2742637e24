"""prelu(x, W) = x where x >= 0, else W * x, with ``W`` laid along the axes after the batch.

``W`` of shape ``(s_1, ..., s_M)`` is read as ``(1, s_1, ..., s_M, 1, ...)`` against
``x`` of shape ``(B, s_1, ..., s_N)`` (``fchain.ops.activation._channel_param``).

VJP: ``gx = gy`` where ``x >= 0``, ``W * gy`` elsewhere; ``gW`` the sum of
``x * gy`` over the entries with ``x < 0``, over the batch and trailing axes.
Residuals: (x, W), so double backprop differentiates through both.

Convention at the kink (Chainer 7's): prelu'(0) = 1 with respect to ``x``, and
``x = 0`` adds nothing to ``gW``: Chainer's forward keeps ``x`` wherever
``x >= 0`` and its backward masks with the same test.  (``leaky_relu`` takes the
slope at 0; ``prelu`` does not.)
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.ops.activation._channel_param import ChannelParams, channel_params
from fchain.types import ArrayNamespace

__all__ = ["PRELU", "prelu"]


def _forward(xp: ArrayNamespace, inputs: Inputs, p: ChannelParams) -> Forwarded:
    x, W = inputs
    y = xp.where(xp.greater_equal(x, 0.0), x, x * xp.reshape(W, p.extended))
    return (y,), (x, W)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: ChannelParams) -> Grads:
    x, W = residuals
    gy = grads[0]
    kept = xp.greater_equal(x, 0.0)
    gx = xp.where(kept, gy, gy * xp.reshape(W, p.extended))
    gW = xp.sum(xp.where(kept, 0.0, x * gy), axis=p.reduce_axes, keepdims=False)
    return gx, gW


def _check(arrays: Inputs, p: ChannelParams) -> ChannelParams:
    x, W = arrays
    return channel_params("prelu", "W", tuple(x.shape), tuple(W.shape))


def _sample(draw: Draw) -> Case:
    shape = draw.shape(min_dims=1, max_dims=4, max_side=3)
    m = draw.integer(0, len(shape) - 1)
    return Case((draw.floats(shape, kinks=(0.0,)), draw.floats(shape[1:1 + m], low=-1.0, high=1.0)), prelu)


_UNSET = ChannelParams((), ())  # refined by ``_check`` from the arrays

PRELU: OpDef[ChannelParams] = register(OpDef(
    "prelu", _forward, _vjp, GradSpec(_sample, conventions=("prelu'(0) = 1 (and no gradient to W)",)),
    arg_names=("x", "W"), check=_check, float_inputs=(0, 1), broadcasts=False))


def prelu(x: VariableLike, W: VariableLike) -> Variable:
    """Parametric ReLU: ``x`` where ``x >= 0``, ``W * x`` elsewhere.

    ``W``'s shape must equal ``x.shape[1:1 + W.ndim]`` (a 0-d ``W`` is shared by every
    element; ``(C,)`` is one slope per channel).  To learn ``W``, use ``L.PReLU``'s
    parameter or pass a Variable.
    """
    try:
        return apply(PRELU, (x, W), _UNSET)
    except TypeError:
        name_arrays("prelu", ("x", x), ("W", W))
        raise


