"""The fused CuPy kernels of ``fchain.facade.optim_cuda`` against the numpy update
math of ``fchain.core.optim_rules`` (GPU only), and CuPy staying unimported on the
CPU path."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from fchain.core import optim_rules
from fchain.core.backend import cupy_module
from fchain.facade import optim_cuda
from tests.conftest import requires_gpu

# kernel name -> (numpy rule, scalar hyperparameters, number of state arrays, ones-initialized states)
KERNELS: dict[str, tuple[Callable[..., None], tuple[Any, ...], int, tuple[int, ...]]] = {
    "sgd": (optim_rules.sgd, (0.1,), 0, ()),
    "momentum_sgd": (optim_rules.momentum_sgd, (0.1, 0.9), 1, ()),
    "corrected_momentum_sgd": (optim_rules.corrected_momentum_sgd, (0.1, 0.9), 1, ()),
    "nesterov_ag": (optim_rules.nesterov_ag, (0.1, 0.9), 1, ()),
    "ada_grad": (optim_rules.ada_grad, (0.1, 1e-6), 1, ()),
    "ada_delta": (optim_rules.ada_delta, (0.95, 1e-6), 2, ()),
    "rmsprop": (optim_rules.rmsprop, (0.01, 0.99, 1e-6), 1, ()),
    "rmsprop_eps_inside_sqrt": (optim_rules.rmsprop, (0.01, 0.99, 1e-6), 1, ()),
    "rmsprop_graves": (optim_rules.rmsprop_graves, (1e-3, 0.95, 0.9, 1e-4), 3, ()),
    "smorms3": (optim_rules.smorms3, (1e-3, 1e-8), 3, (0,)),
}

TOL = {np.float32: (1e-5, 1e-6), np.float64: (1e-12, 1e-14)}


def _data(dtype: Any, n_state: int, ones: tuple[int, ...]) -> tuple[np.ndarray[Any, Any], ...]:
    rng = np.random.default_rng(0)
    p = rng.standard_normal((5, 7)).astype(dtype)
    g = rng.standard_normal((5, 7)).astype(dtype)
    states = tuple(np.ones_like(p) if i in ones else np.abs(rng.standard_normal((5, 7))).astype(dtype) * 0.1
                   for i in range(n_state))
    return (p, g, *states)


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", sorted(KERNELS))
def test_kernel_matches_numpy_rule(name: str, dtype: Any) -> None:
    cp = cupy_module()
    assert cp is not None
    rule, scalars, n_state, ones = KERNELS[name]
    p, g, *states = _data(dtype, n_state, ones)
    extra: tuple[Any, ...] = (name == "rmsprop_eps_inside_sqrt",) if name.startswith("rmsprop") and name != "rmsprop_graves" else ()
    cpu_p, cpu_states = p.copy(), [s.copy() for s in states]
    rule(np, cpu_p, g, *cpu_states, *scalars, *extra)
    dev = [cp.asarray(a) for a in (p, *states)]
    optim_cuda.kernel(name)(cp.asarray(g), *scalars, *dev)
    rtol, atol = TOL[dtype]
    for got, expected in zip(dev, [cpu_p, *cpu_states]):
        np.testing.assert_allclose(cp.asnumpy(got), expected, rtol=rtol, atol=atol, err_msg=name)


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("adabound", [False, True])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64], ids=["float16", "float32", "float64"])
def test_adam_kernel_matches_numpy_rule(amsgrad: bool, adabound: bool, dtype: Any) -> None:
    cp = cupy_module()
    assert cp is not None
    p, g, m, v, vhat = _data(dtype, 3, ())
    compute = np.float32 if dtype == np.float16 else dtype
    alpha_t = optim_rules.adam_alpha_t(0.01, 0.9, 0.999, 3)
    bounds = optim_rules.adabound_bounds(0.1, 0.01, 0.01, 1e-3, 3) if adabound else None
    eps, eta, wdr = 1e-4, 0.5, 0.01
    cpu = [a.copy() for a in (p, m, v, vhat)]
    optim_rules.adam(np, cpu[0], g, cpu[1], cpu[2], cpu[3] if amsgrad else None, alpha_t, 0.9, 0.999,
                     eps, eta, wdr, bounds, compute)
    dev = [cp.asarray(a) for a in (p, m, v, vhat)]
    lower, upper = bounds if bounds is not None else (0.0, 0.0)
    kernel = optim_cuda.adam_kernel(amsgrad, adabound, np.dtype(compute).name)
    kernel(cp.asarray(g), alpha_t, 1 - 0.9, 1 - 0.999, eps, -eta, 1 - eta * wdr, lower, upper,
           *(dev if amsgrad else dev[:3]))
    rtol, atol = {np.float16: (2e-3, 2e-3), np.float32: (1e-5, 1e-6), np.float64: (1e-12, 1e-14)}[dtype]
    for got, expected in zip(dev[: 4 if amsgrad else 3], cpu):
        np.testing.assert_allclose(cp.asnumpy(got).astype(np.float64), expected.astype(np.float64),
                                   rtol=rtol, atol=atol)


def test_cpu_updates_never_import_cupy() -> None:
    code = (
        "import sys, numpy as np\n"
        "import fchain, fchain.optimizers as O, fchain.optimizer_hooks as H\n"
        "from fchain import Chain, Parameter\n"
        "before = 'cupy' in sys.modules\n"
        "c = Chain()\n"
        "with c.init_scope():\n"
        "    c.W = Parameter(np.ones(3, np.float32))\n"
        "for name in O.__all__:\n"
        "    opt = getattr(O, name)().setup(c)\n"
        "    opt.add_hook(H.WeightDecay(0.1))\n"
        "    c.W.grad = np.ones(3, np.float32)\n"
        "    opt.update()\n"
        "sys.exit(0 if before or 'cupy' not in sys.modules else 1)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
