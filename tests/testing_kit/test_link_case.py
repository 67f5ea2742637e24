"""``LinkTestCase`` and ``LinkInitializersTestCase`` pass a correct link and catch
wrong ones (driven by hand; underscore names are not collected)."""

from __future__ import annotations

import numpy
import pytest

import fchain.functions as F
import fchain.links as L
from fchain import Link, Parameter, Variable
from fchain.backend import CpuDevice, Device
from fchain.initializers import Constant, InitializerLike, One, Zero
from fchain.testing import InitializerArgument, LinkInitializersTestCase, LinkTestCase, LinkTestError
from fchain.testing.link_case import _LinkTestBase
from fchain.types import Array
from tests.testing_kit import faulty

CPU = CpuDevice()


class Power(Link):
    """``y = a * x**3 + b`` (``a``, ``b`` of shape (3,)); ``wrong`` picks a wrong rule for x**3."""

    def __init__(self, initial_a: InitializerLike = None, initial_b: InitializerLike = None,
                 wrong: bool = False, ignore_a: bool = False) -> None:
        super().__init__()
        self.wrong = wrong
        with self.init_scope():
            a = One() if initial_a is None or ignore_a else Constant(initial_a) if isinstance(initial_a, float) else initial_a
            b = Zero() if initial_b is None else Constant(initial_b) if isinstance(initial_b, float) else initial_b
            self.a = Parameter(a, 3)
            self.b = Parameter(b, 3)

    def forward(self, x: Variable | Array) -> Variable:
        cube = faulty.cube_wrong if self.wrong else faulty.cube
        return self.a * cube(Variable(x) if not isinstance(x, Variable) else x) + self.b


