"""The pure update math in ``fchain.core.optim_rules``: in place, the copying
reference form, and the scalar helpers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fchain.core import optim_rules


def test_rules_update_in_place_and_keep_the_arrays() -> None:
    p, g, v = np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.array([0.1, 0.2])
    p_id, v_id = id(p), id(v)
    optim_rules.momentum_sgd(np, p, g, v, 0.1, 0.5)
    assert id(p) == p_id and id(v) == v_id
    np.testing.assert_allclose(v, [0.05 - 0.05, 0.1 + 0.1])
    np.testing.assert_allclose(p, [1.0, 2.2])


def test_functional_form_leaves_arguments_alone() -> None:
    p, g, v = np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.array([0.1, 0.2])
    new_p, (new_v,) = optim_rules.functional(optim_rules.momentum_sgd, np, p, g, (v,), 0.1, 0.5)
    np.testing.assert_array_equal(p, [1.0, 2.0])
    np.testing.assert_array_equal(v, [0.1, 0.2])
    assert new_v is not None
    np.testing.assert_allclose(new_p, [1.0, 2.2])
    np.testing.assert_allclose(new_v, [0.0, 0.2])


def test_functional_adam_without_amsgrad_keeps_vhat_none() -> None:
    p, g = np.array([1.0]), np.array([2.0])
    m, v = np.zeros(1), np.zeros(1)
    alpha_t = optim_rules.adam_alpha_t(0.1, 0.9, 0.999, 1)
    new_p, (new_m, new_v, vhat) = optim_rules.functional(
        optim_rules.adam, np, p, g, (m, v, None), alpha_t, 0.9, 0.999, 1e-8, 1.0, 0.0, None, np.float64)
    assert vhat is None and new_m is not None and new_v is not None
    np.testing.assert_allclose(new_m, [0.2])
    np.testing.assert_allclose(new_v, [0.004])
    # t = 1: alpha_t * m / sqrt(v) == alpha * sign(g) (up to eps)
    np.testing.assert_allclose(new_p, [1.0 - 0.1], rtol=1e-7)


def test_adam_alpha_t_and_adabound_bounds() -> None:
    assert optim_rules.adam_alpha_t(0.001, 0.9, 0.999, 10) == pytest.approx(
        0.001 * math.sqrt(1 - 0.999 ** 10) / (1 - 0.9 ** 10), rel=1e-15)
    lower, upper = optim_rules.adabound_bounds(0.1, 0.002, 0.001, 0.01, 5)
    assert lower == pytest.approx(0.2 * (1 - 1 / (0.05 + 1)))
    assert upper == pytest.approx(0.2 * (1 + 1 / 0.05))
    with pytest.raises(RuntimeError, match="t == 0"):
        optim_rules.adabound_bounds(0.1, 0.001, 0.001, 0.001, 0)


def test_msvag_rho_is_capped_and_one_at_step_one() -> None:
    assert optim_rules.msvag_rho(0.9, 0.9) == 0.9999
    beta, bp = 0.9, 0.9 ** 3
    expected = (1 - beta) ** 2 * (1 - bp ** 2) / ((1 - bp) ** 2 * (1 - beta ** 2))
    assert optim_rules.msvag_rho(beta, bp) == pytest.approx(expected)


def test_gradient_clipping_rate_of_zero_gradients_is_infinite() -> None:
    assert optim_rules.gradient_clipping_rate(np, [np.zeros(3)], 1.0) == math.inf
    rate = optim_rules.gradient_clipping_rate(np, [np.array([3.0]), np.array([4.0])], 1.0)
    assert rate == pytest.approx(0.2)


def test_msvag_zero_gradient_gives_zero_factor_not_nan() -> None:
    p, g, m, v = np.array([1.0]), np.array([0.0]), np.zeros(1), np.zeros(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        optim_rules.msvag(np, p, g, m, v, 0.1, 0.9, 0.9, 1.0, 0.0)
    np.testing.assert_array_equal(p, [1.0])
