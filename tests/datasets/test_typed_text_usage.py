"""The text data API as typed code uses it, checked by mypy --strict (this file is
in mypy's files: each ``assert_type`` fails the type check if the public types
change) and run by pytest on the miniature PTB of ``test_ptb.py``."""

from __future__ import annotations

from pathlib import Path
from typing import assert_type

import numpy
import pytest

import fchain
import fchain.datasets.ptb as ptb_mod
from fchain.datasets import TextDataset, TransformDataset, WordSequences, words_from_text
from fchain.types import Array
from tests.datasets.test_loaders import closed_port_url, dirs, put
from tests.datasets.test_ptb import TEXTS, ptb_cache, ptb_source

__all__ = ["dirs"]  # fixture used below


def test_ptb_types(dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ptb_mod, "PTB_SOURCE", ptb_source((closed_port_url(),)))
    put(ptb_cache(dirs), TEXTS)
    train, valid, test = fchain.datasets.get_ptb_words()
    assert_type(train, Array)
    vocab = fchain.datasets.get_ptb_words_vocabulary()
    assert_type(vocab, dict[str, int])
    n_vocab: int = len(vocab)
    assert int(train.max()) < n_vocab
    chars = fchain.datasets.get_ptb_characters()
    assert_type(chars, tuple[Array, Array, Array])
    assert_type(fchain.datasets.get_ptb_characters_vocabulary(), dict[str, int])


def test_words_from_text_types(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("".join(f"w{i}\n" for i in range(10)))
    data = words_from_text(path)
    assert_type(data, WordSequences)
    train, valid, test, vocab = data
    assert_type(train, Array)
    assert_type(vocab, dict[str, int])
    assert train.dtype == numpy.int32


def test_text_dataset_types(tmp_path: Path) -> None:
    src = tmp_path / "src.txt"
    tgt = tmp_path / "tgt.txt"
    src.write_text("a b\nc\n")
    tgt.write_text("A B\nC\n")
    with TextDataset(src) as one:
        assert_type(one[0], str)
        assert_type(one[0:1], list[str])
    with TextDataset((src, tgt), filter_func=lambda s, t: len(s) == len(t)) as pairs:
        assert_type(pairs[0], tuple[str, str])

        def lengths(example: tuple[str, str]) -> tuple[int, int]:
            s, t = example
            return len(s.split()), len(t.split())

        sized = TransformDataset(pairs, lengths)
        assert_type(sized[0], tuple[int, int])
        assert sized[0] == (2, 2)
    def keep(line: str) -> bool:
        return bool(line.strip())

    with TextDataset(src, filter_func=keep) as kept:
        assert_type(kept[0], str)
    with TextDataset(src, filter_func=lambda line: line.strip()) as kept_by_lambda:
        assert_type(kept_by_lambda[0], str)
    with TextDataset((src, tgt, src)) as triples:
        assert_type(triples[0], tuple[str, ...])
    with TextDataset([str(src), str(tgt)], encoding="utf-8") as listed:
        example = listed[1]
        assert_type(example, str | tuple[str, ...])
        assert isinstance(example, tuple) and example == ("c\n", "C\n")
