"""The operators and array methods of ``Variable``, implemented with the ops.

``Variable`` declares them (``fchain.graph.variable.installed_by``) but cannot
import the ops, which import it; ``install()`` puts these implementations in place
and ``fchain.functions`` calls it once every op is loaded.  Most entries are the
public functions themselves, so ``a + b`` costs one Python call.
"""

from __future__ import annotations

from collections.abc import Sequence

from fchain.graph import variable
from fchain.graph.variable import Variable
from fchain.ops.array.get_item import get_item
from fchain.ops.array.reshape import reshape
from fchain.ops.array.transpose import transpose
from fchain.ops.math.absolute import absolute
from fchain.ops.math.add import add_pair
from fchain.ops.math.div import div, rdiv
from fchain.ops.math.matmul import matmul
from fchain.ops.math.mean import mean
from fchain.ops.math.mul import mul_pair
from fchain.ops.math.neg import neg
from fchain.ops.math.pow import pow, rpow
from fchain.ops.math.sub import rsub, sub
from fchain.ops.math.sum import sum
from fchain.types import Array

__all__ = ["install"]


def _reshape(self: Variable, *shape: int | Sequence[int]) -> Variable:
    """``F.reshape(self, shape)``; the shape may be given as one tuple or as ints."""
    target = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
    return reshape(self, tuple(int(n) for n in target))  # type: ignore[arg-type]  # ints, or one sequence of ints


def _transpose(self: Variable, *axes: int | Sequence[int]) -> Variable:
    """``F.transpose(self, axes)``; no axes reverses them."""
    if len(axes) == 1 and not isinstance(axes[0], int):
        axes = tuple(axes[0])
    return transpose(self, axes if axes else None)  # type: ignore[arg-type]  # ints by now


def _rmatmul(self: Variable, other: Array) -> Variable:
    """``other @ self``."""
    return matmul(other, self)


def install() -> None:
    """Put the implementations in place of ``Variable``'s declarations."""
    variable.install(
        "fchain.functions",
        __neg__=neg, __abs__=absolute,
        __add__=add_pair, __radd__=add_pair, __sub__=sub, __rsub__=rsub,
        __mul__=mul_pair, __rmul__=mul_pair, __truediv__=div, __rtruediv__=rdiv,
        __pow__=pow, __rpow__=rpow, __matmul__=matmul, __rmatmul__=_rmatmul,
        __getitem__=get_item,
        reshape=_reshape, transpose=_transpose, mean=mean, sum=sum,
    )
