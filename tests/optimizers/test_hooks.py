"""Optimizer hooks: each one's effect on the gradient against its formula, written
here in float64, applied through SGD (``param -= lr * hooked_grad``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import fchain
from fchain import optimizer_hooks, optimizers
from fchain.facade.optimizer import Hook, UpdateRule
from fchain.types import Array, ArrayNamespace, Shape
from tests.optimizers.models import make_link
from tests.arrays import values
from tests.rules import rule_of

LR = 0.1


def _setup(hook: Hook, seed: int = 0, dtype: Any = np.float64) -> tuple[fchain.Chain, dict[str, Array], dict[str, Array]]:
    rng = np.random.default_rng(seed)
    p0 = {"a/W": rng.standard_normal((3, 4)).astype(dtype), "a/b": rng.standard_normal(3).astype(dtype)}
    g0 = {k: rng.standard_normal(v.shape).astype(dtype) for k, v in p0.items()}
    link = make_link(p0)
    opt = optimizers.SGD(lr=LR).setup(link)
    opt.add_hook(hook)
    for name, p in link.namedparams():
        p.grad = g0[name.strip("/")].copy()
    opt.update()
    return link, p0, g0


def _result(link: fchain.Chain) -> dict[str, Array]:
    return {name.strip("/"): values(p) for name, p in link.namedparams()}


def _expect(p0: dict[str, Array], hooked: dict[str, Array]) -> dict[str, Array]:
    return {k: p0[k] - LR * hooked[k] for k in p0}


def _assert_close(got: dict[str, Array], expected: dict[str, Array]) -> None:
    assert sorted(got) == sorted(expected)
    for k in expected:
        np.testing.assert_allclose(got[k], expected[k], rtol=1e-12, atol=1e-14, err_msg=k)


def test_weight_decay_adds_rate_times_param() -> None:
    link, p0, g0 = _setup(optimizer_hooks.WeightDecay(0.3))
    _assert_close(_result(link), _expect(p0, {k: g0[k] + 0.3 * p0[k] for k in p0}))


def test_old_name_in_fchain_optimizer_is_the_same_hook() -> None:
    assert fchain.optimizer.WeightDecay is optimizer_hooks.WeightDecay
    link, p0, g0 = _setup(fchain.optimizer.WeightDecay(0.0005))
    _assert_close(_result(link), _expect(p0, {k: g0[k] + 0.0005 * p0[k] for k in p0}))


def test_lasso_adds_rate_times_sign() -> None:
    link, p0, g0 = _setup(optimizer_hooks.Lasso(0.2))
    _assert_close(_result(link), _expect(p0, {k: g0[k] + 0.2 * np.sign(p0[k]) for k in p0}))


@pytest.mark.parametrize("threshold", [0.5, 1e6])
def test_gradient_clipping_scales_by_global_norm(threshold: float) -> None:
    link, p0, g0 = _setup(optimizer_hooks.GradientClipping(threshold))
    norm = math.sqrt(sum(float(np.sum(g ** 2)) for g in g0.values()))
    rate = min(1.0, threshold / norm)
    _assert_close(_result(link), _expect(p0, {k: g0[k] * rate for k in p0}))
    if threshold < norm:
        total = math.sqrt(sum(float(np.sum(p.grad ** 2)) for p in link.params() if p.grad is not None))
        assert total == pytest.approx(threshold, rel=1e-12)


def test_gradient_hard_clipping_clips_each_element() -> None:
    link, p0, g0 = _setup(optimizer_hooks.GradientHardClipping(-0.4, 0.25))
    _assert_close(_result(link), _expect(p0, {k: np.minimum(np.maximum(g0[k], -0.4), 0.25) for k in p0}))


def test_gradient_hard_clipping_rejects_inverted_bounds() -> None:
    with pytest.raises(ValueError, match="GradientHardClipping: lower_bound"):
        optimizer_hooks.GradientHardClipping(1.0, -1.0)


@pytest.mark.parametrize("threshold", [1e-3, 1e3])
def test_gradient_lars(threshold: float) -> None:
    wd, eps = 0.05, 1e-9
    link, p0, g0 = _setup(optimizer_hooks.GradientLARS(threshold=threshold, weight_decay=wd, eps=eps))
    hooked = {}
    for k in p0:
        p_norm, g_norm = np.linalg.norm(p0[k]), np.linalg.norm(g0[k])
        rate = p_norm / (eps + g_norm + wd * p_norm) if p_norm > threshold else 1.0
        hooked[k] = rate * (g0[k] + wd * p0[k])
    _assert_close(_result(link), _expect(p0, hooked))


def test_gradient_noise_with_custom_noise_function_sees_the_rule() -> None:
    seen: list[int] = []

    def noise(xp: ArrayNamespace, shape: Shape, dtype: np.dtype[Any], hook: optimizer_hooks.GradientNoise,
              rule: UpdateRule) -> Array:
        seen.append(rule.t)
        return xp.full(shape, hook.eta * (rule.t + 1), dtype=dtype)

    link, p0, g0 = _setup(optimizer_hooks.GradientNoise(0.25, noise_func=noise))
    assert seen == [0, 0]  # optimizer-level 'pre' hooks run before the rules' t += 1
    _assert_close(_result(link), _expect(p0, {k: g0[k] + 0.25 for k in p0}))


def test_gradient_noise_default_is_annealed_gaussian() -> None:
    eta = 0.3
    np.random.seed(123)
    link, p0, g0 = _setup(optimizer_hooks.GradientNoise(eta))
    np.random.seed(123)
    std = math.sqrt(eta / (1 + 0) ** 0.55)  # t = 0 before the first update
    hooked = {}
    for k in sorted(p0):  # params are visited in sorted path order: a/W, a/b
        hooked[k] = g0[k] + np.random.normal(0, std, g0[k].shape)
    _assert_close(_result(link), _expect(p0, hooked))


def test_hooks_leave_uninitialized_params_alone() -> None:
    link = make_link({"W": np.ones(3)})
    with link.init_scope():
        link.lazy = fchain.Parameter()  # uninitialized
    opt = optimizers.SGD(lr=LR).setup(link)
    for hook in (optimizer_hooks.WeightDecay(0.1), optimizer_hooks.Lasso(0.1),
                 optimizer_hooks.GradientHardClipping(-1, 1), optimizer_hooks.GradientLARS(),
                 optimizer_hooks.GradientClipping(1.0)):
        opt.add_hook(hook)
    dict(link.namedparams())["/W"].grad = np.full(3, 0.5)
    opt.update()
    assert not dict(link.namedparams())["/lazy"].is_initialized


def test_hook_as_update_rule_hook() -> None:
    link = make_link({"W": np.array([1.0, -2.0]), "b": np.array([3.0])})
    opt = optimizers.SGD(lr=LR).setup(link)
    params = dict(link.namedparams())
    rule_of(params["/W"]).add_hook(optimizer_hooks.WeightDecay(0.5))
    params["/W"].grad = np.zeros(2)
    params["/b"].grad = np.zeros(1)
    opt.update()
    np.testing.assert_allclose(values(params["/W"]), [1.0 - LR * 0.5, -2.0 + LR * 1.0])
    np.testing.assert_allclose(values(params["/b"]), [3.0])  # only W's rule has the hook
