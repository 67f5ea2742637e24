"""Variable's array methods and operators, as declarations ``fchain.functions`` fills in.

``a + b``, ``x.reshape(...)``, ``x.T`` and the rest are fchain's public functions
(``F.add``, ``F.reshape``, ...), which ``Variable`` cannot import: the functions
import Variable.  ``VariableOperators`` declares each with its types; the
``fchain.functions`` package installs the implementations on ``Variable`` itself
(``fchain._variable_methods``), so an operator costs one call.  Comparisons and
truth testing raise, as in Chainer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn, SupportsIndex, overload

from fchain.graph.installation import installed_by
from fchain.types import Array, Slices

if TYPE_CHECKING:
    from fchain.graph.variable import Variable

__all__ = ["FUNCTIONS_LAYER", "VariableOperators"]

FUNCTIONS_LAYER = "fchain.functions"
_FUNCTIONS = FUNCTIONS_LAYER


class VariableOperators:
    """The operators and array methods of ``Variable`` (a mixin without state)."""

    __slots__ = ()

    @overload
    def reshape(self, shape: Sequence[SupportsIndex], /) -> Variable: ...
    @overload
    def reshape(self, *shape: SupportsIndex) -> Variable: ...

    @installed_by(_FUNCTIONS)
    def reshape(self, *shape: SupportsIndex | Sequence[SupportsIndex]) -> Variable:
        """``F.reshape(self, shape)``; the shape may be given as one tuple or as ints."""
        raise NotImplementedError  # replaced by install()

    @installed_by(_FUNCTIONS)
    def transpose(self, *axes: int) -> Variable:
        """``F.transpose(self, axes)``; no axes reverses them."""
        raise NotImplementedError  # replaced by install()

    @property
    def T(self) -> Variable:
        """The transpose (all axes reversed)."""
        return self.transpose()

    @installed_by(_FUNCTIONS)
    def mean(self, axis: int | tuple[int, ...] | None = None, *, keepdims: bool = False) -> Variable:
        """``F.mean(self, axis, keepdims=keepdims)``."""
        raise NotImplementedError  # replaced by install()

    @installed_by(_FUNCTIONS)
    def sum(self, axis: int | tuple[int, ...] | None = None, *, keepdims: bool = False) -> Variable:
        """``F.sum(self, axis, keepdims=keepdims)``."""
        raise NotImplementedError  # replaced by install()


    # ----------------------------------------------------------- operators
    # Installed by ``fchain.functions`` (``fchain._variable_methods``): each is
    # the public function itself, so ``a + b`` costs one call.
    @installed_by(_FUNCTIONS)
    def __neg__(self) -> Variable:
        raise NotImplementedError  # replaced by install()

    @installed_by(_FUNCTIONS)
    def __abs__(self) -> Variable:
        raise NotImplementedError  # replaced by install()

    @installed_by(_FUNCTIONS)
    def __add__(self, other: Variable | Array | float) -> Variable:
        raise NotImplementedError  # replaced by install()

    @installed_by(_FUNCTIONS)
    def __radd__(self, other: Array | float) -> Variable:
        raise NotImplementedError  # replaced by install()

    @installed_by(_FUNCTIONS)
    def __sub__(self, other: Variable | Array | float) -> Variable:
        raise NotImplementedError  # replaced by install()

    @installed_by(_FUNCTIONS)
    def __rsub__(self, other: Array | float) -> Variable:
        raise NotImplementedError  # replaced by install()

    @installed_by(_FUNCTIONS)
    def __mul__(self, other: Variable | Array | float) -> Variable:
        raise NotImplementedError  # replaced by install()

    @installed_by(_FUNCTIONS)
    def __rmul__(self, other: Array | float) -> Variable:
        raise NotImplementedError  # replaced by install()

    @installed_by(_FUNCTIONS)
    def __truediv__(self, other: Variable | Array | float) -> Variable:
        raise NotImplementedError  # replaced by install()

    @installed_by(_FUNCTIONS)
    def __rtruediv__(self, other: Array | float) -> Variable:
        raise NotImplementedError  # replaced by install()

    @installed_by(_FUNCTIONS)
    def __pow__(self, other: Variable | Array | float) -> Variable:
        raise NotImplementedError  # replaced by install()

    @installed_by(_FUNCTIONS)
    def __rpow__(self, other: Array | float) -> Variable:
        raise NotImplementedError  # replaced by install()

    @installed_by(_FUNCTIONS)
    def __matmul__(self, other: Variable | Array) -> Variable:
        raise NotImplementedError  # replaced by install()

    @installed_by(_FUNCTIONS)
    def __rmatmul__(self, other: Array) -> Variable:
        raise NotImplementedError  # replaced by install()

    @installed_by(_FUNCTIONS)
    def __getitem__(self, index: Slices) -> Variable:
        raise NotImplementedError  # replaced by install()

    def __eq__(self, other: object) -> NoReturn:
        raise NotImplementedError("Variable does not support ==; compare the .array values instead")

    def __ne__(self, other: object) -> NoReturn:
        raise NotImplementedError("Variable does not support !=; compare the .array values instead")

    def __lt__(self, other: object) -> NoReturn:
        raise NotImplementedError("Variable does not support <; compare the .array values instead")

    def __le__(self, other: object) -> NoReturn:
        raise NotImplementedError("Variable does not support <=; compare the .array values instead")

    def __gt__(self, other: object) -> NoReturn:
        raise NotImplementedError("Variable does not support >; compare the .array values instead")

    def __ge__(self, other: object) -> NoReturn:
        raise NotImplementedError("Variable does not support >=; compare the .array values instead")

    def __bool__(self) -> NoReturn:
        raise TypeError("the truth value of a Variable is ambiguous; use bool(v.array) or v.item()")
