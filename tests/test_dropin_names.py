"""After a bare ``import fchain``, the names Chainer 7 programs reach through
``chainer.<...>`` resolve, and each is the same object under all its names.

Resolution runs in a fresh interpreter that executes only ``import fchain`` and
then follows each chain with ``getattr`` (no further imports), as a program that
wrote ``import chainer`` and then ``chainer.serializers.save_npz(...)`` does.  The
chains come from Chainer's examples and documentation (issue 11).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")

# Modules ``import chainer`` makes attributes of ``chainer`` (and of its training
# package) that fchain has.  Chainer's ``distributions``, ``function_hooks`` and
# ``link_hooks`` have no fchain counterpart yet.
MODULES = [
    "backend", "backends", "backends.cuda", "computational_graph", "configuration", "cuda",
    "dataset", "datasets", "functions", "initializers", "iterators", "links", "optimizer",
    "optimizer_hooks", "optimizers", "reporter", "serializers", "training",
    "training.extensions", "training.triggers", "training.updater", "training.updaters",
    "utils", "utils.argument", "utils.type_check",
]

# (chain as Chainer code writes it, another name of the same object or None).
CHAINS: list[tuple[str, str | None]] = [
    ("serializers.load_npz", "serializers.npz.load_npz"),
    ("serializers.save_npz", "serializers.npz.save_npz"),
    ("serializers.load_hdf5", "serializers.hdf5.load_hdf5"),
    ("serializers.save_hdf5", "serializers.hdf5.save_hdf5"),
    ("training.Trainer", "training.trainer.Trainer"),
    ("training.StandardUpdater", "training.updaters.StandardUpdater"),
    ("training.extensions.Evaluator", "training.extensions.evaluator.Evaluator"),
    ("training.extensions.LogReport", "training.extensions.log_report.LogReport"),
    ("training.extensions.PrintReport", "training.extensions.print_report.PrintReport"),
    ("training.extensions.ProgressBar", "training.extensions.progress_bar.ProgressBar"),
    ("training.extensions.snapshot", None),  # the function shadows its module, as in Chainer
    ("training.updater.StandardUpdater", "training.StandardUpdater"),
    ("training.updaters.StandardUpdater", "training.StandardUpdater"),
    ("training.triggers.MaxValueTrigger", "training.triggers.best_value.MaxValueTrigger"),
    ("utils.WalkerAlias", "utils.walker_alias.WalkerAlias"),
    ("configuration.using_config", "using_config"),
    ("configuration.config", "config"),
    ("config.train", None),
    ("backends.cuda.to_cpu", "cuda.to_cpu"),
    ("backends.cuda.to_gpu", "cuda.to_gpu"),
    ("backends.cuda.get_array_module", "backend.get_array_module"),
    ("backend.get_array_module", "backend.get_array_module"),
    ("backend.get_device_from_array", None),
    ("backend.CpuDevice", None),
    ("backend.GpuDevice", "backends.cuda.GpuDevice"),
    ("backend.ChainerxDevice", None),
    ("backend.copyto", None),
    ("backend.cuda", "backends.cuda"),
    ("get_dtype", "graph.config.get_dtype"),
    ("mixed16", "graph.config.mixed16"),
    ("using_device", "backend.using_device"),
    ("get_device", "backend.get_device"),
    ("utils.argument.parse_kwargs", None),
    ("utils.type_check.expect", None),
    ("utils.type_check.eval", None),
    ("utils.type_check.InvalidType", None),
    ("dataset.concat_examples", "dataset.convert.concat_examples"),
    ("dataset.cached_download", "dataset.download.cached_download"),
    ("dataset.to_device", "dataset.convert.to_device"),
    ("datasets.get_mnist", "datasets.mnist.get_mnist"),
    ("datasets.TupleDataset", "datasets.tuple_dataset.TupleDataset"),
    ("datasets.split_dataset_random", "datasets.sub_dataset.split_dataset_random"),
    ("datasets.TransformDataset", "datasets.transform_dataset.TransformDataset"),
    ("iterators.SerialIterator", "iterators.serial_iterator.SerialIterator"),
    ("iterators.MultiprocessIterator", "iterators.multiprocess_iterator.MultiprocessIterator"),
    ("optimizer_hooks.WeightDecay", "optimizer.WeightDecay"),
    ("optimizers.Adam", "optimizers.adam.Adam"),
    ("optimizers.MomentumSGD", "optimizers.momentum_sgd.MomentumSGD"),
    ("initializers.Normal", "initializers.normal.Normal"),
    ("initializers.HeNormal", "initializers.normal.HeNormal"),
    ("reporter.report", "report"),
    ("functions.loss.softmax_cross_entropy.softmax_cross_entropy", "functions.softmax_cross_entropy"),
    ("functions.activation.relu.relu", "functions.relu"),
    ("functions.math.basic_math.add", "functions.add"),
    ("links.connection.linear.Linear", "links.Linear"),
    ("links.model.classifier.Classifier", "links.Classifier"),
    ("links.connection.convolution_2d.Convolution2D", "links.Convolution2D"),
    ("links.connection.convolution_nd.Convolution1D", "links.Convolution1D"),
    ("links.connection.deconvolution_2d.Deconvolution2D", "links.Deconvolution2D"),
    ("links.normalization.batch_normalization.BatchNormalization", "links.BatchNormalization"),
    ("links.activation.prelu.PReLU", "links.PReLU"),
]

_PROBE = """
import json, sys
import fchain

