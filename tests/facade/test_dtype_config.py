"""``fchain.get_dtype``, ``config.dtype`` and Chainer's ``mixed16`` marker."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import numpy
import pytest

import fchain
import fchain.links as L
from fchain import initializers

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "src")


def test_default_is_config_dtype() -> None:
    assert fchain.get_dtype() == numpy.float32
    with fchain.using_config("dtype", numpy.dtype(numpy.float64)):
        assert fchain.get_dtype() == numpy.float64
    assert fchain.get_dtype("float16") == numpy.float16
    assert fchain.get_dtype(numpy.float64, map_mixed16=numpy.float32) == numpy.float64


def test_mixed16_resolves_to_float16_unless_mapped() -> None:
    with fchain.using_config("dtype", fchain.mixed16):
        assert fchain.config.dtype is fchain.mixed16
        result = fchain.get_dtype()
        assert isinstance(result, numpy.dtype) and result == numpy.float16
        assert fchain.get_dtype(map_mixed16=numpy.float32) == numpy.float32
        assert fchain.get_dtype(numpy.float64, map_mixed16=numpy.float32) == numpy.float64
    assert fchain.get_dtype(fchain.mixed16) == numpy.float16
    assert fchain.get_dtype(fchain.mixed16, map_mixed16="float32") == numpy.float32
    assert fchain.get_dtype() == numpy.float32  # left the block


def test_mixed16_prints_as_chainer_does_and_pickles_as_itself() -> None:
    assert repr(fchain.mixed16) == "dtype('mixed16')"
    assert pickle.loads(pickle.dumps(fchain.mixed16)) is fchain.mixed16
    assert numpy.dtype(fchain.mixed16) == numpy.float16


def test_under_mixed16_parameters_and_initializers_are_float16() -> None:
    with fchain.using_config("dtype", fchain.mixed16):
        link = L.Linear(3, 2)
        assert link.W.dtype == numpy.float16 and link.b is not None and link.b.dtype == numpy.float16
        filled = initializers.generate_array(initializers.Normal(), (2, 2), numpy)
        assert filled.dtype == numpy.float16


def _config_dtype_in_child(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("FCHAIN_DTYPE", "CHAINER_DTYPE")}
    return subprocess.run(
        [sys.executable, "-c", "import fchain; print(repr(fchain.config.dtype), fchain.get_dtype())"],
        env={**clean, "PYTHONPATH": SRC, **env}, capture_output=True, text=True)


@pytest.mark.parametrize(("env", "printed"), [
    ({}, "dtype('float32') float32"),
    ({"FCHAIN_DTYPE": "mixed16"}, "dtype('mixed16') float16"),
    ({"CHAINER_DTYPE": "float64"}, "dtype('float64') float64"),
    ({"FCHAIN_DTYPE": "float16", "CHAINER_DTYPE": "float64"}, "dtype('float16') float16"),
])
def test_the_default_comes_from_the_environment(env: dict[str, str], printed: str) -> None:
    done = _config_dtype_in_child(**env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == printed


def test_an_unusable_default_dtype_is_refused_at_import() -> None:
    done = _config_dtype_in_child(FCHAIN_DTYPE="int32")
    assert done.returncode != 0
    assert "TypeError: FCHAIN_DTYPE / CHAINER_DTYPE: the default dtype must be float16, float32, " \
           "float64 or mixed16, got 'int32'" in done.stderr
