"""Saving from the GPU and loading on the CPU (and the reverse): models and optimizer
state, npz and HDF5.  (``cpu-dry-run``: see ``tests/gpu/__init__.py``.)"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy
import pytest

import fchain
import fchain.links as L
import fchain.optimizers as optimizers
from fchain import serializers
from fchain.core.backend import to_numpy
from fchain.graph.device import Device, get_device, get_device_from_array
from fchain.types import Array
from tests.gpu import TARGETS
from tests.arrays import values
from tests.rules import rule_of


def _have_h5py() -> bool:
    try:
        importlib.import_module("h5py")
    except ImportError:
        return False
    return True


FORMATS = ["npz", pytest.param("hdf5", marks=pytest.mark.skipif(not _have_h5py(), reason="h5py is not installed"))]


class Net(fchain.Chain):
    steps: Array

    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.fc = L.Linear(3, 2)
        self.add_persistent("steps", numpy.arange(4, dtype=numpy.int64))


def _save(fmt: str, path: Path, obj: object) -> None:
    if fmt == "npz":
        serializers.save_npz(path, obj)  # type: ignore[arg-type]  # a Link or an Optimizer
    else:
        serializers.save_hdf5(path, obj)  # type: ignore[arg-type]  # a Link or an Optimizer


def _load(fmt: str, path: Path, obj: object) -> None:
    if fmt == "npz":
        serializers.load_npz(path, obj)  # type: ignore[arg-type]  # a Link or an Optimizer
    else:
        serializers.load_hdf5(path, obj)  # type: ignore[arg-type]  # a Link or an Optimizer


def _step(opt: optimizers.Adam, model: Net, device: Device) -> None:
    rng = numpy.random.default_rng(int(opt.t) + 1)
    for p in model.params():
        p.grad = device.send(rng.standard_normal(p.shape).astype(p.dtype))
    opt.update()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("device", TARGETS)
def test_model_saved_on_the_device_loads_on_the_cpu_and_back(device: str, fmt: str, tmp_path: Path) -> None:
    target = get_device(device)
    source = Net().to_device(target)
    values(source.fc.W)[...] = target.send(numpy.arange(6, dtype=numpy.float32).reshape(2, 3))
    _save(fmt, tmp_path / f"model.{fmt}", source)

    on_cpu = Net()
    _load(fmt, tmp_path / f"model.{fmt}", on_cpu)
    for (name, p), (_, q) in zip(source.namedparams(), on_cpu.namedparams()):
        assert type(q.array) is numpy.ndarray, name
        numpy.testing.assert_array_equal(values(q), to_numpy(values(p)), err_msg=name)
    numpy.testing.assert_array_equal(on_cpu.fc.W.array, numpy.arange(6).reshape(2, 3))
    numpy.testing.assert_array_equal(to_numpy(on_cpu.steps), numpy.arange(4))

    # a file written on the CPU loads into a model on the device, which stays there
    assert on_cpu.fc.b is not None
    values(on_cpu.fc.b)[...] = 7.0
    _save(fmt, tmp_path / f"cpu.{fmt}", on_cpu)
    back = Net().to_device(target)
    _load(fmt, tmp_path / f"cpu.{fmt}", back)
    for name, p in back.namedparams():
        assert get_device_from_array(p.array) == target, name
    assert back.fc.b is not None
    numpy.testing.assert_array_equal(to_numpy(values(back.fc.b)), numpy.full(2, 7.0))
    assert get_device_from_array(back.steps) == target


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("device", TARGETS)
def test_optimizer_state_saved_on_the_device_resumes_on_the_cpu(device: str, fmt: str, tmp_path: Path) -> None:
    target = get_device(device)
    model = Net().to_device(target)
    opt = optimizers.Adam().setup(model)
    for _ in range(2):
        _step(opt, model, target)
    _save(fmt, tmp_path / f"model.{fmt}", model)
    _save(fmt, tmp_path / f"opt.{fmt}", opt)

    cpu_model = Net()
    cpu_opt = optimizers.Adam().setup(cpu_model)
    _load(fmt, tmp_path / f"model.{fmt}", cpu_model)
    _load(fmt, tmp_path / f"opt.{fmt}", cpu_opt)
    assert cpu_opt.t == opt.t == 2
    for (name, p), (_, q) in zip(model.namedparams(), cpu_model.namedparams()):
        state, cpu_state = rule_of(p).state, rule_of(q).state
        assert state is not None and cpu_state is not None and sorted(state) == sorted(cpu_state)
        for key in state:
            assert type(cpu_state[key]) is numpy.ndarray
            numpy.testing.assert_array_equal(cpu_state[key], to_numpy(state[key]), err_msg=f"{name}/{key}")

    # one more step on each side: the resumed CPU run continues the device run
    _step(opt, model, target)
    _step(cpu_opt, cpu_model, get_device("@numpy"))
    for (name, p), (_, q) in zip(model.namedparams(), cpu_model.namedparams()):
        numpy.testing.assert_allclose(values(q), to_numpy(values(p)), rtol=1e-5, atol=1e-7, err_msg=name)
