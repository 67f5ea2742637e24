"""A user's library built on fchain: one op, one link, one small model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Chain, Link, Parameter, Variable
from fchain.initializers import Constant, InitializerLike, One, Zero
from fchain.testing.op import Case, Draw, Forwarded, GradSpec, Grads, Inputs, OpDef, VariableLike, apply
from fchain.types import Array, ArrayNamespace

# -- an op: soft_hypot(x, y) = sqrt(x^2 + y^2 + eps), broadcasting -------------------


@dataclass(frozen=True)
class SoftHypotParams:
    eps: float


def _forward(xp: ArrayNamespace, inputs: Inputs, p: SoftHypotParams) -> Forwarded:
    x, y = inputs
    r = xp.sqrt(x * x + y * y + p.eps)
    return (r,), (x, y, r)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: SoftHypotParams) -> Grads:
    x, y, r = residuals
    g = grads[0] / r
    return g * x, g * y


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    x = draw.floats(shape)
    y = draw.floats(draw.broadcastable_shape(shape))
    eps = draw.choice([0.1, 1.0])
    return Case((x, y), lambda a, b: soft_hypot(a, b, eps), label=f"eps={eps}")


SOFT_HYPOT: OpDef[SoftHypotParams] = OpDef(
    "soft_hypot", _forward, _vjp, GradSpec(_sample), arg_names=("x", "y"), float_inputs=(0, 1))


def soft_hypot(x: VariableLike, y: VariableLike, eps: float = 0.1) -> Variable:
    """``sqrt(x**2 + y**2 + eps)`` elementwise, broadcasting ``x`` and ``y``."""
    if eps <= 0:
        raise ValueError(f"soft_hypot: eps must be positive, got {eps}")
    return apply(SOFT_HYPOT, (x, y), SoftHypotParams(float(eps)))


# -- a link: y = x * W + b, one weight and bias per feature ---------------------------


class DiagonalAffine(Link):
    """Scales and shifts each feature (the last axis) of its input."""

    def __init__(self, size: int, initialW: InitializerLike = None, initial_bias: InitializerLike = None) -> None:
        super().__init__()
        with self.init_scope():
            self.W = Parameter(One() if initialW is None else _initializer(initialW), size)
            self.b = Parameter(Zero() if initial_bias is None else _initializer(initial_bias), size)

    def forward(self, x: Variable | Array) -> Variable:
        return x * self.W + self.b


def _initializer(value: InitializerLike) -> object:
    """A scalar means a constant fill, anything else is used as it is."""
    return Constant(float(value)) if isinstance(value, (int, float)) else value


# -- a model ------------------------------------------------------------------------------


class TinyMLP(Chain):
    """``Linear -> tanh -> DiagonalAffine -> Linear``: a small regression model."""

    def __init__(self, n_in: int, n_hidden: int, n_out: int) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(n_in, n_hidden)
            self.scale = DiagonalAffine(n_hidden)
            self.l2 = L.Linear(n_hidden, n_out)

    def forward(self, x: Variable | Array) -> Variable:
        return self.l2(self.scale(F.tanh(self.l1(x))))


def mse_loss(model: TinyMLP, x: Array, t: Array) -> Variable:
    return F.mean_squared_error(model(x), t)


def train(model: TinyMLP, x: Array, t: Array, steps: int, lr: float = 0.1) -> list[float]:
    """Plain SGD on the mean squared error; the loss at every step."""
    optimizer = fchain.optimizers.SGD(lr=lr).setup(model)
    losses = []
    for _ in range(steps):
        loss = mse_loss(model, x, t)
        model.cleargrads()
        loss.backward()
        optimizer.update()
        losses.append(float(loss.array))
    return losses


def make_regression(rng: numpy.random.Generator, n: int = 64) -> tuple[Array, Array]:
    """Inputs and a smooth target: ``t = sin(x0) + 0.5 * x1``."""
    x = rng.uniform(-1, 1, (n, 2)).astype(numpy.float32)
    t = (numpy.sin(x[:, :1]) + 0.5 * x[:, 1:]).astype(numpy.float32)
    return x, t
