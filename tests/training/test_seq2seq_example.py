"""The seq2seq example (``examples/seq2seq/seq2seq.py``) on a generated parallel
corpus (``examples/seq2seq/toy_corpus.py``): its arguments, its data readers and
converter, its BLEU against NLTK's numbers, and a run end to end in which the loss
falls, a validation sentence is translated and BLEU is reported.  Nothing here is
timed."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

from examples.seq2seq import seq2seq, toy_corpus
from fchain import Variable

FILES = ["train.src", "train.tgt", "vocab.src", "vocab.tgt"]


def test_arguments_are_chainers() -> None:
    args = seq2seq.parse_args(["s", "t", "sv", "tv"])
    assert (args.SOURCE, args.TARGET, args.SOURCE_VOCAB, args.TARGET_VOCAB) == ("s", "t", "sv", "tv")
    assert (args.batchsize, args.epoch, args.unit, args.layer) == (64, 20, 1024, 3)
    assert (args.log_interval, args.validation_interval, args.device, args.out) == (200, 4000, "-1", "result")
    assert (args.min_source_sentence, args.max_source_sentence) == (1, 50) and not args.use_dataset_api
    with pytest.raises(SystemExit):
        seq2seq.parse_args([])


def test_toy_corpus_and_readers(tmp_path: pathlib.Path) -> None:
    toy_corpus.write_corpus(str(tmp_path), n_train=50, n_valid=5, vocab=6, seed=2)
    vocab = seq2seq.load_vocabulary(str(tmp_path / "vocab.src"))
    assert vocab["<UNK>"] == 0 and vocab["<EOS>"] == 1 and sorted(vocab.values()) == list(range(8))
    target_vocab = seq2seq.load_vocabulary(str(tmp_path / "vocab.tgt"))
    assert len(target_vocab) == 9  # one source word translates into two target words
    sources = seq2seq.load_data(vocab, str(tmp_path / "train.src"))
    targets = seq2seq.load_data(target_vocab, str(tmp_path / "train.tgt"))
    assert len(sources) == len(targets) == 50 and all(s.dtype == np.int32 for s in sources)
    assert all(3 <= len(s) <= 8 and len(s) <= len(t) <= len(s) + 8 for s, t in zip(sources, targets))
    assert seq2seq.calculate_unknown_ratio(sources) == 0.0
    assert seq2seq.calculate_unknown_ratio([np.array([0, 2, 0, 3], np.int32)]) == 0.5
    lexicon = toy_corpus._lexicon(6, 2)
    line = (tmp_path / "train.src").read_text().splitlines()[0].split()
    assert " ".join(toy_corpus.translate(line, lexicon)) == (tmp_path / "train.tgt").read_text().splitlines()[0]


def test_the_dataset_api_reads_the_same_pairs(tmp_path: pathlib.Path) -> None:
    """``--use-dataset-api``: the pairs read lazily through ``TextDataset`` and
    ``TransformDataset``, filtered by length, are those ``load_data`` reads."""
    toy_corpus.write_corpus(str(tmp_path), n_train=30, n_valid=2, vocab=5, seed=1)
    sv = seq2seq.load_vocabulary(str(tmp_path / "vocab.src"))
    tv = seq2seq.load_vocabulary(str(tmp_path / "vocab.tgt"))
    lazy = seq2seq.load_data_using_dataset_api(sv, str(tmp_path / "train.src"), tv, str(tmp_path / "train.tgt"),
                                               lambda s, t: len(s.split()) <= 5)
    eager = [(s, t) for s, t in zip(seq2seq.load_data(sv, str(tmp_path / "train.src")),
                                    seq2seq.load_data(tv, str(tmp_path / "train.tgt"))) if len(s) <= 5]
    assert 0 < len(lazy) == len(eager) < 30
    for (ls, lt), (es, et) in zip((lazy[i] for i in range(len(lazy))), eager):
        assert ls.tolist() == es.tolist() and lt.tolist() == et.tolist()


def test_converter_keeps_the_sentences() -> None:
    batch = [(np.array([2, 3], np.int32), np.array([4], np.int32)),
             (np.array([5], np.int32), np.array([6, 7, 8], np.int32))]
    for device in (None, "@numpy", -1):
        out = seq2seq.convert(batch, device)
        assert [x.tolist() for x in out["xs"]] == [[2, 3], [5]]
        assert [y.tolist() for y in out["ys"]] == [[4], [6, 7, 8]]


@pytest.mark.parametrize(("references", "hypotheses", "nltk"), [
    ([[[1, 2, 3, 4, 5]]], [[1, 2, 3, 4, 5]], 1.0),
    ([[[1, 2, 3, 4, 5, 6]], [[2, 2, 1]]], [[1, 2, 3, 5, 6], [2, 1]], 0.2147301599233936),
    ([[[1, 2, 3]], [[4, 5, 6, 7], [4, 5]]], [[1, 3], [4, 5, 6, 8, 9]], 0.22089591134157885),
    ([[[1, 2, 3, 4]]], [[]], 0.0),
    ([[[1, 2]], [[3, 4, 5, 6, 7, 8]]], [[5, 1], [3, 4, 6, 7, 8, 9, 1]], 0.17567205239427922),
])
def test_corpus_bleu_is_nltks(references: list[list[list[int]]], hypotheses: list[list[int]], nltk: float) -> None:
    """NLTK 3.10.4's ``corpus_bleu(..., smoothing_function=SmoothingFunction().method1)``
    on the same corpora, the function Chainer's example calls (it also agreed on 300
    random corpora when this was written)."""
    assert seq2seq.corpus_bleu(references, hypotheses) == pytest.approx(nltk, rel=1e-12, abs=1e-15)


def test_the_model_computes_a_loss_and_translates() -> None:
    model = seq2seq.Seq2seq(2, 6, 7, 8)
    xs = [np.array([2, 3, 4], np.int32), np.array([5], np.int32)]
    ys = [np.array([6, 2], np.int32), np.array([3, 4, 5, 2], np.int32)]
    loss = model(xs, ys)
    assert isinstance(loss, Variable) and loss.shape == () and float(loss.array) > 0
    loss.backward()
    assert model.encoder.ws[0][0].grad is not None and model.W.W.grad is not None
    out = model.translate(xs, max_length=5)
    assert len(out) == 2 and all(o.dtype == np.int32 and len(o) <= 5 and (o != seq2seq.EOS).all() for o in out)


def test_end_to_end(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    """300 updates of a small one-layer model (32 units, batches of 10) on 300
    generated pairs: the logged loss falls by a third (to 0.49-0.55 of its first
    value over seeds 0-3), the translate extension prints a source, a result and
    the expected sentence, and BLEU is reported.  The sizes keep every GEMM under
    OpenBLAS's threading threshold: about 1.5 s of CPU even on a loaded machine,
    where 64 units in batches of 20 spent 8 s spinning in BLAS threads."""
    data = tmp_path / "data"
    toy_corpus.write_corpus(str(data), n_train=300, n_valid=20, vocab=8, seed=0)
    out = tmp_path / "result"
    model = seq2seq.main([*(str(data / f) for f in FILES), "--validation-source", str(data / "valid.src"),
                          "--validation-target", str(data / "valid.tgt"), "--unit", "32", "--layer", "1",
                          "--batchsize", "10", "--epoch", "10", "--log-interval", "50",
                          "--validation-interval", "150", "--seed", "0", "--out", str(out)])
    log = json.loads((out / "log").read_text())
    losses = [entry["main/loss"] for entry in log]
    assert len(losses) == 6 and losses[-1] < 0.67 * losses[0]
    bleus = [entry["validation/main/bleu"] for entry in log if "validation/main/bleu" in entry]
    assert len(bleus) == 2 and all(0.0 <= b <= 1.0 for b in bleus)
    printed = capsys.readouterr().out
    assert printed.count("# source : ") == 2 and printed.count("# result : ") == 2
    assert (out / "snapshot_epoch_150").exists() and (out / "snapshot_epoch_300").exists()
    assert all(len(t) <= 100 for t in model.translate([np.array([2, 3, 4], np.int32)]))
