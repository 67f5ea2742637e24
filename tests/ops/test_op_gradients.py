"""Every registered op's backward against a float64 numerical gradient.

One property test parametrised over the registry: a new op file is tested with no
edit here.  Double backward is checked for every op whose spec claims it.
"""

from __future__ import annotations

from typing import Any

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fchain.functions  # noqa: F401  (registers every op)
from fchain.core.op import OpDef
from fchain.core.registry import all_ops
from fchain.core.spec import GradSpec, NotDifferentiable
from tests.conftest import DEVICES
from tests.ops.harness import check_case, outputs_of, prepare_inputs
from tests.strategies import HypothesisDraw

DIFFERENTIABLE = sorted((op for op in all_ops().values() if isinstance(op.spec, GradSpec)),
                        key=lambda op: op.name)
NOT_DIFFERENTIABLE = sorted((op for op in all_ops().values() if isinstance(op.spec, NotDifferentiable)),
                            key=lambda op: op.name)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("op", DIFFERENTIABLE, ids=lambda op: op.name)
@given(data=st.data())
def test_backward_matches_numerical_gradient(op: OpDef[Any], dtype: Any, device: str,
                                             data: st.DataObject) -> None:
    spec = op.spec
    assert isinstance(spec, GradSpec)
    if dtype == numpy.float32 and not spec.float32:
        pytest.skip(f"{op.name} declares no float32 gradient check")
    draw = HypothesisDraw(data)
    case = spec.sample(draw)
    check_case(op, case, dtype, device, draw.rng)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("op", NOT_DIFFERENTIABLE, ids=lambda op: op.name)
@given(data=st.data())
def test_non_differentiable_op_gives_no_gradient(op: OpDef[Any], device: str, data: st.DataObject) -> None:
    spec = op.spec
    assert isinstance(spec, NotDifferentiable)
    draw = HypothesisDraw(data)
    case = spec.sample(draw)
    inputs = prepare_inputs(case, numpy.float64, device)
    import fchain

    xs = [fchain.Variable(x) for x in inputs]
    ys = case.call(*xs)
    assert isinstance(ys, (fchain.Variable, tuple, list))
    outs = (ys,) if isinstance(ys, fchain.Variable) else tuple(ys)
    for y in outs:
        if y.creator is not None:
            y.grad = y.xp.ones_like(y.array)
            y.backward()
    assert all(x.grad is None for x in xs), f"{op.name} must not propagate a gradient"
