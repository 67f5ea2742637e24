"""Keys of a file the target never asks for: ignored as Chainer ignores them, with a
warning by default; ``unexpected_keys='error'`` refuses them (PyTorch's strictness)
and ``'ignore'`` is silent.  ``strict`` keeps Chainer's meaning (a missing key)."""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import iterators, optimizers, serializers, training
from fchain.datasets import TupleDataset
from fchain.errors import SerializationError, SerializationWarning
from fchain.serializers._common import LoadError, MissingKeyError
from fchain.training import extensions
from tests.serializers.objects import Tree, classifier_mlp, same_snapshot
from tests.tutorial_mlp import MLP

FORMATS = ["npz", "h5"]


def save(fmt: str, path: Path, obj: Any) -> None:
    (serializers.save_npz if fmt == "npz" else serializers.save_hdf5)(path, obj)


def load(fmt: str, path: Path, obj: Any, **kwargs: Any) -> None:
    if fmt == "npz":
        serializers.load_npz(path, obj, **kwargs)
    else:
        serializers.load_hdf5(path, obj, **kwargs)


class Smaller(fchain.Chain):
    """The tutorial MLP without its last layer: fine-tuning starts from l1 and l2."""

    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(None, 30)
            self.l2 = L.Linear(None, 30)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_pretrained_model_loads_into_one_with_fewer_layers(tmp_path: Path, fmt: str) -> None:
    numpy.random.seed(0)
    pretrained = MLP(30, 10)
    pretrained(numpy.zeros((1, 8), numpy.float32))  # initialize the lazy layers
    path = tmp_path / f"pretrained.{fmt}"
    save(fmt, path, pretrained)

    model = Smaller()
    with pytest.warns(SerializationWarning) as caught:
        load(fmt, path, model)
    (warning,) = caught
    assert "ignored 2 keys" in str(warning.message) and "'l3/W', 'l3/b'" in str(warning.message)
    assert warning.filename == __file__  # points at the caller, not into fchain
    for name in ("l1", "l2"):
        mine, theirs = getattr(model, name), getattr(pretrained, name)
        numpy.testing.assert_array_equal(mine.W.array, theirs.W.array)
        numpy.testing.assert_array_equal(mine.b.array, theirs.b.array)


@pytest.mark.parametrize("fmt", FORMATS)
def test_opting_in_refuses_extra_keys_and_changes_nothing(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"m.{fmt}"
    saved = classifier_mlp(seed=1)
    saved.persistents["extra"] = 3
    save(fmt, path, saved)
    target = classifier_mlp(seed=2)
    before = target.snapshot()
    with pytest.raises(LoadError) as info:
        load(fmt, path, target, unexpected_keys="error")
    assert info.value.problems == ("unexpected key 'extra' (the target never asked for it; "
                                   "unexpected_keys='error')",)
    assert same_snapshot(target.snapshot(), before)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 'ignore' is silent, as Chainer
        load(fmt, path, target, unexpected_keys="ignore")
    assert same_snapshot(target.snapshot(), classifier_mlp(seed=1).snapshot())


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_key_is_still_an_error_under_strict(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"m.{fmt}"
    save(fmt, path, Tree({"a": numpy.ones(2), "extra": numpy.ones(1)}))
    target = Tree({"a": numpy.zeros(2), "absent": numpy.zeros(1)})
    with pytest.raises(MissingKeyError) as info:
        load(fmt, path, target)
    assert info.value.problems == ("missing key 'absent'",)
    numpy.testing.assert_array_equal(target.params["a"], [0.0, 0.0])


def test_no_warning_when_every_key_is_used(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    serializers.save_npz(path, classifier_mlp(seed=1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        serializers.load_npz(path, classifier_mlp(seed=2))


def test_a_long_list_of_extra_keys_is_shortened(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    serializers.save_npz(path, Tree({f"k{i:02d}": numpy.ones(1) for i in range(25)}))
    with pytest.warns(SerializationWarning, match=r"ignored 25 keys .*'k19' and 5 more;"):
        serializers.load_npz(path, Tree())


def test_a_bad_mode_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unexpected_keys must be one of 'warn', 'ignore', 'error', got 'strict'"):
        serializers.NpzDeserializer({}, unexpected_keys="strict")  # type: ignore[arg-type]  # the wrong call under test


def regression(out: str, stop: int, log: bool) -> training.Trainer:
    model = L.Linear(1, 1, nobias=True, initialW=numpy.array([[0.5]], numpy.float32))
    optimizer = optimizers.SGD(lr=0.1).setup(model)
    x = numpy.linspace(-1.0, 1.0, 8, dtype=numpy.float32).reshape(8, 1)

    def loss_func(xb: Any, tb: Any) -> fchain.Variable:
        return F.mean_squared_error(model(xb), tb)

    iterator = iterators.SerialIterator(TupleDataset(x, 3 * x), 4, shuffle=False)
    trainer = training.Trainer(training.StandardUpdater(iterator, optimizer, loss_func=loss_func),
                               (stop, "iteration"), out=out)
    trainer.extend(extensions.snapshot(autoload=True), trigger=(4, "iteration"))
    if log:
        trainer.extend(extensions.LogReport(trigger=(2, "iteration")))
        trainer.extend(extensions.PrintReport(["iteration"], out=io.StringIO()))
    return trainer


def test_autoload_resumes_into_a_trainer_with_fewer_extensions(tmp_path: Path) -> None:
    """The issue's case: a snapshot with LogReport's trigger state, resumed without it."""
    regression(str(tmp_path), 4, log=True).run()
    resumed = regression(str(tmp_path), 8, log=False)
    with pytest.warns(SerializationWarning, match="extension_triggers/LogReport/previous_iteration"):
        resumed.run()
    assert resumed.updater.iteration == 8
    assert sorted(os.listdir(tmp_path)) == ["log", "snapshot_iter_4", "snapshot_iter_8"]

    strict = regression(str(tmp_path / "strict"), 8, log=False)
    with pytest.raises(SerializationError, match="extensions/LogReport/_log"):
        serializers.load_npz(tmp_path / "snapshot_iter_4", strict, unexpected_keys="error")
    assert strict.updater.iteration == 0
