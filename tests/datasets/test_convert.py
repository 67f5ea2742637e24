"""concat_examples, to_device and the converter decorator."""

from __future__ import annotations

import numpy
import pytest

from fchain.dataset import Converter, concat_examples, converter, to_device
from fchain.graph.device import CpuDevice, Device

from tests.conftest import DEVICES


def test_concat_arrays() -> None:
    batch = [numpy.full((2, 3), i, dtype=numpy.float32) for i in range(4)]
    out = concat_examples(batch)
    assert out.shape == (4, 2, 3) and out.dtype == numpy.float32
    for i in range(4):
        numpy.testing.assert_array_equal(out[i], batch[i])


def test_concat_tuples_and_scalars() -> None:
    batch = [(numpy.array([i, i + 1]), numpy.int32(i), float(i) / 2) for i in range(3)]
    x, t, s = concat_examples(batch)
    numpy.testing.assert_array_equal(x, [[0, 1], [1, 2], [2, 3]])
    assert t.dtype == numpy.int32
    numpy.testing.assert_array_equal(t, [0, 1, 2])
    numpy.testing.assert_array_equal(s, [0.0, 0.5, 1.0])


def test_concat_dicts() -> None:
    batch = [{"x": numpy.ones(2) * i, "y": i} for i in range(3)]
    out = concat_examples(batch)
    assert set(out) == {"x", "y"}
    numpy.testing.assert_array_equal(out["x"], [[0, 0], [1, 1], [2, 2]])
    numpy.testing.assert_array_equal(out["y"], [0, 1, 2])


def test_padding_single_value() -> None:
    batch = [numpy.arange(n, dtype=numpy.int64).reshape(1, n) for n in (1, 3, 2)]
    out = concat_examples(batch, padding=-1)
    expected = numpy.full((3, 1, 3), -1, dtype=numpy.int64)
    for i, b in enumerate(batch):
        expected[i, :, : b.shape[1]] = b
    numpy.testing.assert_array_equal(out, expected)
    assert out.dtype == numpy.int64


def test_padding_per_position_and_per_key() -> None:
    batch = [(numpy.ones(1), numpy.zeros(2)), (numpy.ones(3), numpy.zeros(1))]
    x, y = concat_examples(batch, padding=(7, 9))
    numpy.testing.assert_array_equal(x, [[1, 7, 7], [1, 1, 1]])
    numpy.testing.assert_array_equal(y, [[0, 0], [0, 9]])
    d = [{"a": numpy.ones(1)}, {"a": numpy.ones(2)}]
    out = concat_examples(d, padding={"a": 5})
    numpy.testing.assert_array_equal(out["a"], [[1, 5], [1, 1]])
    # Python lists of different lengths are padded too.
    out2 = concat_examples([[1, 2, 3], [4]], padding=0)
    numpy.testing.assert_array_equal(out2, [[1, 2, 3], [4, 0, 0]])


def test_concat_errors() -> None:
    with pytest.raises(ValueError, match="concat_examples: batch is empty"):
        concat_examples([])
    with pytest.raises(ValueError, match=r"example 0 has shape \(2,\) but example 1 has shape \(3,\)"):
        concat_examples([numpy.ones(2), numpy.ones(3)])
    with pytest.raises(ValueError, match="has 1 dimensions but example 1 has 2"):
        concat_examples([numpy.ones(2), numpy.ones((2, 2))], padding=0)
    with pytest.raises(ValueError, match="example 0 is a tuple of 2 but example 1 is a tuple of 1"):
        concat_examples([(1, 2), (3,)])
    with pytest.raises(ValueError, match="example 1 is a dict with keys"):
        concat_examples([{"a": 1}, {"b": 2}])
    with pytest.raises(ValueError, match="padding is a tuple of 1 values"):
        concat_examples([(numpy.ones(1), numpy.ones(1))], padding=(0,))
    with pytest.raises(ValueError, match="give one padding value"):
        concat_examples([numpy.ones(1)], padding=(0,))


@pytest.mark.parametrize("device", DEVICES)
def test_concat_to_device(device: str) -> None:
    batch = [(numpy.ones(2, numpy.float32), numpy.int32(1))] * 3
    x, t = concat_examples(batch, device)
    dev = to_device(device, numpy.zeros(1))
    assert type(x) is type(dev) and type(t) is type(dev)
    xs = x if isinstance(x, numpy.ndarray) else x.get()
    numpy.testing.assert_array_equal(xs, numpy.ones((3, 2)))


def test_to_device() -> None:
    a = numpy.arange(3)
    assert to_device(None, a) is a
    assert to_device(-1, a) is a  # already on the CPU
    nested = to_device("@numpy", {"x": (a, [a, None])})
    assert nested["x"][0] is a and nested["x"][1][1] is None
    with pytest.raises(ValueError, match="get_device: invalid device specifier"):
        to_device("@nowhere", a)


def test_converter_decorator_normalizes_device() -> None:
    seen: list[object] = []

    @converter()
    def conv(batch: list[int], device: Device | None, scale: int = 1) -> list[int]:
        seen.append(device)
        return [b * scale for b in batch]

    assert isinstance(conv, Converter)
    assert conv([1, 2], -1, scale=3) == [3, 6]
    assert conv([1], None) == [1]
    assert conv([1], "@numpy") == [1]
    assert isinstance(seen[0], CpuDevice) and seen[1] is None and isinstance(seen[2], CpuDevice)
    assert conv.__name__ == "conv"
    assert isinstance(concat_examples, Converter)
