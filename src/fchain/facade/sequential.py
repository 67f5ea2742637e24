"""``Sequential``: layers called one after another.

``Sequential(L.Linear(None, 100), F.relu, L.Linear(100, 10))`` holds links and
plain callables.  It is a ``ChainList`` whose children are the Link layers only,
numbered among themselves: in the example the parameters are ``/0/W``, ``/0/b``,
``/1/W``, ``/1/b``, as in Chainer's files.

Typing: every layer is a ``Callable[..., Variable]`` (a Link is one), and
``seq(x)`` is a ``Variable``.  A layer that returns a tuple is unpacked into the
next layer's arguments at run time, as in Chainer; if the last layer returns a
tuple, cast the result.

This module also gives ``Link.repeat`` its container (``Link._sequential_class``):
``Link`` cannot import ``Sequential``, which is built on it.
"""

from __future__ import annotations

import copy as _copy
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Self, SupportsIndex, TypeAlias, overload

from fchain.facade.chain_list import ChainList
from fchain.facade.link_base import Link
from fchain.facade.link_copy import CopyMode, check_copy_mode
from fchain.graph.variable import Variable
from fchain.types import Array

__all__ = ["Layer", "Sequential"]

Layer: TypeAlias = Callable[..., Variable]
"""A layer of a Sequential: a Link or any callable returning a Variable."""


def _layer_name(layer: object) -> str:
    if isinstance(layer, Link):
        return type(layer).__name__
    return str(getattr(layer, "__name__", type(layer).__name__))


