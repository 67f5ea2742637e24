"""Downstream code in Chainer 7's idiom with the losses of issue 13, which
``mypy --strict`` must accept (checked by the main mypy run) and which runs
(``test_downstream_programs.py``): a skip-gram step with negative sampling from a
``WalkerAlias`` sampler, a CRF tagger's loss and decoding, a CTC loss, and the
margin losses.  The return types are what a user unpacks: ``(loss, samples)`` with
``return_samples=True``, ``(score, path)`` from ``argmax_crf1d``."""

from __future__ import annotations

import numpy as np

import fchain.functions as F
from fchain import Parameter, Variable
from fchain.types import Array
from fchain.utils import WalkerAlias


def skip_gram_loss(rng: np.random.Generator) -> tuple[Variable, Array]:
    counts = np.array([5.0, 1.0, 3.0, 0.0, 2.0, 8.0])
    sampler = WalkerAlias(counts ** 0.75)
    W = Parameter(rng.standard_normal((6, 4)).astype(np.float32))
    x = Variable(rng.standard_normal((3, 4)).astype(np.float32))
    t = np.array([0, 5, 2], dtype=np.int32)
    loss, samples = F.negative_sampling(x, t, W, sampler.sample, 2, return_samples=True)
    return loss + F.black_out(x, t, W, samples[:, 1:]), samples


def crf_tagger(rng: np.random.Generator) -> tuple[Variable, list[Array]]:
    cost = Parameter(rng.standard_normal((3, 3)).astype(np.float32))
    xs = [Variable(rng.standard_normal((n, 3)).astype(np.float32)) for n in (2, 2, 1)]
    ys = [np.array([0, 2], np.int32), np.array([1, 1], np.int32), np.array([2], np.int32)]
    loss = F.crf1d(cost, xs, ys)
    score, path = F.argmax_crf1d(cost, xs)
    return loss + F.sum(score), path


def main() -> float:
    rng = np.random.default_rng(0)
    sampled, samples = skip_gram_loss(rng)
    tagged, path = crf_tagger(rng)
    xs = [rng.standard_normal((2, 4)).astype(np.float32) for _ in range(5)]
    ctc = F.connectionist_temporal_classification(xs, np.array([[1, 2], [3, 3]], np.int32), 0)
    a, b = (Variable(rng.standard_normal((4, 3)).astype(np.float32)) for _ in range(2))
    labels = np.array([0, 1, 1, 0], np.int32)
    margins = (F.hinge(a, np.array([0, 2, 1, 1], np.int32)) + F.contrastive(a, b, labels)
               + F.triplet(a, b, a * 2.0) + F.sum(F.huber_loss(a, b, 1.0))
               + F.sum(F.absolute_error(a, b) + F.squared_error(a, b)))
    total = sampled + tagged + ctc + margins
    total.backward()
    assert a.grad is not None and samples.shape == (3, 3) and len(path) == 3
    return float(total.array)
