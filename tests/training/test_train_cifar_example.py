"""The CIFAR example (examples/cifar/train_cifar.py) and its models.

The data is generated: CIFAR-10 and CIFAR-100 caches in the layout ``get_cifar10`` and
``get_cifar100`` read (``<root>/pfnet/chainer/cifar/cifar-10.npz`` and
``cifar-100.npz``, with ``train_x``/``test_x`` uint8 (N, 3072) and ``train_y``/``test_y``
uint8 labels) under a temporary ``FCHAIN_DATASET_ROOT``, with ``XDG_DATA_DIRS`` on an
empty folder.  Each model trains one short epoch (one step of four images): VGG is
about 15 million parameters and the ResNet-50 24 million, heavy for a CPU.
"""

from __future__ import annotations

import io
import json
import os
import pathlib
import re

import numpy as np
import pytest

import fchain
import fchain.links as L
from examples.cifar import train_cifar
from examples.cifar.models.resnet import BottleNeckA, BottleNeckB, ResNet50
from examples.cifar.models.vgg import VGG
from examples.mnist.train_mnist import device_spec
from fchain import training
from fchain.training import extensions

N_TRAIN, N_TEST = 8, 4


@pytest.fixture
def data_root(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    root = tmp_path / "datasets"
    empty = tmp_path / "no-system-data"
    empty.mkdir()
    monkeypatch.setenv("FCHAIN_DATASET_ROOT", str(root))
    monkeypatch.setenv("XDG_DATA_DIRS", str(empty))
    folder = root / "pfnet" / "chainer" / "cifar"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name, classes in (("cifar-10", 10), ("cifar-100", 100)):
        train_y = (np.arange(N_TRAIN) * 7 % classes).astype(np.uint8)
        train_y[-1] = classes - 1  # the largest label occurs
        np.savez_compressed(folder / f"{name}.npz",
                            train_x=rng.integers(0, 256, (N_TRAIN, 3072), dtype=np.uint8), train_y=train_y,
                            test_x=rng.integers(0, 256, (N_TEST, 3072), dtype=np.uint8),
                            test_y=(np.arange(N_TEST) * 3 % classes).astype(np.uint8))
    return root


def _run(argv: list[str]) -> tuple[str, training.Trainer]:
    out = io.StringIO()
    trainer = train_cifar.main(argv, out=out)
    return out.getvalue(), trainer


def _log(trainer: training.Trainer) -> list[dict[str, float]]:
    log = trainer.get_extension("LogReport")
    assert isinstance(log, extensions.LogReport)
    return log.log


# --------------------------------------------------------------------------- flags


def test_defaults_are_chainers() -> None:
    args = train_cifar.parse_args([])
    assert (args.dataset, args.batchsize, args.learnrate, args.epoch) == ("cifar10", 64, 0.05, 300)
    assert (args.device, args.out, args.resume, args.early_stopping) == ("-1", "result", "", None)
    assert args.model == "vgg" and args.gpu is None and args.limit is None
    assert device_spec(args) == -1  # Chainer's -1: the CPU
    args = train_cifar.parse_args(["--dataset", "cifar100", "-m", "resnet50", "-l", "0.1", "-g"])
    assert (args.dataset, args.model, args.learnrate, device_spec(args)) == (
        "cifar100", "resnet50", 0.1, 0)


@pytest.mark.parametrize("argv", [["--dataset", "mnist"], ["-m", "resnet18"], ["-b", "0"],
                                  ["-e", "0"], ["-l", "-1"], ["--limit", "0"]])
def test_bad_flags_exit_with_a_usage_error(argv: list[str],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        train_cifar.parse_args(argv)
    assert info.value.code == 2
    assert "error:" in capsys.readouterr().err


# --------------------------------------------------------------------------- data


@pytest.mark.parametrize(("name", "classes"), [("cifar10", 10), ("cifar100", 100)])
def test_load_datasets_gives_colour_images_in_unit_floats(
        data_root: pathlib.Path, name: str, classes: int) -> None:
    train, test = train_cifar.load_datasets(name)
    assert len(train) == N_TRAIN and len(test) == N_TEST
    x, t = train[N_TRAIN - 1]
    assert np.asarray(x).shape == (3, 32, 32) and np.asarray(x).dtype == np.float32
    assert int(t) == classes - 1
    with np.load(data_root / "pfnet" / "chainer" / "cifar" / f"cifar-{classes}.npz") as raw:
        expected = raw["train_x"][N_TRAIN - 1].reshape(3, 32, 32) / np.float32(255)
    np.testing.assert_allclose(np.asarray(x), expected, rtol=1e-6)
    small, _ = train_cifar.load_datasets(name, limit=3)
    assert len(small) == 3


# --------------------------------------------------------------------------- models


def test_vgg_has_chainers_layer_names_and_shapes() -> None:
    model = VGG(7)
    with fchain.using_config("train", False):
        y = model(np.zeros((2, 3, 32, 32), np.float32))
    assert y.shape == (2, 7)
    shapes = {name: p.shape for name, p in model.namedparams()}
    convs = {name: shape for name, shape in shapes.items() if name.endswith("/conv/W")}
    assert len(convs) == 13 and len(shapes) == 13 * 3 + 4  # conv W, bn gamma/beta; fc1, bn_fc1, fc2
    assert convs["/block1_1/conv/W"] == (64, 3, 3, 3)
    assert convs["/block3_3/conv/W"] == (256, 256, 3, 3)
    assert convs["/block5_3/conv/W"] == (512, 512, 3, 3)
    assert shapes["/fc1/W"] == (512, 512) and shapes["/bn_fc1/gamma"] == (512,)
    assert shapes["/fc2/W"] == (7, 512)
    assert "/block1_1/conv/b" not in shapes and "/fc2/b" not in shapes


def test_resnet50_has_chainers_bottleneck_stages() -> None:
    model = ResNet50(10)
    assert [len(stage) for stage in (model.res2, model.res3, model.res4, model.res5)] == [3, 4, 6, 3]
    assert all(isinstance(stage[0], BottleNeckA) for stage in (model.res2, model.res5))
    assert all(isinstance(block, BottleNeckB) for block in list(model.res4)[1:])
    # stride 2 in the first block of res3..res5: 32 -> 4 pixels, then global pooling
    x = np.random.default_rng(0).random((1, 3, 32, 32), dtype=np.float32)
    with fchain.using_config("train", False):
        h = model.res3(model.res2(model.bn1(model.conv1(x))))
        assert h.shape == (1, 512, 16, 16)
        assert model(x).shape == (1, 10)
    shapes = {name: p.shape for name, p in model.namedparams()}
    assert len([n for n in shapes if n.endswith("/W") and "conv" in n]) == 1 + 4 * 4 + 3 * 12
    assert shapes["/conv1/W"] == (64, 3, 3, 3)  # the stem sized for 32x32 images
    assert shapes["/res2/0/conv4/W"] == (256, 64, 1, 1)  # the projection shortcut
    assert shapes["/res5/2/conv3/W"] == (2048, 512, 1, 1)
    assert shapes["/fc/W"] == (10, 2048)


# --------------------------------------------------------------------------- training


@pytest.mark.slow
@pytest.mark.parametrize("model", train_cifar.MODELS)
def test_one_short_epoch_with_each_model(data_root: pathlib.Path, tmp_path: pathlib.Path,
                                         model: str) -> None:
    out_dir = tmp_path / model
    printed, trainer = _run(["-m", model, "-e", "1", "-b", "4", "--limit", "4", "-o", str(out_dir),
                             "--seed", "0"])
    assert trainer.updater.iteration == 1
    assert f"Using CIFAR10 dataset; model {model}." in printed
    rows = [line.split() for line in printed.splitlines() if re.match(r"^\d+ ", line)]
    assert len(rows) == 1 and rows[0][0] == "1" and len(rows[0]) == 6
    assert sorted(os.listdir(out_dir)) == ["cg.dot", "log", "snapshot_epoch_1"]
    assert (out_dir / "cg.dot").read_text().startswith("digraph")
    entry = json.loads((out_dir / "log").read_text())[0]
    assert np.isfinite(entry["main/loss"]) and np.isfinite(entry["validation/main/loss"])
    # the snapshot holds the trained model, which loads into a fresh one
    fresh = L.Classifier(train_cifar.build_model(model, 10))
    fchain.serializers.load_npz(out_dir / "snapshot_epoch_1", fresh, path="updater/model:main/")
    trained = dict(trainer.updater.get_optimizer("main").target.namedparams())
    for name, param in fresh.namedparams():
        np.testing.assert_array_equal(param.array, trained[name].array, err_msg=name)


@pytest.mark.slow
def test_cifar100_resume_and_the_optimizer(data_root: pathlib.Path, tmp_path: pathlib.Path) -> None:
    common = ["--dataset", "cifar100", "-b", "4", "--limit", "4", "--seed", "1", "-l", "0.01"]
    _, first = _run([*common, "-e", "1", "-o", str(tmp_path / "a")])
    optimizer = first.updater.get_optimizer("main")
    assert isinstance(optimizer, fchain.optimizers.MomentumSGD) and optimizer.lr == 0.01
    assert optimizer._pre_update_hooks is not None
    hooks = list(optimizer._pre_update_hooks.values())
    assert len(hooks) == 1 and isinstance(hooks[0], fchain.optimizer_hooks.WeightDecay)
    assert hooks[0].rate == 5e-4
    params = dict(optimizer.target.namedparams())
    assert params["/predictor/fc2/W"].shape == (100, 512)
    _, second = _run([*common, "-e", "2", "-o", str(tmp_path / "b"),
                      "-r", str(tmp_path / "a" / "snapshot_epoch_1")])
    assert second.updater.iteration == 2
    assert [e["epoch"] for e in _log(second)] == [1, 2] and _log(second)[0] == _log(first)[0]
    assert sorted(os.listdir(tmp_path / "b")) == ["log", "snapshot_epoch_2"]  # the graph: in a/ only


@pytest.mark.slow
def test_early_stopping_ends_the_run_when_the_metric_stops_improving(
        data_root: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The accuracy on four validation images can rise at most four times after the
    first epoch, and the trigger (patience 3) stops the run after three epochs
    without a rise: by epoch 1 + 4 * 3 + 3 = 16 at the latest, of the 50 asked for."""
    _, trainer = _run(["-b", "4", "--limit", "4", "-e", "50", "--seed", "0",
                       "--early-stopping", "validation/main/accuracy", "-o", str(tmp_path / "out")])
    epoch = trainer.updater.epoch
    assert 4 <= epoch <= 16
    assert f"Epoch {epoch}: early stopping" in capsys.readouterr().out
    assert len(_log(trainer)) == epoch
