"""Optimizer state in files: Chainer's keys (``t``, ``epoch``, ``<param>/t``,
``<param>/<state>``), fchain's hyperparameter keys, resuming a run exactly, and
loading files Chainer wrote (no hyperparameter keys)."""

from __future__ import annotations

import pathlib
from collections.abc import Callable

import numpy as np
import pytest

import fchain
from fchain import optimizers, serializers
from fchain.facade.optimizer import GradientMethod
from fchain.types import Array
from tests.optimizers.models import make_link, param
from tests.arrays import values
from tests.rules import rule_of, state_dict
from fchain.optimizers.msvag import MSVAGRule

SHAPES = {"predictor/l1/W": (3, 2), "predictor/l1/b": (3,), "predictor/l2/W": (1, 3)}


def _model(seed: int = 0) -> fchain.Chain:
    rng = np.random.default_rng(seed)
    return make_link({k: rng.standard_normal(s).astype(np.float32) for k, s in SHAPES.items()})


def _grads(step: int) -> dict[str, Array]:
    rng = np.random.default_rng(100 + step)
    return {"/" + k: rng.standard_normal(s).astype(np.float32) for k, s in SHAPES.items()}


def _train(opt: GradientMethod, link: fchain.Link, steps: range) -> None:
    for step in steps:
        grads = _grads(step)
        for name, p in link.namedparams():
            p.grad = grads[name].copy()
        opt.update()


def _copy_params(src: fchain.Link) -> fchain.Chain:
    return make_link({name.strip("/"): values(p) for name, p in src.namedparams()})


def test_saved_keys_are_chainers_plus_hyperparameters(tmp_path: pathlib.Path) -> None:
    link = _model()
    opt = optimizers.Adam(alpha=0.01).setup(link)
    _train(opt, link, range(3))
    opt.new_epoch()
    path = tmp_path / "opt.npz"
    serializers.save_npz(path, opt)
    with np.load(path) as f:
        keys = set(f.files)
        assert int(f["t"]) == 3 and int(f["epoch"]) == 1
        for name in SHAPES:
            assert {f"{name}/t", f"{name}/m", f"{name}/v"} <= keys
            assert int(f[f"{name}/t"]) == 3
            state = state_dict(rule_of(param(link, name)))
            np.testing.assert_array_equal(f[f"{name}/m"], state["m"])
            np.testing.assert_array_equal(f[f"{name}/v"], state["v"])
            assert f[f"{name}/m"].dtype == np.float32
        assert float(f["__fchain__/hyperparam/alpha"]) == 0.01
        assert bool(f["__fchain__/hyperparam/amsgrad"]) is False
    assert not any(k.startswith("predictor/l1/W/__fchain__") for k in keys)  # no overrides


@pytest.mark.parametrize("make", [
    lambda: optimizers.Adam(alpha=0.01, amsgrad=True),
    lambda: optimizers.MomentumSGD(lr=0.05),
    lambda: optimizers.MSVAG(lr=0.05),
    lambda: optimizers.RMSpropGraves(),
], ids=["AMSGrad", "MomentumSGD", "MSVAG", "RMSpropGraves"])
def test_resume_continues_the_trajectory_exactly(tmp_path: pathlib.Path,
                                                 make: Callable[[], GradientMethod]) -> None:
    link = _model()
    opt = make().setup(link)
    _train(opt, link, range(3))
    path = tmp_path / "opt.npz"
    serializers.save_npz(path, opt)

    resumed_link = _copy_params(link)
    resumed = make().setup(resumed_link)
    for key, value in resumed.hyperparam.get_dict().items():  # loading restores them
        if isinstance(value, float):
            setattr(resumed.hyperparam, key, value * 0.5)
    assert resumed.hyperparam.get_dict() != opt.hyperparam.get_dict()
    serializers.load_npz(path, resumed)
    assert resumed.t == 3
    assert resumed.hyperparam.get_dict() == opt.hyperparam.get_dict()

    _train(opt, link, range(3, 6))
    _train(resumed, resumed_link, range(3, 6))
    for (name, p), (_, q) in zip(link.namedparams(), resumed_link.namedparams()):
        np.testing.assert_array_equal(q.array, p.array, err_msg=name)


def test_per_rule_hyperparameter_override_round_trip(tmp_path: pathlib.Path) -> None:
    link = _model()
    opt = optimizers.SGD(lr=0.1).setup(link)
    rule_of(param(link, "predictor/l1/W")).hyperparam.lr = 0.5
    path = tmp_path / "opt.npz"
    serializers.save_npz(path, opt)
    with np.load(path) as f:
        assert float(f["predictor/l1/W/__fchain__/hyperparam/lr"]) == 0.5

    fresh = _copy_params(link)
    opt2 = optimizers.SGD(lr=0.1).setup(fresh)
    serializers.load_npz(path, opt2)
    w_rule = rule_of(param(fresh, "predictor/l1/W"))
    b_rule = rule_of(param(fresh, "predictor/l1/b"))
    assert w_rule.hyperparam.lr == 0.5
    opt2.lr = 0.2
    assert b_rule.hyperparam.lr == 0.2  # still inherited, not frozen by the load
    assert w_rule.hyperparam.lr == 0.5


