"""Moving Variables, Parameters and Links between numpy and CuPy, on a real GPU;
device-mismatch errors; device-side randomness, lazy initialization and the
scatter-add behind indexing gradients."""

from __future__ import annotations

from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
import fchain.links as L
from fchain.core import backend
from fchain.errors import DeviceMismatchError
from fchain.graph import random as fchain_random
from fchain.graph.device import GpuDevice, get_array_module, get_device, get_device_from_array
from fchain.types import Array
from tests.conftest import requires_gpu
from tests.gpu import cupy
from tests.arrays import values

pytestmark = [pytest.mark.gpu, requires_gpu]

RNG = numpy.random.default_rng(7)


def _on_gpu(a: object) -> bool:
    assert cupy is not None
    return isinstance(a, cupy.ndarray)


@pytest.mark.parametrize("dtype", [numpy.float16, numpy.float32, numpy.float64], ids=lambda d: d.__name__)
@pytest.mark.parametrize("kind", ["variable", "parameter"])
@pytest.mark.parametrize("how", ["to_gpu", "to_device", "device_object"])
def test_round_trip_keeps_data_grad_and_dtype(dtype: Any, kind: str, how: str) -> None:
    assert cupy is not None
    data = RNG.standard_normal((3, 4)).astype(dtype)
    grad = RNG.standard_normal((3, 4)).astype(dtype)
    x = fchain.Variable(data.copy()) if kind == "variable" else fchain.Parameter(data.copy())
    x.grad = grad.copy()
    if how == "to_gpu":
        assert x.to_gpu() is x
    elif how == "to_device":
        assert x.to_device("@cupy:0") is x
    else:
        assert x.to_device(get_device("@cupy:0")) is x
    assert _on_gpu(x.array) and _on_gpu(x.grad)
    assert x.device == get_device("@cupy:0") and isinstance(x.device, GpuDevice)
    assert x.xp is backend.cupy_module() and get_array_module(x) is backend.cupy_module()
    assert x.array.dtype == dtype and x.grad is not None and x.grad.dtype == dtype
    numpy.testing.assert_array_equal(cupy.asnumpy(x.array), data)
    assert x.to_cpu() is x
    assert type(x.array) is numpy.ndarray and type(x.grad) is numpy.ndarray
    numpy.testing.assert_array_equal(x.array, data)
    numpy.testing.assert_array_equal(x.grad, grad)
    assert x.device == get_device("@numpy")


def test_backward_on_gpu_gives_device_gradients() -> None:
    assert cupy is not None
    data = RNG.standard_normal((2, 3)).astype(numpy.float32)
    x = fchain.Variable(data.copy()).to_gpu()
    y = F.sum(x * x + 3 * x)
    assert _on_gpu(y.array)
    y.backward()
    assert x.grad is not None and _on_gpu(x.grad)
    numpy.testing.assert_allclose(cupy.asnumpy(x.grad), 2 * data + 3, rtol=1e-6, atol=1e-6)
    assert get_device_from_array(x.grad) == get_device("@cupy:0")


@pytest.mark.parametrize("order", ["numpy-first", "cupy-first"])
def test_mixing_numpy_and_cupy_in_one_op_names_the_op(order: str) -> None:
    assert cupy is not None
    a = numpy.ones((2, 3), dtype=numpy.float32)
    b = cupy.asarray(a)
    first, second = (a, b) if order == "numpy-first" else (b, a)
    expected = "input 0 on @numpy, input 1 on @cupy:0" if order == "numpy-first" else \
        "input 0 on @cupy:0, input 1 on @numpy"
    with pytest.raises(DeviceMismatchError, match="^add: all inputs must be on one device") as info:
        F.add(fchain.Variable(first), fchain.Variable(second))
    assert expected in str(info.value)
    with pytest.raises(DeviceMismatchError, match="^matmul: "):
        F.matmul(fchain.Variable(first), fchain.Variable(second.T))
    with pytest.raises(DeviceMismatchError, match="^mul: "):
        fchain.Variable(first) * second  # a raw array operand
    w = numpy.ones((4, 3), dtype=numpy.float32)
    with pytest.raises(DeviceMismatchError, match="^linear: "):
        F.linear(fchain.Variable(b), fchain.Variable(w))


class _Stats(fchain.Link):
    """A link with a parameter and array and non-array persistents."""

    mean: Array
    count: int

    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.gamma = fchain.Parameter(numpy.ones(3, dtype=numpy.float32))
        self.add_persistent("mean", numpy.arange(3, dtype=numpy.float64))
        self.add_persistent("count", 5)


class _Net(fchain.Chain):
    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.fc = L.Linear(3, 2)
            self.stats = _Stats()