class _PowerCase(LinkTestCase):
    param_names: tuple[str, ...] = ("a", "b")
    wrong = False

    def setUp(self) -> None:
        numpy.random.seed(0)

    def generate_params(self) -> tuple[Array, ...]:
        return (numpy.random.uniform(-1, 1, 3).astype(numpy.float32),
                numpy.random.uniform(-1, 1, 3).astype(numpy.float32))

    def create_link(self, initializers: tuple[InitializerLike, ...]) -> Link:
        a, b = initializers
        return Power(a, b, wrong=self.wrong)

    def generate_inputs(self) -> tuple[Array, ...]:
        return (numpy.random.uniform(-1, 1, (2, 3)).astype(numpy.float32),)

    def forward_expected(self, link: Link, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        assert isinstance(link, Power) and link.a.array is not None and link.b.array is not None
        return (link.a.array * inputs[0] ** 3 + link.b.array,)


def _run(case: _LinkTestBase, name: str) -> None:
    case.setup_method(None)
    getattr(case, name)(CPU)


@pytest.mark.parametrize("name", ["test_forward", "test_backward", "test_double_backward"])
def test_a_correct_link_passes(name: str) -> None:
    _run(_PowerCase(), name)


def test_a_wrong_input_gradient_fails_test_backward() -> None:
    class _Wrong(_PowerCase):
        wrong = True
    _run(_Wrong(), "test_forward")
    with pytest.raises(LinkTestError, match="backward is not implemented correctly"):
        _run(_Wrong(), "test_backward")


class _Scale(Link):
    """``y = w**3 * x`` through the cube op whose rule is off by 0.1%."""

    def __init__(self, initial: InitializerLike) -> None:
        super().__init__()
        with self.init_scope():
            self.w = Parameter(initial, 3)

    def forward(self, x: Variable | Array) -> Variable:
        return faulty.cube_wrong(self.w) * x


class _ScaleCase(_PowerCase):
    """float64 throughout, so a parameter left out of the check keeps the dtype
    of the numerical side."""

    param_names: tuple[str, ...] = ("w",)

    def generate_params(self) -> tuple[Array, ...]:
        return (numpy.random.uniform(0.5, 1, 3),)

    def generate_inputs(self) -> tuple[Array, ...]:
        return (numpy.random.uniform(-1, 1, (2, 3)),)

    def create_link(self, initializers: tuple[InitializerLike, ...]) -> Link:
        return _Scale(initializers[0])

    def forward_expected(self, link: Link, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        assert isinstance(link, _Scale) and link.w.array is not None
        return (link.w.array ** 3 * inputs[0],)


def test_a_wrong_parameter_gradient_fails_test_backward() -> None:
    """Only the parameter's gradient is wrong (the input's is right)."""
    _run(_ScaleCase(), "test_forward")
    with pytest.raises(LinkTestError, match="backward is not implemented correctly"):
        _run(_ScaleCase(), "test_backward")


def test_parameters_are_checked_only_when_named() -> None:
    """With ``param_names`` empty the wrong parameter gradient goes unseen; naming
    it is what checks it, and a name the link lacks is an error."""
    class _NoParams(_ScaleCase):
        param_names: tuple[str, ...] = ()
    _run(_NoParams(), "test_backward")

    class _Misnamed(_ScaleCase):
        param_names: tuple[str, ...] = ("W",)
    with pytest.raises(LinkTestError, match="parameter named 'W'"):
        _run(_Misnamed(), "test_backward")


def test_a_nested_parameter_is_named_by_its_path() -> None:
    class _Chain(_PowerCase):
        param_names: tuple[str, ...] = ("l1/W", "l1/b")

        def create_link(self, initializers: tuple[InitializerLike, ...]) -> Link:
            return L.Classifier(L.Linear(3, 2))  # the predictor sits at /predictor

        def forward(self, link: Link, inputs: tuple[Variable, ...], device: Device) -> tuple[Variable, ...]:
            assert isinstance(link, L.Classifier)
            return (F.tanh(link.predictor(inputs[0])),)
    case = _Chain()
    case.setup_method(None)
    with pytest.raises(LinkTestError, match="'l1/W'"):
        case.test_backward(CPU)

    class _Right(_Chain):
        param_names: tuple[str, ...] = ("predictor/W", "predictor/b")
    _run(_Right(), "test_backward")


class _PowerInitializers(LinkInitializersTestCase):
    param_names = ("a", "b")
    ignore_a = False

    def generate_params(self) -> tuple[float, float]:
        return (0.5, -0.5)

    def create_link(self, initializers: tuple[InitializerLike, ...]) -> Link:
        a, b = initializers
        return Power(a, b, ignore_a=self.ignore_a)

    def generate_inputs(self) -> tuple[Array, ...]:
        return (numpy.ones((2, 3), dtype=numpy.float32),)

    def get_initializers(self) -> tuple[list[InitializerLike | InitializerArgument], ...]:
        return ([Constant(2.0), 3.0, InitializerArgument(None, One())],
                [Constant(-1.0), InitializerArgument(None, Zero())])


def test_initializers_that_the_link_honours_pass() -> None:
    _run(_PowerInitializers(), "test_initializers")


def test_an_ignored_initializer_fails() -> None:
    class _Ignoring(_PowerInitializers):
        ignore_a = True
    with pytest.raises(LinkTestError, match="parameter 'a' initialized by Constant"):
        _run(_Ignoring(), "test_initializers")


def test_a_wrong_default_fails() -> None:
    class _WrongDefault(_PowerInitializers):
        def get_initializers(self) -> tuple[list[InitializerLike | InitializerArgument], ...]:
            return ([InitializerArgument(None, Zero())], [])
    with pytest.raises(LinkTestError):
        _run(_WrongDefault(), "test_initializers")


def test_a_bare_none_initializer_is_refused() -> None:
    class _BareNone(_PowerInitializers):
        def get_initializers(self) -> tuple[list[InitializerLike | InitializerArgument], ...]:
            return ([None], [])
    with pytest.raises(ValueError, match="InitializerArgument"):
        _run(_BareNone(), "test_initializers")
    with pytest.raises(ValueError, match="cannot be None"):
        InitializerArgument(1.0, None)
