"""The IDX parser, on files written by the test."""

from __future__ import annotations

import gzip
import struct

import numpy
import pytest

from fchain.datasets._idx import DatasetFileError, decompress_bounded, parse_idx

CODES = {numpy.uint8: 0x08, numpy.int8: 0x09, numpy.int16: 0x0B, numpy.int32: 0x0C,
         numpy.float32: 0x0D, numpy.float64: 0x0E}


def idx_bytes(array: numpy.ndarray, code: int | None = None) -> bytes:
    """IDX written by hand: magic, dims as big-endian uint32, big-endian data."""
    code = CODES[array.dtype.type] if code is None else code
    head = bytes([0, 0, code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return head + array.astype(array.dtype.newbyteorder(">")).tobytes()


@pytest.mark.parametrize("dtype", list(CODES))
def test_roundtrip_every_type(dtype: type) -> None:
    rng = numpy.random.default_rng(0)
    a: numpy.ndarray = (rng.standard_normal((3, 4, 2)) * 50).astype(dtype)
    out = parse_idx(idx_bytes(a), "t")
    assert out.dtype == numpy.dtype(dtype) and out.dtype.isnative
    numpy.testing.assert_array_equal(out, a)


def test_known_bytes() -> None:
    data = b"\x00\x00\x0b\x01\x00\x00\x00\x02\x01\x02\xff\xfe"
    numpy.testing.assert_array_equal(parse_idx(data), numpy.array([258, -2], numpy.int16))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x00", "shorter than a header"),
        (b"\x01\x00\x08\x01\x00\x00\x00\x01\x05", "not an IDX file: the first two bytes"),
        (b"\x00\x00\x07\x01\x00\x00\x00\x01\x05", "unknown IDX type code 0x07"),
        (b"\x00\x00\x08\x00", "declares 0 dimensions"),
        (b"\x00\x00\x08\x02\x00\x00\x00\x01", "truncated IDX header"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x03\x05", r"truncated: header says shape \(3,\)"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x01\x05\x06", "has trailing bytes"),
    ],
)
def test_corrupt_idx_rejected(data: bytes, message: str) -> None:
    with pytest.raises(DatasetFileError, match=message):
        parse_idx(data, "bad.idx")


def test_decompress_bounded() -> None:
    payload = bytes(range(256)) * 4
    packed = gzip.compress(payload)
    assert decompress_bounded(packed, len(payload), "f") == payload
    with pytest.raises(DatasetFileError, match="decompresses to more than 100 bytes"):
        decompress_bounded(packed, 100, "f")
    with pytest.raises(DatasetFileError, match="corrupt gzip data"):
        decompress_bounded(packed[: len(packed) // 2], len(payload), "f")
