"""Train a recurrent language model on the Penn Treebank, or on any local text.

This is Chainer's ``examples/ptb/train_ptb.py`` written for fchain: an
``L.EmbedID``, two stateful ``L.LSTM`` layers and an ``L.Linear`` with dropout
between them, every parameter drawn from U(-0.1, 0.1), inside ``L.Classifier``
(accuracy off); a ``ParallelSequentialIterator`` reading ``--batchsize`` streams at
equally spaced offsets of the word sequence; a ``BPTTUpdater`` that sums the loss
over ``--bproplen`` steps, back-propagates, cuts the graph (``unchain_backward``)
and updates; SGD (lr 1) with gradient clipping; perplexity (``exp`` of the mean
loss) logged for the training and the validation words, and measured on the test
words at the end.  Chainer's flags and defaults, plus:

* ``--text FILE``: train on a local text instead of the PTB (one sentence per line;
  ``<eos>`` ends each line, as in the PTB reader; ``fchain.datasets.words_from_text``).
  Without ``--valid-text`` and ``--test-text`` its lines are cut into 80% for
  training, then 10% for validation and 10% for the test.
  ``examples/ptb/toy_corpus.py`` writes such a text with a known best perplexity;
* ``--seed`` seeds the initial weights, dropout and nothing else is random;
* ``--log-interval`` overrides the report interval (Chainer's: 10 iterations with
  ``--test``, else 500).

The PTB itself comes from ``fchain.datasets.get_ptb_words`` (Chainer's function),
downloaded on first use.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Variable, datasets, optimizer_hooks, optimizers, serializers, training
from fchain.dataset import Iterator, concat_examples
from fchain.facade.serializer import AbstractSerializer
from fchain.training import extensions

__all__ = ["BPTTUpdater", "ParallelSequentialIterator", "RNNForLM", "compute_perplexity", "load_words",
           "main", "parse_args"]

Words = npt.NDArray[np.int32]
"""A corpus: one long sequence of word ids."""

class RNNForLM(fchain.Chain):
    """Embedding, two LSTM layers and a linear read-out, dropout between them."""

    def __init__(self, n_vocab: int, n_units: int) -> None:
        super().__init__()
        with self.init_scope():
            self.embed = L.EmbedID(n_vocab, n_units)
            self.l1 = L.LSTM(n_units, n_units)
            self.l2 = L.LSTM(n_units, n_units)
            self.l3 = L.Linear(n_units, n_vocab)
        # As Chainer's example: every parameter from U(-0.1, 0.1), numpy's global generator.
        for param in self.params():
            data = param.array
            assert data is not None  # every size is given above
            data[...] = np.random.uniform(-0.1, 0.1, param.shape)

    def reset_state(self) -> None:
        """Forget both LSTM states (a new stream)."""
        self.l1.reset_state()
        self.l2.reset_state()

    def forward(self, x: Variable | npt.NDArray[np.int32]) -> Variable:
        h0 = self.embed(x)
        h1 = self.l1(F.dropout(h0))
        h2 = self.l2(F.dropout(h1))
        return self.l3(F.dropout(h2))


class ParallelSequentialIterator(Iterator[tuple[np.int32, np.int32]]):
    """``batch_size`` readers of one long word sequence, at offsets ``i * len /
    batch_size``, each advanced by one word per batch: a batch is, per reader, the
    pair (current word, next word).  An epoch is ``len(dataset)`` words read in all.
    Without ``repeat`` it stops after one epoch."""

    epoch: int
    is_new_epoch: bool
    iteration: int

    def __init__(self, dataset: Words, batch_size: int, repeat: bool = True) -> None:
        if len(dataset) == 0 or batch_size <= 0:
            raise ValueError("ParallelSequentialIterator: needs a non-empty dataset and a positive batch size")
        self.dataset = dataset
        self.batch_size = batch_size
        self.repeat = repeat
        length = len(dataset)
        self.offsets = [i * length // batch_size for i in range(batch_size)]
        self.reset()

    def reset(self) -> None:
        """Back to the start (the Evaluator rewinds a validation iterator this way)."""
        self.epoch = 0
        self.is_new_epoch = False
        self.iteration = 0  # batches returned, not parameter updates
        self._previous_epoch_detail = -1.0  # -1: no batch yet

    def __next__(self) -> list[tuple[np.int32, np.int32]]:
        length = len(self.dataset)
        if not self.repeat and self.iteration * self.batch_size >= length:
            raise StopIteration
        current = self._words()
        self._previous_epoch_detail = self.epoch_detail
        self.iteration += 1
        following = self._words()
        epoch = self.iteration * self.batch_size // length
        self.is_new_epoch = self.epoch < epoch
        if self.is_new_epoch:
            self.epoch = epoch
        return list(zip(current, following))

    @property
    def epoch_detail(self) -> float:
        return self.iteration * self.batch_size / len(self.dataset)

    @property
    def previous_epoch_detail(self) -> float | None:
        return None if self._previous_epoch_detail < 0 else self._previous_epoch_detail

    def _words(self) -> list[np.int32]:
        length = len(self.dataset)
        return [self.dataset[(offset + self.iteration) % length] for offset in self.offsets]

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Chainer's keys: ``iteration``, ``epoch``, ``previous_epoch_detail``."""
        self.iteration = int(serializer("iteration", self.iteration))
        self.epoch = int(serializer("epoch", self.epoch))
        self._previous_epoch_detail = float(serializer("previous_epoch_detail", self._previous_epoch_detail))


