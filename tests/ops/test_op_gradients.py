"""Every registered op's backward, through ``fchain.testing.check_op``.

One property test parametrised over the registry (a new op file is tested with no
edit here), run by the same function users run on their own ops: backward against
a float64 numerical gradient in float64 and float32, the first-order gradients of
the double-backprop path against the plain backward's, and double backward for
every op whose spec claims it.  A sensitivity meta-test then shows that the
property notices a rule off by a factor of 1.0001.
"""

from __future__ import annotations

from typing import Any, cast

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.core.op import Op
from fchain.core.registry import all_ops
from fchain.core.spec import GradSpec, NotDifferentiable
from fchain.testing import check_op
from fchain.testing.draws import RandomDraw
from fchain.testing.op_check import DoublePathError, check_example, ulps_of_largest
from fchain.types import Array
from tests.conftest import DEVICES
from tests.ops.harness import DOUBLE_PATH_ULPS, double_path_ulps, scaled_rule

DIFFERENTIABLE = sorted((op for op in all_ops().values() if isinstance(op.spec, GradSpec)),
                        key=lambda op: op.name)
NOT_DIFFERENTIABLE = sorted((op for op in all_ops().values() if isinstance(op.spec, NotDifferentiable)),
                            key=lambda op: op.name)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("op", DIFFERENTIABLE, ids=lambda op: op.name)
def test_backward_matches_numerical_gradient(op: Op[Any], dtype: Any, device: str) -> None:
    spec = op.spec
    assert isinstance(spec, GradSpec)
    if dtype == numpy.float32 and not spec.float32:
        pytest.skip(f"{op.name} declares no float32 gradient check")
    check_op(op, dtypes=[dtype], devices=[device], double_path_ulps=double_path_ulps(op))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("op", NOT_DIFFERENTIABLE, ids=lambda op: op.name)
def test_non_differentiable_op_gives_no_gradient(op: Op[Any], device: str) -> None:
    check_op(op, devices=[device])


# -- the double-backprop path ---------------------------------------------------

@pytest.mark.parametrize("device", DEVICES)
def test_double_backprop_path_sums_a_broadcast_operand(device: str) -> None:
    """``sum(x(3,4) * y(4,))``: y's gradient is x's column sums on both paths (a
    second-order un-broadcast that kept x's first row gave [0, 1, 2, 3])."""
    dev = fchain.get_device(device)
    for enable in (False, True):
        x = fchain.Variable(dev.send(numpy.arange(12.0).reshape(3, 4)))
        y = fchain.Variable(dev.send(numpy.ones(4)))
        gx, gy = fchain.grad([F.sum(x * y)], [x, y], enable_double_backprop=enable)
        assert gy is not None and gx is not None
        numpy.testing.assert_array_equal(fchain.backends.cuda.to_cpu(gy.array), [12.0, 15.0, 18.0, 21.0])
        numpy.testing.assert_array_equal(fchain.backends.cuda.to_cpu(gx.array), numpy.ones((3, 4)))


def test_double_backprop_path_takes_integer_labels_given_as_a_variable() -> None:
    """An integer input's array among a node's residuals stays a constant on the
    second-order pass (it was reconnected to its Variable, which the rule then
    compared with ``==``), and the values are the plain backward's within the op's
    budget."""
    x = fchain.Variable(numpy.random.default_rng(0).standard_normal((3, 4)))
    t = fchain.Variable(numpy.array([0, 1, 3]))
    (plain,) = fchain.grad([F.softmax_cross_entropy(x, t)], [x])
    (recorded,) = fchain.grad([F.softmax_cross_entropy(x, t)], [x], enable_double_backprop=True)
    assert plain is not None and recorded is not None
    assert ulps_of_largest(recorded.array, plain.array) <= double_path_ulps(all_ops()["softmax_cross_entropy"])


def test_second_order_expm1_has_expm1s_value() -> None:
    """``exp(x) - 1`` keeps 7 digits of ``expm1(1e-10)``; the recorded expm1 keeps all."""
    from fchain._second_order import DIFF

    x = fchain.Variable(numpy.array([1e-10, -3e-9, 0.5, -20.0]))
    y = DIFF.expm1(cast(Array, x))  # the namespace takes Variables at run time
    assert isinstance(y, fchain.Variable)
    numpy.testing.assert_array_equal(y.array, numpy.expm1(x.array))
    (g,) = fchain.grad([F.sum(y)], [x])
    assert g is not None
    numpy.testing.assert_allclose(g.array, numpy.exp(x.array), rtol=1e-15)


def test_double_path_budgets_name_differentiable_ops() -> None:
    names = {op.name for op in DIFFERENTIABLE if op.double_differentiable}
    assert set(DOUBLE_PATH_ULPS) <= names, sorted(set(DOUBLE_PATH_ULPS) - names)
    assert all(0 < ulps <= 64 and why for ulps, why in DOUBLE_PATH_ULPS.values())


# -- sensitivity: the property must notice a slightly wrong rule ------------------

SENSITIVITY_SEEDS = 4


@pytest.mark.parametrize("op", DIFFERENTIABLE, ids=lambda op: op.name)
def test_a_rule_scaled_by_1_0001_fails_the_property(op: Op[Any]) -> None:
    """With the op's rule scaled by 1.0001 (a relative error of 1e-4, ten times the
    float64 tolerance), the float64 property fails on one of a few drawn cases,
    and it fails in a gradient comparison (not in a crash or a spec check)."""
    for seed in range(SENSITIVITY_SEEDS):
        with scaled_rule(op, 1.0001):
            try:
                check_example(op, RandomDraw(seed), numpy.float64, "@numpy",
                              double_path_ulps=double_path_ulps(op))
            except AssertionError as error:
                assert "numerical gradients differ" in str(error), error
                return
    pytest.fail(f"{op.name}: a rule scaled by 1.0001 passed {SENSITIVITY_SEEDS} drawn cases")


@pytest.mark.parametrize("op", [op for op in DIFFERENTIABLE if op.double_differentiable], ids=lambda op: op.name)
def test_a_rule_scaled_on_the_double_backprop_path_only_fails_the_property(op: Op[Any]) -> None:
    """With the op's rule scaled by 1.0001 only where it runs on Variables (under
    ``enable_double_backprop``), the plain backward is right and the double
    backward's numerical check differentiates the wrong rule consistently: only
    the comparison of the two paths' first-order values can see it."""
    for seed in range(SENSITIVITY_SEEDS):
        with scaled_rule(op, 1.0001, recorded_only=True):
            try:
                check_example(op, RandomDraw(seed), numpy.float64, "@numpy",
                              double_path_ulps=double_path_ulps(op))
            except DoublePathError:
                return
    pytest.fail(f"{op.name}: a rule scaled by 1.0001 on the double-backprop path only passed "
                f"{SENSITIVITY_SEEDS} drawn cases")


def test_the_scaled_rule_is_restored() -> None:
    mul = all_ops()["mul"]
    rule = mul.vjp
    with scaled_rule(mul, 2.0):
        x = fchain.Variable(numpy.array([3.0]))
        F.sum(x * numpy.array([5.0])).backward()
        assert x.grad is not None and x.grad.tolist() == [10.0]
    assert mul.vjp is rule
    with scaled_rule(mul, 2.0, recorded_only=True):
        for enable in (False, True):
            x = fchain.Variable(numpy.array([3.0]))
            (g,) = fchain.grad([F.sum(x * numpy.array([5.0]))], [x], enable_double_backprop=enable)
            assert g is not None and g.array.tolist() == [10.0 if enable else 5.0]
    assert mul.vjp is rule