def _chainer_file(path: pathlib.Path, link: fchain.Link, t: int) -> None:
    """What Chainer's save_npz(optimizer) writes for MomentumSGD: no hyperparameters."""
    arrays: dict[str, Array] = {"t": np.asarray(t), "epoch": np.asarray(2)}
    for name in SHAPES:
        p = param(link, name)
        arrays[f"{name}/t"] = np.asarray(t)
        arrays[f"{name}/v"] = np.full(p.shape, 0.5, dtype=np.float32)
    np.savez(path, **arrays)  # type: ignore[arg-type]  # the stub matches **kwds against allow_pickle


def test_loading_a_chainer_file_keeps_the_hyperparameters(tmp_path: pathlib.Path) -> None:
    link = _model()
    path = tmp_path / "chainer.npz"
    _chainer_file(path, link, t=7)
    opt = optimizers.MomentumSGD(lr=0.03, momentum=0.8).setup(link)
    serializers.load_npz(path, opt)  # strict: every key it needs is there
    assert (opt.t, opt.epoch) == (7, 2)
    assert opt.hyperparam.get_dict() == {"lr": 0.03, "momentum": 0.8}
    W = param(link, "predictor/l1/W")
    assert rule_of(W).t == 7
    np.testing.assert_array_equal(state_dict(rule_of(W))["v"], np.full((3, 2), 0.5, np.float32))
    w0 = values(W).copy()
    W.grad = np.zeros((3, 2), np.float32)
    opt.update()  # the loaded velocity moves the parameter
    np.testing.assert_allclose(values(W), w0 + np.float32(0.8) * np.float32(0.5), rtol=1e-6)


def test_state_saved_before_the_first_update_stays_lazy(tmp_path: pathlib.Path) -> None:
    link = _model()
    opt = optimizers.Adam().setup(link)
    path = tmp_path / "opt.npz"
    serializers.save_npz(path, opt)
    with np.load(path) as f:
        assert "predictor/l1/W/m" not in f.files and int(f["predictor/l1/W/t"]) == 0
    # As in Chainer, a strict load wants the state of every enabled rule ...
    with pytest.raises(KeyError, match="predictor/l1/W/m"):
        serializers.load_npz(path, optimizers.Adam().setup(_copy_params(link)))
    # ... and a non-strict one leaves it to be created at the next update.
    opt2 = optimizers.Adam().setup(_copy_params(link))
    serializers.load_npz(path, opt2, strict=False)
    rule = rule_of(param(opt2.target, "predictor/l1/W"))
    assert rule.state is None
    _train(opt2, opt2.target, range(1))
    assert sorted(rule.state or {}) == ["m", "v"]


def test_missing_state_is_an_error_for_enabled_rules_only(tmp_path: pathlib.Path) -> None:
    link = _model()
    path = tmp_path / "chainer.npz"
    _chainer_file(path, link, t=1)
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files if not k.startswith("predictor/l2/W/v")}
    np.savez(path, **arrays)
    opt = optimizers.MomentumSGD().setup(_copy_params(link))
    with pytest.raises(KeyError, match="predictor/l2/W/v"):
        serializers.load_npz(path, opt)
    frozen = _copy_params(link)
    opt = optimizers.MomentumSGD().setup(frozen)
    rule_of(param(frozen, "predictor/l2/W")).enabled = False
    serializers.load_npz(path, opt)
    assert rule_of(param(frozen, "predictor/l2/W")).state is None
    assert rule_of(param(frozen, "predictor/l1/W")).state is not None


def test_msvag_beta_power_is_resumed(tmp_path: pathlib.Path) -> None:
    link = _model()
    opt = optimizers.MSVAG().setup(link)
    _train(opt, link, range(4))
    path = tmp_path / "opt.npz"
    serializers.save_npz(path, opt)
    opt2 = optimizers.MSVAG().setup(_copy_params(link))
    serializers.load_npz(path, opt2)
    for name in SHAPES:
        rule = rule_of(param(opt2.target, name), MSVAGRule)
        assert rule.beta_power == pytest.approx(0.9 ** 5)


def test_hdf5_round_trip(tmp_path: pathlib.Path) -> None:
    pytest.importorskip("h5py")
    link = _model()
    opt = optimizers.Adam(alpha=0.02).setup(link)
    _train(opt, link, range(2))
    path = tmp_path / "opt.h5"
    serializers.save_hdf5(path, opt)
    opt2 = optimizers.Adam().setup(_copy_params(link))
    serializers.load_hdf5(path, opt2)
    assert opt2.alpha == 0.02 and opt2.t == 2
    for name in SHAPES:
        np.testing.assert_array_equal(state_dict(rule_of(param(opt2.target, name)))["m"],
                                      state_dict(rule_of(param(link, name)))["m"])
