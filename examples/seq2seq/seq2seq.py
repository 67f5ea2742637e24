"""Train an LSTM encoder-decoder that translates sentences (sequence to sequence).

This is Chainer's ``examples/seq2seq/seq2seq.py`` written for fchain: source and
target words embedded (``L.EmbedID``), an ``L.NStepLSTM`` encoder over the reversed
source sentences whose final states start an ``L.NStepLSTM`` decoder fed the target
sentence after ``<EOS>``, an ``L.Linear`` read-out trained with softmax cross
entropy against the target followed by ``<EOS>``; Adam; loss and perplexity
reported every ``--log-interval`` iterations; with validation files, every
``--validation-interval`` iterations a random validation sentence is translated
(greedy decoding) and the corpus BLEU of the validation set is reported.  The same
positional arguments and flags as Chainer's example (``SOURCE TARGET SOURCE_VOCAB
TARGET_VOCAB``: one sentence per line, one word per vocabulary line; ids 0 and 1
are ``<UNK>`` and ``<EOS>``), plus ``--seed``.

Differences, on purpose: BLEU is computed by ``corpus_bleu`` below (4-grams,
smoothing "method 1" with epsilon 0.1, as the NLTK function Chainer's example
calls; NLTK is not needed), and loading prints no progress bar.
``examples/seq2seq/toy_corpus.py`` writes a small generated parallel corpus.
"""

from __future__ import annotations

import argparse
import datetime
import math
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy
import numpy.typing as npt

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Variable, datasets, iterators, optimizers, serializers, training
from fchain.graph.device import Device
from fchain.training import extensions
from fchain.training import TriggerLike

__all__ = ["CalculateBleu", "Seq2seq", "calculate_unknown_ratio", "convert", "corpus_bleu", "load_data",
           "load_vocabulary", "main", "parse_args", "sequence_embed"]

UNK = 0
EOS = 1

Sentence = npt.NDArray[numpy.int32]
"""A sentence: its word ids."""
Pair = tuple[Sentence, Sentence]


def sequence_embed(embed: L.EmbedID, xs: Sequence[Variable | Sentence]) -> tuple[Variable, ...]:
    """The embeddings of each sentence, computed by one lookup of all of them."""
    sections = numpy.cumsum([len(x) for x in xs[:-1]])
    ex = embed(F.concat(xs, axis=0))
    return F.split_axis(ex, sections, 0)


class Seq2seq(fchain.Chain):
    """The encoder-decoder: embeddings, two ``NStepLSTM``s (dropout 0.1), a read-out."""

    def __init__(self, n_layers: int, n_source_vocab: int, n_target_vocab: int, n_units: int) -> None:
        super().__init__()
        with self.init_scope():
            self.embed_x = L.EmbedID(n_source_vocab, n_units)
            self.embed_y = L.EmbedID(n_target_vocab, n_units)
            self.encoder = L.NStepLSTM(n_layers, n_units, n_units, 0.1)
            self.decoder = L.NStepLSTM(n_layers, n_units, n_units, 0.1)
            self.W = L.Linear(n_units, n_target_vocab)
        self.n_layers = n_layers
        self.n_units = n_units

    def forward(self, xs: Sequence[Sentence], ys: Sequence[Sentence]) -> Variable:
        """The summed cross entropy of the targets ``ys`` per sentence pair."""
        xs = [x[::-1] for x in xs]  # the encoder reads each source backwards
        eos = self.xp.asarray([EOS], dtype=numpy.int32)
        ys_in = [F.concat([eos, y], axis=0) for y in ys]
        ys_out = [F.concat([y, eos], axis=0) for y in ys]

        exs = sequence_embed(self.embed_x, xs)
        eys = sequence_embed(self.embed_y, ys_in)
        batch = len(xs)
        hx, cx, _ = self.encoder(None, None, exs)  # None: zero initial states
        _, _, os = self.decoder(hx, cx, eys)

        # One read-out product for every word of the batch.
        concat_os = F.concat(os, axis=0)
        concat_ys_out = F.concat(ys_out, axis=0)
        loss = F.sum(F.softmax_cross_entropy(self.W(concat_os), concat_ys_out, reduce="no")) / batch

        fchain.report({"loss": loss}, self)
        n_words = concat_ys_out.shape[0]
        perp = self.xp.exp(loss.array * batch / n_words)
        fchain.report({"perp": perp}, self)
        return loss

    def translate(self, xs: Sequence[Sentence], max_length: int = 100) -> list[Sentence]:
        """Greedy translations of ``xs`` (at most ``max_length`` words, cut at the
        first ``<EOS>``), as host arrays."""
        batch = len(xs)
        result: list[Sentence] = []
        with fchain.no_backprop_mode(), fchain.using_config("train", False):
            xs = [x[::-1] for x in xs]
            exs = sequence_embed(self.embed_x, xs)
            h, c, _ = self.encoder(None, None, exs)
            ys = self.xp.full(batch, EOS, numpy.int32)
            for _ in range(max_length):
                eys = F.split_axis(self.embed_y(ys), batch, 0)
                h, c, os = self.decoder(h, c, eys)
                wy = self.W(F.concat(os, axis=0))
                ys = self.xp.argmax(wy.array, axis=1).astype(numpy.int32)
                result.append(ys)
        words = fchain.get_device("@numpy").send(self.xp.concatenate([y[None, :] for y in result]).T)
        outs: list[Sentence] = []
        for y in words:
            ends = numpy.argwhere(y == EOS)
            outs.append(y[:ends[0, 0]] if len(ends) > 0 else y)
        return outs