def test_link_to_device_moves_params_grads_and_persistents() -> None:
    assert cupy is not None
    net = _Net()
    w = values(net.fc.W).copy()
    net.fc.W.grad = numpy.full_like(w, 0.5)
    assert net.to_device("@cupy:0") is net
    for link in net.links():
        assert link.device == get_device("@cupy:0") and link.xp is backend.cupy_module()
    for name, p in net.namedparams():
        assert _on_gpu(p.array), name
    assert _on_gpu(net.fc.W.grad)
    assert _on_gpu(net.stats.mean) and net.stats.mean.dtype == numpy.float64
    assert net.stats.count == 5
    numpy.testing.assert_array_equal(cupy.asnumpy(values(net.fc.W)), w)
    net.to_cpu()
    for name, p in net.namedparams():
        assert type(p.array) is numpy.ndarray, name
    assert type(net.fc.W.grad) is numpy.ndarray
    numpy.testing.assert_array_equal(net.fc.W.array, w)
    numpy.testing.assert_array_equal(net.stats.mean, numpy.arange(3))
    net.to_gpu(0)
    assert _on_gpu(net.stats.gamma.array)


def test_lazy_linear_on_gpu_initializes_on_the_device() -> None:
    assert cupy is not None
    layer = L.Linear(None, 4).to_gpu()
    x = cupy.asarray(RNG.standard_normal((2, 5)).astype(numpy.float32))
    y = layer(x)
    assert _on_gpu(layer.W.array) and layer.W.shape == (4, 5)
    assert layer.W.dtype == numpy.float32
    assert _on_gpu(y.array) and y.shape == (2, 4)


def test_dropout_on_gpu_draws_a_device_mask_reproducibly() -> None:
    assert cupy is not None
    x = fchain.Variable(cupy.asarray(numpy.ones((200, 50), dtype=numpy.float32)))
    fchain_random.seed(3)
    y1, mask1 = F.dropout(x, 0.25, return_mask=True)
    fchain_random.seed(3)
    y2, mask2 = F.dropout(x, 0.25, return_mask=True)
    assert _on_gpu(y1.array) and mask1 is not None and _on_gpu(mask1)
    assert mask2 is not None
    m1, m2 = cupy.asnumpy(mask1), cupy.asnumpy(mask2)
    numpy.testing.assert_array_equal(m1, m2)
    kept = m1 != 0
    numpy.testing.assert_allclose(m1[kept], 1 / 0.75, rtol=1e-6)
    assert 0.7 < kept.mean() < 0.8


@pytest.mark.parametrize("dtype", [numpy.float16, numpy.float32, numpy.float64], ids=lambda d: d.__name__)
def test_scatter_add_accumulates_repeated_indices_like_numpy(dtype: Any) -> None:
    assert cupy is not None
    rows = numpy.array([0, 2, 0, 0])
    values = RNG.standard_normal((4, 3)).astype(dtype)
    expected = numpy.zeros((3, 3))  # accumulated in float64, independently of fchain
    numpy.add.at(expected, rows, values.astype(numpy.float64))
    xp = backend.namespace_of(cupy.asarray(values))
    got = backend.scatter_add(xp, (3, 3), dtype, (cupy.asarray(rows), slice(None)), cupy.asarray(values))
    assert _on_gpu(got) and got.dtype == dtype
    tol = 2e-3 if dtype == numpy.float16 else 1e-6
    numpy.testing.assert_allclose(cupy.asnumpy(got), expected, rtol=tol, atol=tol)


def test_chainer_style_cuda_and_backend_helpers() -> None:
    assert cupy is not None
    a = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
    assert fchain.cuda.available and fchain.backend.gpu_available()
    g = fchain.cuda.to_gpu(a)
    assert _on_gpu(g) and g.dtype == numpy.float32
    assert fchain.cuda.get_array_module(g) is backend.cupy_module()
    assert fchain.backend.get_array_module(fchain.Variable(g)) is backend.cupy_module()
    assert fchain.cuda.get_device_from_id(0) == fchain.backend.get_device_from_array(g)
    back = fchain.cuda.to_cpu(g)
    assert type(back) is numpy.ndarray
    numpy.testing.assert_array_equal(back, a)
    dst = cupy.asarray(numpy.zeros((2, 3), dtype=numpy.float32))
    fchain.backend.copyto(dst, a)  # host to device, in place
    numpy.testing.assert_array_equal(cupy.asnumpy(dst), a)
    host = numpy.zeros((2, 3), dtype=numpy.float32)
    fchain.backend.copyto(host, g)  # device to host, in place
    numpy.testing.assert_array_equal(host, a)
    with fchain.backend.using_device("@cupy:0"):
        assert fchain.backend.get_device_from_array(fchain.cuda.to_gpu(a)) == fchain.get_device("@cupy:0")
