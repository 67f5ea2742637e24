"""``ParallelUpdater`` (any devices, numpy ones included: one model copy per device,
gradients summed into the main model) and ``MultiprocessParallelUpdater`` (one
process per GPU with NCCL; a clear error where that is not possible)."""

from __future__ import annotations

import numpy as np
import pytest

import fchain
import fchain.links as L
from fchain import initializers, iterators, optimizers, training
from fchain.core.backend import gpu_available
from fchain.training.updaters import MultiprocessParallelUpdater, ParallelUpdater
from fchain.types import Array

from tests.tutorial_mlp import MLP

BATCH = 12


def _data() -> tuple[Array, Array]:
    rng = np.random.default_rng(0)
    return rng.random((BATCH * 2, 5), dtype=np.float32), rng.integers(0, 3, BATCH * 2).astype(np.int32)


def _model() -> L.Classifier[MLP]:
    initializers.set_random_seed(3)
    model = L.Classifier(MLP(7, 3))
    x, t = _data()
    model(x[:1], t[:1])  # lazily sized links take their shapes
    return model


def _params(model: fchain.Link) -> dict[str, Array]:
    return {path: np.array(p.array) for path, p in model.namedparams()}


@pytest.mark.parametrize("devices", [["@numpy", "@numpy"], {"main": "@numpy", "b": "@numpy", "c": -1}])
def test_parallel_updater_sums_the_gradients_of_each_device_share(
        devices: list[str] | dict[str, str | int]) -> None:
    x, t = _data()
    model = _model()
    lr = 0.1
    start = _params(model)
    optimizer = optimizers.SGD(lr=lr).setup(model)
    dataset = list(zip(x, t, strict=True))
    it = iterators.SerialIterator(dataset, BATCH, shuffle=False)
    updater = ParallelUpdater(it, optimizer, devices=devices)
    updater.update()

    n = len(devices)
    reference = _model()
    total: dict[str, Array] = {path: np.zeros_like(a) for path, a in start.items()}
    for i in range(n):
        rows = list(range(BATCH))[i::n]
        reference.cleargrads()
        reference(x[rows], t[rows]).backward()
        for path, param in reference.namedparams():
            assert param.grad is not None
            total[path] += param.grad
    after = _params(model)
    for path, value in start.items():
        np.testing.assert_allclose(after[path], value - lr * total[path], rtol=1e-5, atol=1e-6)
    # every replica follows the main model
    models = updater.models
    assert len(models) == n and models["main"] is model
    for replica in models.values():
        for path, value in _params(replica).items():
            np.testing.assert_array_equal(value, after[path])


def test_parallel_updater_in_a_trainer_reports_every_model() -> None:
    x, t = _data()
    model = _model()
    optimizer = optimizers.SGD(lr=0.1).setup(model)
    it = iterators.SerialIterator(list(zip(x, t, strict=True)), BATCH)
    updater = ParallelUpdater(it, optimizer, devices=["@numpy", "@numpy"])
    trainer = training.Trainer(updater, (3, "iteration"))
    seen: list[set[str]] = []
    trainer.extend(lambda tr: seen.append(set(tr.observation)), trigger=(1, "iteration"))
    trainer.run()
    assert updater.iteration == 3
    assert {"main/loss", "1/loss"} <= seen[-1]


def test_parallel_updater_needs_devices() -> None:
    model = _model()
    optimizer = optimizers.SGD().setup(model)
    it = iterators.SerialIterator([(np.zeros(5, np.float32), 0)], 1)
    with pytest.raises(ValueError, match="devices"):
        ParallelUpdater(it, optimizer)
    with pytest.raises(KeyError, match="main"):
        ParallelUpdater(it, optimizer, devices={"a": "@numpy"})


def test_multiprocess_parallel_updater_refuses_cpu_devices() -> None:
    model = _model()
    optimizer = optimizers.SGD().setup(model)
    its = [iterators.SerialIterator([(np.zeros(5, np.float32), 0)], 1) for _ in range(2)]
    with pytest.raises(ValueError, match="one process per GPU.*ParallelUpdater"):
        MultiprocessParallelUpdater(its, optimizer, devices=["@numpy", "@numpy"])
    with pytest.raises(ValueError, match="GPU devices must be specified"):
        MultiprocessParallelUpdater(its, optimizer)


@pytest.mark.skipif(gpu_available(), reason="checks the error on a machine without a GPU")
def test_multiprocess_parallel_updater_says_why_it_cannot_run_here() -> None:
    model = _model()
    optimizer = optimizers.SGD().setup(model)
    its = [iterators.SerialIterator([(np.zeros(5, np.float32), 0)], 1) for _ in range(2)]
    assert not MultiprocessParallelUpdater.available()
    with pytest.raises(RuntimeError, match="one process per GPU and sums gradients with NCCL"):
        MultiprocessParallelUpdater(its, optimizer, devices=["@cupy:0", "@cupy:1"])


@pytest.mark.gpu
@pytest.mark.skipif(not MultiprocessParallelUpdater.available(), reason="needs CuPy with NCCL and a GPU")
def test_multiprocess_parallel_updater_on_one_gpu_is_a_standard_step() -> None:
    x, t = _data()
    model = _model()
    reference = _model()
    lr = 0.1
    optimizer = optimizers.SGD(lr=lr).setup(model)
    it = iterators.SerialIterator(list(zip(x, t, strict=True)), BATCH, shuffle=False)
    updater = MultiprocessParallelUpdater([it], optimizer, devices=["@cupy:0"])
    updater.update()
    updater.finalize()
    optimizers.SGD(lr=lr).setup(reference).update(reference, x[:BATCH], t[:BATCH])
    model.to_cpu()
    for path, value in _params(reference).items():
        np.testing.assert_allclose(_params(model)[path], value, rtol=1e-5, atol=1e-6)
