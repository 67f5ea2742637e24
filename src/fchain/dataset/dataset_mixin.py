"""``Dataset`` (the protocol every iterator reads) and ``DatasetMixin`` (Chainer's
helper that turns ``get_example(i)`` into full ``__getitem__`` support)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol, SupportsIndex, TypeVar, overload

import numpy

from fchain.types import Array

if TYPE_CHECKING:
    from typing_extensions import TypeIs

__all__ = ["Dataset", "DatasetMixin", "Index", "MultiIndex", "is_multi_index"]

E_co = TypeVar("E_co", covariant=True)

MultiIndex = slice | list[int] | Array
"""An index that selects several examples: a slice, a list of ints or an int array."""

Index = SupportsIndex | MultiIndex
"""Any index a dataset accepts."""


def is_multi_index(index: Index) -> TypeIs[MultiIndex]:
    """True for a slice, a list or an array of one or more dimensions: an index that
    selects a list of examples rather than one."""
    return isinstance(index, (slice, list)) or (
        isinstance(index, numpy.ndarray) and index.ndim > 0
    )


class Dataset(Protocol[E_co]):
    """What fchain's iterators and wrappers need from a dataset: a length and
    integer indexing.  Lists, tuples, numpy arrays and every fchain dataset qualify."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int, /) -> E_co: ...


class DatasetMixin(Dataset[E_co]):
    """Base of datasets defined by ``get_example(i)``.

    ``dataset[i]`` calls ``get_example(i)``; a slice, a list of ints or an int array
    returns a list of examples, as in Chainer.  Subclasses implement ``__len__`` and
    ``get_example``.
    """

    @overload
    def __getitem__(self, index: MultiIndex, /) -> list[E_co]: ...

    @overload
    def __getitem__(self, index: SupportsIndex, /) -> E_co: ...

    def __getitem__(self, index: Index, /) -> E_co | list[E_co]:
        if is_multi_index(index):
            if isinstance(index, slice):
                return [self.get_example(i) for i in range(*index.indices(len(self)))]
            return [self.get_example(int(i)) for i in index]
        return self.get_example(index.__index__())

    def __iter__(self) -> Iterator[E_co]:
        """The examples in index order."""
        for i in range(len(self)):
            yield self[i]

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def get_example(self, i: int) -> E_co:
        """The ``i``-th example (``i`` may be negative, counted from the end)."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_example")
