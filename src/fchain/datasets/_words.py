"""Words and characters of a text, their vocabulary and their ids, by the rules of
Chainer's Penn Treebank loader, so that ids made here match Chainer's.

- Tokens: a text is read line by line (universal newlines); each line gives its
  whitespace-separated words (``str.split()``) followed by ``<eos>``, so a blank
  line gives ``<eos>`` alone.  At the character level a line gives the characters
  of its words joined by single spaces, followed by ``"\\n"``.
- Vocabulary: every distinct token of the training tokens gets the next id in the
  order of its first appearance (``<eos>`` gets the id of the place where the first
  line ends).
- Ids: int32 arrays.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

import numpy

from fchain.datasets._idx import DatasetFileError
from fchain.types import Array

__all__ = [
    "EOS",
    "EOL_CHAR",
    "first_seen_vocabulary",
    "line_characters",
    "line_words",
    "read_lines",
    "token_ids",
    "unknown_token",
]

EOS = "<eos>"
"""The token that ends every line of words (Chainer's)."""

EOL_CHAR = "\n"
"""The token that ends every line of characters."""


def read_lines(path: str | os.PathLike[str], encoding: str = "utf-8") -> list[str]:
    """The lines of the text file ``path``, newlines included, read as Python's
    ``open`` reads them (universal newlines); text that is not in ``encoding`` is
    a ``DatasetFileError`` naming the file."""
    try:
        with open(path, encoding=encoding) as f:
            return list(f)
    except UnicodeDecodeError as e:
        raise DatasetFileError(f"{os.fspath(path)}: not {encoding} text ({e})") from None


def line_words(lines: Iterable[str]) -> list[str]:
    """The words of every line, each line followed by ``EOS``."""
    words: list[str] = []
    for line in lines:
        words.extend(line.split())
        words.append(EOS)
    return words


def line_characters(lines: Iterable[str]) -> list[str]:
    """The characters of every line's words joined by single spaces, each line
    followed by ``EOL_CHAR``."""
    chars: list[str] = []
    for line in lines:
        chars.extend(" ".join(line.split()))
        chars.append(EOL_CHAR)
    return chars


def first_seen_vocabulary(tokens: Iterable[str]) -> dict[str, int]:
    """Each distinct token's id: its rank in the order of first appearance."""
    vocab: dict[str, int] = {}
    for token in tokens:
        if token not in vocab:
            vocab[token] = len(vocab)
    return vocab


def unknown_token(tokens: Sequence[str], vocab: Mapping[str, int]) -> tuple[int, str] | None:
    """The position and value of the first token that ``vocab`` lacks, if any."""
    for i, token in enumerate(tokens):
        if token not in vocab:
            return i, token
    return None


def token_ids(tokens: Sequence[str], vocab: Mapping[str, int], unknown_id: int | None = None) -> Array:
    """The int32 ids of ``tokens``; a token missing from ``vocab`` gets
    ``unknown_id``, or raises ``KeyError`` when that is ``None`` (use
    ``unknown_token`` first to report it)."""
    if unknown_id is None:
        ids = (vocab[t] for t in tokens)
    else:
        ids = (vocab.get(t, unknown_id) for t in tokens)
    return numpy.fromiter(ids, dtype=numpy.int32, count=len(tokens))
