"""``Link``, ``Chain`` and ``ChainList``: parameters and sub-links in a tree.

Registration follows Chainer: inside ``with self.init_scope():`` assigning a
``Parameter`` to an attribute registers it as a parameter, and (in a ``Chain``)
assigning a ``Link`` registers it as a child.  Parameters and persistents are kept
in insertion-ordered name sets; traversal (``params``, ``namedparams``, ``links``,
``namedlinks``, ``children``, ``serialize``) visits each level in sorted name order,
as Chainer 7 does, except ``ChainList`` children, which keep their index order.
Paths are Chainer's: ``/l1/W``, ``/0/b``.

Typing a model
--------------
``model(x)`` is typed from ``forward``: a subclass that defines
``def forward(self, x: Variable) -> Variable`` makes ``model(x)`` a ``Variable``
and ``model("a")`` a mypy error; ``forward`` may return anything (a tuple, a
float).  A subclass may define ``__call__`` instead, as Chainer's tutorial does;
it is typed as written, but must return a ``Variable`` (mypy checks it against
``Link.__call__``): for other results define ``forward``.  A value whose static
type is just ``Link`` (for instance ``chain_list[0]``) is callable with any
arguments and is assumed to return a ``Variable``.  Attributes assigned in
``__init__`` keep the types mypy infers for them (``self.l1 = L.Linear(3, 2)`` is
a ``Linear``, and ``self.l1.W`` a ``Parameter``); declare persistents added with
``add_persistent`` in the class body (``counter: int``) to read them typed.

``ChainList`` is generic in its links' type: ``ChainList[L.Linear]`` makes
``chain[0]`` a ``Linear``; a bare ``ChainList`` holds ``Link``.
"""

from __future__ import annotations

import contextlib
import copy as _copy
import warnings
from collections.abc import Callable, Iterable, Iterator, MutableSequence
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, Self, TypeVar, overload

import numpy

from fchain.core import backend
from fchain.graph.device import Device, get_device
from fchain.facade.serializer import AbstractSerializer
from fchain.graph.variable import Parameter, Variable
from fchain.types import Array, ArrayNamespace, DTypeLike

if TYPE_CHECKING:
    from fchain.facade.sequential import Sequential

__all__ = ["Chain", "ChainList", "CopyMode", "Link"]

structure_version = [0]
"""Bumped whenever any link gains or loses a parameter or a child, so an optimizer
can keep its parameter list and still notice a change of structure."""

CopyMode = Literal["share", "copy", "init"]
_COPY_MODES = ("share", "copy", "init")

_F_co = TypeVar("_F_co", bound=Callable[..., Any], covariant=True)


class _HasForward(Protocol[_F_co]):
    @property
    def forward(self) -> _F_co: ...


class _ForwardCall:
    """Static-only descriptor that types ``link(...)`` as ``link.forward(...)``.

    mypy reads ``Link.__call__`` through this ``__get__``: on an instance whose
    class defines ``forward``, calling the link is calling that bound method (same
    parameters, same result); on a plain ``Link`` it takes anything and gives a
    ``Variable``.  At run time ``Link.__call__`` is an ordinary method.
    """

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> _ForwardCall: ...
    @overload
    def __get__(self, obj: _HasForward[_F_co], owner: type[Any]) -> _F_co: ...
    @overload
    def __get__(self, obj: Link, owner: type[Any]) -> Callable[..., Variable]: ...

    def __get__(self, obj: object, owner: type[Any]) -> object:  # pragma: no cover - static only
        raise NotImplementedError


def _is_array(value: object) -> bool:
    return isinstance(value, numpy.ndarray) or backend.is_cupy_array(value)


