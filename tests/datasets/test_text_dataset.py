"""``TextDataset`` on files the tests write: one file, several files in step, the
``open`` options per file, ``filter_func``, and the errors."""

from __future__ import annotations

import os
import pickle
import sys
import threading
from pathlib import Path

import pytest

import fchain
from fchain.datasets import DatasetFileError, TextDataset
from fchain.datasets import text_dataset as text_dataset_module


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_chainers_module_path_and_export() -> None:
    assert fchain.datasets.text_dataset.TextDataset is TextDataset
    assert text_dataset_module.TextDataset is TextDataset


def test_one_file_gives_its_lines_with_their_newlines(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"first line\n\nthird\nlast without newline")
    with TextDataset(str(path)) as ds:
        assert len(ds) == 4
        assert ds[0] == "first line\n"
        assert ds[1] == "\n"
        assert ds[3] == "last without newline"
        assert ds[-1] == "last without newline" and ds[-4] == "first line\n"
        assert ds[1:3] == ["\n", "third\n"]
        assert ds[[3, 0]] == ["last without newline", "first line\n"]
        assert list(ds) == ["first line\n", "\n", "third\n", "last without newline"]
        for bad in (4, -5):
            with pytest.raises(IndexError, match=f"TextDataset: index {bad} out of range for length 4"):
                ds[bad]


def test_empty_file_is_an_empty_dataset(tmp_path: Path) -> None:
    with TextDataset(write(tmp_path / "e.txt", b"")) as ds:  # a PathLike is accepted
        assert len(ds) == 0 and list(ds) == []


def test_several_files_give_tuples_of_the_lines_at_one_position(tmp_path: Path) -> None:
    src = write(tmp_path / "src.txt", b"a b\nc\nd e f\n")
    tgt = write(tmp_path / "tgt.txt", b"A B\nC\nD E F\n")
    with TextDataset((src, tgt)) as pair:
        assert len(pair) == 3
        assert pair[1] == ("c\n", "C\n") and pair[2] == ("d e f\n", "D E F\n")
    with TextDataset([str(src), str(tgt), str(src)]) as triple:
        assert triple[0] == ("a b\n", "A B\n", "a b\n")
    with TextDataset([str(src)]) as single:  # a list of one path gives str, as in Chainer
        assert single[0] == "a b\n"


def test_encodings_one_for_all_or_one_per_file(tmp_path: Path) -> None:
    text = "café\nnaïve\n"
    latin = write(tmp_path / "latin.txt", text.encode("latin-1"))
    utf16 = write(tmp_path / "utf16.txt", text.encode("utf-16"))  # with a BOM
    utf8 = write(tmp_path / "utf8.txt", text.encode("utf-8"))
    with TextDataset(latin, encoding="latin-1") as ds:
        assert list(ds) == ["café\n", "naïve\n"]
    with TextDataset((latin, latin), encoding="latin-1") as both:  # one encoding for all
        assert both[1] == ("naïve\n", "naïve\n")
    with TextDataset((latin, utf16, utf8), encoding=["latin-1", "utf-16", "utf-8"]) as ds3:
        assert ds3[1] == ("naïve\n",) * 3
        assert ds3[0] == ("café\n",) * 3
        assert ds3[1] == ("naïve\n",) * 3  # reading backwards works in every encoding
    with pytest.raises(UnicodeDecodeError):
        TextDataset(latin, encoding="utf-8")
    with TextDataset(latin, encoding="utf-8", errors="replace") as replaced:
        assert replaced[0] == "caf\ufffd\n"


def test_newline_option(tmp_path: Path) -> None:
    path = write(tmp_path / "crlf.txt", b"one\r\ntwo\r\n")
    with TextDataset(path) as universal:
        assert list(universal) == ["one\n", "two\n"]
    with TextDataset(path, newline="") as kept:
        assert list(kept) == ["one\r\n", "two\r\n"]
    other = write(tmp_path / "lf.txt", b"1\n2\n")
    with TextDataset((path, other), newline=["", None]) as mixed:
        assert mixed[1] == ("two\r\n", "2\n")


