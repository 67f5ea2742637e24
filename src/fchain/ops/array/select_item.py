"""select_item(x, t): ``y[i] = x[i, t[i]]``, one element per row of the 2-d ``x``
(Chainer's ``t.choose(x.T)``).

``t`` is a 1-d integer array of ``len(x)`` indices into axis 1.  VJP: ``gy[i]`` at
``(i, t[i])`` and zeros elsewhere, written as a ``where`` on a comparison with
``arange``, so double backprop differentiates it again (its own backward is the
selection).  ``t`` gets no gradient.  Residuals: that boolean mask of x's shape
(made by the forward, so the rule never computes with ``t``).
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import DTypeError, ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.types import ArrayNamespace

__all__ = ["SELECT_ITEM", "select_item"]

_NAME = "select_item"


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x, t = inputs
    n_class = x.shape[1]
    hit = xp.reshape(xp.arange(n_class), (1, n_class)) == xp.reshape(t % n_class, (-1, 1))
    return (x[xp.arange(x.shape[0]), t],), (hit,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    return xp.where(residuals[0], xp.reshape(grads[0], (-1, 1)), 0.0), None


def _check(arrays: Inputs, params: None) -> None:
    x, t = arrays
    if t.dtype.kind not in "iu":
        raise DTypeError(f"{_NAME}: t must hold integer indices, got dtype {t.dtype}")
    if x.ndim != 2 or t.ndim != 1 or x.shape[0] != t.shape[0]:
        raise ShapeError(f"{_NAME}: x must be 2-d and t 1-d with one index per row of x; got x of shape "
                         f"{tuple(x.shape)} and t of shape {tuple(t.shape)}")
    return None


def _sample(draw: Draw) -> Case:
    rows, n_class = draw.integer(1, 4), draw.integer(1, 4)
    return Case((draw.floats((rows, n_class)), draw.integers((rows,), 0, n_class - 1)), select_item, check=(0,))


SELECT_ITEM: OpDef[None] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=("x", "t"), check=_check, broadcasts=False))


def select_item(x: VariableLike, t: VariableLike) -> Variable:
    """``x[i, t[i]]`` for every row ``i`` of the 2-d ``x``; ``t`` holds integer indices."""
    return apply(SELECT_ITEM, (x, t), None)
