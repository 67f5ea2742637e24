"""The downstream typing programs are run, not only type-checked: every program in
this folder with a ``main`` (or, for ``optimizers_ok``, ``configure``) is executed,
and the values of the small ones are checked against numbers computed here."""

from __future__ import annotations

import importlib
import inspect
import math
import pathlib
from typing import Any

import numpy as np
import pytest

import fchain
from fchain import Parameter

HERE = pathlib.Path(__file__).parent
PROGRAMS = sorted(p.stem for p in HERE.glob("*.py")
                  if not p.name.startswith(("test_", "__")) and "def main(" in p.read_text())


def _module(name: str) -> Any:
    return importlib.import_module(f"tests.typing.{name}")


def test_the_programs_are_found() -> None:
    assert {"downstream_model", "downstream_ok", "downstream_training"} <= set(PROGRAMS)


@pytest.mark.parametrize("name", PROGRAMS)
def test_every_program_main_runs(name: str, tmp_path: pathlib.Path) -> None:
    main = _module(name).main
    args = [str(tmp_path)] if len(inspect.signature(main).parameters) == 1 else []
    result = main(*args)
    values = result if isinstance(result, tuple) else (result,)
    assert all(math.isfinite(float(v)) for v in values), result


def test_downstream_ok_value() -> None:
    x = np.linspace(-1, 1, 6).reshape(2, 3)  # float64 here; the program uses float32
    inner = np.maximum(x, 0) * 2.0 + np.exp(x) - 1.0
    grad = 2.0 * inner * (2.0 * (x > 0) + np.exp(x))
    expected = grad.sum() + (x.T @ x).sum()
    assert _module("downstream_ok").main() == pytest.approx(expected, rel=1e-5)


def test_downstream_model_is_deterministic_and_trains() -> None:
    module = _module("downstream_model")
    first = module.main()
    assert module.main() == first  # seeded with initializers.set_random_seed(0)
    fchain.initializers.set_random_seed(0)
    model = module.MLP(8, 3)
    classifier = fchain.links.Classifier(model)
    opt = fchain.optimizers.SGD(lr=0.1).setup(classifier)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    loss = classifier(x, np.array([0, 1, 2, 1, 0], dtype=np.int32))  # initializes lazy layers
    before = {n: p.array.copy() for n, p in model.namedparams()}
    classifier.cleargrads()
    loss.backward()
    opt.update()
    assert any(not np.array_equal(p.array, before[n]) for n, p in model.namedparams())


def test_optimizers_ok_configure_value() -> None:
    module = _module("optimizers_ok")
    model = fchain.Chain()
    with model.init_scope():
        model.w = Parameter(np.ones(3, np.float32))
    result = module.configure(model)
    # configure sets alpha=2e-3, beta1=0.8, makes one update and one new epoch.
    alpha_t = 2e-3 * math.sqrt(1 - 0.999) / (1 - 0.8)
    assert result == pytest.approx(alpha_t + 2.0, rel=1e-12)
