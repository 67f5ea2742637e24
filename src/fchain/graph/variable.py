"""``Variable`` and ``Parameter``: arrays that remember how they were computed.

A Variable wraps one array and, when an op made it, the graph node of that op
(``creator``).  Its mutable parts are exactly Chainer's: ``data``/``array``, ``grad``
(``grad_var``), ``name`` and the creator link that ``unchain`` cuts.  Everything
about differentiation happens in the pure core; ``backward`` calls it and writes
the resulting gradients back.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, NoReturn, Protocol, SupportsIndex, TypeVar, cast, overload

import numpy

from fchain.array_module import ArrayModule
from fchain.core import backend
from fchain.core.node import GraphVariable, Node
from fchain.errors import ShapeError, UninitializedError
from fchain.graph.device import Device, get_device, get_device_from_array
from fchain.graph.initializer_glue import generate_array, initializer_dtype
from fchain.types import Array, DType, Shape, Slices

__all__ = ["Parameter", "ParameterUpdateRule", "Variable", "as_array", "as_variable", "install", "installed_by", "not_installed", "wrap"]

def _check_array(data: object, where: str) -> Array:
    if isinstance(data, numpy.ndarray) or backend.is_cupy_array(data):
        return cast(Array, data)
    raise TypeError(
        f"{where}: data must be a numpy.ndarray or cupy.ndarray, but got "
        f"{type(data).__name__}; wrap Python values with numpy.asarray(..., dtype=numpy.float32)"
    )


def _check_grad_matches(var: Variable, g: Array, where: str) -> None:
    """A gradient must be an array of the data's kind (numpy or CuPy), dtype and
    shape, as Chainer checks; an uninitialized Parameter takes any."""
    data = var._data
    if data is None:
        return
    if type(g) is not type(data) and backend.is_cupy_array(g) != backend.is_cupy_array(data):
        raise TypeError(
            f"{where}: the gradient is a {type(g).__module__}.{type(g).__name__} but the data is a "
            f"{type(data).__module__}.{type(data).__name__}; move it to the variable's device")
    if g.dtype != data.dtype:
        raise TypeError(f"{where}: the gradient has dtype {g.dtype} but the data has dtype {data.dtype}")
    if g.shape != data.shape:
        raise ValueError(
            f"{where}: the gradient has shape {tuple(g.shape)} but the data has shape {tuple(data.shape)}")


def _no_array(var: Variable, what: str) -> UninitializedError:
    kind = "Parameter" if isinstance(var, Parameter) else "Variable"
    how = ("call initialize(shape) or run the link once" if kind == "Parameter"
           else "assign one with .array = ...")
    return UninitializedError(f"{kind}.{what}: this {kind.lower()} has no array yet; {how}")


_Method = TypeVar("_Method", bound=Callable[..., object])
_FUNCTIONS = "fchain.functions"


def installed_by(layer: str) -> Callable[[_Method], _Method]:
    """Declare a method of ``Variable`` that ``layer`` implements and installs.

    The decorated body is the typed declaration only (what type checkers and
    ``help()`` read); until ``layer`` calls ``install``, calling it raises.  This
    keeps each implementation in the layer that owns it: ``backward`` in
    ``fchain.graph.backprop``, the operators in ``fchain.functions``, neither of
    which Variable may import.
    """

    def declare(method: _Method) -> _Method:
        def not_installed(*args: object, **kwargs: object) -> NoReturn:
            raise RuntimeError(
                f"Variable.{method.__name__} is installed by {layer}, which has not been imported")

        functools.update_wrapper(not_installed, method)
        setattr(not_installed, "installed_by", layer)
        return cast(_Method, not_installed)

    return declare


def install(layer: str, **methods: Callable[..., object]) -> None:
    """Install ``layer``'s implementations of the methods it declared (see
    ``installed_by``): each name must be a declared placeholder of that layer, so a
    layer cannot add or replace anything else."""
    for name, implementation in methods.items():
        declared = Variable.__dict__.get(name)
        owner = getattr(declared, "installed_by", None) if declared is not None else None
        if owner is None and getattr(declared, "installed_from", None) != layer:
            raise RuntimeError(f"install: Variable.{name} is not declared as installed by {layer}")
        if owner is not None and owner != layer:
            raise RuntimeError(f"install: Variable.{name} is installed by {owner}, not {layer}")
        setattr(implementation, "installed_from", layer)
        setattr(Variable, name, implementation)


def not_installed(layer: str) -> list[str]:
    """The methods of Variable that ``layer`` declared and has not installed yet."""
    return sorted(name for name, value in Variable.__dict__.items()
                  if getattr(value, "installed_by", None) == layer)


class Variable(GraphVariable):
    """An array with a gradient and, when an op produced it, its creator node.

    ``Variable(data, name=None, grad=None, requires_grad=True)`` as in Chainer.
    ``__array_ufunc__ = None`` makes ``ndarray * Variable`` reach ``__rmul__`` instead
    of numpy building an object array.

    The graph fields (``_data``, ``_creator``, ``_index``, ``requires_grad``) are the
    core's ``GraphVariable``.  ``backward`` is installed by ``fchain.graph.backprop``
    and the operators and array methods (``+``, ``reshape``, ...) by
    ``fchain.functions``: the layers that own them (see ``install``).
    """

    __slots__ = ("_grad_var", "name", "__weakref__")
    __array_ufunc__: ClassVar[None] = None
    __array_priority__: ClassVar[int] = 200
    # Comparisons raise, so a Variable is unhashable, as in Chainer.
    __hash__: ClassVar[None] = None  # type: ignore[assignment]  # Chainer's Variable is unhashable

    _grad_var: Variable | None
    name: str | None

    def __init__(self, data: Array | None = None, *, name: str | None = None,
                 grad: Array | None = None, requires_grad: bool = True) -> None:
        self._data = None if data is None else _check_array(data, "Variable")
        self._creator = None
        self._index = 0
        self.name = name
        self.requires_grad = requires_grad
        self._grad_var = None
        if grad is not None:
            self.grad = grad

    # ----------------------------------------------------------------- data
    @property
    def data(self) -> Array:
        """The array; the same as ``array``."""
        data = self._data
        if data is None:
            raise _no_array(self, "data")
        return data

    @data.setter
    def data(self, value: Array) -> None:
        self._data = _check_array(value, "Variable.data")

    @property
    def array(self) -> Array:
        """The array.  A Variable made without data has none until one is assigned:
        reading it before raises ``UninitializedError`` (a Parameter returns ``None``
        instead, as in Chainer: see ``Parameter.array``)."""
        data = self._data
        if data is None:
            raise _no_array(self, "array")
        return data

    @array.setter
    def array(self, value: Array) -> None:
        self._data = _check_array(value, "Variable.array")

    @property
    def grad(self) -> Array | None:
        """The gradient array, or ``None`` when none has been computed."""
        gv = self._grad_var
        return None if gv is None else gv._data

    @grad.setter
    def grad(self, value: Array | None) -> None:
        if value is None:
            self._grad_var = None
        else:
            g = _check_array(value, "Variable.grad")
            _check_grad_matches(self, g, "Variable.grad")
            self._grad_var = Variable(g, requires_grad=False)

    @property
    def grad_var(self) -> Variable | None:
        """The gradient as a Variable (part of a graph after double backprop)."""
        return self._grad_var

    @grad_var.setter
    def grad_var(self, value: Variable | None) -> None:
        if value is not None:
            if not isinstance(value, Variable):
                raise TypeError(f"Variable.grad_var: expected a Variable or None, got {type(value).__name__}")
            _check_grad_matches(self, value.array, "Variable.grad_var")
        self._grad_var = value

    @property
    def shape(self) -> Shape:
        data = self._data
        if data is None:
            raise _no_array(self, "shape")
        shape: Shape = data.shape
        return shape

    @property
    def ndim(self) -> int:
        return int(self._array("ndim").ndim)

    @property
    def size(self) -> int:
        return int(self._array("size").size)

    @property
    def dtype(self) -> DType:
        return self._array("dtype").dtype

    @property
    def xp(self) -> ArrayModule:
        """``numpy`` or ``cupy``: the module that computes on this array."""
        return backend.module_of(self._array("xp"))

    @property
    def device(self) -> Device:
        """Where the array lives, as a ``fchain.backend.Device``."""
        return get_device_from_array(self._array("device"))

    def _array(self, what: str) -> Array:
        """The array, or ``UninitializedError`` naming ``what`` was asked of it."""
        data = self._data
        if data is None:
            raise _no_array(self, what)
        return data

    @property
    def label(self) -> str:
        """A short description: shape and dtype."""
        if self._data is None:
            return "None"
        return f"{self.shape}, {self.dtype}"

    # ---------------------------------------------------------------- graph
    @property
    def creator(self) -> Node | None:
        """The graph node of the op that made this variable, or ``None`` for a leaf."""
        return self._creator

    @creator.setter
    def creator(self, node: Node | None) -> None:
        self._creator = node

    @property
    def creator_node(self) -> Node | None:
        return self._creator

    @property
    def rank(self) -> int:
        """0 for a leaf, else one more than the creator's longest path from a leaf."""
        return 0 if self._creator is None else self._creator.rank + 1

    def unchain(self) -> None:
        """Forget the creator: this variable becomes a leaf of any later backward."""
        self._creator = None

    def unchain_backward(self) -> None:
        """Cut every link upstream of this variable so the graph behind it can be freed."""
        seen: set[int] = set()
        stack: list[Variable] = [self]
        while stack:
            var = stack.pop()
            node = var._creator
            var._creator = None
            if node is None or id(node) in seen:
                continue
            seen.add(id(node))
            for parent in node.inputs:
                if isinstance(parent, Variable) and parent._creator is not None:
                    stack.append(parent)

    def set_creator(self, node: Node | None) -> None:
        self._creator = node

    # ------------------------------------------------------------ gradients
    def cleargrad(self) -> None:
        """Set the gradient to ``None``."""
        self._grad_var = None

    def zerograd(self) -> None:
        """Set the gradient to zeros of the data's shape and dtype (deprecated in Chainer)."""
        if self._data is None:
            return
        data = self._data
        gv = self._grad_var
        if gv is None:
            self._grad_var = Variable(backend.namespace_of(data).zeros_like(data), requires_grad=False)
        else:
            gv.array[...] = 0

    def addgrad(self, var: Variable) -> None:
        """Add ``var``'s gradient to this variable's, moving it to this device."""
        if not isinstance(var, Variable):
            raise TypeError(f"Variable.addgrad: expected a Variable, got {type(var).__name__}")
        src = var.grad
        if src is None:
            return
        src = get_device_from_array(self._array("addgrad")).send(src)
        dst = self.grad
        self.grad = src.copy() if dst is None else dst + src

    def copydata(self, var: Variable) -> None:
        """Copy ``var``'s data into this variable's array, across devices."""
        if not isinstance(var, Variable):
            raise TypeError(f"Variable.copydata: expected a Variable, got {type(var).__name__}")
        data = self._array("copydata")
        src = get_device_from_array(data).send(var._array("copydata"))
        if src.shape != data.shape:
            raise ShapeError(
                f"Variable.copydata: var has shape {src.shape} but this variable has {data.shape}"
            )
        data[...] = src

    @installed_by("fchain.graph.backprop")
    def backward(self, retain_grad: bool = False, enable_double_backprop: bool = False,
                 loss_scale: float | None = None) -> None:
        """Accumulate the gradient of this variable into every leaf that led to it.

        A one-element variable with no ``grad`` is seeded with 1; a larger one needs
        ``grad`` set first.  Intermediate gradients are freed unless ``retain_grad``;
        ``enable_double_backprop`` records the backward pass so the gradients can be
        differentiated again; ``loss_scale`` scales the implicit seed of 1.
        """
        raise NotImplementedError  # replaced by install()

    # --------------------------------------------------------------- shapes
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

    def item(self) -> float:
        """The single element, as a Python number."""
        data = self._array("item")
        if data.size != 1:
            raise ValueError(f"Variable.item: only a one-element variable has an item, this one has shape {self.shape}")
        return float(data.reshape(()).item())

    def __len__(self) -> int:
        data = self._array("__len__")
        if data.ndim == 0:
            raise TypeError("len() of a 0-dimensional Variable")
        return int(data.shape[0])

    # -------------------------------------------------------------- devices
    def to_cpu(self) -> Variable:
        """Move the data (and gradient) to numpy, in place; returns ``self``."""
        return self.to_device("@numpy")

    def to_gpu(self, device: int | None = None) -> Variable:
        """Move the data (and gradient) to a CuPy device, in place; returns ``self``."""
        return self.to_device(f"@cupy:{0 if device is None else int(device)}")

    def to_device(self, device: object) -> Variable:
        """Move to ``'@numpy'``, ``'@cupy:N'`` or a ``Device``, in place; returns ``self``."""
        target = get_device(device)
        if self._data is not None:
            self._data = target.send(self._data)
        gv = self._grad_var
        if gv is not None:
            gv._data = target.send(gv._array("to_device"))
        return self

    # ------------------------------------------------------------ printing
    def _render(self, separator: str) -> str:
        prefix = "variable" + (f" {self.name}" if self.name else "")
        if self._data is None:
            return f"{prefix}(None)"
        data = backend.to_numpy(self._data)
        if data.size == 0 and data.shape != (0,):
            body = f"[], shape={data.shape!r}"
        else:
            body = numpy.array2string(data, separator=separator, prefix=prefix + "(")
        return f"{prefix}({body})"

    def __repr__(self) -> str:
        """Chainer's format: ``variable([1., 2.])``, or ``variable x([1., 2.])`` when named."""
        return self._render(", ")

    def __str__(self) -> str:
        """Chainer's format: ``variable([1. 2.])``."""
        return self._render(" ")

    def summary(self) -> str:
        return f"<variable {self.name or ''}>" if self.name else "<variable at 0x%x>" % id(self)

    def debug_print(self) -> str:
        """A multi-line description: name, shape, dtype, statistics, gradient."""
        data = backend.to_numpy(self._array("debug_print"))
        lines = [self.summary(), f"- device: {self.device}", f"- backend: {type(self._data)}",
                 f"- shape: {data.shape}", f"- dtype: {data.dtype}"]
        if data.size:
            lines += [f"- statistics: mean={data.mean():.8f}, std={data.std():.8f}"]
        g = self.grad
        lines.append("- grad: None" if g is None else
                     f"- grad: mean={backend.to_numpy(g).mean():.8f}, std={backend.to_numpy(g).std():.8f}")
        return "\n".join(lines)

    # ----------------------------------------------------------- operators
    # Installed by ``fchain.functions`` (``fchain._variable_methods``): each is
    # the public function itself, so ``a + b`` costs one call.
    @installed_by(_FUNCTIONS)
    def __neg__(self) -> Variable:
        raise NotImplementedError  # replaced by install()

    @installed_by(_FUNCTIONS)
    def __abs__(self) -> Variable:
        raise NotImplementedError  # replaced by install()

    def __pos__(self) -> Variable:
        return self

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


