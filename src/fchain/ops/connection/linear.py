"""linear(x, W, b=None, n_batch_axes=1) = x W^T + b.  Residuals: (x, W).

``x`` has ``n_batch_axes`` leading batch axes; its remaining axes are flattened
into the ``W.shape[1]`` input features (Chainer's behaviour), and the output has
shape ``batch_shape + (W.shape[0],)``.  The common case (2-d ``x``, one batch axis)
takes preallocated parameters and no reshape at all.

VJP, with ``x2`` and ``gy2`` the 2-d views: ``gx = gy2 @ W``, ``gW = gy2^T @ x2``,
``gb = sum(gy2, axis=0)`` (the sum over every batch axis).  One matmul forward, one
per input that needs a gradient backward, no copies beyond the results.  The residuals are the
input arrays themselves, so double backprop differentiates through both (it uses
``F.matmul`` through the second-order namespace).
"""

from __future__ import annotations

from dataclasses import dataclass

from numpy import ndarray as _ndarray

from fchain.core.backend import NUMPY as _NUMPY
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.facade.apply import apply1, record
from fchain.facade.variable import Parameter, Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, int_arg, shape_of
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["LINEAR", "LinearParams", "linear"]


@dataclass(frozen=True, slots=True)
class LinearParams:
    """``bias``: whether ``b`` is input 2.  ``x_shape`` and ``flat`` are ``None``
    when ``x`` is already 2-d, else ``x``'s shape and its 2-d ``(batch, features)``
    view.  ``out_shape`` is ``None`` with one batch axis, else the output's shape
    ``batch_shape + (out,)``.  ``grad_x``/``grad_W``: whether ``x``/``W`` may need
    a gradient (a plain array or a Variable with ``requires_grad=False`` does not),
    so the backward skips a matmul whose result nobody would read."""

    bias: bool
    grad_x: bool = True
    grad_W: bool = True
    x_shape: Shape | None = None
    flat: Shape | None = None
    out_shape: Shape | None = None


# The parameters of the common 2-d case, built once: no allocation per call.
_PLAIN = {(bias, gx, gW): LinearParams(bias, gx, gW)
          for bias in (False, True) for gx in (False, True) for gW in (False, True)}


def _wants_grad(v: VariableLike) -> bool:
    return isinstance(v, Variable) and v.requires_grad


def _forward(xp: ArrayNamespace, inputs: Inputs, p: LinearParams) -> Forwarded:
    x, W = inputs[0], inputs[1]
    x2 = x if p.flat is None else xp.reshape(x, p.flat)
    y = x2 @ W.T  # forward rules get arrays: operators and .T skip numpy's dispatch
    if p.bias:
        y += inputs[2]
    if p.out_shape is not None:
        y = xp.reshape(y, p.out_shape)
    return (y,), (x, W)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: LinearParams) -> Grads:
    x, W = residuals
    gy = grads[0]
    if p.flat is not None:
        x = xp.reshape(x, p.flat)
        if p.out_shape is not None:
            gy = xp.reshape(gy, (p.flat[0], p.out_shape[-1]))
    # ``@`` and ``.T`` work on arrays and Variables alike (both orders).
    gx = gy @ W if p.grad_x else None
    if gx is not None and p.x_shape is not None:
        gx = xp.reshape(gx, p.x_shape)
    gW = gy.T @ x if p.grad_W else None
    if p.bias:
        gb = xp.sum(gy, axis=0, keepdims=False) if isinstance(gy, Variable) else gy.sum(axis=0)
        return gx, gW, gb
    return gx, gW


def _sample(draw: Draw) -> Case:
    n_batch_axes = draw.choice([1, 1, 2])
    batch = draw.shape(min_dims=n_batch_axes, max_dims=n_batch_axes, max_side=3)
    features = draw.shape(min_dims=1, max_dims=2, max_side=3)
    n_in = 1
    for n in features:
        n_in *= n
    n_out = draw.integer(1, 3)
    x = draw.floats(batch + features)
    W = draw.floats((n_out, n_in))
    if draw.boolean():
        return Case((x, W, draw.floats((n_out,))),
                    lambda x, W, b: linear(x, W, b, n_batch_axes=n_batch_axes))
    return Case((x, W), lambda x, W: linear(x, W, n_batch_axes=n_batch_axes))


