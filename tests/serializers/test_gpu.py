"""CuPy arrays: saved from the device, loaded back into device arrays in place."""

from __future__ import annotations

import io
from typing import Any

import numpy
import pytest

from fchain import serializers
from fchain.core.backend import cupy_module
from fchain.errors import SerializationError
from tests.conftest import requires_gpu
from tests.serializers.objects import Tree

pytestmark = [pytest.mark.gpu, requires_gpu]


def test_npz_round_trip_on_gpu() -> None:
    cp: Any = cupy_module()
    w = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
    source = Tree({"W": cp.asarray(w), "lazy": None}, {"n": 4})
    buffer = io.BytesIO()
    serializers.save_npz(buffer, source)
    target_w = cp.zeros((2, 3), dtype=cp.float16)
    target = Tree({"W": target_w, "lazy": None}, {"n": 0})
    buffer.seek(0)
    serializers.load_npz(buffer, target)
    assert target.params["W"] is target_w  # filled in place, on the device
    numpy.testing.assert_array_equal(cp.asnumpy(target_w), w.astype(numpy.float16))
    assert target.params["lazy"] is None and target.persistents["n"] == 4


def test_gpu_shape_mismatch_leaves_device_array_unchanged() -> None:
    cp: Any = cupy_module()
    buffer = io.BytesIO()
    serializers.save_npz(buffer, Tree({"a": numpy.ones(3), "b": numpy.ones(2)}))
    a, b = cp.zeros(3), cp.zeros(4)
    buffer.seek(0)
    with pytest.raises(SerializationError, match=r"'b': shape \(2,\)"):
        serializers.load_npz(buffer, Tree({"a": a, "b": b}))
    assert float(cp.abs(a).sum()) == 0.0
