"""Every optimizer (and every deterministic optimizer hook) updates parameters on the
GPU, with its fused CuPy kernel, as it does on the CPU: same parameters and same
state after a few steps, within float32 tolerance.  (``cpu-dry-run``: see
``tests/gpu/__init__.py``.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
import pytest

import fchain
import fchain.optimizer_hooks as hooks
import fchain.optimizers as optimizers
from fchain.core.backend import to_numpy
from fchain.graph.device import Device, get_device, get_device_from_array
from fchain.facade.optimizer import GradientMethod, Hook
from fchain.types import Array
from tests.gpu import TARGETS
from tests.arrays import values
from tests.rules import rule_of

STEPS = 3


class Params(fchain.Link):
    """Two parameters of one dtype: a matrix and a vector."""

    def __init__(self, dtype: Any) -> None:
        super().__init__()
        rng = numpy.random.default_rng(5)
        with self.init_scope():
            self.w = fchain.Parameter(rng.standard_normal((4, 3)).astype(dtype))
            self.b = fchain.Parameter(rng.uniform(-0.5, 0.5, 3).astype(dtype))


def _grads(dtype: Any) -> list[dict[str, Array]]:
    rng = numpy.random.default_rng(6)
    return [{"/w": rng.standard_normal((4, 3)).astype(dtype), "/b": rng.standard_normal(3).astype(dtype)}
            for _ in range(STEPS)]


def _train(make: Callable[[], GradientMethod], dtype: Any, device: Device,
           hook: Hook | None = None) -> tuple[dict[str, Array], dict[str, Array], int]:
    """Parameters and optimizer state (on the host) after ``STEPS`` updates on ``device``."""
    model = Params(dtype).to_device(device)
    opt = make().setup(model)
    if hook is not None:
        opt.add_hook(hook)
    for grads in _grads(dtype):
        for name, p in model.namedparams():
            p.grad = device.send(grads[name])
        opt.update()
    params: dict[str, Array] = {}
    states: dict[str, Array] = {}
    for name, p in model.namedparams():
        assert get_device_from_array(p.array) == device, name
        assert p.dtype == dtype, f"{name}: dtype {p.dtype} after the update"
        params[name] = to_numpy(values(p))
        for key, value in (rule_of(p).state or {}).items():
            assert get_device_from_array(value) == device, f"{name}/{key}"
            states[f"{name}/{key}"] = to_numpy(value)
    return params, states, int(opt.t)


OPTIMIZERS: dict[str, Callable[[], GradientMethod]] = {
    name: getattr(optimizers, name) for name in optimizers.__all__
}
OPTIMIZERS["RMSprop-eps_inside_sqrt"] = lambda: optimizers.RMSprop(eps_inside_sqrt=True)
OPTIMIZERS["Adam-weight_decay"] = lambda: optimizers.Adam(weight_decay_rate=0.01)
OPTIMIZERS["MomentumSGD-lr0.1"] = lambda: optimizers.MomentumSGD(lr=0.1, momentum=0.5)

TOLERANCE = {numpy.float16: (2e-3, 2e-3), numpy.float32: (1e-5, 1e-6), numpy.float64: (1e-12, 1e-14)}


def _compare(got: dict[str, Array], expected: dict[str, Array], dtype: Any, what: str) -> None:
    assert sorted(got) == sorted(expected), what
    rtol, atol = TOLERANCE[dtype]
    for key in expected:
        numpy.testing.assert_allclose(got[key], expected[key], rtol=rtol, atol=atol, err_msg=f"{what} {key}")


@pytest.mark.parametrize("device", TARGETS)
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_update_on_device_matches_cpu(name: str, device: str) -> None:
    make = OPTIMIZERS[name]
    cpu_params, cpu_states, cpu_t = _train(make, numpy.float32, get_device("@numpy"))
    dev_params, dev_states, dev_t = _train(make, numpy.float32, get_device(device))
    assert dev_t == cpu_t == STEPS
    initial = Params(numpy.float32)
    assert not numpy.allclose(cpu_params["/w"], values(initial.w))  # the updates did something
    _compare(dev_params, cpu_params, numpy.float32, f"{name} parameter")
    _compare(dev_states, cpu_states, numpy.float32, f"{name} state")


@pytest.mark.parametrize("device", TARGETS)
@pytest.mark.parametrize("dtype", [numpy.float16, numpy.float64], ids=["float16", "float64"])
@pytest.mark.parametrize("name", ["Adam", "AMSGrad", "MomentumSGD", "SGD"])
def test_other_dtypes_on_device_match_cpu(name: str, dtype: Any, device: str) -> None:
    def make() -> GradientMethod:
        if name in ("Adam", "AMSGrad") and dtype == numpy.float16:
            adam: GradientMethod = getattr(optimizers, name)(eps=1e-4)  # 1e-8 is 0 in float16
            return adam
        return OPTIMIZERS[name]()

    cpu_params, cpu_states, _ = _train(make, dtype, get_device("@numpy"))
    dev_params, dev_states, _ = _train(make, dtype, get_device(device))
    _compare(dev_params, cpu_params, dtype, f"{name} parameter")
    _compare(dev_states, cpu_states, dtype, f"{name} state")


HOOKS: dict[str, Callable[[], Hook]] = {
    "WeightDecay": lambda: hooks.WeightDecay(0.1),
    "Lasso": lambda: hooks.Lasso(0.1),
    "GradientClipping": lambda: hooks.GradientClipping(0.5),
    "GradientHardClipping": lambda: hooks.GradientHardClipping(-0.3, 0.3),
    "GradientLARS": lambda: hooks.GradientLARS(threshold=10.0, weight_decay=0.01),
}


@pytest.mark.parametrize("device", TARGETS)
@pytest.mark.parametrize("name", sorted(HOOKS))
def test_optimizer_hook_on_device_matches_cpu(name: str, device: str) -> None:
    cpu_params, _, _ = _train(optimizers.MomentumSGD, numpy.float32, get_device("@numpy"), HOOKS[name]())
    dev_params, _, _ = _train(optimizers.MomentumSGD, numpy.float32, get_device(device), HOOKS[name]())
    plain, _, _ = _train(optimizers.MomentumSGD, numpy.float32, get_device("@numpy"))
    assert not numpy.allclose(cpu_params["/w"], plain["/w"]), f"{name} changed nothing"
    _compare(dev_params, cpu_params, numpy.float32, f"{name} parameter")
