"""``FunctionTestCase``: Chainer's declarative test of a function, for pytest.

Subclass it (a plain class: no ``unittest``), name the subclass ``Test...`` and
write three methods; pytest then runs ``test_forward``, ``test_backward`` and
``test_double_backward`` once per available device (the ``device`` fixture of
fchain's pytest plugin: the CPU, and GPU 0 where CuPy sees one)::

    class TestSquare(FunctionTestCase):
        def generate_inputs(self) -> tuple[Array, ...]:
            return (numpy.random.uniform(-1, 1, (3, 2)).astype(numpy.float32),)

        def forward(self, inputs: tuple[Variable, ...], device: Device) -> tuple[Variable, ...]:
            (x,) = inputs
            return (x * x,)

        def forward_expected(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
            (x,) = inputs
            return (x * x,)

What each test does, as in Chainer:

* ``test_forward``: inputs from ``generate_inputs`` (numpy arrays), made
  non-contiguous unless ``contiguous = 'C'``, sent to the device and wrapped in
  Variables; ``forward`` must return a tuple of Variables on that device, must not
  change its inputs, and its outputs must match ``forward_expected`` (computed from
  the numpy inputs) in count, dtype and shape, then within
  ``check_forward_options`` (``assert_allclose``'s atol 1e-5, rtol 1e-4 by default).
* ``test_backward``: ``check_backward`` of ``forward`` at fresh inputs, with output
  gradients from ``generate_grad_outputs`` (uniform in [-1, 1) by default), the
  numerical side in ``numerical_grad_dtype`` (float64 by default: see
  ``fchain.testing.gradients`` for why) and ``check_backward_options``.
* ``test_double_backward``: ``check_double_backward`` likewise, with
  ``generate_grad_grad_inputs`` and ``check_double_backward_options``.

Random values come from numpy's global random state (seed it in ``setUp`` for a
reproducible test).  Options are set as class attributes or in ``setUp`` (run by
the base's ``setup_method``; ``self.check_backward_options.update(...)`` works,
each test starting from a fresh copy of the class's dict).  ``before_test(name)``
runs first in each test (raise ``unittest.SkipTest`` or call ``pytest.skip`` there
to skip).  ``skip_forward_test``, ``skip_backward_test``,
``skip_double_backward_test`` skip a test; ``dodge_nondifferentiable`` turns on the
non-differentiability detection of the numerical gradient and redraws the inputs
while they sit on a kink.  Failures raise ``FunctionTestError`` (an
``AssertionError``).  ``self.device`` and ``self.test_name`` tell the methods where
and what they run for.  Differences from Chainer: ``device`` is an fchain
``Device`` (Chainer passes a ``backend_config`` holding one), and there is no
``inject_backend_tests`` (the fixture covers the devices).
"""

from __future__ import annotations

import unittest
from typing import ClassVar

import numpy

