"""Every device specifier Chainer 7 code passes to ``get_device`` / ``using_device``.

The GPU cases run against the fake CuPy of ``test_device_fake_cupy.py`` (fchain's
parsing, not CuPy, is under test here; ``tests/gpu`` moves real arrays), and again
without CuPy, where each must say that CuPy is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import numpy
import pytest

import fchain
from fchain.core import backend
from fchain.errors import DeviceSpecError, FchainError
from fchain.graph.device import ChainerxDevice, CpuDevice, GpuDevice, Intel64Device, get_device
from tests.facade.test_device_fake_cupy import FakeCudaDevice, make_fake_cupy, on


@pytest.fixture
def fake_cupy(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    fake = make_fake_cupy(device_count=2)
    monkeypatch.setattr(backend, "cupy_module", lambda: fake)
    FakeCudaDevice.current = 0
    yield fake
    FakeCudaDevice.current = 0


@pytest.fixture
def no_cupy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backend, "cupy_module", lambda: None)  # as on a machine without CuPy


CPU_SPECS: list[object] = [
    "@numpy", "-1", "-7", " -1 ", -1, -3, numpy.int64(-1), None, numpy,
    "@intel64", "native", "native:0", ("native", 0), fchain.backend.CpuDevice(),
]


@pytest.mark.parametrize("spec", CPU_SPECS, ids=repr)
def test_cpu_specifiers(spec: object) -> None:
    device = get_device(spec)
    assert isinstance(device, CpuDevice)
    assert device.xp is numpy and device.name == "@numpy"
    with fchain.using_device(spec) as current:
        assert current == device


def gpu_specs(fake: ModuleType) -> list[tuple[object, int]]:
    return [
        ("0", 0), ("1", 1), (0, 0), (1, 1), (numpy.int32(1), 1), ("@cupy:1", 1), ("@cupy:0", 0),
        ("cuda:1", 1), (("cuda", 1), 1), ((fake, 1), 1), (fake, 0), (FakeCudaDevice(1), 1),
    ]


def test_gpu_specifiers_name_that_cuda_device(fake_cupy: ModuleType) -> None:
    for spec, number in gpu_specs(fake_cupy):
        device = get_device(spec)
        assert isinstance(device, GpuDevice), spec
        assert device.device_id == number and device.name == f"@cupy:{number}", spec
        assert device.xp is fake_cupy
        assert device == get_device(f"@cupy:{number}")


def test_using_device_makes_the_gpu_current_and_restores(fake_cupy: ModuleType) -> None:
    with fchain.using_device("1") as device:
        assert device == get_device("@cupy:1")
        assert FakeCudaDevice.current == 1
        with fchain.using_device("-1"):
            assert FakeCudaDevice.current == 1  # the CPU changes no CUDA device
    assert FakeCudaDevice.current == 0


@pytest.mark.parametrize("index", range(11))  # all but the cupy.cuda.Device, which needs CuPy
def test_gpu_specifiers_without_cupy_say_cupy_is_missing(no_cupy: None, index: int) -> None:
    spec, number = gpu_specs(make_fake_cupy())[index]
    with pytest.raises(RuntimeError, match=f"@cupy:{number}: CuPy is not installed"):
        get_device(spec)
    with pytest.raises(RuntimeError, match="CuPy is not installed"):
        fchain.using_device(spec)


@pytest.mark.parametrize(("spec", "hint"), [
    ("@numpy:0", "after '@'"), ("@foo", "after '@'"), ("@foo:0", "after '@'"),
    ("@cupy::0", "after '@'"), ("@cupy:-1", "after '@'"), ("@:numpy", "after '@'"),
    ("native:foo", "ChainerX"), ("native:1", "ChainerX"), ("foo", "ChainerX"), ("", "ChainerX"),
    ("cuda:²", "ChainerX"),
    (True, ""), (False, ""), (2.5, ""), (object, ""), ([0], ""), ({"device": 0}, ""),
    (("native", 1), ""), (("cuda", -1), ""), (("@numpy",), ""), ((numpy, 0), ""),
    (("native",), ""), (("cuda", True), ""),
], ids=repr)
def test_invalid_specifiers_raise_one_error_that_is_both_valueerror_and_typeerror(
        spec: object, hint: str) -> None:
    with pytest.raises(DeviceSpecError, match="get_device: invalid device specifier") as info:
        get_device(spec)
    error = info.value
    assert isinstance(error, ValueError) and isinstance(error, TypeError) and isinstance(error, FchainError)
    assert repr(spec) in str(error) and hint in str(error)
    with pytest.raises(DeviceSpecError):
        fchain.using_device(spec)


def test_chainer_only_device_types_exist_but_no_device_is_one(fake_cupy: ModuleType) -> None:
    devices = [get_device(spec) for spec in ("@numpy", "@intel64", "native", "@cupy:0", 1)]
    for device in devices:
        assert not isinstance(device, fchain.backend.ChainerxDevice)
        assert not isinstance(device, fchain.backend.Intel64Device)
    assert fchain.backend.ChainerxDevice is ChainerxDevice
    assert fchain.backend.Intel64Device is Intel64Device
    with pytest.raises(RuntimeError, match="no ChainerX"):
        ChainerxDevice()
    with pytest.raises(RuntimeError, match="no iDeep"):
        Intel64Device()


def test_gpu_device_from_device_id(fake_cupy: ModuleType) -> None:
    assert GpuDevice.from_device_id(1) == get_device("@cupy:1")
    for bad in (-1, True, "0"):
        with pytest.raises(DeviceSpecError, match="an int >= 0"):
            GpuDevice.from_device_id(bad)  # type: ignore[arg-type]  # wrong on purpose


def test_the_public_names_are_the_graph_layers_objects() -> None:
    assert fchain.get_device is fchain.backend.get_device is get_device
    assert fchain.using_device is fchain.backend.using_device


def test_get_device_from_array_takes_several_arrays_as_chainers(fake_cupy: ModuleType) -> None:
    x = numpy.zeros(2, dtype=numpy.float32)
    assert fchain.backend.get_device_from_array(x, on(1, x), on(0, x)) == get_device("@cupy:1")
    assert isinstance(fchain.backend.get_device_from_array(x, None), CpuDevice)
    assert isinstance(fchain.backend.get_device_from_array(), CpuDevice)
