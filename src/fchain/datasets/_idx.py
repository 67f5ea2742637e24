"""The IDX file format of MNIST and Fashion-MNIST, parsed without any library.

An IDX file is: two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16,
0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions, each dimension
as a big-endian uint32, then the data in C order, big-endian.
"""

from __future__ import annotations

import gzip
import io
import struct

import numpy

from fchain.errors import FchainError
from fchain.types import Array

__all__ = ["DatasetFileError", "GZIP_MAGIC", "decompress_bounded", "parse_idx"]

GZIP_MAGIC = b"\x1f\x8b"

_TYPES: dict[int, str] = {
    0x08: "u1",
    0x09: "i1",
    0x0B: ">i2",
    0x0C: ">i4",
    0x0D: ">f4",
    0x0E: ">f8",
}


class DatasetFileError(FchainError, ValueError):
    """A data set file is corrupt, truncated or not what it claims to be."""


def parse_idx(data: bytes, name: str = "<bytes>") -> Array:
    """The array stored in the (uncompressed) IDX bytes ``data``, in native byte
    order.  ``name`` is used in error messages."""
    if len(data) < 4:
        raise DatasetFileError(f"{name}: not an IDX file: {len(data)} bytes, shorter than a header")
    if data[0] != 0 or data[1] != 0:
        raise DatasetFileError(
            f"{name}: not an IDX file: the first two bytes are {data[:2]!r}, expected b'\\x00\\x00'"
        )
    code, ndim = data[2], data[3]
    if code not in _TYPES:
        raise DatasetFileError(f"{name}: unknown IDX type code 0x{code:02x}")
    if ndim == 0:
        raise DatasetFileError(f"{name}: IDX header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetFileError(f"{name}: truncated IDX header ({len(data)} bytes)")
    dims = struct.unpack(f">{ndim}I", data[4:header])
    dtype = numpy.dtype(_TYPES[code])
    count = 1
    for d in dims:
        count *= d
    expected = header + count * dtype.itemsize
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "has trailing bytes"
        raise DatasetFileError(
            f"{name}: IDX file {what}: header says shape {tuple(dims)} ({expected} bytes in "
            f"all) but the file has {len(data)} bytes"
        )
    arr = numpy.frombuffer(data, dtype=dtype, count=count, offset=header)
    return arr.reshape(dims).astype(dtype.newbyteorder("="))


def decompress_bounded(data: bytes, limit: int, name: str) -> bytes:
    """gunzip ``data``, refusing more than ``limit`` bytes of output."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
            out = f.read(limit + 1)
    except (OSError, EOFError, ValueError) as e:
        raise DatasetFileError(f"{name}: corrupt gzip data: {e}") from None
    if len(out) > limit:
        raise DatasetFileError(f"{name}: decompresses to more than {limit} bytes")
    return out