def test_filter_func_sees_one_line_per_file_and_keeps_the_true_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"keep 1\ndrop\nkeep 2\n\nkeep 3\n")
    seen: list[str] = []

    def keep(line: str) -> bool:
        seen.append(line)
        return line.startswith("keep")

    with TextDataset(path, filter_func=keep) as ds:
        assert seen == ["keep 1\n", "drop\n", "keep 2\n", "\n", "keep 3\n"]
        assert list(ds) == ["keep 1\n", "keep 2\n", "keep 3\n"]
        assert ds[-1] == "keep 3\n"
    src = write(tmp_path / "s.txt", b"a\nb b b\nc c\n")
    tgt = write(tmp_path / "t.txt", b"A A\nB\nC C\n")
    with TextDataset((src, tgt), filter_func=lambda s, t: len(s.split()) == len(t.split())) as pairs:
        assert list(pairs) == [("c c\n", "C C\n")]
    with TextDataset(path, filter_func=lambda line: 0) as nothing:  # any false value drops
        assert len(nothing) == 0


def test_mismatched_line_counts_are_an_error_naming_each_count(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", b"1\n2\n3\n")
    b = write(tmp_path / "b.txt", b"1\n2\n")
    c = write(tmp_path / "c.txt", b"1\n2\n3\n4\n5")
    with pytest.raises(ValueError, match="the files must have the same number of lines") as info:
        TextDataset((a, b, c))
    assert f"{str(a)!r} has 3, {str(b)!r} has 2, {str(c)!r} has 5" in str(info.value)
    with pytest.raises(ValueError, match=f"{str(b)!r} has 2, {str(a)!r} has 3"):
        TextDataset((b, a))


def test_bad_arguments(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", b"x\n")
    with pytest.raises(ValueError, match="at least one text file must be given"):
        TextDataset([])
    with pytest.raises(ValueError, match="encoding has 3 values for 2 files"):
        TextDataset((a, a), encoding=["utf-8", "utf-8", "utf-8"])
    with pytest.raises(ValueError, match="newline has 1 values for 2 files"):
        TextDataset((a, a), newline=[None])
    with pytest.raises(FileNotFoundError):
        TextDataset((a, tmp_path / "missing.txt"))


def test_pickled_dataset_reads_the_same_lines_and_refuses_a_changed_file(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"zero\none\ntwo\n")
    ds = TextDataset(path, filter_func=lambda line: line != "one\n")
    copy = pickle.loads(pickle.dumps(ds))
    assert list(copy) == ["zero\n", "two\n"]
    ds.close()
    assert ds[1] == "two\n"  # closing only releases the files; a read opens them again
    ds.close()
    copy.close()
    restored = pickle.loads(pickle.dumps(copy))
    path.write_bytes(b"zero\nthe first line\ntwo\n")
    with pytest.raises(DatasetFileError, match="has changed since its lines were indexed"):
        restored[0]


def test_a_forked_child_opens_its_own_files(tmp_path: Path) -> None:
    """A forked child shares its parent's file positions; the dataset reopens the
    files in any process other than the one that opened them (simulated here by
    changing the process id the dataset recorded)."""
    path = write(tmp_path / "a.txt", b"zero\none\n")
    with TextDataset(path) as ds:
        lines = ds._lines
        opened = lines._files
        assert ds[0] == "zero\n" and lines._files is opened  # same process: kept
        lines._pid = -1  # as seen from a child process
        assert ds[1] == "one\n"
        assert lines._files is not opened and lines._pid == os.getpid()
        assert opened is not None and all(f.closed for f in opened)  # the inherited copies


def test_threads_read_consistent_lines(tmp_path: Path) -> None:
    lines = [f"line {i} " + "x" * (i % 17) + "\n" for i in range(300)]
    path = write(tmp_path / "many.txt", "".join(lines).encode())
    failures: list[str] = []
    with TextDataset(path) as ds:
        def read(offset: int) -> None:
            for i in range(offset, offset + 40 * len(lines), 7):
                j = i % len(lines)
                if ds[j] != lines[j]:
                    failures.append(f"{j}: {ds[j]!r}")

        threads = [threading.Thread(target=read, args=(k,)) for k in range(6)]
        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)  # switch threads often, between a seek and its read
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            sys.setswitchinterval(interval)
    assert failures == []