@fchain.dataset.converter()
def convert(batch: Sequence[Pair], device: Device | None) -> dict[str, list[Sentence]]:
    """The batch's sources and targets as two lists of sentences on ``device``
    (sent as one array each, then split)."""

    def to_device_batch(sentences: list[Sentence]) -> list[Sentence]:
        if device is None:
            return sentences
        sections = list(numpy.cumsum([len(x) for x in sentences[:-1]], dtype=numpy.int32))
        joined = device.send(numpy.concatenate(sentences, axis=0))
        return list(device.xp.split(joined, sections))

    return {"xs": to_device_batch([x for x, _ in batch]), "ys": to_device_batch([y for _, y in batch])}


# ---------------------------------------------------------------------- BLEU
def _ngrams(words: Sequence[int], n: int) -> Counter[tuple[int, ...]]:
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def corpus_bleu(references: Sequence[Sequence[Sequence[int]]], hypotheses: Sequence[Sequence[int]],
                max_n: int = 4, epsilon: float = 0.1) -> float:
    """Corpus BLEU of ``hypotheses`` against their ``references`` (a list of
    reference sentences each): clipped n-gram precisions for n = 1..``max_n``
    summed over the corpus (a sentence shorter than n counts 1 in the
    denominator, as NLTK's), a zero count replaced by ``epsilon`` (smoothing
    "method 1"), their geometric mean, times the brevity penalty
    ``exp(1 - r / c)`` when the hypotheses' length ``c`` is below the closest
    references' ``r``; 0 when no word matches."""
    matches = [0] * max_n
    totals = [0] * max_n
    hyp_len = ref_len = 0
    for refs, hyp in zip(references, hypotheses):
        hyp_len += len(hyp)
        ref_len += min((len(r) for r in refs), key=lambda n: (abs(n - len(hyp)), n))
        for n in range(1, max_n + 1):
            counts = _ngrams(hyp, n)
            best: Counter[tuple[int, ...]] = Counter()
            for r in refs:
                best |= _ngrams(r, n)
            matches[n - 1] += sum(min(c, best[g]) for g, c in counts.items())
            totals[n - 1] += max(len(hyp) - n + 1, 1)
    if hyp_len == 0 or matches[0] == 0:
        return 0.0
    log_precision = sum(math.log((m if m > 0 else epsilon) / t) for m, t in zip(matches, totals)) / max_n
    brevity = 1.0 if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
    return brevity * math.exp(log_precision)


class CalculateBleu(training.Extension):
    """Reports the corpus BLEU of the model's translations of ``test_data``."""

    trigger: TriggerLike = (1, "epoch")
    priority = training.PRIORITY_WRITER

    def __init__(self, model: Seq2seq, test_data: Sequence[Pair], key: str, device: Device, batch: int = 100,
                 max_length: int = 100) -> None:
        self.model = model
        self.test_data = test_data
        self.key = key
        self.batch = batch
        self.device = device
        self.max_length = max_length

    def __call__(self, trainer: training.Trainer) -> None:
        references: list[list[list[int]]] = []
        hypotheses: list[list[int]] = []
        with fchain.no_backprop_mode():
            for i in range(0, len(self.test_data), self.batch):
                sources, targets = zip(*self.test_data[i:i + self.batch])
                references.extend([[t.tolist()] for t in targets])
                sent = [self.device.send(x) for x in sources]
                hypotheses.extend(y.tolist() for y in self.model.translate(sent, self.max_length))
        fchain.report({self.key: corpus_bleu(references, hypotheses)})


