"""``LinkTestCase`` and ``LinkInitializersTestCase``: Chainer's declarative link
tests, for pytest.

Both are plain classes (no ``unittest``) whose tests take the ``device`` fixture
of fchain's pytest plugin, so they run once per available device.  A subclass
writes:

* ``param_names``: the names of the parameters under test (``('W', 'b')``; a path
  such as ``'l1/W'`` reaches into a Chain);
* ``generate_params()``: one initializer-like per constructor argument that takes
  one (an array, a scalar, an ``Initializer``, a callable, or an
  ``InitializerArgument``), handed to ``create_link``;
* ``create_link(initializers)``: the link, built with those;
* ``generate_inputs()``: the inputs, as numpy arrays;
* ``forward(link, inputs, device)`` (optional: by default ``link(*inputs)``, its
  result made a tuple).

``LinkTestCase`` then runs, on each device:

* ``test_forward``: the outputs of ``forward`` against ``forward_expected(link,
  inputs)``, which receives the link moved to the CPU and the numpy inputs
  (count, dtype, shape, then ``check_forward_options``);
* ``test_backward``: ``check_backward`` of ``forward`` with respect to the inputs
  and the parameters in ``param_names`` together (the link is created, run once
  so lazily sized parameters exist, and its own parameters are perturbed), the
  numerical side in ``numerical_grad_dtype`` (float64 by default);
* ``test_double_backward`` (an fchain addition; Chainer's LinkTestCase has none):
  ``check_double_backward`` likewise, with ``generate_grad_grad_params``; set
  ``skip_double_backward_test`` for a link whose backward is not differentiable.

``LinkInitializersTestCase`` runs ``test_initializers``: for each parameter, each
initializer-like of ``get_initializers()[i]`` is passed in place of the generated
one, and the initialized parameter must equal what that initializer makes
(within ``check_initializers_options``; initializers must be deterministic).  A
``None`` argument, which means "the link's default", must be written
``InitializerArgument(None, expected_default)``.

Inputs, parameters and gradients are non-contiguous unless ``contiguous = 'C'``;
random values come from numpy's global random state; options, ``setUp``,
``before_test`` and the skip flags work as in ``FunctionTestCase``.  Failures raise
``LinkTestError`` (an ``AssertionError``).
"""

from __future__ import annotations

import unittest
from collections.abc import Sequence
from typing import ClassVar

import numpy

from fchain.facade.link_base import Link
from fchain.graph.device import CpuDevice, Device
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.initializers import Initializer, InitializerLike
from fchain.initializers._resolve import as_initializer
from fchain.testing._case_support import (
    BackwardOptions,
    Contiguity,
    ForwardOptions,
    LinkTestError,
    arranged,
    arranged_optional,
    as_noncontiguous,
    check_arrays,
    checked_arrays,
    check_outputs_equal,
    check_variables,
    dodging,
    raise_as,
)
from fchain.testing.array import host_array
from fchain.testing.gradients import check_backward, check_double_backward
from fchain.types import Array, DTypeLike

__all__ = ["InitializerArgument", "LinkInitializersTestCase", "LinkTestCase", "LinkTestError"]


class InitializerArgument:
    """A constructor argument and the initializer the link should use for it, where
    the two differ (``None`` standing for the link's default, say)."""

    def __init__(self, argument_value: InitializerLike, expected_initializer: InitializerLike) -> None:
        if expected_initializer is None:
            raise ValueError("InitializerArgument: the expected initializer cannot be None")
        self.argument_value = argument_value
        self.expected_initializer = expected_initializer

    def __repr__(self) -> str:
        return f"InitializerArgument({self.argument_value!r}, {self.expected_initializer!r})"


InitializerSpec = InitializerLike | InitializerArgument
"""What ``generate_params`` and ``get_initializers`` return entries of."""


def _argument(init: InitializerSpec) -> InitializerLike:
    return init.argument_value if isinstance(init, InitializerArgument) else init


