"""``fchain.backend``: devices and array modules, as Chainer's ``chainer.backend``.

``ArrayModule`` is the type of ``xp`` (``link.xp``, ``get_array_module(x)``):
numpy's and CuPy's functions that user code calls.  ``ChainerxDevice`` and ``Intel64Device`` exist so that Chainer code's
``isinstance`` tests run; no fchain device is one (fchain has neither ChainerX
nor iDeep).  ``backend.cuda`` is ``fchain.backends.cuda``, as in Chainer.
"""

from __future__ import annotations

from fchain.array_module import ArrayModule as ArrayModule
from fchain.backends import cuda as cuda
from fchain.core.backend import gpu_available as gpu_available
from fchain.graph.device import ChainerxDevice as ChainerxDevice
from fchain.graph.device import CpuDevice as CpuDevice
from fchain.graph.device import Device as Device
from fchain.graph.device import GpuDevice as GpuDevice
from fchain.graph.device import Intel64Device as Intel64Device
from fchain.graph.device import copyto as copyto
from fchain.graph.device import get_array_module as get_array_module
from fchain.graph.device import get_device as get_device
from fchain.graph.device import get_device_from_array as get_device_from_array
from fchain.graph.device import using_device as using_device

__all__ = [
    "ArrayModule",
    "ChainerxDevice",
    "CpuDevice",
    "Device",
    "GpuDevice",
    "Intel64Device",
    "copyto",
    "cuda",
    "get_array_module",
    "get_device",
    "get_device_from_array",
    "gpu_available",
    "using_device",
]
