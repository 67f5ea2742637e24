"""fchain's CuPy dispatch code, run on the CPU against a tiny fake ``cupy`` module.

This is NOT a GPU test and proves nothing about CuPy itself (``tests/gpu`` does that
on a real device).  It checks fchain's own branching, which the GPU machine can only
run in one configuration: how ``backend`` recognises a device array, which
namespace it picks, the device-mismatch errors (including two different GPUs, which a
one-GPU machine cannot produce), ``GpuDevice`` parsing and ``send``, and Variable,
Parameter and Link moves between the host and "devices".

The fake models only what that code reads: an array class whose type lives in a
module named ``cupy...`` with ``shape``/``dtype``/``device.id``/``get()``, a
``cuda.Device`` context manager, ``cuda.runtime.getDeviceCount`` and ``asarray``.
Its arrays hold host memory; no op can run on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType, SimpleNamespace, TracebackType
from typing import Any, ClassVar

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.core import backend
from fchain.errors import DeviceMismatchError
from fchain.graph.device import CpuDevice, GpuDevice, get_array_module, get_device, get_device_from_array
from fchain.facade.link import Chain, Link
from fchain.types import Array


class FakeCudaDevice:
    """``cupy.cuda.Device``: a device id, a context manager and ``use()``."""

    current: ClassVar[int] = 0

    def __init__(self, device: int | None = None) -> None:
        self.id = FakeCudaDevice.current if device is None else int(device)
        self._previous: list[int] = []

    def __enter__(self) -> FakeCudaDevice:
        self._previous.append(FakeCudaDevice.current)
        FakeCudaDevice.current = self.id
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        FakeCudaDevice.current = self._previous.pop()

    def use(self) -> None:
        FakeCudaDevice.current = self.id

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FakeCudaDevice) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


class FakeDeviceArray:
    """Host memory that claims to live on CUDA device ``device.id``."""

    __module__ = "cupy._core.core"  # what backend.is_cupy_array looks at

    def __init__(self, host: Array, device_id: int) -> None:
        self._host = numpy.array(host, copy=True)
        self.device = FakeCudaDevice(device_id)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self._host.shape)

    @property
    def dtype(self) -> numpy.dtype[Any]:
        return self._host.dtype

    @property
    def ndim(self) -> int:
        return self._host.ndim

    @property
    def size(self) -> int:
        return self._host.size

    def get(self) -> Array:
        return self._host.copy()


def _fake_asarray(a: object, dtype: object = None) -> FakeDeviceArray:
    current = FakeCudaDevice.current
    if isinstance(a, FakeDeviceArray):
        return a if a.device.id == current else FakeDeviceArray(a.get(), current)
    return FakeDeviceArray(numpy.asarray(a, dtype=dtype), current)  # type: ignore[call-overload]  # dtype is a DTypeLike


def make_fake_cupy(device_count: int = 2) -> ModuleType:
    fake = ModuleType("cupy")
    runtime = SimpleNamespace(getDeviceCount=lambda: device_count)
    fake.__dict__.update(ndarray=FakeDeviceArray, asarray=_fake_asarray,
                         cuda=SimpleNamespace(Device=FakeCudaDevice, runtime=runtime))
    return fake


@pytest.fixture
def fake_cupy(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    fake = make_fake_cupy()
    monkeypatch.setattr(backend, "cupy_module", lambda: fake)
    FakeCudaDevice.current = 0
    yield fake
    FakeCudaDevice.current = 0


def on(device_id: int, a: Array) -> Array:
    return FakeDeviceArray(a, device_id)  # type: ignore[return-value]  # a stand-in for a cupy.ndarray


def host(a: object) -> Array:
    assert isinstance(a, FakeDeviceArray), f"expected a device array, got {type(a).__name__}"
    return a.get()


def device_id(a: object) -> int:
    assert isinstance(a, FakeDeviceArray), f"expected a device array, got {type(a).__name__}"
    return a.device.id


X = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)


# ------------------------------------------------------------------ backend
def test_a_fake_device_array_is_recognised(fake_cupy: ModuleType) -> None:
    d = on(0, X)
    assert backend.is_cupy_array(d)
    assert not backend.is_cupy_array(X)
    assert backend.namespace_of(d) is fake_cupy
    assert backend.namespace_of(X) is numpy
    assert backend.namespace_of_all("add", (d, on(0, X))) is fake_cupy
    numpy.testing.assert_array_equal(backend.to_numpy(d), X)
    assert type(backend.to_numpy(d)) is numpy.ndarray


def test_gpu_available_reads_the_device_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backend, "cupy_module", lambda: make_fake_cupy(2))
    assert backend.gpu_available()
    monkeypatch.setattr(backend, "cupy_module", lambda: make_fake_cupy(0))
    assert not backend.gpu_available()
    broken = make_fake_cupy()

    def no_driver() -> int:
        raise RuntimeError("cudaErrorInsufficientDriver")

    broken.cuda.runtime.getDeviceCount = no_driver
    monkeypatch.setattr(backend, "cupy_module", lambda: broken)
    assert not backend.gpu_available()
    monkeypatch.setattr(backend, "cupy_module", lambda: None)
    assert not backend.gpu_available()


@pytest.mark.parametrize(("first", "second", "described"), [
    ("cpu", 0, "input 0 on @numpy, input 1 on @cupy:0"),
    (0, "cpu", "input 0 on @cupy:0, input 1 on @numpy"),
    (0, 1, "input 0 on @cupy:0, input 1 on @cupy:1"),
], ids=["numpy-then-gpu", "gpu-then-numpy", "two-gpus"])
def test_mixed_devices_raise_device_mismatch_naming_the_op(
        fake_cupy: ModuleType, first: object, second: object, described: str) -> None:
    a = X if first == "cpu" else on(int(str(first)), X)
    b = X if second == "cpu" else on(int(str(second)), X)
    with pytest.raises(DeviceMismatchError, match="^add: all inputs must be on one device") as info:
        backend.namespace_of_all("add", (a, b))
    assert described in str(info.value)
    # the same through the public op, and through an operator on Variables
    with pytest.raises(DeviceMismatchError, match="^mul: ") as info:
        F.mul(fchain.Variable(a), fchain.Variable(b))
    assert described in str(info.value)
    with pytest.raises(DeviceMismatchError, match="^add: "):
        fchain.Variable(a) + fchain.Variable(b)
    assert issubclass(DeviceMismatchError, ValueError)


# ------------------------------------------------------------------ devices
def test_gpu_specifiers_parse_to_gpu_devices(fake_cupy: ModuleType) -> None:
    one = get_device("@cupy:1")
    assert isinstance(one, GpuDevice)
    assert one.name == "@cupy:1" and str(one) == "@cupy:1"
    assert one.xp is fake_cupy
    assert one == get_device("cuda:1") == get_device("gpu:1") == get_device(1)
    assert one != get_device("@cupy:0")
    assert get_device("@cupy") == get_device(0) == get_device(fake_cupy) == get_device("@cupy:0")
    assert hash(get_device("@cupy:1")) == hash(get_device(1))
    assert isinstance(get_device(-1), CpuDevice)


def test_gpu_send_puts_arrays_on_that_device(fake_cupy: ModuleType) -> None:
    sent = get_device("@cupy:1").send(X)
    assert device_id(sent) == 1
    numpy.testing.assert_array_equal(host(sent), X)
    assert FakeCudaDevice.current == 0  # send does not change the current device
    get_device("@cupy:1").use()
    assert FakeCudaDevice.current == 1


def test_get_device_from_array_and_get_array_module(fake_cupy: ModuleType) -> None:
    d1 = on(1, X)
    assert get_device_from_array(d1) == get_device("@cupy:1")
    assert get_array_module(d1) is fake_cupy
    assert get_array_module(X, d1) is fake_cupy
    assert get_array_module(fchain.Variable(d1)) is fake_cupy
    assert get_array_module(X, fchain.Variable(X)) is numpy


# ------------------------------------------------------------------ variables
@pytest.mark.parametrize("kind", ["variable", "parameter"])
def test_variable_round_trip_moves_data_and_grad(fake_cupy: ModuleType, kind: str) -> None:
    g = numpy.full((2, 3), 0.5, dtype=numpy.float32)
    x = fchain.Variable(X.copy()) if kind == "variable" else fchain.Parameter(X.copy())
    x.grad = g.copy()
    assert x.to_device("@cupy:1") is x
    assert device_id(x.array) == 1 and device_id(x.grad) == 1
    assert x.device == get_device("@cupy:1")
    assert x.xp is fake_cupy
    numpy.testing.assert_array_equal(host(x.array), X)
    numpy.testing.assert_array_equal(host(x.grad), g)
    assert x.to_gpu() is x
    assert device_id(x.array) == 0 and device_id(x.grad) == 0
    assert x.to_cpu() is x
    assert type(x.array) is numpy.ndarray and type(x.grad) is numpy.ndarray
    numpy.testing.assert_array_equal(x.array, X)
    numpy.testing.assert_array_equal(x.grad, g)
    assert x.array.dtype == numpy.float32 and x.grad.dtype == numpy.float32
    assert x.device == get_device("@numpy")
    x.to_gpu(1)
    assert device_id(x.array) == 1


def test_a_variable_without_grad_moves_without_one(fake_cupy: ModuleType) -> None:
    x = fchain.Variable(X.copy())
    x.to_gpu()
    assert x.grad is None
    assert device_id(x.array) == 0


# ------------------------------------------------------------------ links
class _Leaf(Link):
    mean: Array
    count: int

    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.W = fchain.Parameter(numpy.ones((2, 3), dtype=numpy.float32))
        self.add_persistent("mean", numpy.arange(3, dtype=numpy.float64))
        self.add_persistent("count", 7)


class _Net(Chain):
    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.leaf = _Leaf()
            self.b = fchain.Parameter(numpy.zeros(3, dtype=numpy.float32))


def test_link_to_device_moves_params_grads_and_persistents(fake_cupy: ModuleType) -> None:
    net = _Net()
    net.leaf.W.grad = numpy.full((2, 3), 2.0, dtype=numpy.float32)
    assert net.to_device("@cupy:1") is net
    for link in net.links():
        assert link.device == get_device("@cupy:1")
        assert link.xp is fake_cupy
    assert device_id(net.b.array) == 1
    assert device_id(net.leaf.W.array) == 1 and device_id(net.leaf.W.grad) == 1
    assert device_id(net.leaf.mean) == 1
    assert net.leaf.count == 7  # not an array: left as it is
    assert net.b.grad is None
    net.to_cpu()
    for link in net.links():
        assert link.device == get_device("@numpy")
    numpy.testing.assert_array_equal(net.leaf.W.array, numpy.ones((2, 3)))
    numpy.testing.assert_array_equal(net.leaf.W.grad, numpy.full((2, 3), 2.0))
    assert type(net.leaf.mean) is numpy.ndarray and net.leaf.mean.dtype == numpy.float64
    numpy.testing.assert_array_equal(net.leaf.mean, numpy.arange(3))


def test_a_persistent_added_on_a_gpu_link_goes_to_its_device(fake_cupy: ModuleType) -> None:
    leaf = _Leaf().to_gpu()
    leaf.add_persistent("extra", numpy.ones(2))
    assert device_id(getattr(leaf, "extra")) == 0
