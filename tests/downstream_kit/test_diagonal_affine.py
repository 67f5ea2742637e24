"""Testing a custom link: forward, backward and double backward with respect to
its inputs and parameters (``LinkTestCase``), and its initializer arguments
(``LinkInitializersTestCase``)."""

from __future__ import annotations

import numpy

from fchain import Link, Variable
from fchain.backend import Device
from fchain.initializers import Constant, InitializerLike, One, Zero
from fchain.testing import InitializerArgument, LinkInitializersTestCase, LinkTestCase, parameterize
from fchain.types import Array
from tests.downstream_kit.mylib import DiagonalAffine

SIZE = 3


class _DiagonalAffineCase:
    """What both test cases share: the parameters and the inputs."""

    param_names = ("W", "b")
    dtype: type[numpy.floating] = numpy.float32  # fchain's default dtype, that of Constant(2.0)

    def generate_params(self) -> tuple[Array, Array]:
        return (numpy.random.uniform(-1, 1, SIZE).astype(self.dtype),
                numpy.random.uniform(-1, 1, SIZE).astype(self.dtype))

    def create_link(self, initializers: tuple[InitializerLike, ...]) -> Link:
        initialW, initial_bias = initializers
        return DiagonalAffine(SIZE, initialW=initialW, initial_bias=initial_bias)

    def generate_inputs(self) -> tuple[Array, ...]:
        return (numpy.random.uniform(-1, 1, (4, SIZE)).astype(self.dtype),)


@parameterize({"dtype": numpy.float32}, {"dtype": numpy.float64})
class TestDiagonalAffine(_DiagonalAffineCase, LinkTestCase):
    def setUp(self) -> None:
        numpy.random.seed(1)
        if self.dtype == numpy.float32:
            self.check_backward_options.update({"atol": 1e-4, "rtol": 1e-3})

    def forward(self, link: Link, inputs: tuple[Variable, ...], device: Device) -> tuple[Variable, ...]:
        (x,) = inputs
        return (link(x),)

    def forward_expected(self, link: Link, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        assert isinstance(link, DiagonalAffine)
        W, b = link.W.array, link.b.array
        assert W is not None and b is not None
        (x,) = inputs
        return ((x * W + b).astype(self.dtype),)


class TestDiagonalAffineInitializers(_DiagonalAffineCase, LinkInitializersTestCase):
    def setUp(self) -> None:
        numpy.random.seed(2)

    def get_initializers(self) -> tuple[list[InitializerLike | InitializerArgument], ...]:
        return ([Constant(2.0), 3.0, InitializerArgument(None, One())],
                [Constant(-1.0), 0.5, InitializerArgument(None, Zero())])
