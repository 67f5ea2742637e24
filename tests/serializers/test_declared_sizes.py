"""Crafted files whose headers declare more than the target (or the file) holds.

A load compares the shape and dtype a file declares with what the target asks for
before reading any data, so a mismatch is a ``SerializationError`` naming the key,
the declared shape and the expected one, and memory stays bounded by the target's
size.  Where the target lets the file decide (a lazy parameter, ``None``), a
declaration the file cannot back with data is refused before anything is
allocated.  Peaks are measured with ``tracemalloc``, which sees numpy's buffers.
"""

from __future__ import annotations

import ast
import os
import struct
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import h5py
import numpy
import pytest
from numpy.lib import format as npy_format

from fchain import serializers
from fchain.errors import SerializationError
from fchain.serializers import hdf5, npz
from fchain.serializers._common import LoadError
from tests.serializers.objects import Tree

HUGE = 500_000_000_000  # elements: 4 TB of float64
BOMB_SHAPE = (4000, 5000)  # 160 MB of float64 zeros, about 155 KB deflated
BOUND = 16 * 2**20  # what a failed load of these may allocate at most


def npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    """An ``.npy`` version 1.0 header, written out by hand: magic, version, length,
    the header dict padded with spaces to a multiple of 64 bytes, a newline."""
    text = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape!r}, }}"
    assert ast.literal_eval(text)["shape"] == shape
    prefix = 6 + 2 + 2
    text += " " * (-(prefix + len(text) + 1) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1")


def write_npz_member(path: Path, key: str, payload: bytes, compression: int = zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        zf.writestr(key + ".npy", payload)


def write_npz_bomb(path: Path) -> None:
    """A deflated member of BOMB_SHAPE zeros, streamed so writing it stays small."""
    info = zipfile.ZipInfo("W.npy")
    info.compress_type = zipfile.ZIP_DEFLATED
    rows = numpy.zeros((100, BOMB_SHAPE[1]))
    with zipfile.ZipFile(path, "w") as zf, zf.open(info, "w", force_zip64=True) as member:
        member.write(npy_header(BOMB_SHAPE))
        for _ in range(BOMB_SHAPE[0] // 100):
            member.write(rows.tobytes())


@contextmanager
def peak_allocation() -> Iterator[list[int]]:
    """Yields a list that holds the peak traced allocation once the block ends."""
    result: list[int] = []
    tracemalloc.start()
    try:
        yield result
    finally:
        result.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()


def rejected(load: Callable[[], None]) -> tuple[LoadError, int]:
    with peak_allocation() as peak, pytest.raises(LoadError) as info:
        load()
    return info.value, peak[0]


# ---------------------------------------------------------------------- npz


def test_npz_header_declaring_4_terabytes_against_a_small_target(tmp_path: Path) -> None:
    path = tmp_path / "huge.npz"
    write_npz_member(path, "W", npy_header((HUGE,)) + bytes(24))
    target = Tree({"W": numpy.zeros(3)})
    error, peak = rejected(lambda: serializers.load_npz(path, target))
    assert error.problems == (f"'W': shape ({HUGE},) in the file, (3,) in the target",)
    assert peak < BOUND
    numpy.testing.assert_array_equal(target.params["W"], numpy.zeros(3))


def test_npz_header_declaring_more_than_the_member_holds_for_a_lazy_target(tmp_path: Path) -> None:
    path = tmp_path / "huge.npz"
    write_npz_member(path, "W", npy_header((HUGE,)) + bytes(24))
    target = Tree({"W": None})  # the file decides the shape
    error, peak = rejected(lambda: serializers.load_npz(path, target))
    (problem,) = error.problems
    assert problem.startswith(f"'W': the file declares a float64 array of shape ({HUGE},) "
                              f"({HUGE * 8} bytes) but its member holds 24 bytes of data")
    assert peak < BOUND and target.params["W"] is None


def test_npz_member_claiming_more_than_its_compressed_bytes_can_expand_to(tmp_path: Path) -> None:
    """Header and the zip's sizes agree, but the stored member has 24 bytes of data."""
    n = 1 << 20
    path = tmp_path / "lying.npz"
    header = npy_header((n,))
    write_npz_member(path, "W", header + bytes(24), compression=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    claimed = struct.pack("<I", len(header) + 8 * n)
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    data[local + 22:local + 26] = claimed  # uncompressed size, local header
    data[central + 24:central + 28] = claimed  # uncompressed size, central directory
    path.write_bytes(bytes(data))
    error, peak = rejected(lambda: serializers.load_npz(path, Tree({"W": None})))
    (problem,) = error.problems
    assert problem.startswith(f"'W': its member claims {len(header) + 8 * n} bytes from {len(header) + 24} "
                              "compressed ones")
    assert peak < BOUND


def test_npz_bomb_is_compared_before_it_is_inflated(tmp_path: Path) -> None:
    path = tmp_path / "bomb.npz"
    write_npz_bomb(path)
    assert path.stat().st_size < 400_000
    target = Tree({"W": numpy.zeros((3, 2), numpy.float32)})
    error, peak = rejected(lambda: serializers.load_npz(path, target))
    assert error.problems == ("'W': shape (4000, 5000) in the file, (3, 2) in the target",)
    assert peak < BOUND


def test_npz_dtype_is_compared_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "text.npz"
    write_npz_member(path, "W", npy_header((3,), "<U100000000") + bytes(12))
    error, peak = rejected(lambda: serializers.load_npz(path, Tree({"W": numpy.zeros(3)})))
    assert error.problems == ("'W': the file's <U100000000 cannot be cast to the target's float64",)
    assert peak < BOUND


def test_a_genuine_lazy_parameter_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.npz"
    serializers.save_npz(path, Tree({"W": numpy.arange(6.0).reshape(2, 3)}))
    target = Tree({"W": None})
    serializers.load_npz(path, target)
    numpy.testing.assert_array_equal(target.params["W"], numpy.arange(6.0).reshape(2, 3))


# ---------------------------------------------------------------------- HDF5


def test_hdf5_dataset_declared_without_data(tmp_path: Path) -> None:
    path = tmp_path / "huge.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("W", shape=(10**6, 10**6), dtype="f8")  # no data: the file stays small
    assert path.stat().st_size < 100_000
    target = Tree({"W": numpy.zeros((3, 2))})
    error, peak = rejected(lambda: serializers.load_hdf5(path, target))
    assert error.problems == ("'W': shape (1000000, 1000000) in the file, (3, 2) in the target",)
    assert peak < BOUND

    lazy = Tree({"W": None})
    error, peak = rejected(lambda: serializers.load_hdf5(path, lazy))
    (problem,) = error.problems
    assert problem.startswith("'W': the file declares a float64 array of shape (1000000, 1000000) "
                              "(8000000000000 bytes) but stores 0 bytes for it")
    assert peak < BOUND and lazy.params["W"] is None


def test_hdf5_compressed_chunks_are_compared_before_they_are_inflated(tmp_path: Path) -> None:
    path = tmp_path / "bomb.h5"
    with h5py.File(path, "w") as f:
        dataset: Any = f.create_dataset("W", shape=BOMB_SHAPE, dtype="f8", chunks=(500, 500),
                                        compression="gzip")  # Any: the local stubs have no __setitem__
        block = numpy.zeros((500, BOMB_SHAPE[1]))
        for i in range(0, BOMB_SHAPE[0], 500):
            dataset[i:i + 500] = block
    assert path.stat().st_size < 400_000
    target = Tree({"W": numpy.zeros((3, 2), numpy.float32)})
    error, peak = rejected(lambda: serializers.load_hdf5(path, target))
    assert error.problems == ("'W': shape (4000, 5000) in the file, (3, 2) in the target",)
    assert peak < BOUND


def test_hdf5_genuine_compressed_data_loads_into_a_lazy_target(tmp_path: Path) -> None:
    path = tmp_path / "ok.h5"
    with h5py.File(path, "w") as f:  # highly compressible, all of it stored
        f.create_dataset("W", data=numpy.zeros((200, 300)), compression="gzip", shuffle=True)
    target = Tree({"W": None})
    serializers.load_hdf5(path, target)
    assert target.params["W"] is not None and target.params["W"].shape == (200, 300)


# ---------------------------------------------------------------------- both


@pytest.mark.parametrize("fmt", ["npz", "h5"])
def test_running_out_of_memory_is_a_serialization_error(tmp_path: Path, fmt: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / f"m.{fmt}"
    target = Tree({"W": numpy.zeros(3)})
    if fmt == "npz":
        serializers.save_npz(path, Tree({"W": numpy.ones(3)}))
        source: type = npz._MappingSource
    else:
        serializers.save_hdf5(path, Tree({"W": numpy.ones(3)}))
        source = hdf5._GroupSource

    def no_memory(self: object, key: str) -> None:
        raise MemoryError

    monkeypatch.setattr(source, "read", no_memory)
    load = serializers.load_npz if fmt == "npz" else serializers.load_hdf5
    with pytest.raises(LoadError) as info:
        load(path, target)
    assert info.value.problems == ("'W': not enough memory to read it (the file declares it as a float64 "
                                   "array of shape (3,), 24 bytes)",)


@pytest.mark.parametrize("load", [serializers.load_npz, serializers.load_hdf5], ids=["npz", "h5"])
def test_loading_a_folder_is_a_serialization_error(tmp_path: Path, load: Callable[..., None]) -> None:
    folder = tmp_path / "model.npz"
    os.mkdir(folder)
    with pytest.raises(SerializationError, match=r"load_(npz|hdf5): '.*model.npz' is a folder, not an"):
        load(folder, Tree({"W": numpy.zeros(3)}))
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "absent", Tree({"W": numpy.zeros(3)}))


def test_numpy_reads_the_handwritten_header(tmp_path: Path) -> None:
    """The crafted headers above are well-formed: numpy parses them."""
    path = tmp_path / "a.npy"
    path.write_bytes(npy_header((2, 3)) + numpy.arange(6.0).tobytes())
    numpy.testing.assert_array_equal(numpy.load(path), numpy.arange(6.0).reshape(2, 3))
    with open(path, "rb") as f:
        assert npy_format.read_magic(f) == (1, 0)