class BPTTUpdater(training.updaters.StandardUpdater):
    """Truncated back-propagation through time: each update reads ``bprop_len``
    batches, sums their losses, back-propagates once, cuts the graph behind the
    LSTM states (``unchain_backward``) and updates."""

    def __init__(self, train_iter: ParallelSequentialIterator, optimizer: Any, bprop_len: int,
                 device: fchain.backend.Device) -> None:
        super().__init__(train_iter, optimizer, device=device)
        self.bprop_len = bprop_len

    def update_core(self) -> None:
        train_iter = self.get_iterator("main")
        optimizer = self.get_optimizer("main")
        loss: Variable | None = None
        for _ in range(self.bprop_len):
            arrays = self.converter(next(train_iter), self.input_device)
            assert isinstance(arrays, tuple), "the converter gives (words, next words)"
            x, t = arrays
            step = optimizer.target(x, t)
            loss = step if loss is None else loss + step
        assert loss is not None, "bprop_len must be positive"
        optimizer.target.cleargrads()
        loss.backward()
        loss.unchain_backward()
        optimizer.update()


def compute_perplexity(result: dict[str, Any]) -> None:
    """LogReport's postprocess: ``perplexity`` (and ``val_perplexity``) from the
    mean losses."""
    result["perplexity"] = np.exp(result["main/loss"])
    if "validation/main/loss" in result:
        result["val_perplexity"] = np.exp(result["validation/main/loss"])


# ----------------------------------------------------------------------- data
def load_words(args: argparse.Namespace) -> tuple[Words, Words, Words]:
    """``(train, valid, test)`` word ids: the PTB (``get_ptb_words``), or
    ``--text``'s files read the same way (``words_from_text``: each line's words
    then ``<eos>``, ids in order of first appearance, unseen words ``<unk>``; one
    file is cut into 80/10/10% of its lines)."""
    if args.text is not None:
        train, valid, test, _ = datasets.words_from_text(args.text, args.valid_text, args.test_text)
    else:
        train, valid, test = datasets.get_ptb_words()
    return train, valid, test


