"""A downstream sequence program using the embedding, recurrent and sequence
functions of issue 13 as Chainer 7 code calls them; ``mypy --strict`` must accept it
(checked by the main mypy run) and ``test_downstream_programs.py`` runs it.

The typed pattern: ``n_step_lstm`` returns ``(Variable, Variable, tuple[Variable,
...])`` and the GRU and RNN forms ``(Variable, tuple[Variable, ...])``; ``lstm``
returns ``(c, h)``; ``transpose_sequence`` and ``separate`` return tuples of
Variables; weights and biases are lists of lists of ``Parameter``s.
"""

from __future__ import annotations

import numpy as np

import fchain.functions as F
from fchain import Parameter, Variable

UNITS, VOCAB = 4, 7


def _params(rng: np.random.Generator, rows: int, shapes: list[tuple[int, ...]]) -> list[list[Parameter]]:
    return [[Parameter(rng.uniform(-0.5, 0.5, s).astype(np.float32)) for s in shapes] for _ in range(rows)]


def encode(sentences: list[np.ndarray], E: Parameter, ws: list[list[Parameter]],
           bs: list[list[Parameter]]) -> Variable:
    """A bidirectional LSTM over sentences of different lengths (sorted, embedded,
    transposed, as Chainer's examples do), then the mean of the last outputs."""
    order = sorted(range(len(sentences)), key=lambda i: -len(sentences[i]))
    embedded = [F.embed_id(sentences[i], E, ignore_label=-1) for i in order]
    xs = F.transpose_sequence(embedded)
    h = np.zeros((2, len(sentences), UNITS), np.float32)
    hy, cy, ys = F.n_step_bilstm(1, 0.0, h, h, ws, bs, list(xs))
    per_sentence = F.transpose_sequence(list(ys))
    padded = F.pad_sequence(list(per_sentence), padding=0.0)
    return F.mean(padded) + F.sum(hy) * 0.0 + F.sum(cy) * 0.0


def main() -> float:
    rng = np.random.default_rng(0)
    E = Parameter(rng.standard_normal((VOCAB, UNITS)).astype(np.float32))
    ws = _params(rng, 2, [(UNITS, UNITS)] * 8)
    bs = _params(rng, 2, [(UNITS,)] * 8)
    sentences = [np.array([1, 2, 3], np.int32), np.array([4, -1], np.int32), np.array([5, 6, 0, 2], np.int32)]
    loss = encode(sentences, E, ws, bs)
    # a step-by-step LSTM unit and the other recurrences, as Chainer's links call them
    c = Variable(np.zeros((3, UNITS), np.float32))
    for x in F.separate(F.embed_id(np.array([[1, 2, 3], [0, 4, 5]], np.int32), E), axis=0):
        gates = F.linear(x, Parameter(np.full((4 * UNITS, UNITS), 0.1, np.float32)))
        c, h = F.lstm(c, gates)
        loss = loss + F.mean(F.select_item(h, np.array([0, 1, 2], np.int32)))
    hx = np.zeros((1, 3, UNITS), np.float32)
    steps = [rng.standard_normal((3, UNITS)).astype(np.float32), rng.standard_normal((2, UNITS)).astype(np.float32)]
    hy, ys = F.n_step_gru(1, 0.0, hx, _params(rng, 1, [(UNITS, UNITS)] * 6), _params(rng, 1, [(UNITS,)] * 6), steps)
    hr, yr = F.n_step_rnn(1, 0.0, hx, _params(rng, 1, [(UNITS, UNITS)] * 2), _params(rng, 1, [(UNITS,)] * 2), steps,
                          activation="relu")
    loss = loss + F.mean(hy) + F.mean(F.concat(ys, axis=0)) + F.mean(hr) + F.mean(F.stack([y[:2] for y in yr]))
    loss.backward()
    assert E.grad is not None and ws[0][0].grad is not None
    return float(loss.array)
