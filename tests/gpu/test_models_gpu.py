"""A small multi-layer perceptron on the GPU computes what it computes on the CPU:
loss, parameter gradients, a second-order gradient and Classifier's reports, within
float32 tolerance.  (``cpu-dry-run``: see ``tests/gpu/__init__.py``.)"""

from __future__ import annotations

import numpy
import pytest

import fchain
import fchain.functions as F
import fchain.links as L
from fchain.core.backend import to_numpy
from fchain.graph.device import get_device, get_device_from_array
from fchain.types import Array
from tests.gpu import TARGETS

# float32 through a few layers: CuPy and numpy sum in different orders (cuBLAS, tree
# reductions), so results agree to a few ulps of the largest term, not bit for bit.
RTOL, ATOL = 1e-5, 1e-6


class MLP(fchain.Chain):
    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(6, 16)
            self.l2 = L.Linear(16, 16)
            self.l3 = L.Linear(None, 4)

    def forward(self, x: fchain.Variable | Array) -> fchain.Variable:
        h = F.relu(self.l1(x))
        h = F.tanh(self.l2(h)) + F.sigmoid(h[:, :16])
        return self.l3(h)


def _data() -> tuple[Array, Array]:
    rng = numpy.random.default_rng(11)
    x = rng.standard_normal((8, 6)).astype(numpy.float32)
    t = rng.integers(0, 4, size=8).astype(numpy.int32)
    return x, t


def _host(a: Array | None) -> Array:
    assert a is not None
    return to_numpy(a)


def _pair() -> tuple[MLP, MLP]:
    """An MLP initialized on the CPU and an independent copy of it."""
    x, _ = _data()
    cpu = MLP()
    cpu(x)  # initializes l3 lazily, on the CPU
    return cpu, cpu.copy("copy")


def _loss(model: MLP, x: Array, t: Array) -> fchain.Variable:
    y = model(x)
    return F.softmax_cross_entropy(y, t) + 0.1 * F.mean_squared_error(F.softmax(y), F.softmax(y) * 0.5)


@pytest.mark.parametrize("device", TARGETS)
def test_mlp_forward_and_backward_match_the_cpu(device: str) -> None:
    target = get_device(device)
    x, t = _data()
    cpu, other = _pair()
    other.to_device(target)
    for p in other.params():
        assert get_device_from_array(p.array) == target

    loss_cpu = _loss(cpu, x, t)
    loss_dev = _loss(other, target.send(x), target.send(t))
    assert get_device_from_array(loss_dev.array) == target and loss_dev.dtype == numpy.float32
    numpy.testing.assert_allclose(_host(loss_dev.array), loss_cpu.array, rtol=RTOL, atol=ATOL)

    cpu.cleargrads()
    other.cleargrads()
    loss_cpu.backward()
    loss_dev.backward()
    cpu_grads = dict((name, p.grad) for name, p in cpu.namedparams())
    assert len(cpu_grads) == 6
    for name, p in other.namedparams():
        assert p.grad is not None and get_device_from_array(p.grad) == target, name
        assert p.grad.dtype == numpy.float32, name
        numpy.testing.assert_allclose(_host(p.grad), _host(cpu_grads[name]), rtol=1e-4, atol=1e-6,
                                      err_msg=name)


@pytest.mark.parametrize("device", TARGETS)
def test_second_order_gradient_matches_the_cpu(device: str) -> None:
    """d/dx and d/dW of |d loss / dx|^2 (a gradient penalty), through the whole MLP."""
    target = get_device(device)
    x, t = _data()
    cpu, other = _pair()
    other.to_device(target)
    results = []
    for model, dev in [(cpu, get_device("@numpy")), (other, target)]:
        xv = fchain.Variable(dev.send(x))
        loss = F.softmax_cross_entropy(model(xv), dev.send(t))
        (gx,) = fchain.grad([loss], [xv], enable_double_backprop=True)
        assert gx is not None
        penalty = F.sum(gx * gx)
        model.cleargrads()
        penalty.backward()
        assert xv.grad is not None and model.l1.W.grad is not None
        assert get_device_from_array(xv.grad) == dev
        results.append((_host(penalty.array), _host(xv.grad), _host(model.l1.W.grad)))
    (p_cpu, gx_cpu, gw_cpu), (p_dev, gx_dev, gw_dev) = results
    assert float(p_cpu) > 0
    numpy.testing.assert_allclose(p_dev, p_cpu, rtol=1e-4, atol=1e-7)
    numpy.testing.assert_allclose(gx_dev, gx_cpu, rtol=1e-3, atol=1e-6)
    numpy.testing.assert_allclose(gw_dev, gw_cpu, rtol=1e-3, atol=1e-6)


@pytest.mark.parametrize("device", TARGETS)
def test_classifier_reports_loss_and_accuracy_on_the_device(device: str) -> None:
    target = get_device(device)
    x, t = _data()
    cpu_mlp, other_mlp = _pair()
    cpu, other = L.Classifier(cpu_mlp), L.Classifier(other_mlp).to_device(target)
    loss_cpu = cpu(x, t)
    loss_dev = other(target.send(x), target.send(t))
    numpy.testing.assert_allclose(_host(loss_dev.array), loss_cpu.array, rtol=RTOL, atol=ATOL)
    assert other.accuracy is not None and cpu.accuracy is not None
    assert get_device_from_array(other.accuracy.array) == target
    assert float(_host(other.accuracy.array)) == float(cpu.accuracy.array)
