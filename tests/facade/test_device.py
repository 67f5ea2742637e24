"""Device specifiers, ``get_array_module`` and ``Variable.device`` on the CPU.

The CuPy side of the same code is exercised with a fake module in
``test_device_fake_cupy.py`` and for real in ``tests/gpu``.
"""

from __future__ import annotations

import numpy
import pytest

import fchain
from fchain.core import backend
from fchain.graph.device import CpuDevice, Device, get_array_module, get_device, get_device_from_array


@pytest.mark.parametrize("spec", ["@numpy", -1, numpy, None, "native", "cpu"],
                         ids=["@numpy", "-1", "numpy-module", "None", "native", "cpu"])
def test_cpu_specifiers_give_the_cpu_device(spec: object) -> None:
    device = get_device(spec)
    assert isinstance(device, CpuDevice)
    assert device.name == "@numpy" and str(device) == "@numpy"
    assert device.xp is numpy


def test_cpu_devices_are_equal_and_hash_alike() -> None:
    a, b = get_device("@numpy"), get_device(-1)
    assert a == b and hash(a) == hash(b)
    assert len({a, b}) == 1
    assert a != "@numpy"  # a Device equals Devices only


def test_a_device_passes_through() -> None:
    device = get_device("@numpy")
    assert get_device(device) is device


@pytest.mark.parametrize("spec", ["@numpy:0", "@cupy:x", "@cupy:-1", "cuda:", "gpu:a", "tpu", "",
                                  True, False, 2.5, [0], ("@numpy",)],
                         ids=repr)
def test_invalid_specifiers_raise_value_error_naming_them(spec: object) -> None:
    with pytest.raises(ValueError, match="get_device: invalid device specifier") as info:
        get_device(spec)
    assert repr(spec) in str(info.value)


@pytest.mark.parametrize("spec", ["@cupy:0", "@cupy:1", 0, 3, "cuda:0", "gpu:2", "@cupy"], ids=repr)
def test_gpu_specifiers_without_cupy_raise_a_clear_error(spec: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backend, "cupy_module", lambda: None)  # as on a machine without CuPy
    with pytest.raises(RuntimeError, match="CuPy is not installed") as info:
        get_device(spec)
    number = spec if isinstance(spec, int) else (0 if spec == "@cupy" else int(str(spec).rsplit(":", 1)[1]))
    assert f"@cupy:{number}" in str(info.value)


def test_moving_a_variable_to_a_gpu_without_cupy_fails_and_leaves_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backend, "cupy_module", lambda: None)
    x = fchain.Variable(numpy.arange(3, dtype=numpy.float32))
    data = x.array
    with pytest.raises(RuntimeError, match="CuPy is not installed"):
        x.to_gpu()
    with pytest.raises(RuntimeError, match="CuPy is not installed"):
        x.to_device("@cupy:0")
    assert x.array is data


def test_get_array_module_of_cpu_values_is_numpy() -> None:
    a = numpy.ones((2, 3), dtype=numpy.float32)
    v = fchain.Variable(a)
    assert get_array_module(a) is numpy
    assert get_array_module(v) is numpy
    assert get_array_module(a, v, 3.0, None) is numpy
    assert get_array_module() is numpy
    assert v.xp is numpy


def test_variable_device_is_the_cpu() -> None:
    v = fchain.Variable(numpy.zeros(2, dtype=numpy.float32))
    assert isinstance(v.device, Device)
    assert v.device == get_device("@numpy")
    assert str(v.device) == "@numpy"


@pytest.mark.parametrize("value", [numpy.zeros(2), [1.0, 2.0], 3.0, None], ids=["ndarray", "list", "float", "None"])
def test_get_device_from_a_non_gpu_value_is_the_cpu(value: object) -> None:
    assert isinstance(get_device_from_array(value), CpuDevice)


def test_cpu_send_returns_numpy_with_the_same_values() -> None:
    a = numpy.arange(6, dtype=numpy.float64).reshape(2, 3)
    sent = get_device("@numpy").send(a)
    assert type(sent) is numpy.ndarray
    numpy.testing.assert_array_equal(sent, a)
    assert sent.dtype == a.dtype
