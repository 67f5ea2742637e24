"""Real links and optimizers through the serializers: Chainer's key layout for the
tutorial's Classifier(MLP), lazy ``Linear(None, n)``, optimizer state and
hyperparameters, and a failed strict load leaving a real model untouched."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy
import pytest

import fchain
import fchain.links as L
from fchain import optimizers, serializers
from fchain.errors import SerializationError
from fchain.types import Array

from tests.tutorial_mlp import MLP
from tests.arrays import values
from tests.rules import rule_of, state_dict


def _trained(seed: int = 0) -> tuple[L.Classifier[MLP], optimizers.Adam]:
    model = L.Classifier(MLP(5, 3))
    optimizer = optimizers.Adam(alpha=0.01)
    optimizer.setup(model)
    rng = numpy.random.default_rng(seed)
    for _ in range(2):
        x = rng.standard_normal((4, 6)).astype(numpy.float32)
        t = rng.integers(0, 3, 4).astype(numpy.int32)
        optimizer.update(model, fchain.Variable(x), fchain.Variable(t))
    return model, optimizer


def _model_arrays(model: fchain.Link) -> dict[str, Array]:
    return {name: values(p).copy() for name, p in model.namedparams() if p.is_initialized}


# Chainer's keys, written by hand from the format notes (not read from a file).
MODEL_KEYS = {
    "predictor/l1/W": (5, 6), "predictor/l1/b": (5,),
    "predictor/l2/W": (5, 5), "predictor/l2/b": (5,),
    "predictor/l3/W": (3, 5), "predictor/l3/b": (3,),
}


def test_classifier_mlp_keys_are_chainers(tmp_path: Path) -> None:
    model, _ = _trained()
    path = tmp_path / "model.npz"
    serializers.save_npz(path, model)
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == sorted([k + ".npy" for k in MODEL_KEYS] + ["__fchain_version__.npy"])
    with numpy.load(path, allow_pickle=False) as f:
        for key, shape in MODEL_KEYS.items():
            assert f[key].shape == shape and f[key].dtype == numpy.float32
        numpy.testing.assert_array_equal(f["predictor/l2/W"], model.predictor.l2.W.array)


def test_adam_state_keys_are_chainers_plus_fchain_hyperparameters(tmp_path: Path) -> None:
    _, optimizer = _trained()
    path = tmp_path / "state.npz"
    serializers.save_npz(path, optimizer)
    with numpy.load(path, allow_pickle=False) as f:
        keys = set(f.files)
    chainer_keys = {k for k in keys if not any(part.startswith("__fchain") for part in k.split("/"))}
    expected = {"t", "epoch"} | {f"{p}/{s}" for p in MODEL_KEYS for s in ("t", "m", "v")}
    assert chainer_keys == expected
    assert "__fchain__/hyperparam/alpha" in keys  # what Chainer forgot to save


def test_optimizer_round_trip_restores_state_and_hyperparameters(tmp_path: Path) -> None:
    model, optimizer = _trained()
    path = tmp_path / "state.npz"
    serializers.save_npz(path, optimizer)
    fresh_model = L.Classifier(MLP(5, 3))
    serializers.save_npz(tmp_path / "m.npz", model)
    serializers.load_npz(tmp_path / "m.npz", fresh_model)
    fresh = optimizers.Adam()
    fresh.setup(fresh_model)
    serializers.load_npz(path, fresh)
    assert fresh.t == optimizer.t == 2
    assert fresh.alpha == pytest.approx(0.01)
    rule = rule_of(fresh_model.predictor.l1.W)
    saved_rule = rule_of(model.predictor.l1.W)
    assert rule.t == 2
    numpy.testing.assert_array_equal(state_dict(rule)["m"], state_dict(saved_rule)["m"])
    numpy.testing.assert_array_equal(state_dict(rule)["v"], state_dict(saved_rule)["v"])


def test_chainer_written_optimizer_file_without_hyperparameters_loads_strictly(tmp_path: Path) -> None:
    _, optimizer = _trained()
    full = serializers.DictionarySerializer()
    full.save(optimizer)
    chainer_only: dict[str, Any] = {
        k: v for k, v in full.target.items() if not any(part.startswith("__fchain") for part in k.split("/"))
    }
    assert len(chainer_only) < len(full.target)  # there were fchain-only keys to drop
    path = tmp_path / "chainer_state.npz"
    numpy.savez(path, **chainer_only)  # as Chainer writes it: no fchain keys at all
    model = L.Classifier(MLP(5, 3))
    model(fchain.Variable(numpy.zeros((1, 6), numpy.float32)), fchain.Variable(numpy.zeros(1, numpy.int32)))
    fresh = optimizers.Adam(alpha=0.5)
    fresh.setup(model)
    serializers.load_npz(path, fresh)
    assert fresh.t == 2 and fresh.alpha == pytest.approx(0.5)  # hyperparameters kept


def test_lazy_linear_saved_as_none_and_initialized_on_load(tmp_path: Path) -> None:
    lazy = L.Linear(None, 3)
    path = tmp_path / "lazy.npz"
    serializers.save_npz(path, lazy)
    with numpy.load(path, allow_pickle=True) as f:  # Chainer's reader
        assert f["W"][()] is None
        assert f["b"].shape == (3,)
    again = L.Linear(None, 3)
    serializers.load_npz(path, again)
    assert not again.W.is_initialized

    trained = L.Linear(4, 3)
    serializers.save_npz(path, trained)
    serializers.load_npz(path, again)
    assert again.W.is_initialized and again.W.shape == (3, 4)
    numpy.testing.assert_array_equal(again.W.array, trained.W.array)


@pytest.mark.parametrize("fmt", ["npz", "hdf5"])
def test_failed_strict_load_leaves_real_model_untouched(tmp_path: Path, fmt: str) -> None:
    model, _ = _trained(seed=1)
    path = tmp_path / "model"
    if fmt == "npz":
        serializers.save_npz(path, model)
    else:
        serializers.save_hdf5(path, model)
    other = L.Classifier(MLP(4, 3))  # l1 and l2 have 4 units: shapes differ
    other(fchain.Variable(numpy.zeros((1, 6), numpy.float32)), fchain.Variable(numpy.zeros(1, numpy.int32)))
    before = _model_arrays(other)
    with pytest.raises(SerializationError) as info:
        if fmt == "npz":
            serializers.load_npz(path, other)
        else:
            serializers.load_hdf5(path, other)
    assert "'predictor/l1/W': shape (5, 6) in the file, (4, 6) in the target" in str(info.value)
    after = _model_arrays(other)
    assert before.keys() == after.keys()
    for name in before:
        numpy.testing.assert_array_equal(before[name], after[name])


def test_trainer_snapshot_style_prefix(tmp_path: Path) -> None:
    model, optimizer = _trained(seed=2)
    snapshot = serializers.DictionarySerializer()
    optimizer.serialize(snapshot["updater"]["optimizer:main"])
    model.serialize(snapshot["updater"]["model:main"])
    snapshot["updater"]("iteration", 2)
    path = tmp_path / "snapshot_iter_2"
    serializers.save_npz(path, dict(snapshot.target))
    fresh = L.Classifier(MLP(5, 3))
    serializers.load_npz(path, fresh, path="updater/model:main/")
    for name, array in _model_arrays(model).items():
        numpy.testing.assert_array_equal(dict(fresh.namedparams())[name].array, array)