def follow(chain):
    obj = fchain
    for part in chain.split("."):
        obj = getattr(obj, part)
    return obj

out = {}
for chain in json.loads(sys.argv[1]):
    try:
        out[chain] = id(follow(chain))
    except Exception as e:
        out[chain] = f"{type(e).__name__}: {e}"
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def resolved() -> dict[str, int | str]:
    """id of the object each chain (and each short name) reaches, or the error."""
    wanted = sorted(set(MODULES) | {c for c, _ in CHAINS} | {s for _, s in CHAINS if s is not None})
    env = {**os.environ, "PYTHONPATH": SRC}
    done = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(wanted)], env=env,
                          capture_output=True, text=True, check=True)
    result: dict[str, int | str] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("module", MODULES)
def test_module_is_an_attribute_after_import_fchain(resolved: dict[str, int | str], module: str) -> None:
    assert isinstance(resolved[module], int), resolved[module]


@pytest.mark.parametrize(("chain", "short"), CHAINS, ids=[c for c, _ in CHAINS])
def test_chain_resolves_to_the_same_object_as_its_short_name(
        resolved: dict[str, int | str], chain: str, short: str | None) -> None:
    assert isinstance(resolved[chain], int), resolved[chain]
    if short is not None:
        assert resolved[short] == resolved[chain], f"fchain.{chain} is not fchain.{short}"


def test_the_probe_can_fail(resolved: dict[str, int | str]) -> None:
    """A name fchain lacks is reported, not silently resolved (by a module
    ``__getattr__``, say)."""
    env = {**os.environ, "PYTHONPATH": SRC}
    done = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(["distributions", "training.nothing"])],
                          env=env, capture_output=True, text=True, check=True)
    out = json.loads(done.stdout)
    assert out["distributions"] == "AttributeError: module 'fchain' has no attribute 'distributions'"
    assert str(out["training.nothing"]).startswith("AttributeError")


def test_training_serializers_and_chainer_paths_load_on_first_use_only() -> None:
    """Training and serializers are a quarter of fchain's import time, the functions'
    Chainer paths a twentieth; ``import fchain`` alone leaves them unloaded (and h5py
    and matplotlib too)."""
    code = ("import sys, fchain; print(sorted(m for m in ('fchain.training', 'fchain.serializers', "
            "'fchain.functions.loss', 'fchain.functions.math.basic_math', 'h5py', 'matplotlib') "
            "if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": SRC}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_import_fchain_does_not_import_cupy(tmp_path: pathlib.Path) -> None:
    """Importing CuPy takes most of a second; ``import fchain`` (training and
    serializers included) leaves it to the first use of a GPU."""
    fake = os.path.join(str(tmp_path), "cupy")
    os.makedirs(fake)
    with open(os.path.join(fake, "__init__.py"), "w") as f:
        f.write("import sys\nsys.stderr.write('cupy imported\\n')\n")
    code = "import fchain; fchain.training.Trainer; fchain.serializers.save_npz; print('ok')"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, str(tmp_path)])}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "ok" and "cupy imported" not in done.stderr
    code = "import fchain; fchain.cuda.available"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert "cupy imported" in done.stderr  # the probe can fail: first use does import it
