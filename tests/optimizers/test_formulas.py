"""Every optimizer's trajectory against an independent float64 implementation of its
published formula (``tests/optimizers/reference.py``), for several steps, with
default and random hyperparameters; state names and defaults as Chainer 7's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fchain import optimizers
from fchain.facade.optimizer import GradientMethod
from fchain.types import Array
from tests.optimizers import reference as ref
from tests.optimizers.models import make_link
from tests.arrays import values
from tests.rules import rule_of

SHAPES = {"l1/W": (3, 4), "l1/b": (3,), "l2/W": (2, 3)}


@dataclass(frozen=True)
class Case:
    cls: str
    step: ref.Step
    defaults: dict[str, Any]
    state: tuple[str, ...]
    fixed: dict[str, Any] = field(default_factory=dict)  # flags the class presets
    ranges: dict[str, st.SearchStrategy[Any]] = field(default_factory=dict)


def _unit(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


LR = _unit(1e-4, 0.5)
MOMENTUM = _unit(0.0, 0.99)
ADAM_RANGES: dict[str, st.SearchStrategy[Any]] = {
    "alpha": _unit(1e-4, 0.1), "beta1": _unit(0.0, 0.99), "beta2": _unit(0.5, 0.9999),
    "eps": _unit(1e-8, 1e-2), "eta": _unit(0.1, 2.0), "weight_decay_rate": _unit(0.0, 0.1),
}
ADAM_DEFAULTS = {"alpha": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "eta": 1.0,
                 "weight_decay_rate": 0, "amsgrad": False, "adabound": False,
                 "final_lr": 0.1, "gamma": 1e-3}
BOUND_RANGES = {**{k: v for k, v in ADAM_RANGES.items() if k != "weight_decay_rate"},
                "final_lr": _unit(1e-3, 0.5), "gamma": _unit(1e-4, 0.5)}

CASES: dict[str, Case] = {
    "SGD": Case("SGD", ref.sgd, {"lr": 0.01}, (), ranges={"lr": LR}),
    "MomentumSGD": Case("MomentumSGD", ref.momentum_sgd, {"lr": 0.01, "momentum": 0.9}, ("v",),
                        ranges={"lr": LR, "momentum": MOMENTUM}),
    "CorrectedMomentumSGD": Case("CorrectedMomentumSGD", ref.corrected_momentum_sgd,
                                 {"lr": 0.01, "momentum": 0.9}, ("v",),
                                 ranges={"lr": LR, "momentum": MOMENTUM}),
    "NesterovAG": Case("NesterovAG", ref.nesterov_ag, {"lr": 0.01, "momentum": 0.9}, ("v",),
                       ranges={"lr": LR, "momentum": MOMENTUM}),
    "AdaGrad": Case("AdaGrad", ref.ada_grad, {"lr": 0.001, "eps": 1e-8}, ("h",),
                    ranges={"lr": LR, "eps": _unit(1e-8, 1e-2)}),
    "AdaDelta": Case("AdaDelta", ref.ada_delta, {"rho": 0.95, "eps": 1e-6}, ("msg", "msdx"),
                     ranges={"rho": _unit(0.5, 0.99), "eps": _unit(1e-8, 1e-2)}),
    "RMSprop": Case("RMSprop", ref.rmsprop,
                    {"lr": 0.01, "alpha": 0.99, "eps": 1e-8, "eps_inside_sqrt": False}, ("ms",),
                    ranges={"lr": LR, "alpha": _unit(0.5, 0.999), "eps": _unit(1e-8, 1e-2),
                            "eps_inside_sqrt": st.booleans()}),
    "RMSpropGraves": Case("RMSpropGraves", ref.rmsprop_graves,
                          {"lr": 1e-4, "alpha": 0.95, "momentum": 0.9, "eps": 1e-4},
                          ("n", "g", "delta"),
                          ranges={"lr": LR, "alpha": _unit(0.5, 0.99), "momentum": MOMENTUM,
                                  "eps": _unit(1e-4, 1e-1)}),
    "SMORMS3": Case("SMORMS3", ref.smorms3, {"lr": 0.001, "eps": 1e-16}, ("mem", "g", "g2"),
                    ranges={"lr": LR, "eps": _unit(1e-16, 1e-3)}),
    "Adam": Case("Adam", ref.adam, ADAM_DEFAULTS, ("m", "v"),
                 ranges={**ADAM_RANGES, "amsgrad": st.booleans()}),
    "AdamW": Case("AdamW", ref.adam, {**ADAM_DEFAULTS, "weight_decay_rate": 0}, ("m", "v"),
                  ranges=ADAM_RANGES),
    "AMSGrad": Case("AMSGrad", ref.adam, {**ADAM_DEFAULTS, "amsgrad": True}, ("m", "v", "vhat"),
                    fixed={"amsgrad": True},
                    ranges={k: v for k, v in ADAM_RANGES.items() if k != "weight_decay_rate"}),
    "AdaBound": Case("AdaBound", ref.adam, {**ADAM_DEFAULTS, "adabound": True}, ("m", "v"),
                     fixed={"adabound": True}, ranges=BOUND_RANGES),
    "AMSBound": Case("AMSBound", ref.adam, {**ADAM_DEFAULTS, "amsgrad": True, "adabound": True},
                     ("m", "v", "vhat"), fixed={"amsgrad": True, "adabound": True},
                     ranges=BOUND_RANGES),
    "MSVAG": Case("MSVAG", ref.msvag, {"lr": 0.1, "beta": 0.9, "eta": 1.0, "weight_decay_rate": 0},
                  ("m", "v"),
                  ranges={"lr": LR, "beta": _unit(0.1, 0.99), "eta": _unit(0.1, 2.0),
                          "weight_decay_rate": _unit(0.0, 0.1)}),
}


def _initial(seed: int, dtype: Any) -> dict[str, Array]:
    rng = np.random.default_rng(seed)
    return {k: rng.standard_normal(s).astype(dtype) for k, s in SHAPES.items()}


def _grads(seed: int, steps: int, dtype: Any) -> list[dict[str, Array]]:
    rng = np.random.default_rng(seed + 1000)
    return [{k: rng.standard_normal(s).astype(dtype) for k, s in SHAPES.items()} for _ in range(steps)]


def run_fchain(make: Callable[[], GradientMethod], p0: dict[str, Array],
               grads: list[dict[str, Array]]) -> tuple[dict[str, Array], dict[str, dict[str, Array]], GradientMethod]:
    link = make_link(p0)
    opt = make().setup(link)
    params = dict(link.namedparams())
    for step in grads:
        for k, g in step.items():
            params["/" + k].grad = g.copy()
        opt.update()
    out = {k: values(params["/" + k]) for k in p0}
    states = {k: dict(rule_of(params["/" + k]).state or {}) for k in p0}
    return out, states, opt


def run_reference(case: Case, hp: dict[str, Any], p0: dict[str, Array],
                  grads: list[dict[str, Array]]) -> tuple[dict[str, Array], dict[str, ref.State]]:
    params = {k: v.astype(np.float64) for k, v in p0.items()}
    states: dict[str, ref.State] = {k: {} for k in p0}
    for t, step in enumerate(grads, start=1):
        for k, g in step.items():
            params[k] = case.step(params[k], g.astype(np.float64), states[k], hp, t)
    return params, states


def _check(case: Case, hp: dict[str, Any], seed: int, steps: int, dtype: Any,
           rtol: float, atol: float) -> None:
    p0, grads = _initial(seed, dtype), _grads(seed, steps, dtype)
    kwargs = {k: v for k, v in hp.items() if k not in case.fixed}
    got, got_states, opt = run_fchain(lambda: getattr(optimizers, case.cls)(**kwargs), p0, grads)
    expected, expected_states = run_reference(case, {**case.defaults, **hp}, p0, grads)
    assert opt.t == steps
    names = sorted(set(case.state) | ({"vhat"} if hp.get("amsgrad") else set()))
    for k in p0:
        assert got[k].dtype == dtype
        np.testing.assert_allclose(got[k], expected[k], rtol=rtol, atol=atol,
                                   err_msg=f"{case.cls} {hp} parameter {k}")
        assert sorted(got_states[k]) == names, f"{case.cls}: state names"
        for name in names:
            np.testing.assert_allclose(got_states[k][name], expected_states[k][name],
                                       rtol=rtol, atol=atol, err_msg=f"{case.cls} state {k}/{name}")


NON_DEFAULT: dict[str, dict[str, Any]] = {
    "SGD": {"lr": 0.3},
    "MomentumSGD": {"lr": 0.05, "momentum": 0.5},
    "CorrectedMomentumSGD": {"lr": 0.05, "momentum": 0.5},
    "NesterovAG": {"lr": 0.05, "momentum": 0.7},
    "AdaGrad": {"lr": 0.1, "eps": 1e-3},
    "AdaDelta": {"rho": 0.8, "eps": 1e-3},
    "RMSprop": {"lr": 0.05, "alpha": 0.9, "eps": 1e-2, "eps_inside_sqrt": True},
    "RMSpropGraves": {"lr": 0.01, "alpha": 0.8, "momentum": 0.5, "eps": 0.5},
    "SMORMS3": {"lr": 0.05, "eps": 1e-3},
    "Adam": {"alpha": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-3, "eta": 0.5,
             "weight_decay_rate": 0.05, "amsgrad": True},
    "AdamW": {"alpha": 0.01, "weight_decay_rate": 0.1, "eta": 0.7},
    "AMSGrad": {"alpha": 0.02, "beta2": 0.9},
    "AdaBound": {"alpha": 0.01, "final_lr": 0.05, "gamma": 0.1},
    "AMSBound": {"alpha": 0.01, "final_lr": 0.05, "gamma": 0.1, "beta2": 0.9},
    "MSVAG": {"lr": 0.05, "beta": 0.7, "eta": 0.5, "weight_decay_rate": 0.05},
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("which", ["defaults", "non-default"])
def test_trajectory_matches_formula_float64(name: str, which: str) -> None:
    case = CASES[name]
    hp = {} if which == "defaults" else NON_DEFAULT[name]
    _check(case, hp, seed=7, steps=6, dtype=np.float64, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_trajectory_float32_stays_close_to_float64_formula(name: str) -> None:
    _check(CASES[name], NON_DEFAULT[name], seed=3, steps=4, dtype=np.float32, rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize("name", sorted(CASES))
def test_default_hyperparameters_are_chainers(name: str) -> None:
    opt = getattr(optimizers, name)()
    assert opt.hyperparam.get_dict() == CASES[name].defaults


@st.composite
def _hyperparameters(draw: st.DrawFn, name: str) -> dict[str, Any]:
    return {k: draw(s) for k, s in CASES[name].ranges.items()}


@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data(), seed=st.integers(0, 2 ** 16))
def test_random_hyperparameters_match_formula(name: str, data: st.DataObject, seed: int) -> None:
    hp = data.draw(_hyperparameters(name), label="hyperparameters")
    _check(CASES[name], hp, seed=seed, steps=3, dtype=np.float64, rtol=1e-9, atol=1e-11)
