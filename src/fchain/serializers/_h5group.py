"""``HDF5Group``: what fchain's HDF5 serializers use of an h5py group.

h5py ships no type information, so ``h5py.Group`` in a public signature would be
``Any`` (mypy) or unknown (pyright) on a user's side.  The serializers take this
protocol instead: an ``h5py.File`` or ``h5py.Group`` satisfies it (checked against
fchain's local h5py stubs by mypy, and by the HDF5 tests at run time), and a
user's checker sees exactly what the serializer will call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from fchain.types import DType

__all__ = ["HDF5Group"]


class HDF5Group(Protocol):
    """An h5py group (or file) as the HDF5 serializers use it."""

    @property
    def name(self) -> str | None:
        """The group's path in its file (``'/'`` for the root)."""
        ...

    def require_group(self, name: str) -> HDF5Group:
        """The subgroup ``name``, created if missing."""
        ...

    def create_dataset(self, name: str, *, data: object, dtype: DType | None = None,
                       compression: int | None = None) -> object:
        """Store ``data`` as the dataset ``name``."""
        ...

    def visititems(self, func: Callable[[str, object], object]) -> object:
        """Call ``func(path, member)`` for every group and dataset below."""
        ...
