"""Which devices a test runs on: the CPU always, GPU 0 when CuPy sees one.

Shared by ``check_op``, the test-case classes and the pytest plugin's ``device``
fixture, so all three agree on what "every available device" means and on the
reason a GPU test is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

from fchain.core.backend import cupy_module, gpu_available
from fchain.graph.device import Device, get_device

__all__ = ["ALL_DEVICES", "GPU_SKIP_REASON", "available_devices", "gpu_count", "have_gpu", "resolve_devices"]

GPU_SKIP_REASON = "no GPU: CuPy is not installed or sees no CUDA device"
"""Why a GPU test is skipped on this machine."""

ALL_DEVICES: tuple[str, ...] = ("@numpy", "@cupy:0")
"""Every device fchain's tests know, available here or not."""


def have_gpu() -> bool:
    """Whether CuPy is installed and sees a CUDA device."""
    return gpu_available()


def gpu_count() -> int:
    """How many CUDA devices CuPy sees (0 without CuPy)."""
    if not have_gpu():
        return 0
    cp = cupy_module()
    return int(cp.cuda.runtime.getDeviceCount()) if cp is not None else 0


def available_devices() -> tuple[Device, ...]:
    """The CPU, then GPU 0 when there is one."""
    return tuple(get_device(spec) for spec in ALL_DEVICES if spec == "@numpy" or have_gpu())


def resolve_devices(devices: Sequence[str | Device] | None) -> tuple[Device, ...]:
    """``devices`` as ``Device`` objects; ``None`` means ``available_devices()``.

    A GPU named on a machine without one raises (``get_device``'s error): a caller
    that names a device wants it checked, not silently skipped.
    """
    if devices is None:
        return available_devices()
    return tuple(d if isinstance(d, Device) else get_device(d) for d in devices)