# ---------------------------------------------------------------------- data
def count_lines(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        return sum(1 for _ in f)


def load_vocabulary(path: str) -> dict[str, int]:
    """Word -> id from a file of one word per line (ids from 2), with ``<UNK>`` 0
    and ``<EOS>`` 1."""
    with open(path, encoding="utf-8") as f:
        word_ids = {line.strip(): i + 2 for i, line in enumerate(f)}
    word_ids["<UNK>"] = UNK
    word_ids["<EOS>"] = EOS
    return word_ids


def load_data(vocabulary: dict[str, int], path: str) -> list[Sentence]:
    """One int32 array of word ids per line of ``path`` (unknown words: ``<UNK>``)."""
    print(f"loading...: {path} ({count_lines(path)} lines)")
    with open(path, encoding="utf-8") as f:
        return [numpy.array([vocabulary.get(w, UNK) for w in line.strip().split()], numpy.int32) for line in f]


def load_data_using_dataset_api(src_vocab: dict[str, int], src_path: str, target_vocab: dict[str, int],
                                target_path: str, filter_func: Callable[[str, str], bool]) -> Any:
    """The pairs read lazily from the two files (``TextDataset``), each line turned
    into word ids when it is read."""
    def transform(example: tuple[str, str]) -> Pair:
        source, target = example
        return (numpy.array([src_vocab.get(w, UNK) for w in source.strip().split()], numpy.int32),
                numpy.array([target_vocab.get(w, UNK) for w in target.strip().split()], numpy.int32))

    return datasets.TransformDataset(datasets.TextDataset([src_path, target_path], encoding="utf-8",
                                                          filter_func=filter_func), transform)


def calculate_unknown_ratio(data: Sequence[Sentence]) -> float:
    """The fraction of the words that are ``<UNK>``."""
    unknown = sum(int((s == UNK).sum()) for s in data)
    total = sum(s.size for s in data)
    return unknown / total if total else 0.0


# ----------------------------------------------------------------------- run
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Chainer's arguments, plus ``--seed``."""
    parser = argparse.ArgumentParser(description="fchain example: seq2seq")
    parser.add_argument("SOURCE", help="source sentence list")
    parser.add_argument("TARGET", help="target sentence list")
    parser.add_argument("SOURCE_VOCAB", help="source vocabulary file")
    parser.add_argument("TARGET_VOCAB", help="target vocabulary file")
    parser.add_argument("--validation-source", help="source sentence list for validation")
    parser.add_argument("--validation-target", help="target sentence list for validation")
    parser.add_argument("--batchsize", "-b", type=int, default=64,
                        help="number of sentence pairs in each mini-batch")
    parser.add_argument("--epoch", "-e", type=int, default=20, help="number of sweeps over the dataset to train")
    parser.add_argument("--resume", "-r", type=str, help="resume the training from snapshot")
    parser.add_argument("--save", "-s", type=str, help="save a snapshot of the training")
    parser.add_argument("--unit", "-u", type=int, default=1024, help="number of units")
    parser.add_argument("--layer", "-l", type=int, default=3, help="number of layers")
    parser.add_argument("--use-dataset-api", default=False, action="store_true",
                        help="use TextDataset API to reduce CPU memory usage")
    parser.add_argument("--min-source-sentence", type=int, default=1, help="minimium length of source sentence")
    parser.add_argument("--max-source-sentence", type=int, default=50, help="maximum length of source sentence")
    parser.add_argument("--min-target-sentence", type=int, default=1, help="minimium length of target sentence")
    parser.add_argument("--max-target-sentence", type=int, default=50, help="maximum length of target sentence")
    parser.add_argument("--log-interval", type=int, default=200, help="number of iteration to show log")
    parser.add_argument("--validation-interval", type=int, default=4000,
                        help="number of iteration to evlauate the model with validation dataset")
    parser.add_argument("--device", "-d", type=str, default="-1",
                        help="device specifier: '@numpy', '@cupy:0', or an int (negative: CPU)")
    parser.add_argument("--out", "-o", default="result", help="directory to output the result")
    parser.add_argument("--seed", type=int, default=None, help="seed of the initial weights, shuffling and dropout")
    group = parser.add_argument_group("deprecated arguments")
    group.add_argument("--gpu", "-g", dest="device", type=int, nargs="?", const=0,
                       help="GPU ID (negative value indicates CPU)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> Seq2seq:
    """Train (and validate); returns the trained model."""
    args = parse_args(argv)
    device = fchain.get_device(args.device)
    if args.seed is not None:
        numpy.random.seed(args.seed)
        fchain.graph.random.seed(args.seed)
    print(f"Device: {device}")
    print(f"# Minibatch-size: {args.batchsize}")
    print(f"# epoch: {args.epoch}")
    print("")

    print(f"[{datetime.datetime.now()}] Loading dataset...")
    source_ids = load_vocabulary(args.SOURCE_VOCAB)
    target_ids = load_vocabulary(args.TARGET_VOCAB)

    def keep(source_length: int, target_length: int) -> bool:
        return bool(args.min_source_sentence <= source_length <= args.max_source_sentence
                    and args.min_target_sentence <= target_length <= args.max_target_sentence)

    train_data: Any
    if args.use_dataset_api:
        train_data = load_data_using_dataset_api(
            source_ids, args.SOURCE, target_ids, args.TARGET,
            lambda s, t: keep(len(s.strip().split()), len(t.strip().split())))
    else:
        train_source = load_data(source_ids, args.SOURCE)
        train_target = load_data(target_ids, args.TARGET)
        if len(train_source) != len(train_target):
            raise SystemExit(f"seq2seq: {args.SOURCE} and {args.TARGET} have different numbers of lines")
        train_data = [(s, t) for s, t in zip(train_source, train_target) if keep(len(s), len(t))]
    print(f"[{datetime.datetime.now()}] Dataset loaded.")

    if not args.use_dataset_api:
        print(f"Source vocabulary size: {len(source_ids)}")
        print(f"Target vocabulary size: {len(target_ids)}")
        print(f"Train data size: {len(train_data)}")
        print(f"Train source unknown ratio: {calculate_unknown_ratio([s for s, _ in train_data]) * 100:.2f}%")
        print(f"Train target unknown ratio: {calculate_unknown_ratio([t for _, t in train_data]) * 100:.2f}%")

    target_words = {i: w for w, i in target_ids.items()}
    source_words = {i: w for w, i in source_ids.items()}

    device.use()
    model = Seq2seq(args.layer, len(source_ids), len(target_ids), args.unit)
    model.to_device(device)

    optimizer = optimizers.Adam().setup(model)
    train_iter = iterators.SerialIterator(train_data, args.batchsize)
    updater = training.updaters.StandardUpdater(train_iter, optimizer, converter=convert, device=device)
    trainer = training.Trainer(updater, (args.epoch, "epoch"), out=args.out)
    trainer.extend(extensions.LogReport(trigger=(args.log_interval, "iteration")))
    trainer.extend(extensions.PrintReport(
        ["epoch", "iteration", "main/loss", "main/perp", "validation/main/bleu", "elapsed_time"]),
        trigger=(args.log_interval, "iteration"))
    trainer.extend(extensions.snapshot(filename="snapshot_epoch_{.updater.iteration}"),
                   trigger=(args.validation_interval, "iteration"))

    if args.validation_source and args.validation_target:
        test_source = load_data(source_ids, args.validation_source)
        test_target = load_data(target_ids, args.validation_target)
        if len(test_source) != len(test_target):
            raise SystemExit("seq2seq: the validation files have different numbers of lines")
        test_data = [(s, t) for s, t in zip(test_source, test_target) if len(s) > 0 and len(t) > 0]
        print(f"Validation data: {len(test_data)}")
        print(f"Validation source unknown ratio: {calculate_unknown_ratio([s for s, _ in test_data]) * 100:.2f}%")
        print(f"Validation target unknown ratio: {calculate_unknown_ratio([t for _, t in test_data]) * 100:.2f}%")

        @training.make_extension()
        def translate(trainer: training.Trainer) -> None:
            source, target = test_data[numpy.random.choice(len(test_data))]
            result = model.translate([model.xp.asarray(source)])[0]
            print("# source : " + " ".join(source_words[int(x)] for x in source))
            print("# result : " + " ".join(target_words[int(y)] for y in result))
            print("# expect : " + " ".join(target_words[int(y)] for y in target))

        trainer.extend(translate, trigger=(args.validation_interval, "iteration"))
        trainer.extend(CalculateBleu(model, test_data, "validation/main/bleu", device),
                       trigger=(args.validation_interval, "iteration"))

    if args.resume is not None:
        serializers.load_npz(args.resume, trainer)
    print("start training")
    trainer.run()
    if args.save is not None:
        serializers.save_npz(args.save, trainer)
    return model


if __name__ == "__main__":
    main(sys.argv[1:])
