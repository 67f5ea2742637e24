"""swish(x, beta) = x * sigmoid(beta * x), with ``beta`` laid along the axes after the batch.

``beta`` of shape ``(s_1, ..., s_M)`` is read as ``(1, s_1, ..., s_M, 1, ...)``
against ``x`` of shape ``(B, s_1, ..., s_N)``
(``fchain.ops.activation._channel_param``).  The sigmoid is computed as
``tanh(z / 2) / 2 + 1/2``, as Chainer does, which neither overflows nor warns.

VJP, in Chainer's order of operations, with ``s = sigmoid(beta * x)``,
``y = x * s`` and ``by = beta * y``: ``gx = gy * (by + s * (1 - by))`` and
``gbeta`` the sum of ``gy * y * (x - y)`` over the batch and trailing axes.
Residuals: (x, beta); the vjp recomputes ``s`` from them, so double backprop
differentiates through both.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.ops.activation._channel_param import ChannelParams, channel_params
from fchain.types import Array, ArrayNamespace

__all__ = ["SWISH", "swish"]


def _sigmoid(xp: ArrayNamespace, z: Array) -> Array:
    return xp.tanh(z * 0.5) * 0.5 + 0.5


def _forward(xp: ArrayNamespace, inputs: Inputs, p: ChannelParams) -> Forwarded:
    x, beta = inputs
    return (x * _sigmoid(xp, xp.reshape(beta, p.extended) * x),), (x, beta)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: ChannelParams) -> Grads:
    x, beta = residuals
    gy = grads[0]
    b = xp.reshape(beta, p.extended)
    s = _sigmoid(xp, b * x)
    y = x * s
    by = b * y
    gx = gy * (by + s * (1.0 - by))
    gbeta = xp.sum(gy * y * (x - y), axis=p.reduce_axes, keepdims=False)
    return gx, gbeta


def _check(arrays: Inputs, p: ChannelParams) -> ChannelParams:
    x, beta = arrays
    return channel_params("swish", "beta", tuple(x.shape), tuple(beta.shape))


def _sample(draw: Draw) -> Case:
    shape = draw.shape(min_dims=1, max_dims=4, max_side=3)
    m = draw.integer(0, len(shape) - 1)
    return Case((draw.floats(shape, low=-3.0, high=3.0), draw.floats(shape[1:1 + m], low=-2.0, high=2.0)),
                swish)


_UNSET = ChannelParams((), ())  # refined by ``_check`` from the arrays

SWISH: OpDef[ChannelParams] = register(OpDef(
    "swish", _forward, _vjp, GradSpec(_sample), arg_names=("x", "beta"), check=_check,
    float_inputs=(0, 1), broadcasts=False))


def swish(x: VariableLike, beta: VariableLike) -> Variable:
    """Swish ``x * sigmoid(beta * x)``.

    ``beta``'s shape must equal ``x.shape[1:1 + beta.ndim]`` (0-d: one ``beta`` for
    every element).  To learn ``beta``, use ``L.Swish``'s parameter or pass a
    Variable.
    """
    try:
        return apply(SWISH, (x, beta), _UNSET)
    except TypeError:
        name_arrays("swish", ("x", x), ("beta", beta))
        raise
