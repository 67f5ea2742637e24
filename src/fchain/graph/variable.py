"""``Variable``: an array that remembers how it was computed.

A Variable wraps one array and, when an op made it, the graph node of that op
(``creator``).  Its mutable parts are exactly Chainer's: ``data``/``array``, ``grad``
(``grad_var``), ``name`` and the creator link that ``unchain`` cuts.  Everything
about differentiation happens in the pure core; ``backward`` calls it and writes
the resulting gradients back.  ``Parameter`` (``fchain.graph.parameter``) is the
trainable kind a Link owns; the operators are declared in
``fchain.graph.variable_operators``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, cast

import numpy

from fchain.array_module import ArrayModule
from fchain.core import backend
from fchain.core.node import GraphVariable, Node
from fchain.errors import ShapeError, UninitializedError
from fchain.graph.device import Device, get_device, get_device_from_array
from fchain.graph.installation import declared_not_installed, install_into, installed_by
from fchain.graph.variable_operators import VariableOperators
from fchain.types import Array, DType, Shape

__all__ = ["Variable", "as_array", "as_variable", "check_array", "install", "installed_by", "not_installed", "wrap"]


def check_array(data: object, where: str) -> Array:
    """``data`` if it is a numpy or CuPy array; else a ``TypeError`` naming ``where``."""
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
    kind = var._kind
    return UninitializedError(f"{kind}.{what}: this {kind.lower()} has no array yet; {var._how_to_fill}")


class Variable(GraphVariable, VariableOperators):
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
    _kind: ClassVar[str] = "Variable"
    _how_to_fill: ClassVar[str] = "assign one with .array = ..."
    """How errors about a missing array name this kind of variable and its remedy."""

    def __init__(self, data: Array | None = None, *, name: str | None = None,
                 grad: Array | None = None, requires_grad: bool = True) -> None:
        self._data = None if data is None else check_array(data, "Variable")
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
        self._data = check_array(value, "Variable.data")

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
        self._data = check_array(value, "Variable.array")

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
            g = check_array(value, "Variable.grad")
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
    def item(self) -> float:
        """The single element, as a Python number."""
        data = self._array("item")
        if data.size != 1:
            raise ValueError(f"Variable.item: only a one-element variable has an item, this one has shape {self.shape}")
        return float(data.reshape(()).item())

    def __pos__(self) -> Variable:
        return self

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


_FUNCTIONS = "fchain.functions"


def install(layer: str, **methods: Callable[..., object]) -> None:
    """Install ``layer``'s implementations of the Variable methods it declared
    (``installed_by``; see ``fchain.graph.installation``)."""
    install_into(Variable, layer, methods)


def not_installed(layer: str) -> list[str]:
    """The methods of Variable that ``layer`` declared and has not installed yet."""
    return declared_not_installed(Variable, layer)


def as_variable(obj: Variable | Array) -> Variable:
    """``obj`` itself if it is a Variable, else a Variable that needs no gradient."""
    if isinstance(obj, Variable):
        return obj
    return Variable(check_array(obj, "as_variable"), requires_grad=False)


def as_array(obj: Variable | Array) -> Array:
    """The array inside ``obj`` (or ``obj`` itself); ``UninitializedError`` for a
    Variable without one."""
    if isinstance(obj, Variable):
        return obj._array("as_array")
    return check_array(obj, "as_array")