# ------------------------------------------------------------------------ run
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Chainer's flags, plus ``--text``, ``--valid-text``, ``--test-text``, ``--seed``
    and ``--log-interval``."""
    parser = argparse.ArgumentParser(description="fchain example: LSTM language model (PTB)")
    parser.add_argument("--batchsize", "-b", type=int, default=20,
                        help="number of examples in each mini-batch")
    parser.add_argument("--bproplen", "-l", type=int, default=35,
                        help="number of words in each mini-batch (= length of truncated BPTT)")
    parser.add_argument("--epoch", "-e", type=int, default=39,
                        help="number of sweeps over the dataset to train")
    parser.add_argument("--device", "-d", type=str, default="-1",
                        help="device specifier: '@numpy', '@cupy:0', or an int (negative: CPU)")
    parser.add_argument("--gradclip", "-c", type=float, default=5,
                        help="gradient norm threshold to clip")
    parser.add_argument("--out", "-o", default="result", help="directory to output the result")
    parser.add_argument("--resume", "-r", type=str, help="resume the training from snapshot")
    parser.add_argument("--test", action="store_true", help="use tiny datasets for quick tests")
    parser.add_argument("--unit", "-u", type=int, default=650, help="number of LSTM units in each layer")
    parser.add_argument("--model", "-m", default="model.npz", help="model file name to serialize")
    parser.add_argument("--text", default=None, help="train on this local text instead of the PTB")
    parser.add_argument("--valid-text", default=None, help="validation text for --text")
    parser.add_argument("--test-text", default=None, help="test text for --text")
    parser.add_argument("--seed", type=int, default=None, help="seed of the initial weights and of dropout")
    parser.add_argument("--log-interval", type=int, default=None,
                        help="iterations between reports (default: 10 with --test, else 500)")
    group = parser.add_argument_group("deprecated arguments")
    group.add_argument("--gpu", "-g", dest="device", type=int, nargs="?", const=0,
                       help="GPU ID (negative value indicates CPU)")
    args = parser.parse_args(argv)
    for name in ("batchsize", "bproplen", "epoch", "unit"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name} must be positive, got {getattr(args, name)}")
    return args


def main(argv: Sequence[str] | None = None) -> float:
    """Train, then evaluate on the test words; returns the test perplexity."""
    args = parse_args(argv)
    device = fchain.get_device(args.device)
    device.use()
    if args.seed is not None:
        np.random.seed(args.seed)
        fchain.graph.random.seed(args.seed)

    train, val, test = load_words(args)
    n_vocab = int(max(train.max(), val.max(), test.max())) + 1
    print(f"#vocab = {n_vocab}")
    if args.test:
        train, val, test = train[:100], val[:100], test[:100]

    train_iter = ParallelSequentialIterator(train, args.batchsize)
    val_iter = ParallelSequentialIterator(val, 1, repeat=False)
    test_iter = ParallelSequentialIterator(test, 1, repeat=False)

    rnn = RNNForLM(n_vocab, args.unit)
    model = L.Classifier(rnn)
    model.compute_accuracy = False  # only the perplexity is wanted
    model.to_device(device)

    optimizer = optimizers.SGD(lr=1.0).setup(model)
    optimizer.add_hook(optimizer_hooks.GradientClipping(args.gradclip))

    updater = BPTTUpdater(train_iter, optimizer, args.bproplen, device)
    trainer = training.Trainer(updater, (args.epoch, "epoch"), out=args.out)

    eval_model = model.copy()  # shares the parameters, has its own LSTM states
    eval_rnn = eval_model.predictor
    trainer.extend(extensions.Evaluator(val_iter, eval_model, device=device,
                                        eval_hook=lambda _: eval_rnn.reset_state()))
    interval = args.log_interval if args.log_interval is not None else 10 if args.test else 500
    trainer.extend(extensions.LogReport(postprocess=compute_perplexity, trigger=(interval, "iteration")))
    trainer.extend(extensions.PrintReport(["epoch", "iteration", "perplexity", "val_perplexity"]),
                   trigger=(interval, "iteration"))
    trainer.extend(extensions.ProgressBar(update_interval=1 if args.test else 10))
    trainer.extend(extensions.snapshot())
    trainer.extend(extensions.snapshot_object(model, "model_iter_{.updater.iteration}"))
    if args.resume is not None:
        serializers.load_npz(args.resume, trainer)

    trainer.run()

    print("test")
    eval_rnn.reset_state()
    evaluator = extensions.Evaluator(test_iter, eval_model, device=device)
    result = evaluator()
    perplexity = math.exp(float(result["main/loss"]))
    print(f"test perplexity: {perplexity}")
    serializers.save_npz(args.model, model)
    return perplexity


if __name__ == "__main__":
    main(sys.argv[1:])
