"""Saves killed mid-write: the scratch folder they leave is removed by the next save of
the same target, never one a live save is still writing, nor anything else.

The saves run in real subprocesses that stop halfway through writing (after a
partial file is on disk) and wait on their stdin; the test kills them with SIGKILL
or lets them finish.  Nothing here depends on timing: each step waits for the
child to say where it is.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy
import pytest

from fchain import serializers
from fchain.serializers import _atomic
from fchain.serializers._atomic import STALE_AFTER_SECONDS, atomic_write
from tests.serializers.objects import Tree

pytestmark = pytest.mark.skipif(not _atomic.HAS_LOCKS, reason="needs fcntl (POSIX) for the save locks")

SRC = str(Path(_atomic.__file__).resolve().parents[2])

CHILD = """
import sys
from fchain.serializers._atomic import atomic_write

def write(tmp):
    with open(tmp, "wb") as f:
        f.write(b"partial " * 100000)
        f.flush()
        print("writing", flush=True)
        sys.stdin.readline()  # blocks: the parent kills us here, or lets us finish
        f.write(b"end")

atomic_write(sys.argv[1], write)
print("done", flush=True)
"""


class Saver:
    """A subprocess saving ``target`` through ``atomic_write``, stopped mid-write."""

    def __init__(self, target: Path) -> None:
        env = dict(os.environ, PYTHONPATH=SRC)
        self.process = subprocess.Popen([sys.executable, "-c", CHILD, str(target)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, env=env)
        assert self.process.stdout is not None
        assert self.process.stdout.readline() == "writing\n"

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def finish(self) -> None:
        out, _ = self.process.communicate("go\n")
        assert out == "done\n" and self.process.returncode == 0


@pytest.fixture
def savers() -> Iterator[list[Saver]]:
    started: list[Saver] = []
    yield started
    for saver in started:
        if saver.process.poll() is None:
            saver.kill()


def writer(text: str) -> Callable[[str], None]:
    def write(tmp: str) -> None:
        Path(tmp).write_text(text)

    return write


def scratch_folders(folder: Path, name: str) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(f".{name}.") and n.endswith(".tmp"))


def test_the_next_save_removes_what_a_killed_save_left(tmp_path: Path, savers: list[Saver]) -> None:
    target = tmp_path / "model.npz"
    for _ in range(3):
        saver = Saver(target)
        savers.append(saver)
        saver.kill()
        (left,) = scratch_folders(tmp_path, "model.npz")  # the killed save's; earlier ones are gone
        assert (tmp_path / left / "model.npz").stat().st_size == 800_000  # its partial file
    assert not target.exists()
    serializers.save_npz(target, Tree({"W": numpy.ones(3)}))
    assert os.listdir(tmp_path) == ["model.npz"]
    loaded = Tree({"W": numpy.zeros(3)})
    serializers.load_npz(target, loaded)
    numpy.testing.assert_array_equal(loaded.params["W"], numpy.ones(3))


def test_a_live_save_of_the_same_target_is_left_alone(tmp_path: Path, savers: list[Saver]) -> None:
    target = tmp_path / "log"
    live = Saver(target)
    savers.append(live)
    (its_folder,) = scratch_folders(tmp_path, "log")
    atomic_write(target, writer("[]"))
    assert scratch_folders(tmp_path, "log") == [its_folder]  # still writing: kept
    assert target.read_text() == "[]"
    live.finish()  # completes undisturbed, and its rename wins
    assert target.read_bytes() == b"partial " * 100000 + b"end"
    assert os.listdir(tmp_path) == ["log"]


def test_saves_of_other_targets_are_left_alone(tmp_path: Path, savers: list[Saver]) -> None:
    other = Saver(tmp_path / "model.npz.1")  # its folder starts with ".model.npz."
    savers.append(other)
    other.kill()
    left = scratch_folders(tmp_path, "model.npz.1")
    serializers.save_npz(tmp_path / "model.npz", Tree({"W": numpy.ones(3)}))
    assert scratch_folders(tmp_path, "model.npz.1") == left != []


def _age(path: Path, seconds: float) -> None:
    stamp = time.time() - seconds
    for child in path.iterdir():
        os.utime(child, (stamp, stamp))
    os.utime(path, (stamp, stamp))


def test_lockless_leftovers_go_only_when_a_day_old_and_plainly_a_save(tmp_path: Path) -> None:
    """Folders of fchain before the lock (``mkdtemp``'s eight characters) have no
    lock file to judge by: the age rule decides, and only for a folder holding
    nothing but the target's partial file."""
    def leftover(name: str, files: tuple[str, ...] = ("model.npz",), age: float = 2 * STALE_AFTER_SECONDS) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        for file in files:
            (folder / file).write_bytes(b"partial")
        _age(folder, age)
        return folder

    old = leftover(".model.npz.ab_9cd12.tmp")
    young = leftover(".model.npz.xy_9cd12.tmp", age=STALE_AFTER_SECONDS / 2)
    foreign = leftover(".model.npz.zz_9cd12.tmp", files=("model.npz", "notes.txt"))
    other_name = leftover(".model.npz.not-a-token.tmp")
    os.symlink(old, tmp_path / ".model.npz.linkto12.tmp")
    serializers.save_npz(tmp_path / "model.npz", Tree({"W": numpy.ones(3)}))
    assert not old.exists()
    assert young.exists() and foreign.exists() and other_name.exists()
    assert (tmp_path / ".model.npz.linkto12.tmp").is_symlink()


def test_the_lock_file_is_never_mistaken_for_the_target(tmp_path: Path) -> None:
    target = tmp_path / ".fchain-save.lock"
    atomic_write(target, writer("x"))
    assert target.read_text() == "x" and os.listdir(tmp_path) == [".fchain-save.lock"]
