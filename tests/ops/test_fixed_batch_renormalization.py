"""``F.fixed_batch_renormalization``: Chainer 7's deprecated alias of
``fixed_batch_normalization``, with its signature and warning."""

from __future__ import annotations

import inspect

import numpy
import pytest

import fchain.functions as F


def test_it_is_fixed_batch_normalization_and_warns() -> None:
    rng = numpy.random.RandomState(0)
    x = rng.standard_normal((4, 3, 2)).astype(numpy.float32)
    gamma, beta = rng.uniform(0.5, 1.5, 3).astype(numpy.float32), rng.standard_normal(3).astype(numpy.float32)
    mean, var = rng.standard_normal(3).astype(numpy.float32), rng.uniform(0.5, 2.0, 3).astype(numpy.float32)
    with pytest.warns(DeprecationWarning, match="fixed_batch_renormalization is deprecated"):
        y = F.fixed_batch_renormalization(x, gamma, beta, mean, var, eps=1e-3)
    want = F.fixed_batch_normalization(x, gamma, beta, mean, var, eps=1e-3)
    assert y.array.tobytes() == want.array.tobytes()


def test_signature_is_chainers() -> None:
    assert list(inspect.signature(F.fixed_batch_renormalization).parameters) == \
        ["x", "gamma", "beta", "mean", "var", "eps"]
    assert inspect.signature(F.fixed_batch_renormalization).parameters["eps"].default == 2e-5
