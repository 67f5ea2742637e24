"""``fchain.backends.cuda`` (and its old name ``fchain.cuda``): Chainer's CuPy helpers,
with the fake CuPy of ``test_device_fake_cupy.py`` and without CuPy.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import numpy
import pytest

import fchain
from fchain.backends import cuda
from fchain.core import backend
from fchain.graph.device import get_device
from tests.facade.test_device_fake_cupy import FakeCudaDevice, FakeDeviceArray, device_id, host, make_fake_cupy, on

X = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)


@pytest.fixture
def fake_cupy(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    fake = make_fake_cupy(device_count=2)
    monkeypatch.setattr(backend, "cupy_module", lambda: fake)
    FakeCudaDevice.current = 0
    yield fake
    FakeCudaDevice.current = 0


@pytest.fixture
def no_cupy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backend, "cupy_module", lambda: None)


def test_without_cupy_the_module_answers_and_gpu_calls_say_why(no_cupy: None) -> None:
    assert cuda.cupy is None and fchain.cuda.cupy is None
    assert cuda.available is False and fchain.cuda.available is False
    assert not isinstance(X, cuda.ndarray) and fchain.cuda.ndarray is cuda.ndarray
    for call in (lambda: cuda.to_gpu(X), cuda.check_cuda_available, lambda: cuda.get_device_from_id(0)):
        with pytest.raises(RuntimeError, match="CUDA environment is not correctly set up"):
            call()
    assert cuda.to_cpu(X) is X


def test_with_cupy_the_lazy_names_are_cupys(fake_cupy: ModuleType) -> None:
    assert cuda.cupy is fake_cupy and fchain.cuda.cupy is fake_cupy
    assert cuda.available is True
    assert cuda.ndarray is FakeDeviceArray
    assert isinstance(on(0, X), cuda.ndarray)


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'elementwise'"):
        getattr(cuda, "elementwise")
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        getattr(fchain.cuda, "nothing")


def test_to_gpu_sends_to_the_current_or_the_named_device(fake_cupy: ModuleType) -> None:
    assert device_id(cuda.to_gpu(X)) == 0
    FakeCudaDevice.current = 1
    assert device_id(cuda.to_gpu(X)) == 1
    assert device_id(cuda.to_gpu(X, cuda.DummyDevice)) == 1
    for spec in (0, get_device("@cupy:0"), FakeCudaDevice(0)):
        sent = cuda.to_gpu(X, spec)
        assert device_id(sent) == 0
        numpy.testing.assert_array_equal(host(sent), X)
    with pytest.raises(ValueError, match="invalid CUDA device specifier -1"):
        cuda.to_gpu(X, -1)
    with pytest.raises(ValueError, match="not a CUDA device"):
        cuda.to_gpu(X, "@numpy")


def test_to_gpu_keeps_arrays_already_there_and_copies_across_gpus(fake_cupy: ModuleType) -> None:
    d0 = on(0, X)
    assert cuda.to_gpu(d0, 0) is d0
    d1 = cuda.to_gpu(d0, 1)
    assert device_id(d1) == 1 and d1 is not d0
    numpy.testing.assert_array_equal(host(d1), X)


def test_to_gpu_and_to_cpu_take_scalars_none_lists_and_tuples(fake_cupy: ModuleType) -> None:
    assert cuda.to_gpu(None) is None and cuda.to_cpu(None) is None
    scalar = cuda.to_gpu(numpy.float32(2.5))
    assert device_id(scalar) == 0 and host(scalar).shape == ()
    sent = cuda.to_gpu([X, None, X], 1)
    assert isinstance(sent, list) and sent[1] is None
    assert sent[0] is sent[2] and device_id(sent[0]) == 1  # one object, sent once
    back = cuda.to_cpu((sent[0], None, X))
    assert isinstance(back, tuple) and back[1] is None and back[2] is X
    assert type(back[0]) is numpy.ndarray
    numpy.testing.assert_array_equal(back[0], X)
    zero_d = cuda.to_cpu(numpy.float64(1.5))
    assert isinstance(zero_d, numpy.ndarray) and zero_d.shape == () and zero_d.item() == 1.5
    with pytest.raises(TypeError, match="to_cpu: expected a numpy or CuPy array .* got str"):
        cuda.to_cpu(["a"])
    with pytest.raises(TypeError, match="to_gpu: expected a numpy or CuPy array .* got float"):
        cuda.to_gpu([1.0])


def test_get_device_from_id_and_from_array(fake_cupy: ModuleType) -> None:
    assert cuda.get_device_from_id(None) is cuda.DummyDevice
    assert cuda.get_device_from_id(-1) is cuda.DummyDevice
    one = cuda.get_device_from_id(1)
    assert one == get_device("@cupy:1")
    one.use()
    assert FakeCudaDevice.current == 1
    assert cuda.get_device_from_array(X, on(1, X)) == get_device("@cupy:1")
    assert cuda.get_device_from_array(X, None) is cuda.DummyDevice


def test_dummy_device_does_nothing_as_cupy_device_would() -> None:
    dummy = cuda.DummyDevice
    with dummy as entered:
        assert entered is dummy
    dummy.use()
    dummy.synchronize()
    assert int(dummy) == -1 and dummy.id == -1
    assert dummy == cuda.DummyDeviceType() and hash(dummy) == hash(cuda.DummyDeviceType())
    assert dummy != get_device("@numpy")


def test_the_old_name_and_the_backend_module_give_the_same_objects() -> None:
    for name in fchain.cuda.__all__:
        if name not in ("available", "cupy", "ndarray"):
            assert getattr(fchain.cuda, name) is getattr(cuda, name), name
    assert fchain.backend.cuda is cuda is fchain.backends.cuda
    assert cuda.get_array_module is fchain.backend.get_array_module