def wrap(data: Array) -> Variable:
    """A new graph-less Variable around ``data``, skipping the constructor's checks
    (for arrays fchain made itself)."""
    v = _new(Variable)
    v._data = data
    v._grad_var = None
    v._creator = None
    v._index = 0
    v.name = None
    v.requires_grad = True
    return v


_new = object.__new__


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
        self._data = _check_array(value, "Parameter.array")

    @property  # type: ignore[override]  # Optional here: Chainer's lazy-initialization idiom
    def data(self) -> Array | None:  # pyright: ignore[reportIncompatibleVariableOverride]
        """The same as ``array``: ``None`` until the parameter is initialized."""
        return self._data

    @data.setter
    def data(self, value: Array) -> None:
        self._data = _check_array(value, "Parameter.data")

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


def as_variable(obj: Variable | Array) -> Variable:
    """``obj`` itself if it is a Variable, else a Variable that needs no gradient."""
    if isinstance(obj, Variable):
        return obj
    return Variable(_check_array(obj, "as_variable"), requires_grad=False)


def as_array(obj: Variable | Array) -> Array:
    """The array inside ``obj`` (or ``obj`` itself); ``UninitializedError`` for a
    Variable without one."""
    if isinstance(obj, Variable):
        return obj._array("as_array")
    return _check_array(obj, "as_array")
