"""``LinkDevices``: the device a link's arrays live on, and moving them.

A link remembers its device; ``to_device`` (and ``to_cpu``/``to_gpu``) moves the
parameters (data and gradients), the persistent arrays and every child, in place.
Parameters registered or initialized later are created on the link's device.
"""

from __future__ import annotations

from typing import Self, TypeGuard, cast

import numpy

from fchain.array_module import ArrayModule
from fchain.core import backend
from fchain.facade.link_tree import LinkTree
from fchain.graph.device import Device, get_device
from fchain.graph.parameter import Parameter
from fchain.types import Array

__all__ = ["LinkDevices", "is_array"]


def is_array(value: object) -> TypeGuard[Array]:
    """True for a numpy or CuPy array (the persistent values a device move sends)."""
    return isinstance(value, numpy.ndarray) or backend.is_cupy_array(value)


class LinkDevices(LinkTree):
    """A link tree whose arrays live on one device."""

    _device: Device

    def __init__(self) -> None:
        super().__init__()
        self.__dict__["_device"] = get_device("@numpy")

    @property
    def device(self) -> Device:
        """The device this link's arrays live on."""
        return self._device

    @property
    def xp(self) -> ArrayModule:
        """``numpy`` or ``cupy``: the array module of this link's device."""
        return self._device.xp

    def to_device(self, device: object) -> Self:
        """Move parameters (data and gradients), persistent arrays and children to
        ``device`` (``'@numpy'``, ``'@cupy:N'``, a Device, ...), in place."""
        target = get_device(device)
        for link in self._subtree():
            cast(LinkDevices, link)._move_own(target)
        return self

    def to_cpu(self) -> Self:
        """Move everything to the host (numpy); returns ``self``."""
        return self.to_device("@numpy")

    def to_gpu(self, device: int | None = None) -> Self:
        """Move everything to CuPy device ``device`` (0 when omitted); returns ``self``."""
        return self.to_device(f"@cupy:{0 if device is None else int(device)}")

    def _move_own(self, target: Device) -> None:
        d = self.__dict__
        for _, param in self._own_params():
            param.to_device(target)
        for name in self._persistent:
            value = d[name]
            if is_array(value):
                d[name] = target.send(value)
        d["_device"] = target

    def _send_param(self, param: Parameter) -> None:
        """Move a newly registered parameter to this link's device."""
        device = self.__dict__.get("_device")
        if device is not None and device.name != "@numpy" and param.is_initialized:
            param.to_device(device)

    def _initialize_param(self, param: Parameter, shape: int | tuple[int, ...]) -> None:
        """Initialize ``param`` with ``shape`` on this link's device (lazy parameters)."""
        param.initialize(shape)
        if self._device.name != "@numpy":
            param.to_device(self._device)
