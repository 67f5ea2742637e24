"""Chainer's device specifiers and ``cuda`` helpers against real CuPy (the same code
runs against a fake CuPy on every CI run: ``tests/facade/test_device_specifiers.py``
and ``test_cuda_module.py``)."""

from __future__ import annotations

import numpy
import pytest

import fchain
from fchain.backends import cuda
from fchain.graph.device import GpuDevice, get_device
from fchain.types import Array
from fchain.utils import type_check
from tests.conftest import requires_gpu
from tests.gpu import cupy

pytestmark = [pytest.mark.gpu, requires_gpu]

X = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)


def test_chainer_gpu_specifiers_give_device_0() -> None:
    assert cupy is not None
    for spec in ("0", 0, numpy.int64(0), "@cupy:0", "cuda:0", ("cuda", 0), (cupy, 0), cupy.cuda.Device(0)):
        device = get_device(spec)
        assert isinstance(device, GpuDevice) and device.name == "@cupy:0", spec
        assert device.xp is cuda.cupy
    with fchain.using_device("0"):
        assert cupy.cuda.Device().id == 0


def test_cuda_module_names_are_cupys() -> None:
    assert cupy is not None
    assert cuda.available is True and cuda.cupy is cupy and cuda.ndarray is cupy.ndarray
    g = cuda.to_gpu(X)
    assert isinstance(g, cuda.ndarray) and cuda.to_gpu(g) is g  # already there: no copy
    moved = cuda.to_gpu([X, None, numpy.float32(1.5)], 0)
    assert isinstance(moved[0], cupy.ndarray) and moved[1] is None and isinstance(moved[2], cupy.ndarray)
    back = cuda.to_cpu((g, X))
    assert type(back[0]) is numpy.ndarray and back[1] is X
    numpy.testing.assert_array_equal(back[0], X)
    cuda.get_device_from_id(0).use()
    assert cuda.get_device_from_array(X, g) == get_device("@cupy:0")


class Double(fchain.FunctionNode):
    def check_type_forward(self, in_types: type_check.TypeInfoTuple) -> None:
        type_check.expect(in_types[0].dtype == numpy.float32, in_types[0].ndim == 2)

    def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        return (inputs[0] * 2,)


def test_type_checks_read_device_arrays() -> None:
    g = cuda.to_gpu(X)
    (y,) = Double().apply((g,))
    assert isinstance(y.array, cuda.ndarray)
    with pytest.raises(type_check.InvalidType, match="Expect: in_types\\[0\\].ndim == 2"):
        Double().apply((cuda.to_gpu(numpy.zeros(3, dtype=numpy.float32)),))
