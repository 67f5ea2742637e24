"""A downstream sequence tagger and language model built from the links of issue 13
as Chainer 7 code writes them; ``mypy --strict`` must accept it (checked by the main
mypy run) and ``test_downstream_programs.py`` runs it.

The typed pattern: a stateful link's state is ``Variable | None`` (narrowed before
use); ``NStepLSTM`` returns ``(hy, cy, ys)`` with ``ys`` a list of Variables, the
one-state n-step links ``(hy, ys)``; ``NegativeSampling(..., return_samples=True)``
returns the loss and the samples; ``CRF1d.argmax`` the score and the paths.
"""

from __future__ import annotations

import pathlib

import numpy as np

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Chain, Variable, optimizers, serializers
from fchain.types import Array

VOCAB, UNITS, LABELS = 9, 6, 3


class Tagger(Chain):
    """Embedding, a bidirectional LSTM over the sentences, a CRF over the tags."""

    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.embed = L.EmbedID(VOCAB, UNITS, ignore_label=-1)
            self.encoder = L.NStepBiLSTM(1, UNITS, UNITS, 0.1)
            self.out = L.Linear(2 * UNITS, LABELS)
            self.crf = L.CRF1d(LABELS)

    def scores(self, sentences: list[Array]) -> list[Variable]:
        embedded = [self.embed(s) for s in sentences]
        hy, cy, ys = self.encoder(None, None, embedded)
        assert hy.shape == cy.shape
        return [self.out(y) for y in ys]

    def forward(self, sentences: list[Array], tags: list[Array]) -> Variable:
        return self.crf(self.scores(sentences), tags, transpose=True)


class LanguageModel(Chain):
    """A stateful LSTM language model (Chainer's PTB example in miniature)."""

    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.embed = L.EmbedID(VOCAB, UNITS)
            self.rnn = L.LSTM(None, UNITS)
            self.gru = L.StatefulGRU(UNITS, UNITS)
            self.head = L.Linear(UNITS, VOCAB)

    def forward(self, x: Array) -> Variable:
        return self.head(self.gru(self.rnn(self.embed(x))))


def main(tmp: str) -> tuple[float, float, float]:
    fchain.initializers.set_random_seed(0)
    rng = np.random.default_rng(0)
    tagger = Tagger()
    sentences = [rng.integers(0, VOCAB, n).astype(np.int32) for n in (4, 2, 3)]
    tags = [rng.integers(0, LABELS, len(s)).astype(np.int32) for s in sentences]
    opt = optimizers.Adam().setup(tagger)
    loss = tagger(sentences, tags)
    tagger.cleargrads()
    loss.backward()
    opt.update()
    score, paths = tagger.crf.argmax(tagger.scores(sentences), transpose=True)
    assert [len(p) for p in paths] == [4, 2, 3] and score.shape == (3,)

    lm = LanguageModel()
    words = rng.integers(0, VOCAB, (5, 2)).astype(np.int32)
    total: Variable | None = None
    for t in range(4):
        step = F.softmax_cross_entropy(lm(words[t]), words[t + 1])
        total = step if total is None else total + step
    assert total is not None
    state = lm.rnn.h
    assert state is not None and state.shape == (2, UNITS)
    lm.rnn.reset_state()
    lm.gru.reset_state()

    sampler = L.NegativeSampling(UNITS, [3, 1, 2, 2, 1, 1, 1, 1, 1], 2)
    ns_loss, samples = sampler(rng.standard_normal((2, UNITS)).astype(np.float32), words[0], return_samples=True)
    assert samples.shape == (2, 3)
    hy, ys = L.NStepGRU(1, UNITS, 2, 0.0)(None, [rng.standard_normal((3, UNITS)).astype(np.float32)])
    assert ys[0].shape == (3, 2) and hy.shape == (1, 1, 2)

    path = pathlib.Path(tmp) / "tagger.npz"
    serializers.save_npz(path, tagger)
    again = Tagger()
    serializers.load_npz(path, again)
    with fchain.using_config("train", False):
        same = again(sentences, tags)
    return float(loss.array), float(total.array) / 4, float(same.array) + float(ns_loss.array)