def _checked_params(value: object) -> tuple[InitializerSpec, ...]:
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"generate_params() must return a tuple or a list, not {type(value).__name__}")
    for i, init in enumerate(value):
        if init is None:
            raise ValueError(f"generate_params(): entry {i} is None; wrap it as InitializerArgument(None, "
                             "the initializer the link falls back to)")
    return tuple(value)


class _LinkTestBase:
    """What the two link test cases share."""

    check_forward_options: ForwardOptions = {}

    device: Device | None = None
    test_name: str = ""

    @property
    def param_names(self) -> Sequence[str]:
        """The names of the parameters under test; a subclass (or a mixin) sets
        it as a class attribute, ``param_names = ('W', 'b')``.  (A read-only
        property here, so that any sequence type may override it.)"""
        return ()

    @property
    def contiguous(self) -> Contiguity:
        """``None`` (non-contiguous arrays, the default) or ``'C'``; set it as a
        class attribute."""
        return None

    def generate_params(self) -> tuple[InitializerSpec, ...]:
        """One initializer-like per constructor argument that takes one."""
        raise NotImplementedError("generate_params() is not implemented")

    def create_link(self, initializers: tuple[InitializerLike, ...]) -> Link:
        """The link under test, built with ``initializers``."""
        raise NotImplementedError("create_link() is not implemented")

    def generate_inputs(self) -> tuple[Array, ...]:
        """The inputs, as numpy arrays."""
        raise NotImplementedError("generate_inputs() is not implemented")

    def forward(self, link: Link, inputs: tuple[Variable, ...], device: Device) -> tuple[Variable, ...]:
        """``link(*inputs)`` as a tuple (override for links that take more)."""
        out = link(*inputs)
        return out if isinstance(out, tuple) else (out,)

    def check_forward_outputs(self, outputs: tuple[Array, ...], expected_outputs: tuple[Array, ...]) -> None:
        check_outputs_equal(outputs, expected_outputs, LinkTestError, self.check_forward_options)

    def before_test(self, test_name: str) -> None:
        """Called first by each test (skip from here)."""

    def setUp(self) -> None:  # noqa: N802  (Chainer's name)
        """Chainer's per-test setup hook, called by ``setup_method``."""

    def setup_method(self, method: object) -> None:
        self.check_forward_options = ForwardOptions(**type(self).check_forward_options)
        self._copy_options()
        self.setUp()

    def _copy_options(self) -> None:
        pass

    # -- helpers ------------------------------------------------------------------
    def _start(self, name: str, device: Device, skip: bool) -> None:
        if skip:
            raise unittest.SkipTest(f"skip_{name[len('test_'):]}_test is set")
        self.device = device
        self.test_name = name
        self.before_test(name)

    def _inputs(self) -> tuple[Array, ...]:
        return checked_arrays(self.generate_inputs(), "generate_inputs")

    def _create_link(self, inits: Sequence[InitializerSpec], device: Device) -> Link:
        link = self.create_link(tuple(_argument(i) for i in inits))
        if not isinstance(link, Link):
            raise TypeError(f"create_link() must return a Link, not {type(link).__name__}")
        link.to_device(device)
        return link

    def _forward(self, link: Link, inputs: tuple[Variable, ...], device: Device) -> tuple[Variable, ...]:
        return check_variables(self.forward(link, inputs, device), "forward", device, LinkTestError)

    def _initialized_link(self, inits: Sequence[InitializerSpec], device: Device
                          ) -> tuple[Link, tuple[Array, ...], tuple[Array, ...]]:
        """A link run once (so lazily sized parameters exist), the device inputs it
        ran on, and its outputs; gradients cleared."""
        link = self._create_link(inits, device)
        inputs = arranged(tuple(device.send(a) for a in self._inputs()), self.contiguous)
        outputs = self._forward(link, tuple(Variable(a) for a in inputs), device)
        link.cleargrads()
        return link, inputs, tuple(v.array for v in outputs)

    def _params(self, link: Link) -> list[Parameter]:
        found = dict(link.namedparams())
        params = []
        for name in self.param_names:
            param = getattr(link, name, None) if "/" not in name else found.get("/" + name.lstrip("/"))
            if not isinstance(param, Parameter):
                raise LinkTestError(f"Link does not have a parameter named {name!r}")
            params.append(param)
        return params


