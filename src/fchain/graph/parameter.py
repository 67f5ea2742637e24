"""``Parameter``: a trainable Variable owned by a Link, possibly initialized lazily.

Its array may be ``None`` until ``initialize(shape)`` (Chainer's idiom: a link with
``in_size=None`` learns its input size on the first call), and it carries the
update rule an optimizer's ``setup`` gave it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol, cast

import numpy

from fchain.core import backend
from fchain.errors import ShapeError
from fchain.graph.device import get_device
from fchain.graph.initializer_glue import generate_array, initializer_dtype
from fchain.graph.variable import Variable, check_array
from fchain.types import Array, DType

__all__ = ["Parameter", "ParameterUpdateRule"]


class ParameterUpdateRule(Protocol):
    """What a ``Parameter`` and its link ask of the parameter's update rule.

    ``fchain.UpdateRule`` (set by an optimizer's ``setup``) is one; it lives in the
    facade, above this layer, so the graph names only what it uses: ``update``
    (``Parameter.update``) and the ``enabled`` switch (``Link.enable_update``).
    """

    @property
    def enabled(self) -> bool: ...
    @enabled.setter
    def enabled(self, value: bool) -> None: ...

    def update(self, param: Variable) -> None:
        """Update ``param`` in place from its gradient."""
        ...


class Parameter(Variable):
    """A trainable Variable owned by a Link, possibly initialized lazily.

    ``Parameter(initializer=None, shape=None, name=None)``: ``initializer`` is an
    array (used as it is), a scalar (a constant fill), an initializer object or
    callable that fills an array in place, or ``None`` (NaN, as in Chainer).  Without
    a shape the parameter stays uninitialized until ``initialize(shape)``.
    """

    __slots__ = ("initializer", "update_rule", "_initial_device", "_zero_grad_on_init")
    _kind: ClassVar[str] = "Parameter"
    _how_to_fill: ClassVar[str] = "call initialize(shape) or run the link once"

    initializer: object
    update_rule: ParameterUpdateRule | None
    """The rule an optimizer's ``setup`` gave this parameter (``None`` before)."""

    def __init__(self, initializer: object = None, shape: int | Sequence[int] | None = None,
                 name: str | None = None) -> None:
        self._initial_device: object = None
        # Set by zerograd() while uninitialized: initialize() then makes a zero
        # gradient (Chainer keeps a Zero grad initializer until the data exists).
        self._zero_grad_on_init = False
        if isinstance(initializer, numpy.ndarray) or backend.is_cupy_array(initializer):
            array = cast(Array, initializer)
            super().__init__(array, name=name)
            self.initializer = _ArrayInitializer(array)
        else:
            super().__init__(None, name=name)
            self.initializer = initializer
            if shape is not None:
                self.initialize(shape)
        self.update_rule = None

    @property
    def is_initialized(self) -> bool:
        return self._data is not None

    # An uninitialized Parameter's array is ``None``, as in Chainer, where links test
    # ``if self.W.array is None`` before initializing lazily; the type says so.
    @property  # type: ignore[override]  # Optional here: Chainer's lazy-initialization idiom
    def array(self) -> Array | None:  # pyright: ignore[reportIncompatibleVariableOverride]
        """The array, or ``None`` until the parameter is initialized."""
        return self._data

    @array.setter
    def array(self, value: Array) -> None:
        self._data = check_array(value, "Parameter.array")

    @property  # type: ignore[override]  # Optional here: Chainer's lazy-initialization idiom
    def data(self) -> Array | None:  # pyright: ignore[reportIncompatibleVariableOverride]
        """The same as ``array``: ``None`` until the parameter is initialized."""
        return self._data

    @data.setter
    def data(self, value: Array) -> None:
        self._data = check_array(value, "Parameter.data")

    @property
    def dtype(self) -> DType:
        if self._data is not None:
            return self._data.dtype
        return initializer_dtype(self.initializer)

    def initialize(self, shape: int | Sequence[int]) -> None:
        """Allocate the array with ``shape`` and fill it with the initializer, on the
        device this parameter was sent to while uninitialized (the CPU by default)."""
        dims = (int(shape),) if isinstance(shape, int) else tuple(int(n) for n in shape)
        array = generate_array(self.initializer, dims)
        if self._initial_device is not None:
            array = get_device(self._initial_device).send(array)
        self._data = array
        if self._grad_var is not None or self._zero_grad_on_init:
            self._zero_grad_on_init = False
            self.zerograd()

    def cleargrad(self) -> None:
        """Set the gradient to ``None`` (an uninitialized parameter also forgets a
        pending ``zerograd``)."""
        self._grad_var = None
        self._zero_grad_on_init = False

    def zerograd(self) -> None:
        """Set the gradient to zeros.  On an uninitialized parameter the gradient
        becomes zeros of the right shape when ``initialize`` runs, as in Chainer."""
        if self._data is None:
            self._zero_grad_on_init = True
            return
        super().zerograd()

    def copydata(self, var: Variable) -> None:
        """Copy ``var``'s data into this parameter, across devices (Chainer's rules).

        An uninitialized side is initialized first: this parameter with ``var``'s
        shape, or an uninitialized source ``Parameter`` with this one's shape (by its
        own initializer, whose values are then copied here).  If both are
        uninitialized nothing happens.
        """
        if not isinstance(var, Variable):
            raise TypeError(f"Parameter.copydata: expected a Variable, got {type(var).__name__}")
        src = var._data
        if src is None:
            if self._data is None:
                return
            if not isinstance(var, Parameter):
                raise ValueError(
                    f"Parameter.copydata: the source variable"
                    f"{'' if var.name is None else ' ' + repr(var.name)} has no data "
                    "to copy and, not being a Parameter, cannot be initialized")
            var.initialize(self._data.shape)
        elif self._data is None:
            self.initialize(src.shape)
        super().copydata(var)

    def to_device(self, device: object) -> Parameter:
        """Move to ``device``; an uninitialized parameter remembers it for ``initialize``."""
        if self._data is None:
            self._initial_device = get_device(device)
        super().to_device(device)
        return self

    def to_cpu(self) -> Parameter:
        super().to_cpu()
        return self

    def to_gpu(self, device: int | None = None) -> Parameter:
        super().to_gpu(device)
        return self

    def update(self) -> None:
        """Apply this parameter's update rule (set by an optimizer's ``setup``)."""
        rule = self.update_rule
        if rule is not None:
            rule.update(self)


class _ArrayInitializer:
    """Wraps the array a Parameter was built from, so ``copy(mode='init')`` can reuse it."""

    __slots__ = ("array",)

    def __init__(self, array: Array) -> None:
        self.array = array

    @property
    def dtype(self) -> DType:
        return self.array.dtype

    def __call__(self, array: Array) -> None:
        if array.shape != self.array.shape:
            raise ShapeError(
                f"Parameter: initial array has shape {self.array.shape} but {array.shape} was requested"
            )
        array[...] = self.array
