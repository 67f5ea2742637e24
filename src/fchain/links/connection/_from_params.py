"""``from_params``'s shared checks: the links Chainer 7 can build from given
parameter arrays (``Linear``, ``Convolution2D``, ``ConvolutionND``) read the
sizes from ``W`` and copy ``W`` and ``b`` in as their initial values."""

from __future__ import annotations

from typing import cast

from fchain.graph.variable import Variable
from fchain.types import Array

__all__ = ["bias_array", "weight_array"]


def _array(where: str, name: str, value: object) -> Array:
    if isinstance(value, Variable):
        return value.array
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return cast(Array, value)  # a numpy or CuPy array
    raise TypeError(f"{where}: {name} must be a Variable, numpy.ndarray or cupy.ndarray, "
                    f"got {type(value).__name__}")


def weight_array(where: str, W: object, ndim: int | None) -> Array:
    """``W``'s array, checked to have ``ndim`` axes (at least 3 when ``None``)."""
    w = _array(where, "W", W)
    if (w.ndim != ndim) if ndim is not None else (w.ndim < 3):
        want = f"{ndim}" if ndim is not None else "at least 3"
        raise ValueError(f"{where}: W must have {want} axes, got shape {tuple(w.shape)}")
    return w


def bias_array(where: str, b: object, out_channels: int) -> Array | None:
    """``b``'s array (``None`` stays ``None``), checked to hold ``out_channels`` values."""
    if b is None:
        return None
    bias = _array(where, "b", b)
    if bias.size != out_channels:
        raise ValueError(f"{where}: b has {bias.size} values but W has {out_channels} outputs")
    return bias
