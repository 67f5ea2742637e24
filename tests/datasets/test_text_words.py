"""``words_from_text``: any text file in ``get_ptb_words``' format."""

from __future__ import annotations

from pathlib import Path

import numpy
import pytest

import fchain
import fchain.datasets.ptb as ptb_mod
from fchain.datasets import DatasetFileError, WordSequences, words_from_text
from fchain.types import Array
from tests.datasets.test_loaders import closed_port_url, dirs, put
from tests.datasets.test_ptb import TEXTS, ptb_cache, ptb_source

__all__ = ["dirs"]  # fixture used below


def ids(values: list[int]) -> Array:
    return numpy.array(values, dtype=numpy.int32)


def lines_file(path: Path, n: int) -> Path:
    """``n`` lines: line ``i`` is the word ``w<i>`` twice, so each line's words are new."""
    path.write_text("".join(f"w{i} w{i}\n" for i in range(n)))
    return path


def test_one_file_is_cut_into_three_parts_of_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("a b a\n\nc  b\td\nb\na e\nd\nd d\nb a\nc\na\n")  # 10 lines
    train, valid, test, vocab = words_from_text(path)  # 8, 1 and 1 lines
    # The words of each line then <eos> (a blank line: <eos> alone); ids in order
    # of first appearance in the training part.
    assert vocab == {"a": 0, "b": 1, "<eos>": 2, "c": 3, "d": 4, "e": 5}
    numpy.testing.assert_array_equal(
        train, ids([0, 1, 0, 2, 2, 3, 1, 4, 2, 1, 2, 0, 5, 2, 4, 2, 4, 4, 2, 1, 0, 2]))
    numpy.testing.assert_array_equal(valid, ids([3, 2]))
    numpy.testing.assert_array_equal(test, ids([0, 2]))
    for part in (train, valid, test):
        assert part.dtype == numpy.int32 and part.ndim == 1


def test_split_fractions_choose_the_line_counts(tmp_path: Path) -> None:
    path = lines_file(tmp_path / "t.txt", 20)
    data = words_from_text(str(path), split=(0.5, 0.25, 0.25))
    assert isinstance(data, WordSequences)
    assert (len(data.train), len(data.valid), len(data.test)) == (30, 15, 15)  # 3 ids a line
    # The parts are consecutive lines: validation starts with line 10, test with 15.
    inverse = {i: w for w, i in data.vocab.items()}
    assert inverse[int(data.valid[0])] == "<unk>" and "w10" not in data.vocab
    assert [inverse[int(i)] for i in data.train[:3]] == ["w0", "w0", "<eos>"]
    no_test = words_from_text(path, split=(0.9, 0.1, 0.0))
    assert (len(no_test.train), len(no_test.valid), len(no_test.test)) == (54, 6, 0)
    assert no_test.test.dtype == numpy.int32


def test_given_files_are_the_three_parts_and_ptb_files_give_get_ptb_words(
        tmp_path: Path, dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ptb_mod, "PTB_SOURCE", ptb_source((closed_port_url(),)))
    put(ptb_cache(dirs), TEXTS)
    names = [ptb_cache(dirs) / f"ptb.{split}.txt" for split in ("train", "valid", "test")]
    data = words_from_text(*names)
    for got, want in zip(data[:3], fchain.datasets.get_ptb_words()):
        assert got.dtype == want.dtype
        numpy.testing.assert_array_equal(got, want)
    assert list(data.vocab.items()) == list(fchain.datasets.get_ptb_words_vocabulary().items())


def test_unknown_words_map_to_unk(tmp_path: Path) -> None:
    train = tmp_path / "train.txt"
    valid = tmp_path / "valid.txt"
    test = tmp_path / "test.txt"
    train.write_text("a b\n")
    valid.write_text("a z\n")
    test.write_text("y b\n")
    data = words_from_text(train, valid, test)
    assert data.vocab == {"a": 0, "b": 1, "<eos>": 2, "<unk>": 3}  # added on first need
    numpy.testing.assert_array_equal(data.valid, ids([0, 3, 2]))
    numpy.testing.assert_array_equal(data.test, ids([3, 1, 2]))
    train.write_text("a OOV\n")  # the training part has the unknown word already
    data = words_from_text(train, valid, test, unknown="OOV")
    assert data.vocab == {"a": 0, "OOV": 1, "<eos>": 2}
    numpy.testing.assert_array_equal(data.test, ids([1, 1, 2]))  # y and b are unknown now
    data = words_from_text(train, train, train)  # nothing unknown: nothing added
    assert "<unk>" not in data.vocab


def test_unknown_none_makes_an_unknown_word_an_error_naming_its_line(tmp_path: Path) -> None:
    train = tmp_path / "train.txt"
    other = tmp_path / "other.txt"
    train.write_text("a b\n")
    other.write_text("a\nb a\n\nb q a\n")
    with pytest.raises(ValueError, match=r"the word 'q' on line 4 of the test part does not occur"):
        words_from_text(train, train, other, unknown=None)
    with pytest.raises(ValueError, match=r"the word 'q' on line 4 of the validation part"):
        words_from_text(train, other, train, unknown=None)


def test_encoding(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("café au lait\nthé\n".encode("latin-1"))
    data = words_from_text(path, path, path, encoding="latin-1")
    assert list(data.vocab) == ["café", "au", "lait", "<eos>", "thé"]
    with pytest.raises(DatasetFileError, match=f"{path}: not utf-8 text"):
        words_from_text(path, path, path)


def test_bad_arguments(tmp_path: Path) -> None:
    path = lines_file(tmp_path / "t.txt", 10)
    with pytest.raises(ValueError, match="give both valid and test files, or neither"):
        words_from_text(path, valid=path)
    with pytest.raises(ValueError, match="give both valid and test files, or neither"):
        words_from_text(path, test=path)
    with pytest.raises(ValueError, match="split applies only when valid and test are not given"):
        words_from_text(path, path, path, split=(0.8, 0.1, 0.1))
    with pytest.raises(ValueError, match="must add up to 1"):
        words_from_text(path, split=(0.8, 0.1, 0.2))
    with pytest.raises(ValueError, match="three fractions >= 0"):
        words_from_text(path, split=(1.2, -0.1, -0.1))
    with pytest.raises(ValueError, match="three fractions >= 0"):
        words_from_text(path, split=(0.5, 0.5))  # type: ignore[arg-type]  # checked at run time
    with pytest.raises(ValueError, match="has 10 lines, too few to give the test part its fraction 0.01"):
        words_from_text(path, split=(0.9, 0.09, 0.01))
    with pytest.raises(ValueError, match="too few to give the training part"):
        words_from_text(path, split=(0.0, 0.5, 0.5))
