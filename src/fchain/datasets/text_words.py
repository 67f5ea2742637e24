"""Any text file as word ids in ``get_ptb_words``' format (an fchain addition), so
that a word-level language model trains on one's own text the way it trains on the
Penn Treebank: ``examples/ptb/train_ptb.py --text FILE`` does ::

    train, valid, test, vocab = fchain.datasets.words_from_text(FILE)
    n_vocab = len(vocab)  # instead of len(get_ptb_words_vocabulary())

The rules are those of ``get_ptb_words`` (``fchain.datasets._words``): each line
gives its whitespace-separated words then ``<eos>``, ids are numbered in the order
of first appearance in the training part, the parts are int32 vectors.  Words are
taken as they are written: lower-case the text, or replace rare words by
``<unk>``, beforehand if wanted.  Given the three PTB files, ``words_from_text``
returns exactly ``get_ptb_words()`` and ``get_ptb_words_vocabulary()``.
"""

from __future__ import annotations

import math
import os
from typing import NamedTuple

from fchain.datasets._words import (
    EOS,
    first_seen_vocabulary,
    line_words,
    read_lines,
    token_ids,
    unknown_token,
)
from fchain.types import Array

__all__ = ["WordSequences", "words_from_text"]

PathLike = str | os.PathLike[str]

_DEFAULT_SPLIT = (0.8, 0.1, 0.1)


class WordSequences(NamedTuple):
    """A text's training, validation and test parts as int32 word-id vectors, and
    the vocabulary (word to id) they use."""

    train: Array
    valid: Array
    test: Array
    vocab: dict[str, int]


def _line_counts(n: int, split: tuple[float, float, float], path: PathLike) -> tuple[int, int, int]:
    """How many of ``n`` lines go to each part: the validation and test parts get
    their fractions of the lines (rounded), the training part the rest, which must
    not be empty."""
    if len(split) != 3 or not all(math.isfinite(f) and f >= 0 for f in split):
        raise ValueError(f"words_from_text: split must be three fractions >= 0, got {split!r}")
    if abs(sum(split) - 1.0) > 1e-6:
        raise ValueError(f"words_from_text: the fractions of split must add up to 1, got {split!r}")
    n_valid, n_test = round(n * split[1]), round(n * split[2])
    counts = (n - n_valid - n_test, n_valid, n_test)
    for part, fraction, count in zip(("training", "validation", "test"), split, counts):
        if (fraction > 0 or part == "training") and count <= 0:
            raise ValueError(
                f"words_from_text: {os.fspath(path)} has {n} lines, too few to give the "
                f"{part} part its fraction {fraction} of them"
            )
    return counts


def _ids(words: list[str], vocab: dict[str, int], unknown: str | None, part: str) -> Array:
    """The ids of ``words`` (a validation or test part); a word the training part
    lacks becomes ``unknown``, added to ``vocab`` on first need, or is an error."""
    found = unknown_token(words, vocab)
    if found is None:
        return token_ids(words, vocab)
    if unknown is None:
        position, word = found
        line = words[:position].count(EOS) + 1
        raise ValueError(
            f"words_from_text: the word {word!r} on line {line} of the {part} part does "
            "not occur in the training part; pass unknown='<unk>' (or another word) to "
            "map such words to one id"
        )
    unknown_id = vocab.setdefault(unknown, len(vocab))
    return token_ids(words, vocab, unknown_id)


def words_from_text(
    path: PathLike,
    valid: PathLike | None = None,
    test: PathLike | None = None,
    *,
    split: tuple[float, float, float] | None = None,
    encoding: str = "utf-8",
    unknown: str | None = "<unk>",
) -> WordSequences:
    """The words of the text file ``path`` as ``(train, valid, test, vocab)``.

    Args:
        path: the text; with ``valid`` and ``test`` given, the training part only.
        valid, test: files holding the validation and test parts (both or neither).
            Without them, ``path``'s lines are cut, in order, into training,
            validation and test parts by ``split``.
        split: the fractions of the lines in each part (default ``(0.8, 0.1, 0.1)``);
            a fraction of 0 gives an empty part.  Only without ``valid``/``test``.
        encoding: the files' text encoding.
        unknown: what a validation or test word that the training part lacks
            becomes.  When such a word occurs and ``unknown`` is not in the
            vocabulary yet, it is added with the next id.  ``None`` makes such a
            word a ``ValueError``.

    Returns:
        ``WordSequences(train, valid, test, vocab)``: the parts as int32 id vectors
        (each line's words then ``<eos>``) and the vocabulary, ids numbered in the
        order of first appearance in the training part.
    """
    if (valid is None) != (test is None):
        raise ValueError(
            "words_from_text: give both valid and test files, or neither (then the text "
            "is split by the fractions in split)"
        )
    if valid is not None and test is not None:
        if split is not None:
            raise ValueError("words_from_text: split applies only when valid and test are not given")
        parts = [read_lines(p, encoding) for p in (path, valid, test)]
    else:
        lines = read_lines(path, encoding)
        n_train, n_valid, _ = _line_counts(len(lines), split or _DEFAULT_SPLIT, path)
        parts = [lines[:n_train], lines[n_train:n_train + n_valid], lines[n_train + n_valid:]]
    train_words, valid_words, test_words = (line_words(p) for p in parts)
    vocab = first_seen_vocabulary(train_words)
    train_ids = token_ids(train_words, vocab)
    valid_ids = _ids(valid_words, vocab, unknown, "validation")
    test_ids = _ids(test_words, vocab, unknown, "test")
    return WordSequences(train_ids, valid_ids, test_ids, vocab)
