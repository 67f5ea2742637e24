"""atomic_write: the save function gets a temporary path with the target's own name,
and the target is either the old file or the complete new one, with nothing left
beside it."""

from __future__ import annotations

import os
from pathlib import Path

import numpy
import pytest

from fchain.serializers._common import atomic_write


def test_the_temporary_path_ends_with_the_target_name(tmp_path: Path) -> None:
    seen: list[str] = []

    def write(temp: str) -> None:
        seen.append(temp)
        numpy.savez(temp, a=numpy.arange(3))

    atomic_write(tmp_path / "data.npz", write)
    (temp,) = seen
    assert os.path.basename(temp) == "data.npz"
    assert os.path.dirname(os.path.dirname(temp)) == str(tmp_path)  # a folder beside the target
    assert os.listdir(tmp_path) == ["data.npz"]
    with numpy.load(tmp_path / "data.npz") as data:
        numpy.testing.assert_array_equal(data["a"], [0, 1, 2])


def test_replacing_keeps_the_usual_permissions(tmp_path: Path) -> None:
    path = tmp_path / "data.npz"
    umask = os.umask(0o027)
    try:
        for value in (1, 2):
            def write(temp: str, v: int = value) -> None:
                numpy.savez(temp, a=numpy.full(2, v))

            atomic_write(path, write)
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~0o027
    with numpy.load(path) as data:
        numpy.testing.assert_array_equal(data["a"], [2, 2])
    assert os.listdir(tmp_path) == ["data.npz"]


@pytest.mark.parametrize("error", [OSError("disk full (simulated)"), KeyboardInterrupt()])
def test_a_failing_save_keeps_the_previous_file_and_leaves_nothing(tmp_path: Path,
                                                                   error: BaseException) -> None:
    path = tmp_path / "data.npz"
    numpy.savez(path, a=numpy.ones(2))
    previous = path.read_bytes()

    def write(temp: str) -> None:
        numpy.savez(temp, a=numpy.zeros(2))
        raise error

    with pytest.raises(type(error)):
        atomic_write(path, write)
    assert path.read_bytes() == previous
    assert os.listdir(tmp_path) == ["data.npz"]


def test_a_first_save_that_fails_leaves_nothing(tmp_path: Path) -> None:
    def write(temp: str) -> None:
        raise OSError("simulated")

    with pytest.raises(OSError, match="simulated"):
        atomic_write(tmp_path / "new", write)
    assert os.listdir(tmp_path) == []


def test_a_save_to_another_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "snapshot"
    path.write_bytes(b"previous")
    with pytest.raises(OSError, match=r"wrote \['snapshot.npz'\] instead"):
        atomic_write(path, lambda temp: numpy.savez(temp, a=numpy.ones(1)))
    assert path.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["snapshot"]
