"""linear(x, W, b=None, n_batch_axes=1) = x W^T + b.  Residuals: (x, W).

``x`` has ``n_batch_axes`` leading batch axes; its remaining axes are flattened
into the ``W.shape[1]`` input features (Chainer's behaviour), and the output has
shape ``batch_shape + (W.shape[0],)``.  The common case (2-d ``x``, one batch axis)
reshapes nothing.

With few rows and many outputs the product is computed as ``(W x^T)^T`` (``_WIDE``),
in chunks of ``W``'s rows for OpenBLAS's small-matrix kernels where those exist
(``core.small_gemm``).

VJP, with ``x2`` and ``gy2`` the 2-d views: ``gx = gy2 @ W``, ``gW = gy2^T @ x2``,
``gb = sum(gy2, axis=0)`` (the sum over every batch axis).  One matmul forward, one
per input that needs a gradient backward, no copies beyond the results.  The
residuals are the input arrays themselves, so double backprop differentiates
through both (``@`` and ``.T`` are Variable operators on the second-order path).

On the first-order pass, the ``gW`` of a 2-d ``x`` of fewer than ``DEFER_BELOW_ROWS``
rows (a step of a recurrent model) is returned as a ``ProductSum``: the traversal
stacks the uses of one weight and computes their sum as one GEMM
(``core.deferred_grad``).  Its ``gx`` is returned as a ``DeferredMatmul``: computed
at once, unless ``x`` came from ``embed_id``, which stacks the steps' products.
"""

from __future__ import annotations

from dataclasses import dataclass

from numpy import ndarray as _ndarray

from fchain.core import small_gemm
from fchain.core.deferred_grad import DEFER_BELOW_ROWS, DeferredMatmul, ProductSum
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, int_arg
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["LINEAR", "LinearParams", "linear"]


@dataclass(frozen=True, slots=True)
class LinearParams:
    """``bias``: whether ``b`` is input 2.  ``grad_x``/``grad_W``: whether ``x``/``W``
    may need a gradient (a plain array or a Variable with ``requires_grad=False``
    does not), so the backward skips a matmul whose result nobody would read.
    ``n_batch_axes``: how many leading axes of ``x`` are batch axes."""

    bias: bool
    grad_x: bool = True
    grad_W: bool = True
    n_batch_axes: int = 1


_WIDE = 256
"""From this many outputs (and at least twice as many as rows) the forward computes
``(W x^T)^T``: measured 1.2-1.7x faster than ``x W^T`` for 20-64 rows and 256-1000
outputs (OpenBLAS, one thread), the same bits (the same products in the same
order, the operands' roles swapped)."""

# The parameters of the common case, built once: no allocation per call.
_PLAIN = {(bias, gx, gW): LinearParams(bias, gx, gW)
          for bias in (False, True) for gx in (False, True) for gW in (False, True)}


def _wants_grad(v: VariableLike) -> bool:
    """Whether ``v`` is a Variable that requires a gradient (an array is not)."""
    return getattr(v, "requires_grad", False) is True


def _flat(x: Array, n_batch_axes: int) -> Shape:
    """The 2-d ``(batch, features)`` shape ``x`` is read as."""
    batch = 1
    for n in x.shape[:n_batch_axes]:
        batch *= n
    features = 1
    for n in x.shape[n_batch_axes:]:
        features *= n
    return (batch, features)


def _product(x2: Array, W: Array) -> Array:
    """``x2 W^T`` for a 2-d ``x2``; with few rows and many outputs the same GEMM
    with the operands swapped (bit for bit ``x2 W^T``, up to 1.6x faster there),
    its transposed result copied to C order, or, for at most
    ``small_gemm.MAX_ROWS`` rows where OpenBLAS has small-matrix kernels, in
    chunks those kernels take (``small_gemm.matmul_transposed``: the same values
    up to the rounding of the kernels' own order of summation)."""
    if W.shape[0] >= _WIDE and W.shape[0] >= 2 * x2.shape[0]:
        return small_gemm.matmul_transposed(x2, W)
    return x2 @ W.T  # operators skip numpy's dispatch


def _forward(xp: ArrayNamespace, inputs: Inputs, p: LinearParams) -> Forwarded:
    x, W = inputs[0], inputs[1]
    if p.n_batch_axes != 1 or x.ndim != 2:
        return _forward_batched(xp, inputs, p)
    y = x @ W.T if len(W) < _WIDE else _product(x, W)
    if p.bias:
        y += inputs[2]
    return (y,), (x, W)


