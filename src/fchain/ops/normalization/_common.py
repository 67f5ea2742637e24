"""Pieces shared by the normalization ops: dtypes, statistics, running averages.

Rules: ``interm_dtype``/``as_dtype`` give Chainer's intermediate dtype (the wider of
``x``'s and ``gamma``'s, as ``numpy.promote_types`` gives for two float dtypes);
``moments`` is the two-pass mean and variance of batch, batch re- and group
normalization, ``normalized`` the values it normalizes.  Public functions: ``running_arrays`` checks the running
statistics a caller hands in, and ``update_running`` updates them in place, as
Chainer's functions do.
"""

from __future__ import annotations

from collections.abc import Callable

from fchain.core import backend
from fchain.errors import DeviceMismatchError, DTypeError, ShapeError
from fchain.graph.variable import Variable
from fchain.types import Array, ArrayNamespace, Axis, DTypeLike, Shape

Sums = Callable[[ArrayNamespace, Array, Axis], Array]
"""A keepdims sum over axes, ``sums(xp, a, axis)``."""

__all__ = ["Sums", "as_dtype", "check_float_x", "interm_dtype", "moments", "normalized", "running_arrays", "update_running"]


def interm_dtype(x: Array, gamma: Array) -> DTypeLike:
    """The dtype the statistics are computed in: the wider of the two float dtypes."""
    return x.dtype if x.dtype.itemsize >= gamma.dtype.itemsize else gamma.dtype


def as_dtype(xp: ArrayNamespace, a: Array, dtype: DTypeLike) -> Array:
    """``a`` in ``dtype``: ``a`` itself when it already is (no copy), else a cast
    (differentiable on the second-order namespace)."""
    return a if a.dtype == dtype else xp.asarray(a, dtype=dtype)


def moments(xp: ArrayNamespace, x: Array, axis: Axis, sums: Sums | None = None) -> tuple[Array, Array, Array]:
    """``(mean, var, x - mean)`` over ``axis`` (kept as length-1 axes), in two passes
    over ``x`` and in the order of rounding of numpy's ``mean`` and ``var``:
    ``mean = sum(x) / m``, ``var = sum(d * d) / m`` with ``d = x - mean``.  ``sums``
    (arrays only) replaces ``.sum(axis=axis, keepdims=True)``: ``_channel_sums.batch_sums``
    sums a channels-last ``x`` in the order numpy sums a C-contiguous one.

    Written with the array methods (``.sum``, which Variables have too): numpy's
    ``mean`` function costs microseconds of wrapping per call, as much as the
    arithmetic on a small batch.  Dividing by the Python int ``m`` rounds as numpy's
    ``mean`` does (one division in x's dtype)."""
    total = x.sum(axis=axis, keepdims=True) if sums is None else sums(xp, x, axis)
    m = x.size // total.size
    mean = total / m
    d = x - mean
    dd = d * d
    return mean, (dd.sum(axis=axis, keepdims=True) if sums is None else sums(xp, dd, axis)) / m, d


def normalized(xp: ArrayNamespace, x: Array, axis: Axis, eps: float,
               sums: Sums | None = None) -> tuple[Array, Array, Array, Array]:
    """``(mean, var, inv_std, x_hat)`` over ``axis`` (kept as length-1 axes):
    ``moments``, then ``inv_std = 1 / sqrt(var + eps)`` and ``x_hat = d * inv_std``,
    the last written into ``d`` on arrays (on the second-order namespace ``*=``
    makes a new Variable)."""
    mean, var, d = moments(xp, x, axis, sums)
    inv_std = 1.0 / xp.sqrt(var + eps)
    d *= inv_std
    return mean, var, inv_std, d


def check_float_x(fname: str, x: Array) -> None:
    """``x`` may have another float dtype than ``gamma`` (Chainer computes in the
    wider one), but it must be floating."""
    if x.dtype.kind != "f":
        raise DTypeError(f"{fname}: x must be a floating-point array, got dtype {x.dtype}")


def _running_array(fname: str, argname: str, value: object, shape: Shape, x: object) -> Array:
    if isinstance(value, Variable):
        raise TypeError(f"{fname}: {argname} must be a numpy.ndarray or cupy.ndarray (it is updated "
                        "in place), not a Variable")
    dtype = getattr(value, "dtype", None)
    if dtype is None or not hasattr(value, "shape") or not hasattr(value, "__imul__"):
        raise TypeError(f"{fname}: {argname} must be a numpy.ndarray or cupy.ndarray, "
                        f"got {type(value).__name__}")
    array: Array = value  # type: ignore[assignment]  # checked just above
    if dtype.kind != "f":
        raise DTypeError(f"{fname}: {argname} must be a floating-point array, got dtype {dtype}")
    if tuple(array.shape) != tuple(shape):
        raise ShapeError(f"{fname}: {argname} must have gamma's shape {tuple(shape)}, "
                         f"got shape {tuple(array.shape)}")
    data = x._data if isinstance(x, Variable) else x
    if backend.is_cupy_array(data) != backend.is_cupy_array(array) or \
            getattr(data, "device", None) != getattr(array, "device", None):
        raise DeviceMismatchError(f"{fname}: {argname} must be on the device of x; "
                                  "move it with to_device() first")
    return array


def running_arrays(fname: str, running_mean: object, running_var: object, shape: Shape,
                   x: object) -> tuple[Array, Array] | None:
    """The running statistics a caller gave (``None`` when neither), checked: arrays
    (never Variables: they are updated in place) of ``shape`` on ``x``'s device,
    both or neither."""
    if running_mean is None and running_var is None:
        return None
    if running_mean is None or running_var is None:
        missing = "running_mean" if running_mean is None else "running_var"
        raise TypeError(f"{fname}: running_mean and running_var must be given together; {missing} is None")
    return (_running_array(fname, "running_mean", running_mean, shape, x),
            _running_array(fname, "running_var", running_var, shape, x))


def update_running(running: tuple[Array, Array], mean: Array, var: Array, decay: float, m: int) -> None:
    """Chainer's in-place update of the running statistics, in its order of rounding:
    ``running_mean = decay * running_mean + (1 - decay) * mean`` and
    ``running_var = decay * running_var + (1 - decay) * adjust * var``, where
    ``adjust = m / max(m - 1, 1)`` turns the batch's biased variance (``m``
    values per statistic) into the unbiased estimate."""
    running_mean, running_var = running
    adjust = m / max(m - 1.0, 1.0)
    running_mean *= decay
    running_mean += (1 - decay) * mean
    running_var *= decay
    running_var += (1 - decay) * adjust * var
