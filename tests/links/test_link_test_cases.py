"""fchain's own links through Chainer's declarative link tests (``fchain.testing``):
``LinkTestCase`` (forward against numpy, backward and double backward with
respect to the input and the parameters, on every available device, in float32
and float64, on non-contiguous arrays) and ``LinkInitializersTestCase`` (each
initializer argument, including ``None``, gives what that initializer makes).
Chainer's own tests of these links are written the same way."""

from __future__ import annotations

import numpy

import fchain.links as L
from fchain import Link, Variable
from fchain.backend import Device
from fchain.initializers import Constant, InitializerLike, Zero
from fchain.testing import InitializerArgument, LinkInitializersTestCase, LinkTestCase, parameterize, product
from fchain.types import Array


def _uniform(shape: tuple[int, ...], dtype: type[numpy.floating]) -> Array:
    return numpy.random.uniform(-1, 1, shape).astype(dtype)


class _LinearCase:
    param_names = ("W", "b")
    dtype: type[numpy.floating] = numpy.float32
    in_size: int | None = 3

    def generate_params(self) -> tuple[Constant, Constant]:
        # a Constant of the case's dtype: an array alone gives a parameter of the
        # default dtype (float32), as in Chainer
        return (Constant(_uniform((2, 3), self.dtype), dtype=self.dtype),
                Constant(_uniform((2,), self.dtype), dtype=self.dtype))

    def create_link(self, initializers: tuple[InitializerLike, ...]) -> Link:
        initialW, initial_bias = initializers
        return L.Linear(self.in_size, 2, initialW=initialW, initial_bias=initial_bias)

    def generate_inputs(self) -> tuple[Array, ...]:
        return (_uniform((4, 3), self.dtype),)


@parameterize(*product({"dtype": [numpy.float32, numpy.float64], "in_size": [3, None]}))
class TestLinear(_LinearCase, LinkTestCase):
    def setUp(self) -> None:
        numpy.random.seed(0)
        if self.dtype == numpy.float32:
            self.check_backward_options.update({"atol": 1e-4, "rtol": 1e-3})
            self.check_double_backward_options.update({"atol": 1e-3, "rtol": 1e-2})

    def forward_expected(self, link: Link, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        assert isinstance(link, L.Linear) and link.b is not None
        W, b = link.W.array, link.b.array
        assert W is not None and b is not None
        (x,) = inputs
        return ((x @ W.T + b).astype(self.dtype),)


class TestLinearInitializers(_LinearCase, LinkInitializersTestCase):
    def setUp(self) -> None:
        numpy.random.seed(1)

    def get_initializers(self) -> tuple[list[InitializerLike | InitializerArgument], ...]:
        # deterministic initializers only (each is compared with a second call of
        # itself); W's default, LeCunNormal, is random
        return ([Constant(0.5), 2.0, _uniform((2, 3), numpy.float32)],
                [Constant(-1.0), 0.25, InitializerArgument(None, Zero())])


@parameterize({"dtype": numpy.float32}, {"dtype": numpy.float64})
class TestConvolution2D(LinkTestCase):
    param_names = ("W", "b")
    dtype: type[numpy.floating]

    def setUp(self) -> None:
        numpy.random.seed(2)
        if self.dtype == numpy.float32:
            self.check_backward_options.update({"atol": 1e-3, "rtol": 1e-2})
            self.check_double_backward_options.update({"atol": 1e-3, "rtol": 1e-2})

    def generate_params(self) -> tuple[Constant, Constant]:
        return (Constant(_uniform((3, 2, 2, 2), self.dtype), dtype=self.dtype),
                Constant(_uniform((3,), self.dtype), dtype=self.dtype))

    def create_link(self, initializers: tuple[InitializerLike, ...]) -> Link:
        initialW, initial_bias = initializers
        return L.Convolution2D(2, 3, ksize=2, stride=1, pad=1, initialW=initialW, initial_bias=initial_bias)

    def generate_inputs(self) -> tuple[Array, ...]:
        return (_uniform((2, 2, 3, 3), self.dtype),)

    def forward(self, link: Link, inputs: tuple[Variable, ...], device: Device) -> tuple[Variable, ...]:
        (x,) = inputs
        return (link(x),)

    def forward_expected(self, link: Link, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        """The cross-correlation written as loops over the padded input."""
        assert isinstance(link, L.Convolution2D) and link.b is not None
        W, b = link.W.array, link.b.array
        assert W is not None and b is not None
        (x,) = inputs
        padded = numpy.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
        n, _, h, w = padded.shape
        y = numpy.zeros((n, 3, h - 1, w - 1))
        for i in range(h - 1):
            for j in range(w - 1):
                window = padded[:, :, i:i + 2, j:j + 2]
                y[:, :, i, j] = numpy.einsum("nchw,ochw->no", window, W) + b
        return (y.astype(self.dtype),)


class TestConvolution2DInitializers(LinkInitializersTestCase):
    param_names = ("W", "b")

    def generate_params(self) -> tuple[Array, Array]:
        return _uniform((3, 2, 2, 2), numpy.float32), _uniform((3,), numpy.float32)

    def create_link(self, initializers: tuple[InitializerLike, ...]) -> Link:
        initialW, initial_bias = initializers
        return L.Convolution2D(2, 3, ksize=2, initialW=initialW, initial_bias=initial_bias)

    def generate_inputs(self) -> tuple[Array, ...]:
        return (_uniform((1, 2, 3, 3), numpy.float32),)

    def get_initializers(self) -> tuple[list[InitializerLike | InitializerArgument], ...]:
        return ([Constant(0.5), -1.5], [Constant(2.0), InitializerArgument(None, Zero())])
