"""``LinkSerialization``: Chainer's ``serialize`` for a link tree.

Keys are Chainer's: each link writes its parameters and persistent values (sorted
by name) and then each child under the child's name, so a tree's keys are its
paths (``l1/W``, ``0/b``).
"""

from __future__ import annotations

from typing import cast

import numpy

from fchain.core import backend
from fchain.facade.link_devices import LinkDevices, is_array
from fchain.facade.serializer import AbstractSerializer
from fchain.types import Array

__all__ = ["LinkSerialization"]


class LinkSerialization(LinkDevices):
    """A link tree that saves and loads its values through a serializer."""

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
                stored: Array = backend.to_numpy(data) if is_array(data) else numpy.asarray(data)
                self._initialize_param(param, tuple(int(n) for n in stored.shape))
                param._array("serialize")[...] = self._device.send(stored)
        for name in sorted(self._persistent):
            d[name] = serializer(name, d[name])
        for cname, child in self._child_items():
            cast(LinkSerialization, child).serialize(serializer[cname])
