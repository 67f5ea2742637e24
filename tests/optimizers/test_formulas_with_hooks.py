"""Every optimizer over several steps with optimizer hooks, against the independent
float64 references of ``tests/optimizers/reference.py`` (rules and hooks).

Chainer's order, which the reference follows: at each update every hook runs in
registration order over all parameters, then every rule updates its parameter; a
hook sees the parameters as they were before this update and the rules' step count
before it is incremented.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from fchain import optimizer_hooks, optimizers
from fchain.facade.optimizer import GradientMethod, Hook, UpdateRule
from fchain.types import Array, ArrayNamespace, Shape
from tests.optimizers import reference as ref
from tests.optimizers.models import make_link
from tests.optimizers.test_formulas import CASES, NON_DEFAULT, SHAPES
from tests.arrays import values
from tests.rules import rule_of

STEPS = 5
NOISE_ETA = 0.05


def _seeded_noise(xp: ArrayNamespace, shape: Shape, dtype: np.dtype[Any],
                  hook: optimizer_hooks.GradientNoise, rule: UpdateRule) -> Array:
    """A noise function whose draws depend only on the shape and the step count."""
    rng = np.random.default_rng([rule.t, *shape])
    return (hook.eta * rng.standard_normal(shape)).astype(dtype)


def _seeded_noise_ref(path: str, shape: tuple[int, ...], t: int) -> Array:
    rng = np.random.default_rng([t, *shape])
    return NOISE_ETA * rng.standard_normal(shape)


def _chainer_default_noise_ref(eta: float) -> Callable[[str, tuple[int, ...], int], Array]:
    """Chainer's default: N(0, eta / (1 + t) ** 0.55) from numpy's global generator,
    drawn parameter by parameter in path order."""
    def noise(path: str, shape: tuple[int, ...], t: int) -> Array:
        return np.random.normal(0.0, math.sqrt(eta / (1 + t) ** 0.55), shape)
    return noise


# name -> (fchain hooks, reference hooks, numpy seed set before the run or None)
HookCombo = tuple[Callable[[], list[Hook]], Callable[[], list[ref.HookStep]], int | None]
COMBOS: dict[str, HookCombo] = {
    "decay+lasso+hard-clip": (
        lambda: [optimizer_hooks.WeightDecay(0.01), optimizer_hooks.Lasso(0.002),
                 optimizer_hooks.GradientHardClipping(-0.8, 0.8)],
        lambda: [ref.weight_decay(0.01), ref.lasso(0.002), ref.gradient_hard_clipping(-0.8, 0.8)],
        None),
    "clip+lars": (
        lambda: [optimizer_hooks.GradientClipping(1.5),
                 optimizer_hooks.GradientLARS(threshold=2.0, weight_decay=0.01, eps=1e-9)],
        lambda: [ref.gradient_clipping(1.5), ref.gradient_lars(2.0, 0.01, 1e-9)],
        None),
    "seeded-noise+decay": (
        lambda: [optimizer_hooks.GradientNoise(NOISE_ETA, noise_func=_seeded_noise),
                 optimizer_hooks.WeightDecay(0.01)],
        lambda: [ref.gradient_noise(_seeded_noise_ref), ref.weight_decay(0.01)],
        None),
    "all-six-default-noise": (
        lambda: [optimizer_hooks.WeightDecay(0.01), optimizer_hooks.Lasso(0.002),
                 optimizer_hooks.GradientClipping(2.0), optimizer_hooks.GradientHardClipping(-0.5, 0.5),
                 optimizer_hooks.GradientLARS(threshold=2.0, weight_decay=0.001),
                 optimizer_hooks.GradientNoise(0.02)],
        lambda: [ref.weight_decay(0.01), ref.lasso(0.002), ref.gradient_clipping(2.0),
                 ref.gradient_hard_clipping(-0.5, 0.5), ref.gradient_lars(2.0, 0.001, 1e-9),
                 ref.gradient_noise(_chainer_default_noise_ref(0.02))],
        2024),
}

# Adam's flags, covered on the Adam class itself as well as by its subclasses.
OPTIMIZERS: dict[str, tuple[str, dict[str, Any]]] = {
    **{name: (name, NON_DEFAULT[name]) for name in sorted(CASES)},
    "Adam(amsgrad)": ("Adam", {"alpha": 0.01, "beta2": 0.9, "amsgrad": True}),
    "Adam(adabound)": ("Adam", {"alpha": 0.01, "adabound": True, "final_lr": 0.05, "gamma": 0.1}),
    "Adam(weight_decay_rate, eta)": ("Adam", {"alpha": 0.01, "weight_decay_rate": 0.1, "eta": 0.5}),
}


def _data(seed: int) -> tuple[dict[str, Array], list[dict[str, Array]]]:
    rng = np.random.default_rng(seed)
    p0 = {k: rng.standard_normal(s) for k, s in SHAPES.items()}
    grads = [{k: rng.standard_normal(s) for k, s in SHAPES.items()} for _ in range(STEPS)]
    return p0, grads


def _run_fchain(opt: GradientMethod, hooks: list[Hook], p0: dict[str, Array],
                grads: list[dict[str, Array]]) -> tuple[dict[str, Array], dict[str, dict[str, Array]]]:
    link = make_link(p0)
    opt.setup(link)
    for hook in hooks:
        opt.add_hook(hook)
    params = dict(link.namedparams())
    for step in grads:
        for k, g in step.items():
            params["/" + k].grad = g.copy()
        opt.update()
    assert opt.t == len(grads)
    return ({k: values(params["/" + k]) for k in p0},
            {k: dict(rule_of(params["/" + k]).state or {}) for k in p0})


def _run_reference(step: ref.Step, hp: dict[str, Any], hooks: list[ref.HookStep],
                   p0: dict[str, Array], grads: list[dict[str, Array]]
                   ) -> tuple[dict[str, Array], dict[str, ref.State]]:
    params = {k: v.copy() for k, v in p0.items()}
    states: dict[str, ref.State] = {k: {} for k in p0}
    for t, raw in enumerate(grads, start=1):
        g = {k: raw[k].copy() for k in sorted(raw)}  # hooks visit parameters in path order
        for hook in hooks:
            g = hook(params, g, t - 1)
        params = {k: step(params[k], g[k], states[k], hp, t) for k in params}
    return params, states


def _case_for(cls_name: str, kwargs: dict[str, Any]) -> tuple[ref.Step, dict[str, Any]]:
    case = CASES[cls_name]
    return case.step, {**case.defaults, **kwargs}


@pytest.mark.parametrize("combo", sorted(COMBOS))
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_trajectory_with_hooks_matches_formulas_float64(name: str, combo: str) -> None:
    cls_name, kwargs = OPTIMIZERS[name]
    make_hooks, make_ref_hooks, seed = COMBOS[combo]
    step, hp = _case_for(cls_name, kwargs)
    p0, grads = _data(11)
    fixed = CASES[cls_name].fixed
    opt = getattr(optimizers, cls_name)(**{k: v for k, v in kwargs.items() if k not in fixed})
    if seed is not None:
        np.random.seed(seed)
    got, got_states = _run_fchain(opt, make_hooks(), p0, grads)
    if seed is not None:
        np.random.seed(seed)
    expected, expected_states = _run_reference(step, hp, make_ref_hooks(), p0, grads)
    for k in p0:
        assert got[k].dtype == np.float64
        np.testing.assert_allclose(got[k], expected[k], rtol=1e-10, atol=1e-12,
                                   err_msg=f"{name} with {combo}: parameter {k}")
        assert sorted(got_states[k]) == sorted(expected_states[k]), f"{name}: state names"
        for s in expected_states[k]:
            np.testing.assert_allclose(got_states[k][s], expected_states[k][s], rtol=1e-10, atol=1e-12,
                                       err_msg=f"{name} with {combo}: state {k}/{s}")


def test_the_hook_combinations_change_the_trajectory() -> None:
    """Guards against hooks that silently do nothing: with each combination the
    reference trajectory differs from the hook-free one."""
    step, hp = _case_for("MomentumSGD", NON_DEFAULT["MomentumSGD"])
    p0, grads = _data(11)
    plain, _ = _run_reference(step, hp, [], p0, grads)
    for combo, (_, make_ref_hooks, seed) in COMBOS.items():
        if seed is not None:
            np.random.seed(seed)
        hooked, _ = _run_reference(step, hp, make_ref_hooks(), p0, grads)
        assert any(not np.allclose(hooked[k], plain[k], rtol=1e-6, atol=0) for k in p0), combo


def test_lars_threshold_and_clipping_are_both_active_in_the_data() -> None:
    """The data exercise both branches: some parameter norms are above the LARS
    threshold and some below, and the joint gradient norm exceeds the clipping
    thresholds at every step."""
    p0, grads = _data(11)
    norms = [float(np.linalg.norm(p)) for p in p0.values()]
    assert min(norms) < 2.0 < max(norms)
    for g in grads:
        total = math.sqrt(sum(float((a * a).sum()) for a in g.values()))
        assert total > 2.0