def _forward_batched(xp: ArrayNamespace, inputs: Inputs, p: LinearParams) -> Forwarded:
    """``_forward`` for an ``x`` that is not 2-d or has several batch axes: read as 2-d."""
    x, W = inputs[0], inputs[1]
    y = _product(xp.reshape(x, _flat(x, p.n_batch_axes)), W)
    if p.bias:
        y += inputs[2]
    return (xp.reshape(y, tuple(x.shape[:p.n_batch_axes]) + (W.shape[0],)),), (x, W)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: LinearParams) -> Grads:
    # ``@``, ``.T`` and ``.sum`` work on arrays and Variables alike.
    x, W = residuals
    gy = grads[0]
    flat = p.n_batch_axes != 1 or x.ndim != 2
    if flat:
        x = xp.reshape(x, _flat(x, p.n_batch_axes))
        gy = xp.reshape(gy, (x.shape[0], W.shape[0]))
    gx = gy @ W if p.grad_x else None
    if flat and gx is not None:
        gx = xp.reshape(gx, residuals[0].shape)
    gW = gy.T @ x if p.grad_W else None
    if p.bias:
        return gx, gW, gy.sum(axis=0)
    return gx, gW


def _first_order_vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: LinearParams
                     ) -> tuple[Array | ProductSum | DeferredMatmul | None, ...]:
    """``_vjp``, with the ``gW`` and ``gx`` of a 2-d ``gy`` of few rows deferred (see
    the module docstring)."""
    gy = grads[0]
    if len(gy) >= DEFER_BELOW_ROWS or not p.grad_W or gy.ndim != 2 or residuals[0].ndim != 2:
        return _vjp(xp, residuals, grads, p)
    x, W = residuals
    gx = (DeferredMatmul(gy, W) if gy.dtype == W.dtype else gy @ W) if p.grad_x else None
    if p.bias:
        return gx, ProductSum.of(gy, x), gy.sum(axis=0)
    return gx, ProductSum.of(gy, x)


def _features_error(x_shape: Shape, W_shape: Shape, n_batch_axes: int) -> ShapeError:
    return ShapeError(
        f"linear: x has shape {x_shape} but W expects {W_shape[1]} input features "
        f"(W has shape {W_shape}; the axes of x after its first {n_batch_axes} "
        "batch axis(es) must hold that many elements)")


def _check(arrays: Inputs, p: LinearParams) -> LinearParams:
    x, W = arrays[0], arrays[1]
    w_shape = W.shape
    if (p.n_batch_axes == 1 and x.ndim == 2 and len(w_shape) == 2 and x.shape[1] == w_shape[1]
            and (not p.bias or arrays[2].shape == (w_shape[0],))):
        return p  # the common case, in one test
    if W.ndim != 2:
        raise ShapeError(f"linear: W must be 2-d (out_size, in_size), got shape {tuple(W.shape)}")
    n = p.n_batch_axes
    if n == 1 and x.ndim == 2:
        if x.shape[1] != W.shape[1]:
            raise _features_error(tuple(x.shape), tuple(W.shape), 1)
    else:
        if x.ndim <= n:
            raise ShapeError(
                f"linear: x has shape {tuple(x.shape)} but needs more than n_batch_axes={n} "
                "axes (batch axes followed by feature axes)")
        if _flat(x, n)[1] != W.shape[1]:
            raise _features_error(tuple(x.shape), tuple(W.shape), n)
    if p.bias and arrays[2].shape != (W.shape[0],):
        raise ShapeError(
            f"linear: b has shape {tuple(arrays[2].shape)} but W has shape {tuple(W.shape)}; "
            f"expected b of shape ({W.shape[0]},)")
    return p


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
    "linear", _forward, _vjp, GradSpec(_sample), arg_names=("x", "W", "b"), check=_check,
    float_inputs=(0, 1, 2), broadcasts=False, first_order_vjp=_first_order_vjp))


def linear(x: VariableLike, W: VariableLike, b: VariableLike | None = None,
           n_batch_axes: int = 1) -> Variable:
    """Fully connected layer ``y = x W^T + b``.

    ``x``: ``(batch..., features...)`` with ``n_batch_axes`` batch axes; axes after
    them are flattened.  ``W``: ``(out, in)``.  ``b``: ``(out,)`` or ``None``.
    Returns an array of shape ``batch_shape + (out,)``.
    """
    if type(n_batch_axes) is int and n_batch_axes == 1:
        # A Variable's and a Parameter's flag read directly (the usual arguments),
        # anything else through ``getattr``.
        kind = type(x)
        grad_x = x.requires_grad if kind is Variable else (  # type: ignore[union-attr]  # a Variable
            kind is not _ndarray and _wants_grad(x))
        grad_W = W.requires_grad if type(W) is Parameter else _wants_grad(W)
        params = _PLAIN[b is not None, grad_x, grad_W]
    else:
        n_batch_axes = int_arg("linear", "n_batch_axes", n_batch_axes)
        if n_batch_axes < 1:
            raise ValueError(f"linear: n_batch_axes must be a positive int, got {n_batch_axes!r}")
        params = LinearParams(b is not None, _wants_grad(x), _wants_grad(W), n_batch_axes)
    if b is None:
        return apply(LINEAR, (x, W), params)
    return apply(LINEAR, (x, W, b), params)
