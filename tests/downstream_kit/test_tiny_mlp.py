"""Testing a small model: its parameter gradients against numerical ones for
randomly drawn models (``strategies``), on every device (the ``device`` fixture);
training reduces the loss (a statistical test, so ``condition.retry``); a longer
run marked ``slow``."""

from __future__ import annotations

import numpy
from hypothesis import given, settings
from hypothesis import strategies as st

import fchain
import fchain.functions as F
from fchain import Sequential
from fchain.backend import Device
from fchain.testing import attr, check_backward, condition
from fchain.testing import strategies as fst
from tests.downstream_kit.mylib import TinyMLP, make_regression, mse_loss, train


@settings(max_examples=10, deadline=None)
@given(model=fst.mlps(in_size=3, dtype=numpy.float64), data=st.data())
def test_drawn_mlps_backprop_matches_numerical_gradients(model: Sequential, data: st.DataObject) -> None:
    x = data.draw(fst.float_arrays(numpy.float64, (2, 3)))
    params = list(model.params())
    check_backward(lambda v: F.sum(model(v)), (x,), None, params=params, rtol=1e-5, atol=1e-7,
                   rng=numpy.random.default_rng(0))


def test_tiny_mlp_gradients_on_each_device(device: Device) -> None:
    """The target goes in as an input the check does not differentiate
    (``no_grads``): the numerical side runs in float64, and every floating input,
    skipped or not, is cast to it."""
    fchain.initializers.set_random_seed(0)
    model = TinyMLP(2, 5, 1)
    model.to_device(device)
    x, t = make_regression(numpy.random.default_rng(0), n=8)
    check_backward(lambda v, target: F.mean_squared_error(model(v), target),
                   (device.send(x), device.send(t)), None, params=list(model.params()),
                   no_grads=[False, True], rng=numpy.random.default_rng(1))
    assert mse_loss(model, device.send(x), device.send(t)).device == device


@condition.retry(3)
def test_training_reduces_the_loss() -> None:
    """From a random initialization (unseeded), 30 SGD steps cut the loss by a
    third; retried because an unlucky initialization may learn more slowly."""
    model = TinyMLP(2, 8, 1)
    x, t = make_regression(numpy.random.default_rng())
    losses = train(model, x, t, steps=30)
    assert losses[-1] < losses[0] * 2 / 3, losses


@attr.slow
def test_longer_training_fits_the_target() -> None:
    fchain.initializers.set_random_seed(3)
    model = TinyMLP(2, 16, 1)
    x, t = make_regression(numpy.random.default_rng(3), n=128)
    losses = train(model, x, t, steps=400, lr=0.2)
    assert losses[-1] < 0.02, losses[-1]
