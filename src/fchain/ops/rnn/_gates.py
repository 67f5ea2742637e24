"""The gate arithmetic the LSTM-like units share, in Chainer's order of rounding.

Chainer's logistic sigmoid in these units is ``tanh(x / 2) / 2 + 1/2`` (it never
overflows), and its backward multiplies by the derivatives written from the
activated values: ``y (1 - y)`` for a sigmoid, ``1 - y^2`` for a tanh.  Every
function here is plain ``xp`` code, so the same helpers serve first-order rules
(arrays) and recorded ones (the second-order namespace over Variables).
"""

from __future__ import annotations

from fchain.types import Array, ArrayNamespace

__all__ = ["grad_sigmoid", "grad_tanh", "interleave", "interleaved", "sigmoid", "thick", "unthick"]


def sigmoid(xp: ArrayNamespace, x: Array) -> Array:
    """``tanh(x * 0.5) * 0.5 + 0.5``: the logistic function as Chainer's units compute it."""
    y: Array = xp.tanh(x * 0.5) * 0.5 + 0.5
    return y


def grad_sigmoid(y: Array) -> Array:
    """The sigmoid's derivative from its output ``y``: ``y * (1 - y)``."""
    g: Array = y * (1 - y)
    return g


def grad_tanh(y: Array) -> Array:
    """tanh's derivative from its output ``y``: ``1 - y * y``."""
    g: Array = 1 - y * y
    return g


def interleaved(xp: ArrayNamespace, x: Array, n: int) -> list[Array]:
    """The ``n`` gates of ``x`` laid out as Chainer's ``lstm`` reads them: axis 1
    holds the units, each followed by its ``n`` gate values (``x[:, n*j + k]`` is
    gate ``k`` of unit ``j``).  Views of ``x``, each ``(B, units, ...)``."""
    r = xp.reshape(x, (x.shape[0], x.shape[1] // n, n) + tuple(x.shape[2:]))
    return [r[:, :, k] for k in range(n)]


def interleave(xp: ArrayNamespace, gates: list[Array], shape: tuple[int, ...]) -> Array:
    """The inverse of ``interleaved``: the gates put back into one array of ``shape``."""
    return xp.reshape(xp.stack(gates, axis=2), shape)


def thick(xp: ArrayNamespace, x: Array, n: int) -> list[Array]:
    """``x`` cut into ``n`` consecutive blocks along axis 1 (``tree_lstm``'s layout)."""
    r = xp.reshape(x, (x.shape[0], n, x.shape[1] // n) + tuple(x.shape[2:]))
    return [r[:, k] for k in range(n)]


def unthick(xp: ArrayNamespace, gates: list[Array]) -> Array:
    """The inverse of ``thick``: the blocks joined along axis 1."""
    return xp.concatenate(gates, axis=1)