LINEAR: OpDef[LinearParams] = register(OpDef(
    "linear", _forward, _vjp, GradSpec(_sample), float_inputs=(0, 1, 2), broadcasts=False))


def _features_error(x_shape: Shape, W_shape: Shape, n_batch_axes: int) -> ShapeError:
    return ShapeError(
        f"linear: x has shape {x_shape} but W expects {W_shape[1]} input features "
        f"(W has shape {W_shape}; the axes of x after its first {n_batch_axes} "
        "batch axis(es) must hold that many elements)")


def linear(x: VariableLike, W: VariableLike, b: VariableLike | None = None,
           n_batch_axes: int = 1) -> Variable:
    """Fully connected layer ``y = x W^T + b``.

    ``x``: ``(batch..., features...)`` with ``n_batch_axes`` batch axes; axes after
    them are flattened.  ``W``: ``(out, in)``.  ``b``: ``(out,)`` or ``None``.
    Returns an array of shape ``batch_shape + (out,)``.
    """
    if type(n_batch_axes) is int and n_batch_axes == 1 and type(b) is Parameter and type(W) is Parameter:
        # The fast path of ``L.Linear``'s call: initialized numpy parameters and a
        # 2-d numpy input of the same floating dtype whose sizes match; anything
        # else takes the checks below.
        W_data, b_data = W._data, b._data
        x_data: Array | None = None
        x_var: Variable | None = None
        if type(x) is _ndarray:
            x_data = x
        elif type(x) is Variable:
            x_data, x_var = x._data, x
        if (type(x_data) is _ndarray and type(W_data) is _ndarray and type(b_data) is _ndarray
                and x_data.ndim == 2 and W_data.ndim == 2
                and b_data.shape == (W_data.shape[0],) and x_data.shape[1] == W_data.shape[1]):
            dtype = x_data.dtype
            if dtype.kind == "f" and W_data.dtype is dtype and b_data.dtype is dtype:
                grad_x = x_var is not None and x_var.requires_grad
                grad_W = W.requires_grad
                return record(LINEAR, _PLAIN[True, grad_x, grad_W], _NUMPY, (x_data, W_data, b_data),
                              (x_var, W, b), grad_x or grad_W or b.requires_grad)
    if type(n_batch_axes) is not int:
        n_batch_axes = int_arg("linear", "n_batch_axes", n_batch_axes)
    x_shape = shape_of(x, "linear")
    W_shape = shape_of(W, "linear", "W")
    if len(W_shape) != 2:
        raise ShapeError(f"linear: W must be 2-d (out_size, in_size), got shape {W_shape}")
    if b is not None:
        b_shape = shape_of(b, "linear", "b")
        if b_shape != (W_shape[0],):
            raise ShapeError(
                f"linear: b has shape {b_shape} but W has shape {W_shape}; "
                f"expected b of shape ({W_shape[0]},)")
    if n_batch_axes == 1 and len(x_shape) == 2:
        if x_shape[1] != W_shape[1]:
            raise _features_error(x_shape, W_shape, 1)
        if b is None:
            return apply1(LINEAR, (x, W), _PLAIN[False, _wants_grad(x), _wants_grad(W)])
        return apply1(LINEAR, (x, W, b), _PLAIN[True, _wants_grad(x), _wants_grad(W)])
    if not isinstance(n_batch_axes, int) or isinstance(n_batch_axes, bool) or n_batch_axes < 1:
        raise ValueError(f"linear: n_batch_axes must be a positive int, got {n_batch_axes!r}")
    if len(x_shape) <= n_batch_axes:
        raise ShapeError(
            f"linear: x has shape {x_shape} but needs more than n_batch_axes={n_batch_axes} "
            "axes (batch axes followed by feature axes)")
    batch_shape = x_shape[:n_batch_axes]
    batch = 1
    for n in batch_shape:
        batch *= n
    features = 1
    for n in x_shape[n_batch_axes:]:
        features *= n
    if features != W_shape[1]:
        raise _features_error(x_shape, W_shape, n_batch_axes)
    params = LinearParams(b is not None, _wants_grad(x), _wants_grad(W), x_shape, (batch, features),
                          None if n_batch_axes == 1 else batch_shape + (W_shape[0],))
    if b is None:
        return apply1(LINEAR, (x, W), params)
    return apply1(LINEAR, (x, W, b), params)