class Sequential(ChainList[Link]):
    """Layers (links and functions) applied in order by ``forward``."""

    _layers: list[Layer]

    def __init__(self, *layers: Layer) -> None:
        super().__init__()
        self.__dict__["_layers"] = []
        for layer in layers:
            self.append(layer)

    # ---------------------------------------------------------- structure
    def _sync(self) -> None:
        """Rebuild the link children from the layers and renumber them."""
        links = [layer for layer in self._layers if isinstance(layer, Link)]
        for i, link in enumerate(links):
            link.name = str(i)
            if self._device.name != "@numpy":
                link.to_device(self._device)
        old = self._children
        self.__dict__["_children"] = links
        self._children_changed(old, links)

    @staticmethod
    def _check(layer: object) -> None:
        if not callable(layer):
            raise TypeError(f"Sequential: a layer must be a Link or a callable, got {type(layer).__name__}")

    def __len__(self) -> int:
        return len(self._layers)

    @overload  # type: ignore[override]  # a Sequential also holds plain functions
    def __getitem__(self, index: int) -> Layer: ...
    @overload
    def __getitem__(self, index: slice) -> list[Layer]: ...

    def __getitem__(self, index: int | slice) -> Layer | list[Layer]:
        return self._layers[index]

    @overload
    def __setitem__(self, index: int, value: Layer) -> None: ...
    @overload
    def __setitem__(self, index: slice, value: Iterable[Layer]) -> None: ...

    def __setitem__(self, index: int | slice, value: Layer | Iterable[Layer]) -> None:
        if isinstance(index, slice):
            layers = list(value)  # type: ignore[arg-type]  # the slice overload passes an iterable
            for layer in layers:
                self._check(layer)
            self._layers[index] = layers
        else:
            self._check(value)
            self._layers[index] = value  # type: ignore[assignment]  # the int overload passes a layer
        self._sync()

    def __delitem__(self, index: int | slice) -> None:
        del self._layers[index]
        self._sync()

    def __iter__(self) -> Iterator[Layer]:  # type: ignore[override]  # layers, not only links
        return iter(self._layers)

    def insert(self, index: int, value: Layer) -> None:
        """Insert ``value`` before ``index``."""
        self._check(value)
        n = len(self._layers)
        if not -n <= index <= n:
            raise IndexError(f"Sequential.insert: index {index} is out of range for {n} layers")
        self._layers.insert(index, value)
        self._sync()

    def append(self, value: Layer) -> None:
        """Add ``value`` as the last layer."""
        self.insert(len(self._layers), value)

    def add_link(self, link: Link) -> None:
        """Add ``link`` as the last layer (same as ``append``)."""
        self.append(link)

    def extend(self, values: Iterable[Layer]) -> None:
        """Append every layer of ``values`` (a Sequential or any iterable of layers)."""
        for layer in list(values):
            self.append(layer)

    def remove(self, value: Layer) -> None:
        """Remove the first occurrence of ``value`` (compared by identity)."""
        for i, layer in enumerate(self._layers):
            if layer is value:
                del self[i]
                return
        raise ValueError("Sequential.remove: the layer is not in this Sequential")

    def pop(self, index: int = -1) -> Layer:  # type: ignore[override]  # any layer
        """Remove and return the layer at ``index`` (the last by default)."""
        layer = self._layers[index]
        del self[index]
        return layer

    def clear(self) -> None:
        """Remove every layer."""
        self._layers.clear()
        self._sync()

    def index(self, value: object, start: int = 0, stop: SupportsIndex | None = None) -> int:
        """The position of the first layer that is ``value``."""
        end = len(self._layers) if stop is None else int(stop)
        for i in range(start, end):
            if self._layers[i] is value:
                return i
        raise ValueError("Sequential.index: the layer is not in this Sequential")

    def count(self, value: object) -> int:
        """How many layers are ``value``."""
        return sum(1 for layer in self._layers if layer is value)

    def count_by_layer_type(self, type_name: str) -> int:
        """How many layers have class name (links) or ``__name__`` (functions) ``type_name``."""
        return sum(1 for layer in self._layers if _layer_name(layer) == type_name)

    def remove_by_layer_type(self, type_name: str) -> None:
        """Remove every layer whose class name or ``__name__`` is ``type_name``."""
        kept = [layer for layer in self._layers if _layer_name(layer) != type_name]
        self.__dict__["_layers"] = kept
        self._sync()

    def flatten(self) -> Sequential:
        """A new Sequential with nested Sequentials expanded into their layers."""
        ret = Sequential()
        for layer in self._layers:
            if isinstance(layer, Sequential):
                ret.extend(layer.flatten())
            else:
                ret.append(layer)
        return ret

    def __add__(self, other: Sequential | Layer) -> Sequential:
        """A new Sequential with ``other``'s layers (or ``other`` itself) after these."""
        ret = Sequential(*self._layers)
        if isinstance(other, Sequential):
            ret.extend(other)
        else:
            ret.append(other)
        return ret

    # ------------------------------------------------------------ forward
    def forward(self, *x: Variable | Array) -> Variable:
        """Call the layers in turn; a tuple result is passed on as several arguments."""
        if not self._layers:
            raise RuntimeError("Sequential: there are no layers to call")
        h: Any = x
        for layer in self._layers:
            h = layer(*h) if isinstance(h, tuple) else layer(h)
        result: Variable = h
        return result

    # ------------------------------------------------------------ copying
    def copy(self, mode: CopyMode = "share") -> Self:
        """A new Sequential whose Link layers are ``layer.copy(mode)`` and whose other
        layers are shallow copies."""
        check_copy_mode(mode, "Sequential.copy")
        ret = type(self).__new__(type(self))
        Sequential.__init__(ret)
        for layer in self._layers:
            ret.append(layer.copy(mode) if isinstance(layer, Link) else _copy.copy(layer))
        return ret

    def _repr_lines(self, indent: int) -> list[str]:
        if not self._layers:
            return ["Sequential()"]
        pad = "  " * (indent + 1)
        lines = ["Sequential("]
        for i, layer in enumerate(self._layers):
            sub = layer._repr_lines(indent + 1) if isinstance(layer, Link) else [repr(layer)]
            lines.append(f"{pad}({i}): {sub[0]}")
            lines.extend(sub[1:])
            lines[-1] += ","
        lines.append("  " * indent + ")")
        return lines


Link._sequential_class = Sequential