class Link:
    """A building block of models: named parameters, persistent values, a device.

    ``Link()`` takes no arguments; subclasses register parameters in
    ``init_scope()`` and define ``forward`` (or ``__call__``).
    """

    name: str | None
    _params: dict[str, None]
    _persistent: dict[str, None]
    _within_init_scope: bool
    _device: Device

    def __init__(self) -> None:
        d = self.__dict__
        d["_params"] = {}
        d["_persistent"] = {}
        d["_within_init_scope"] = False
        d["_device"] = get_device("@numpy")
        d["name"] = None

    # ------------------------------------------------------------ calling
    if TYPE_CHECKING:
        __call__ = _ForwardCall()
    else:

        def __call__(self, *args, **kwargs):
            try:
                forward = self.forward
            except AttributeError:
                forward = None
            if forward is None:
                raise AttributeError(
                    f"{type(self).__name__}: a Link is called through its forward method, "
                    "which this class does not define (define forward or __call__)")
            return forward(*args, **kwargs)

    # ------------------------------------------------------- registration
    @property
    def within_init_scope(self) -> bool:
        """True inside ``with self.init_scope():``."""
        return bool(self.__dict__.get("_within_init_scope", False))

    @contextlib.contextmanager
    def init_scope(self) -> Iterator[None]:
        """Within this block, assigning a ``Parameter`` (or, in a Chain, a Link) to an
        attribute registers it."""
        d = self.__dict__
        old = d.get("_within_init_scope", False)
        d["_within_init_scope"] = True
        try:
            yield
        finally:
            d["_within_init_scope"] = old

    def __setattr__(self, name: str, value: object) -> None:
        d = self.__dict__
        params: dict[str, None] | None = d.get("_params")
        if params is not None:
            if isinstance(value, Parameter):
                if d.get("_within_init_scope", False):
                    structure_version[0] += 1
                    value.name = name
                    self._send_param(value)
                    params[name] = None
                    self._persistent.pop(name, None)
                elif name in params:
                    structure_version[0] += 1  # the registered name now holds another Parameter
            elif name in params:
                # A registered parameter replaced by something else is no longer one.
                structure_version[0] += 1
                del params[name]
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        if name in d["_params"] or name in d.get("_children", ()):
            structure_version[0] += 1
        d["_params"].pop(name, None)
        d["_persistent"].pop(name, None)
        object.__delattr__(self, name)

    def _send_param(self, param: Parameter) -> None:
        device = self.__dict__.get("_device")
        if device is not None and device.name != "@numpy" and param.is_initialized:
            param.to_device(device)

    def add_param(self, name: str, shape: int | tuple[int, ...] | None = None,
                  dtype: DTypeLike = numpy.float32, initializer: object = None) -> None:
        """Register a new parameter ``name`` (deprecated in Chainer: assign a
        ``Parameter`` inside ``init_scope()`` instead).  Without ``initializer`` the
        parameter is filled with NaN of ``dtype``."""
        warnings.warn(
            "Link.add_param is deprecated; assign a Parameter to an attribute inside "
            "'with link.init_scope():' instead", DeprecationWarning, stacklevel=2)
        if name in self.__dict__:
            raise AttributeError(f"Link.add_param: cannot register a new parameter {name!r}: attribute exists")
        if initializer is None:
            from fchain.initializers import NaN

            initializer = NaN(dtype)
        param = Parameter(initializer, shape)
        with self.init_scope():
            setattr(self, name, param)

    def add_persistent(self, name: str, value: object) -> None:
        """Register ``value`` under ``name`` as a persistent value: serialized with
        the link and moved with it between devices, but not trained."""
        d = self.__dict__
        if name in d:
            raise AttributeError(
                f"Link.add_persistent: cannot register a new persistent value {name!r}: attribute exists")
        if _is_array(value):
            value = self._device.send(value)  # type: ignore[arg-type]  # checked by _is_array
        self._persistent[name] = None
        d[name] = value

    def register_persistent(self, name: str) -> None:
        """Register the existing attribute ``name`` as a persistent value."""
        if not hasattr(self, name):
            raise AttributeError(
                f"Link.register_persistent: cannot register non-existent attribute {name!r} "
                "as a persistent value")
        self._persistent[name] = None
        if self._params.pop(name, 0) is None:  # it was a registered parameter
            structure_version[0] += 1

    # ---------------------------------------------------------- traversal
    def _child_items(self) -> Iterator[tuple[str, Link]]:
        """``(name, child)`` pairs in traversal order (none for a plain Link)."""
        return iter(())

    def _own_params(self) -> Iterator[tuple[str, Parameter]]:
        d = self.__dict__
        for name in sorted(self._params):
            yield name, d[name]

    def params(self, include_uninit: bool = True) -> Iterator[Parameter]:
        """Every parameter of this link and its descendants, in ``namedparams`` order."""
        for _, param in self.namedparams(include_uninit):
            yield param

    def namedparams(self, include_uninit: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(path, parameter)`` pairs: own parameters (``/W``) sorted by name, then
        each child's under its name (``/l1/W``)."""
        for name, param in self._own_params():
            if include_uninit or param.is_initialized:
                yield "/" + name, param
        for cname, child in self._child_items():
            prefix = "/" + cname
            for path, param in child.namedparams(include_uninit):
                yield prefix + path, param

    def links(self, skipself: bool = False) -> Iterator[Link]:
        """This link (unless ``skipself``) and every descendant, depth first."""
        for _, link in self.namedlinks(skipself):
            yield link

    def namedlinks(self, skipself: bool = False) -> Iterator[tuple[str, Link]]:
        """``(path, link)`` pairs: ``('/', self)``, then ``('/l1', ...)``,
        ``('/l1/sub', ...)``, ..."""
        if not skipself:
            yield "/", self
        for cname, child in self._child_items():
            prefix = "/" + cname
            yield prefix, child
            for path, link in child.namedlinks(skipself=True):
                yield prefix + path, link

    def children(self) -> Iterator[Link]:
        """The direct child links."""
        for _, child in self._child_items():
            yield child

    def count_params(self) -> int:
        """The number of scalars in all initialized parameters (warns for each
        uninitialized one)."""
        size = 0
        for path, param in self.namedparams():
            if not param.is_initialized:
                warnings.warn(
                    f"Parameter '{path}' has not been initialized, so the resulting count will "
                    "not include the number of parameters in it.", stacklevel=2)
                continue
            size += param.size
        return size

    # ---------------------------------------------------------- gradients
    def _param_list(self) -> list[Parameter]:
        """``list(self.params())``, kept until the link tree changes anywhere (the
        ``structure_version``); a copied link (another ``id``) builds its own."""
        d = self.__dict__
        version = structure_version[0]
        cached = d.get("_param_list_cache")
        if cached is not None and cached[0] == version and cached[1] == id(self):
            params: list[Parameter] = cached[2]
            return params
        params = list(self.params())
        d["_param_list_cache"] = (version, id(self), params)
        return params

    def cleargrads(self) -> None:
        """Set every parameter's gradient to ``None``."""
        for param in self._param_list():
            param.cleargrad()

    def zerograds(self) -> None:
        """Set every gradient to zeros (deprecated in Chainer: use ``cleargrads``)."""
        warnings.warn("Link.zerograds is deprecated. Use Link.cleargrads instead.",
                      DeprecationWarning, stacklevel=2)
        for param in self.params():
            param.zerograd()

    def addgrads(self, link: Link) -> None:
        """Add the gradients of ``link`` (same structure) to this link's, across devices."""
        if not isinstance(link, Link):
            raise TypeError(f"{type(self).__name__}.addgrads: expected a Link, got {type(link).__name__}")
        src = link.__dict__
        for name, param in self._own_params():
            param.addgrad(_lookup_param(src, name, f"{type(self).__name__}.addgrads"))
        others = dict(link._child_items())
        for cname, child in self._child_items():
            child.addgrads(_lookup_child(others, cname, f"{type(self).__name__}.addgrads"))

    # ------------------------------------------------------------ updates
    def enable_update(self) -> None:
        """Enable the update rule of every parameter that has one."""
        for param in self.params():
            rule = param.update_rule
            if rule is not None:
                rule.enabled = True

    def disable_update(self) -> None:
        """Disable the update rule of every parameter that has one (so an optimizer
        that is already set up leaves them unchanged)."""
        for param in self.params():
            rule = param.update_rule
            if rule is not None:
                rule.enabled = False

    @property
    def update_enabled(self) -> bool:
        """True if at least one parameter has an enabled update rule."""
        for param in self.params():
            rule = param.update_rule
            if rule is not None and rule.enabled:
                return True
        return False

    # ------------------------------------------------------------ copying
    def copy(self, mode: CopyMode = "share") -> Self:
        """A copy of the link tree.

        ``'share'``: new link objects whose parameters share the arrays (and not the
        gradients) with this one.  ``'copy'``: a deep copy with the same values.
        ``'init'``: a deep copy whose initialized parameters are re-drawn from
        their initializers.  Update rules are never copied (the copy's parameters
        have none).
        """
        if mode not in _COPY_MODES:
            raise ValueError(
                f"{type(self).__name__}.copy: mode must be 'init', 'copy' or 'share', got {mode!r}")
        if mode == "share":
            return self._copy_share()
        memo: dict[int, object] = {}
        for param in self.params():
            if param.update_rule is not None:
                memo[id(param.update_rule)] = None
        for link in self.links():
            memo[id(link._device)] = link._device  # devices are shared, never copied
        ret = _copy.deepcopy(self, memo)
        for param in ret.params():
            param.update_rule = None
        if mode == "init":
            for link in ret.links():
                for _, param in link._own_params():
                    if param.is_initialized:
                        link._initialize_param(param, param.shape)
        return ret

    def _copy_share(self) -> Self:
        ret = _copy.copy(self)
        d = ret.__dict__
        d["_params"] = dict(self._params)
        d["_persistent"] = dict(self._persistent)
        d["name"] = None
        for name in ret._params:
            shared = _copy.copy(d[name])
            shared.cleargrad()
            d[name] = shared
        return ret

    def copyparams(self, link: Link, copy_persistent: bool = True) -> None:
        """Copy the parameter values (not gradients) of ``link``, which has the same
        structure, into this link's arrays, across devices; persistents too unless
        ``copy_persistent=False``.

        Lazy parameters follow Chainer's ``copydata``: an uninitialized parameter
        here is initialized with the source's shape; an uninitialized source
        parameter is initialized (on the source link's device, by its own
        initializer) with this one's shape and then copied; a pair of uninitialized
        parameters is left alone."""
        if not isinstance(link, Link):
            raise TypeError(f"{type(self).__name__}.copyparams: expected a Link, got {type(link).__name__}")
        src = link.__dict__
        dst = self.__dict__
        for name, param in self._own_params():
            other = _lookup_param(src, name, f"{type(self).__name__}.copyparams")
            if not other.is_initialized:
                if not param.is_initialized:
                    continue
                link._initialize_param(other, param.shape)
            elif not param.is_initialized:
                self._initialize_param(param, other.shape)
            param.copydata(other)
        if copy_persistent:
            for name in self._persistent:
                if name not in src:
                    raise AttributeError(
                        f"{type(self).__name__}.copyparams: the source link has no persistent {name!r}")
                value = src[name]
                mine = dst[name]
                if _is_array(mine) and _is_array(value):
                    mine[...] = self._device.send(value)
                else:
                    dst[name] = _copy.deepcopy(value)
        others = dict(link._child_items())
        for cname, child in self._child_items():
            child.copyparams(_lookup_child(others, cname, f"{type(self).__name__}.copyparams"), copy_persistent)

    def repeat(self, n_repeat: int, mode: CopyMode = "init") -> Sequential:
        """A ``Sequential`` of ``n_repeat`` copies of this link made with ``copy(mode)``."""
        from fchain.facade.sequential import Sequential

        ret = Sequential()
        if n_repeat <= 0:
            return ret
        if mode not in _COPY_MODES:
            raise ValueError(
                f"{type(self).__name__}.repeat: mode must be 'init', 'copy' or 'share', got {mode!r}")
        for _ in range(n_repeat):
            ret.append(self.copy(mode))
        return ret

    # ------------------------------------------------------------ devices
    @property
    def device(self) -> Device:
        """The device this link's arrays live on."""
        return self._device

    @property
    def xp(self) -> ArrayNamespace:
        """``numpy`` or ``cupy``: the array module of this link's device."""
        return self._device.xp

    def to_device(self, device: object) -> Self:
        """Move parameters (data and gradients), persistent arrays and children to
        ``device`` (``'@numpy'``, ``'@cupy:N'``, a Device, ...), in place."""
        target = get_device(device)
        for link in self.links():
            link._move_own(target)
        return self

    def _move_own(self, target: Device) -> None:
        d = self.__dict__
        for _, param in self._own_params():
            param.to_device(target)
        for name in self._persistent:
            value = d[name]
            if _is_array(value):
                d[name] = target.send(value)
        d["_device"] = target

    def to_cpu(self) -> Self:
        """Move everything to the host (numpy); returns ``self``."""
        return self.to_device("@numpy")

    def to_gpu(self, device: int | None = None) -> Self:
        """Move everything to CuPy device ``device`` (0 when omitted); returns ``self``."""
        return self.to_device(f"@cupy:{0 if device is None else int(device)}")

    def _initialize_param(self, param: Parameter, shape: int | tuple[int, ...]) -> None:
        """Initialize ``param`` with ``shape`` on this link's device (lazy parameters)."""
        param.initialize(shape)
        if self._device.name != "@numpy":
            param.to_device(self._device)

    # ------------------------------------------------------ serialization
    def serialize(self, serializer: AbstractSerializer) -> None:
        """Save or load parameters and persistents (sorted by name), then children.

        An uninitialized parameter is saved as ``None``; loading data into one
        initializes it with the stored shape first.
        """
        d = self.__dict__
        for name, param in self._own_params():
            current = param.array if param.is_initialized else None
            data = serializer(name, current)
            if current is None and data is not None:
                stored: Array = backend.to_numpy(data) if _is_array(data) else numpy.asarray(data)
                self._initialize_param(param, tuple(int(n) for n in stored.shape))
                param._array("serialize")[...] = self._device.send(stored)
        for name in sorted(self._persistent):
            d[name] = serializer(name, d[name])
        for cname, child in self._child_items():
            child.serialize(serializer[cname])

    # ----------------------------------------------------------- printing
    def printable_specs(self) -> Iterator[tuple[str, object]]:
        """``(name, value)`` pairs shown in ``repr`` (e.g. ``in_size=3``)."""
        return iter(())

    def _repr_lines(self, indent: int) -> list[str]:
        specs = ", ".join(f"{k}={v}" for k, v in self.printable_specs())
        children = list(self._child_items())
        if not children:
            return [f"{type(self).__name__}({specs})"]
        pad = "  " * (indent + 1)
        lines = [f"{type(self).__name__}("]
        for cname, child in children:
            sub = child._repr_lines(indent + 1)
            lines.append(f"{pad}({cname}): {sub[0]}")
            lines.extend(sub[1:])
            lines[-1] += ","
        lines.append("  " * indent + ")")
        return lines

    def __repr__(self) -> str:
        return "\n".join(self._repr_lines(0))


def _lookup_param(src: dict[str, Any], name: str, where: str) -> Parameter:
    value = src.get(name)
    if not isinstance(value, Parameter):
        raise AttributeError(f"{where}: the source link has no parameter {name!r}")
    return value


def _lookup_child(children: dict[str, Link], name: str, where: str) -> Link:
    if name not in children:
        raise AttributeError(f"{where}: the source link has no child link {name!r}")
    return children[name]


class Chain(Link):
    """A link with named child links, registered by assignment in ``init_scope()``.

    ``Chain(**links)`` (deprecated in Chainer) registers each keyword as a child.
    """

    _children: dict[str, None]

    def __init__(self, **links: Link) -> None:
        super().__init__()
        self.__dict__["_children"] = {}
        for name, link in links.items():
            self.add_link(name, link)

    def __getitem__(self, name: str) -> Link:
        """The child link ``name`` (``chain['l1']`` is ``chain.l1``)."""
        value = self.__dict__.get(name) if name in self._children else None
        if not isinstance(value, Link):
            raise KeyError(f"{type(self).__name__} has no child link {name!r}")
        return value

    def __setattr__(self, name: str, value: object) -> None:
        d = self.__dict__
        children: dict[str, None] | None = d.get("_children")
        if children is not None:
            if isinstance(value, Link):
                if d.get("_within_init_scope", False):
                    if hasattr(self, name):  # also refuses to shadow methods such as params
                        raise AttributeError(
                            f"{type(self).__name__}: cannot register a new link {name!r}: attribute exists")
                    value.name = name
                    device = d.get("_device")
                    if device is not None and device.name != "@numpy":
                        value.to_device(device)
                    children[name] = None
                    structure_version[0] += 1
                elif name in children:
                    structure_version[0] += 1  # the registered name now holds another link
            elif name in children:
                del children[name]
                structure_version[0] += 1
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        if name in self.__dict__["_children"]:
            structure_version[0] += 1
            del self.__dict__["_children"][name]
        super().__delattr__(name)

    def add_link(self, name: str, link: Link) -> None:
        """Register ``link`` as the child ``name`` (deprecated in Chainer: assign it
        inside ``init_scope()`` instead)."""
        warnings.warn(
            "Chain.add_link and Chain(**links) are deprecated; assign the link to an attribute "
            "inside 'with chain.init_scope():' instead", DeprecationWarning, stacklevel=2)
        if name in self.__dict__:
            raise AttributeError(f"Chain.add_link: cannot register a new link {name!r}: attribute exists")
        if not isinstance(link, Link):
            raise TypeError(f"Chain.add_link: cannot register a non-link object ({type(link).__name__}) as a child")
        with self.init_scope():
            setattr(self, name, link)

    def _child_items(self) -> Iterator[tuple[str, Link]]:
        d = self.__dict__
        for name in sorted(self._children):
            yield name, d[name]

    def _copy_share(self) -> Self:
        ret = super()._copy_share()
        d = ret.__dict__
        d["_children"] = dict(self._children)
        for name in ret._children:
            child = d[name].copy("share")
            child.name = name
            d[name] = child
        return ret


if TYPE_CHECKING:
    from typing_extensions import TypeVar as _TypeVarWithDefault

    _LinkT = _TypeVarWithDefault("_LinkT", bound=Link, default=Link)
else:
    _LinkT = TypeVar("_LinkT", bound=Link)


class ChainList(Link, MutableSequence[_LinkT], Generic[_LinkT]):
    """A link holding a list of child links, named by index (``/0``, ``/1``, ...).

    ``ChainList(*links)`` registers the given links.  It is a mutable sequence:
    ``append``/``add_link``, ``insert``, ``chain[i] = link``, ``del chain[i]``.
    Registering links by attribute assignment inside ``init_scope()`` is an error
    (parameters may still be assigned there).
    """

    _children: list[_LinkT]

    def __init__(self, *links: _LinkT) -> None:
        super().__init__()
        self.__dict__["_children"] = []
        for link in links:
            self.add_link(link)

    def __setattr__(self, name: str, value: object) -> None:
        if self.within_init_scope and isinstance(value, Link):
            raise TypeError(
                "ChainList: cannot register a new link within a 'with chainlist.init_scope():' "
                "block; use add_link or append")
        super().__setattr__(name, value)

    def _adopt(self, link: Link, index: int) -> None:
        if not isinstance(link, Link):
            raise TypeError(f"ChainList: only Links can be registered, got {type(link).__name__}")
        link.name = str(index)
        if self._device.name != "@numpy":
            link.to_device(self._device)

    def _rename(self) -> None:
        structure_version[0] += 1
        for i, link in enumerate(self._children):
            link.name = str(i)

    def add_link(self, link: _LinkT) -> None:
        """Append ``link`` as the next child."""
        self._adopt(link, len(self._children))
        self._children.append(link)
        structure_version[0] += 1

    def append(self, value: _LinkT) -> None:
        """Append ``value`` as the next child (same as ``add_link``)."""
        self.add_link(value)

    def insert(self, index: int, value: _LinkT) -> None:
        """Insert ``value`` before ``index``; later children are renumbered."""
        self._adopt(value, index)
        self._children.insert(index, value)
        self._rename()

    @overload
    def __getitem__(self, index: int) -> _LinkT: ...
    @overload
    def __getitem__(self, index: slice) -> list[_LinkT]: ...

    def __getitem__(self, index: int | slice) -> _LinkT | list[_LinkT]:
        return self._children[index]

    @overload
    def __setitem__(self, index: int, value: _LinkT) -> None: ...
    @overload
    def __setitem__(self, index: slice, value: Iterable[_LinkT]) -> None: ...

    def __setitem__(self, index: int | slice, value: _LinkT | Iterable[_LinkT]) -> None:
        if isinstance(index, slice):
            links = list(value)  # type: ignore[arg-type]  # the slice overload passes an iterable
            for link in links:
                self._adopt(link, 0)
            self._children[index] = links
        else:
            self._adopt(value, index)  # type: ignore[arg-type]  # the int overload passes a link
            self._children[index] = value  # type: ignore[assignment]  # as above
        self._rename()

    def __delitem__(self, index: int | slice) -> None:
        del self._children[index]
        self._rename()

    def __len__(self) -> int:
        return len(self._children)

    def __iter__(self) -> Iterator[_LinkT]:
        return iter(self._children)

    def _child_items(self) -> Iterator[tuple[str, Link]]:
        for i, link in enumerate(self._children):
            yield str(i), link

    def _copy_share(self) -> Self:
        ret = super()._copy_share()
        children = [link.copy("share") for link in self._children]
        ret.__dict__["_children"] = children
        ret._rename()
        return ret