from fchain.graph.device import Device
from fchain.graph.variable import Variable
from fchain.testing._case_support import (
    BackwardOptions,
    Contiguity,
    ForwardOptions,
    FunctionTestError,
    arranged,
    arranged_optional,
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

__all__ = ["FunctionTestCase", "FunctionTestError"]


class FunctionTestCase:
    """See the module docstring."""

    check_forward_options: ForwardOptions = {}
    check_backward_options: BackwardOptions = {}
    check_double_backward_options: BackwardOptions = {}
    skip_forward_test: ClassVar[bool] = False
    skip_backward_test: ClassVar[bool] = False
    skip_double_backward_test: ClassVar[bool] = False
    dodge_nondifferentiable: ClassVar[bool] = False

    # Read-only properties, so that a subclass may set them as plain class
    # attributes of any narrower type (``contiguous = 'C'``, ``numerical_grad_dtype
    # = numpy.float32``) under mypy's mutable-override check.
    @property
    def numerical_grad_dtype(self) -> DTypeLike:
        """The dtype of the numerical side of the gradient checks (float64)."""
        return numpy.float64

    @property
    def contiguous(self) -> Contiguity:
        """``None`` (non-contiguous arrays, the default) or ``'C'``."""
        return None

    device: Device | None = None
    """The device of the running test (set by each test)."""
    test_name: str = ""
    """``'test_forward'``, ``'test_backward'`` or ``'test_double_backward'``."""

    # -- what a subclass writes ------------------------------------------------
    def generate_inputs(self) -> tuple[Array, ...]:
        """The inputs, as numpy arrays."""
        raise NotImplementedError("generate_inputs() is not implemented")

    def forward(self, inputs: tuple[Variable, ...], device: Device) -> tuple[Variable, ...]:
        """The function under test, on Variables whose arrays live on ``device``."""
        raise NotImplementedError("forward() is not implemented")

    def forward_expected(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        """The expected outputs, from the numpy inputs."""
        raise NotImplementedError("forward_expected() is not implemented")

    def generate_grad_outputs(self, outputs_template: tuple[Array, ...]) -> tuple[Array | None, ...]:
        """Output gradients like ``outputs_template`` (``None``: that output
        contributes nothing); uniform in [-1, 1) by default."""
        return tuple(numpy.random.uniform(-1, 1, a.shape).astype(a.dtype) for a in outputs_template)

    def generate_grad_grad_inputs(self, inputs_template: tuple[Array, ...]) -> tuple[Array | None, ...]:
        """Gradients of the first-order input gradients, one per input (those of
        non-floating inputs are dropped); uniform in [-1, 1) by default."""
        return tuple(numpy.random.uniform(-1, 1, a.shape).astype(a.dtype) for a in inputs_template)

    def check_forward_outputs(self, outputs: tuple[Array, ...], expected_outputs: tuple[Array, ...]) -> None:
        """Compare the outputs with the expected ones (extend it with more checks)."""
        check_outputs_equal(outputs, expected_outputs, FunctionTestError, self.check_forward_options)

    def before_test(self, test_name: str) -> None:
        """Called first by each test (skip from here)."""

    def setUp(self) -> None:  # noqa: N802  (Chainer's name)
        """Chainer's per-test setup hook, called by ``setup_method``."""

    # -- pytest hooks and tests -----------------------------------------------
    def setup_method(self, method: object) -> None:
        """Fresh copies of the option dicts, then ``setUp``."""
        cls = type(self)
        self.check_forward_options = ForwardOptions(**cls.check_forward_options)
        self.check_backward_options = BackwardOptions(**cls.check_backward_options)
        self.check_double_backward_options = BackwardOptions(**cls.check_double_backward_options)
        self.setUp()

    def test_forward(self, device: Device) -> None:
        """Forward outputs against ``forward_expected``; inputs left unchanged."""
        self._start("test_forward", device, self.skip_forward_test)
        cpu_inputs = self._inputs()
        cpu_inputs = arranged(cpu_inputs, self.contiguous)
        copies = [a.copy() for a in cpu_inputs]
        expected = checked_arrays(self.forward_expected(cpu_inputs), "forward_expected")
        inputs = arranged(tuple(device.send(a) for a in cpu_inputs), self.contiguous)
        outputs = self._forward(tuple(Variable(a, requires_grad=a.dtype.kind == "f") for a in inputs), device)
        changed = [i for i, (a, c) in enumerate(zip(inputs, copies))
                   if not numpy.array_equal(host_array(a), c, equal_nan=a.dtype.kind in "fc")]
        if changed:
            raise FunctionTestError(f"Input arrays have been modified during forward.\n"
                                    f"Indices of modified inputs: {', '.join(map(str, changed))}")
        self.check_forward_outputs(tuple(v.array for v in outputs), expected)

    def test_backward(self, device: Device) -> None:
        """``check_backward`` of ``forward``."""
        self._start("test_backward", device, self.skip_backward_test)

        def check() -> None:
            inputs = self._inputs()
            grad_outputs = self._grad_outputs(inputs)
            xs = arranged(tuple(device.send(a) for a in inputs), self.contiguous)
            gys = arranged_optional(tuple(None if g is None else device.send(g) for g in grad_outputs),
                                    self.contiguous)
            with raise_as(FunctionTestError, "backward is not implemented correctly"):
                check_backward(lambda *v: self._forward(v, device), xs, gys, dtype=self.numerical_grad_dtype,
                               detect_nondifferentiable=self.dodge_nondifferentiable,
                               **self.check_backward_options)
        dodging(self.dodge_nondifferentiable, check)

    def test_double_backward(self, device: Device) -> None:
        """``check_double_backward`` of ``forward``."""
        self._start("test_double_backward", device, self.skip_double_backward_test)

        def check() -> None:
            inputs = self._inputs()
            grad_outputs = self._grad_outputs(inputs)
            ggxs = check_arrays(self.generate_grad_grad_inputs(inputs), "generate_grad_grad_inputs",
                                allow_none=True)
            ggxs = tuple(g for g in ggxs if g is None or g.dtype.kind == "f")
            xs = arranged(tuple(device.send(a) for a in inputs), self.contiguous)
            gys = arranged_optional(tuple(None if g is None else device.send(g) for g in grad_outputs),
                                    self.contiguous)
            ggs = arranged_optional(tuple(None if g is None else device.send(g) for g in ggxs), self.contiguous)
            x_grad_grad = tuple(device.xp.zeros_like(x) if g is None else g
                                for g, x in zip(ggs, (x for x in xs if x.dtype.kind == "f")))
            with raise_as(FunctionTestError, "double backward is not implemented correctly"):
                check_double_backward(lambda *v: self._forward(v, device), xs, gys, x_grad_grad,
                                      dtype=self.numerical_grad_dtype,
                                      detect_nondifferentiable=self.dodge_nondifferentiable,
                                      **self.check_double_backward_options)
        dodging(self.dodge_nondifferentiable, check)

    # -- helpers ----------------------------------------------------------------
    def _start(self, name: str, device: Device, skip: bool) -> None:
        if skip:
            raise unittest.SkipTest(f"skip_{name[len('test_'):]}_test is set")
        self.device = device
        self.test_name = name
        self.before_test(name)

    def _inputs(self) -> tuple[Array, ...]:
        return checked_arrays(self.generate_inputs(), "generate_inputs")

    def _grad_outputs(self, inputs: tuple[Array, ...]) -> tuple[Array | None, ...]:
        expected = checked_arrays(self.forward_expected(inputs), "forward_expected")
        return check_arrays(self.generate_grad_outputs(expected), "generate_grad_outputs", allow_none=True)

    def _forward(self, inputs: tuple[Variable, ...], device: Device) -> tuple[Variable, ...]:
        return check_variables(self.forward(inputs, device), "forward", device, FunctionTestError)