class LinkTestCase(_LinkTestBase):
    """See the module docstring."""

    check_backward_options: BackwardOptions = {}
    check_double_backward_options: BackwardOptions = {}
    skip_forward_test: ClassVar[bool] = False
    skip_backward_test: ClassVar[bool] = False
    skip_double_backward_test: ClassVar[bool] = False
    dodge_nondifferentiable: ClassVar[bool] = False

    @property
    def numerical_grad_dtype(self) -> DTypeLike:
        """The dtype of the numerical side of the gradient checks (float64); set
        it as a class attribute."""
        return numpy.float64

    def forward_expected(self, link: Link, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        """The expected outputs, from the link (on the CPU) and the numpy inputs."""
        raise NotImplementedError("forward_expected() is not implemented")

    def generate_grad_outputs(self, outputs_template: tuple[Array, ...]) -> tuple[Array | None, ...]:
        """Output gradients like ``outputs_template``; uniform in [-1, 1) by default."""
        return tuple(numpy.random.uniform(-1, 1, a.shape).astype(a.dtype) for a in outputs_template)

    def generate_grad_grad_inputs(self, inputs_template: tuple[Array, ...]) -> tuple[Array | None, ...]:
        """For ``test_double_backward``: one per input; uniform in [-1, 1) by default."""
        return tuple(numpy.random.uniform(-1, 1, a.shape).astype(a.dtype) for a in inputs_template)

    def generate_grad_grad_params(self, params_template: tuple[Array, ...]) -> tuple[Array, ...]:
        """For ``test_double_backward``: one per parameter; uniform in [-1, 1) by default."""
        return tuple(numpy.random.uniform(-1, 1, a.shape).astype(a.dtype) for a in params_template)

    def _copy_options(self) -> None:
        cls = type(self)
        self.check_backward_options = BackwardOptions(**cls.check_backward_options)
        self.check_double_backward_options = BackwardOptions(**cls.check_double_backward_options)

    def test_forward(self, device: Device) -> None:
        """Outputs against ``forward_expected``."""
        self._start("test_forward", device, self.skip_forward_test)
        link = self._create_link(_checked_params(self.generate_params()), device)
        cpu_inputs = self._inputs()
        inputs = arranged(tuple(device.send(a) for a in cpu_inputs), self.contiguous)
        outputs = tuple(host_array(v.array) for v in self._forward(link, tuple(Variable(a) for a in inputs), device))
        link.to_device(CpuDevice())
        expected = checked_arrays(self.forward_expected(link, cpu_inputs), "forward_expected")
        self.check_forward_outputs(outputs, expected)

    def _gradient_setup(self, device: Device) -> tuple[Link, list[Parameter], tuple[Array, ...],
                                                        tuple[Array | None, ...]]:
        link, inputs, outputs = self._initialized_link(_checked_params(self.generate_params()), device)
        params = self._params(link)
        for p in params:
            data = p.array
            if data is None:
                raise LinkTestError(f"parameter {p.name!r} is still uninitialized after a forward pass")
            moved = as_noncontiguous(data) if self.contiguous is None else data
            assert moved is not None
            p.array = moved
        grads = check_arrays(self.generate_grad_outputs(tuple(host_array(y) for y in outputs)),
                             "generate_grad_outputs", allow_none=True)
        gys = arranged_optional(tuple(None if g is None else device.send(g) for g in grads), self.contiguous)
        return link, params, inputs, gys

    def test_backward(self, device: Device) -> None:
        """``check_backward`` with respect to the inputs and ``param_names``."""
        self._start("test_backward", device, self.skip_backward_test)

        def check() -> None:
            link, params, inputs, gys = self._gradient_setup(device)
            with raise_as(LinkTestError, "backward is not implemented correctly"):
                check_backward(lambda *xs: self._forward(link, xs, device), inputs, gys, params=params,
                               dtype=self.numerical_grad_dtype,
                               detect_nondifferentiable=self.dodge_nondifferentiable,
                               **self.check_backward_options)
        dodging(self.dodge_nondifferentiable, check)

    def test_double_backward(self, device: Device) -> None:
        """``check_double_backward`` with respect to the inputs and ``param_names``."""
        self._start("test_double_backward", device, self.skip_double_backward_test)

        def check() -> None:
            link, params, inputs, gys = self._gradient_setup(device)
            host_inputs = tuple(host_array(x) for x in inputs)
            ggxs = check_arrays(self.generate_grad_grad_inputs(host_inputs), "generate_grad_grad_inputs",
                                allow_none=True)
            float_inputs = [x for x in inputs if x.dtype.kind == "f"]
            ggxs = tuple(g for g in ggxs if g is None or g.dtype.kind == "f")
            x_grad_grad = tuple(device.xp.zeros_like(x) if g is None else device.send(g)
                                for g, x in zip(ggxs, float_inputs))
            ggps = checked_arrays(self.generate_grad_grad_params(
                tuple(host_array(p.array) for p in params if p.array is not None)), "generate_grad_grad_params")
            with raise_as(LinkTestError, "double backward is not implemented correctly"):
                check_double_backward(lambda *xs: self._forward(link, xs, device), inputs, gys,
                                      x_grad_grad, params=params,
                                      params_grad_grad=tuple(device.send(g) for g in ggps),
                                      dtype=self.numerical_grad_dtype,
                                      detect_nondifferentiable=self.dodge_nondifferentiable,
                                      **self.check_double_backward_options)
        dodging(self.dodge_nondifferentiable, check)


class LinkInitializersTestCase(_LinkTestBase):
    """See the module docstring."""

    check_initializers_options: ForwardOptions = {}

    def get_initializers(self) -> tuple[Sequence[InitializerSpec], ...]:
        """For each constructor argument, the initializer-likes to test."""
        raise NotImplementedError("get_initializers() is not implemented")

    def _copy_options(self) -> None:
        self.check_initializers_options = ForwardOptions(**type(self).check_initializers_options)

    def test_initializers(self, device: Device) -> None:
        """Each parameter, initialized by each initializer-like, as that initializer makes it."""
        self._start("test_initializers", device, False)
        per_param = self.get_initializers()
        if not isinstance(per_param, (tuple, list)) or not all(isinstance(g, (tuple, list)) for g in per_param):
            raise TypeError("get_initializers() must return a tuple (or list) of tuples (or lists)")
        for i, candidates in enumerate(per_param):
            for init in candidates:
                if init is None:
                    raise ValueError("get_initializers(): a None initializer must be written "
                                     "InitializerArgument(None, the initializer the link falls back to)")
                inits = list(_checked_params(self.generate_params()))
                inits[i] = init
                self._check_one(i, inits, device)

    def _check_one(self, i: int, inits: list[InitializerSpec], device: Device) -> None:
        link, _, _ = self._initialized_link(inits, device)
        param = self._params(link)[i]
        if param.array is None:
            raise LinkTestError(f"parameter {param.name!r} is still uninitialized after a forward pass")
        got = host_array(param.array)
        chosen = inits[i]
        expected_like = chosen.expected_initializer if isinstance(chosen, InitializerArgument) else chosen
        initializer = as_initializer(expected_like, Initializer, "get_initializers")
        expected = numpy.empty_like(got)
        initializer(expected)
        with raise_as(LinkTestError, f"parameter {self.param_names[i]!r} initialized by {chosen!r}"):
            check_outputs_equal((got,), (expected,), LinkTestError, self.check_initializers_options)
