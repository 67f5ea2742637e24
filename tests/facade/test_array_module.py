"""``fchain.backend.ArrayModule``, the type of ``xp`` as users see it: every name it
declares exists on numpy (and, on a GPU machine, on CuPy), with the same results
for the calls user code makes most; the static side (numpy satisfies the protocol
under mypy and pyright) is checked by ``tests/typing/downstream_custom_loop.py``
and ``tests/typing/array_module_ok.py``."""

from __future__ import annotations

from types import ModuleType

import numpy
import pytest

import fchain
import fchain.links as L
from fchain.array_module import ArrayModule, LinalgModule, RandomModule
from fchain.backend import ArrayModule as PublicArrayModule
from tests.conftest import requires_gpu
from tests.gpu import cupy


def _members(protocol: type) -> set[str]:
    names = set()
    for klass in protocol.__mro__:
        if klass is object or klass.__name__ in ("Protocol", "Generic"):
            continue
        names |= {n for n in vars(klass) if not n.startswith("_")}
    return names


def _missing(module: ModuleType) -> list[str]:
    missing = [n for n in _members(ArrayModule) if not hasattr(module, n)]
    missing += [f"random.{n}" for n in _members(RandomModule) if not hasattr(module.random, n)]
    missing += [f"linalg.{n}" for n in _members(LinalgModule) if not hasattr(module.linalg, n)]
    return sorted(missing)


def test_public_name() -> None:
    assert PublicArrayModule is ArrayModule


def test_numpy_has_every_name() -> None:
    assert _missing(numpy) == []
    assert {"sum", "random", "linalg", "float32", "ndarray"} <= _members(ArrayModule)


def test_xp_of_links_variables_devices_is_numpy_on_the_cpu() -> None:
    link = L.Linear(3, 2)
    v = fchain.Variable(numpy.ones(3, numpy.float32))
    assert link.xp is numpy and v.xp is numpy and fchain.get_device("@numpy").xp is numpy
    W = link.W.array
    assert W is not None
    xp = link.xp
    assert float(xp.sum(W)) == pytest.approx(float(W.sum()))
    assert xp.sum(W, axis=1, keepdims=True).shape == (2, 1)
    assert xp.random.uniform(-1.0, 1.0, (2, 2)).shape == (2, 2)
    assert float(xp.linalg.norm(W)) == pytest.approx(float(numpy.sqrt((W * W).sum())), rel=1e-6)


@pytest.mark.gpu
@requires_gpu
def test_cupy_has_every_name() -> None:
    assert cupy is not None
    assert _missing(cupy) == []
    link = L.Linear(3, 2).to_device("@cupy:0")
    xp = link.xp
    module: object = xp  # the local CuPy stubs declare only what fchain calls
    assert module is cupy
    W = link.W.array
    assert W is not None
    assert float(xp.sum(W)) == pytest.approx(float(cupy.asnumpy(W).sum()), rel=1e-6)
    assert xp.random.uniform(-1.0, 1.0, (2, 2)).shape == (2, 2)
