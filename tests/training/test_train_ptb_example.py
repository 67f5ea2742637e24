"""The PTB language model example (``examples/ptb/train_ptb.py``) on generated
text (``examples/ptb/toy_corpus.py``): its flags, its iterator and text reader, and
a short training run whose perplexity falls from the vocabulary size toward the
corpus's known floor.  Nothing here is timed."""

from __future__ import annotations

import json
import math
import pathlib

import numpy as np
import pytest

import fchain.datasets
from examples.ptb import toy_corpus, train_ptb
from fchain import serializers

# --------------------------------------------------------------------------- flags


def test_defaults_are_chainers() -> None:
    args = train_ptb.parse_args([])
    assert (args.batchsize, args.bproplen, args.epoch, args.gradclip, args.unit) == (20, 35, 39, 5, 650)
    assert args.device == "-1" and args.out == "result" and args.model == "model.npz" and not args.test
    assert args.text is None and args.resume is None
    assert train_ptb.parse_args(["--gpu"]).device == 0
    with pytest.raises(SystemExit):
        train_ptb.parse_args(["--unit", "0"])


# ------------------------------------------------------------------- iterator


def test_parallel_sequential_iterator() -> None:
    words = np.arange(10, dtype=np.int32)
    it = train_ptb.ParallelSequentialIterator(words, 2)
    assert it.offsets == [0, 5] and it.previous_epoch_detail is None
    assert [(int(a), int(b)) for a, b in next(it)] == [(0, 1), (5, 6)]
    assert it.epoch_detail == pytest.approx(0.2) and it.previous_epoch_detail == 0.0
    batches = [next(it) for _ in range(4)]
    batch = batches[-1]
    assert it.is_new_epoch and it.epoch == 1
    assert [(int(a), int(b)) for a, b in batch] == [(4, 5), (9, 0)]  # the readers wrap around
    once = train_ptb.ParallelSequentialIterator(words, 1, repeat=False)
    assert len(list(once)) == 10
    once.reset()
    assert once.iteration == 0 and len(next(once)) == 1


def test_iterator_state_round_trips(tmp_path: pathlib.Path) -> None:
    it = train_ptb.ParallelSequentialIterator(np.arange(7, dtype=np.int32), 3)
    for _ in range(4):
        next(it)
    serializers.save_npz(tmp_path / "it.npz", it)
    again = train_ptb.ParallelSequentialIterator(np.arange(7, dtype=np.int32), 3)
    serializers.load_npz(tmp_path / "it.npz", again)
    assert (again.iteration, again.epoch, again.previous_epoch_detail) == (it.iteration, it.epoch,
                                                                          it.previous_epoch_detail)
    assert next(again) == next(it)


# ----------------------------------------------------------------------- text


def test_load_words_reads_texts_as_the_ptb(tmp_path: pathlib.Path) -> None:
    """``--text`` goes through ``fchain.datasets.words_from_text`` (one file cut
    80/10/10 by lines, or three files); without it, ``get_ptb_words``."""
    big = tmp_path / "big.txt"
    big.write_text("\n".join(" ".join(f"w{i}" for i in range(k, k + 4)) for k in range(10)) + "\n")
    tr, va, te = train_ptb.load_words(train_ptb.parse_args(["--text", str(big)]))
    assert (len(tr), len(va), len(te)) == (40, 5, 5) and tr.dtype == np.int32
    assert tr[:5].tolist() == [0, 1, 2, 3, 4]  # w0 w1 w2 w3 <eos>
    other = tmp_path / "other.txt"
    other.write_text("w1 unseen\n")
    tr, va, te = train_ptb.load_words(train_ptb.parse_args(["--text", str(big), "--valid-text", str(other),
                                                            "--test-text", str(other)]))
    assert len(tr) == 50 and va.tolist() == te.tolist() == [1, 14, 4]  # <unk> gets the next id, 14


def test_without_text_it_reads_the_ptb(monkeypatch: pytest.MonkeyPatch) -> None:
    parts = tuple(np.arange(n, dtype=np.int32) for n in (5, 3, 2))
    monkeypatch.setattr(fchain.datasets, "get_ptb_words", lambda: parts)
    assert train_ptb.load_words(train_ptb.parse_args([])) == parts


def test_toy_corpus_reads_back_as_the_chain_and_knows_its_floor(tmp_path: pathlib.Path) -> None:
    chain = toy_corpus.make_chain(6, branching=1, seed=3)
    assert chain.best_perplexity() == pytest.approx(1.0)  # deterministic next words
    assert 1.0 < chain.unigram_perplexity() <= 6.0
    noisy = toy_corpus.make_chain(6, branching=6, seed=3)
    assert chain.best_perplexity() < noisy.best_perplexity() < 6.0
    path = tmp_path / "c.txt"
    toy_corpus.write_corpus(str(path), noisy, 500, seed=4)
    ids, _, _, vocab = fchain.datasets.words_from_text(path, split=(1.0, 0.0, 0.0))
    names = {i: w for w, i in vocab.items()}
    words = [names[int(i)] for i in ids]
    stream = noisy.sample(500, np.random.default_rng(4))
    last = max(i for i, w in enumerate(stream) if w == toy_corpus.EOS)
    assert words[:last + 1] == stream[:last + 1]


# ----------------------------------------------------------------- training


def test_training_lowers_the_perplexity(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    """About 250 updates (batches of 10 streams, 20 steps each) on a chain over 8
    words whose next word depends on the two before it: the logged training and
    validation perplexities fall from about the vocabulary size, and the test
    perplexity ends far below the unigram model's (7.3), which only a model of the
    context can do, and not below the chain's own (1.7).  Measured 2.4-2.9 over
    seeds 0-3."""
    chain = toy_corpus.make_chain(8, branching=2, seed=0)
    corpus = tmp_path / "corpus.txt"
    toy_corpus.write_corpus(str(corpus), chain, 8000, seed=1)
    out = tmp_path / "result"
    perplexity = train_ptb.main(["--text", str(corpus), "--unit", "48", "--batchsize", "10", "--bproplen", "20",
                                 "--epoch", "8", "--seed", "0", "--log-interval", "25", "--out", str(out),
                                 "--model", str(tmp_path / "model.npz")])
    log = json.loads((out / "log").read_text())
    train_ppl = [entry["perplexity"] for entry in log]
    val_ppl = [entry["val_perplexity"] for entry in log if "val_perplexity" in entry]
    assert len(train_ppl) >= 9 and len(val_ppl) >= 6
    assert train_ppl[0] > 7.0  # about the vocabulary size at the start
    assert train_ppl[-1] < 0.6 * train_ppl[0] and val_ppl[-1] < 0.5 * val_ppl[0]
    assert chain.best_perplexity() * 0.9 < perplexity < 0.6 * chain.unigram_perplexity()
    assert f"test perplexity: {perplexity}" in capsys.readouterr().out
    assert (tmp_path / "model.npz").exists() and any(out.glob("snapshot_iter_*"))
