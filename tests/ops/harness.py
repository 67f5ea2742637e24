"""Runs one drawn ``Case`` of an op through fchain's own gradient checks."""

from __future__ import annotations

from typing import Any

import numpy

import fchain
from fchain.core.backend import to_numpy
from fchain.core.op import OpDef
from fchain.core.spec import Case, GradSpec
from fchain.graph.device import get_device
from fchain.gradient_check import check_backward, check_double_backward
from fchain.types import Array


def prepare_inputs(case: Case, dtype: Any, device: str) -> tuple[Array, ...]:
    """The case's inputs cast to ``dtype`` (floats only) and moved to ``device``."""
    target = get_device(device)
    out = []
    for x in case.inputs:
        a = x.astype(dtype) if x.dtype.kind == "f" else x
        out.append(target.send(a.copy(order="C")))
    return tuple(out)


def outputs_of(case: Case, inputs: tuple[Array, ...]) -> tuple[fchain.Variable, ...]:
    result = case.call(*[fchain.Variable(x) for x in inputs])
    if isinstance(result, fchain.Variable):
        return (result,)
    assert isinstance(result, (tuple, list)), f"case returned {type(result).__name__}"
    return tuple(result)


def ops_in_graph(outputs: tuple[fchain.Variable, ...]) -> set[str]:
    """Names of every op recorded behind ``outputs``."""
    names: set[str] = set()
    seen: set[int] = set()
    stack = [y.creator for y in outputs if y.creator is not None]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        names.add(node.op.name)
        stack.extend(v._creator for v in node.inputs if v is not None and v._creator is not None)
    return names


def check_case(op: OpDef[Any], case: Case, dtype: Any, device: str, rng: numpy.random.Generator) -> None:
    """Backward (and, if the spec claims it, double backward) against float64 numerics."""
    spec = op.spec
    assert isinstance(spec, GradSpec)
    inputs = prepare_inputs(case, dtype, device)
    outs = outputs_of(case, inputs)
    assert op.name in ops_in_graph(outs), (
        f"the spec of {op.name} drew a case that never calls {op.name}: {ops_in_graph(outs)}")
    xp = get_device(device).xp
    if not op.broadcasts:
        check_gradient_shapes(op, outs, xp)
    y_grad = tuple(xp.asarray(rng.standard_normal(y.shape).astype(y.dtype)) for y in outs)
    no_grads = [not (x.dtype.kind == "f" and (case.check is None or i in case.check))
                for i, x in enumerate(inputs)]
    if dtype == numpy.float64:
        rtol, atol, eps = spec.rtol64, spec.atol64, 1e-6
    else:
        rtol, atol, eps = spec.rtol32, spec.atol32, 1e-6
    check_backward(case.call, inputs, y_grad, eps=eps, rtol=rtol, atol=atol,
                   no_grads=no_grads, dtype=numpy.float64, rng=rng)
    # gradients keep their input's dtype
    xs = [fchain.Variable(x) for x in inputs]
    ys = _call(case, xs)
    fchain.backward(list(ys), list(y_grad))
    for x, skip in zip(xs, no_grads):
        if not skip and x.grad is not None:
            assert x.grad.dtype == x.dtype, f"{op.name}: gradient dtype {x.grad.dtype} != input dtype {x.dtype}"
            assert x.grad.shape == x.shape, f"{op.name}: gradient shape {x.grad.shape} != input shape {x.shape}"
    if spec.double and dtype == numpy.float64:
        x_grad_grad = tuple(rng.standard_normal(x.shape).astype(x.dtype)
                            for x, skip in zip(inputs, no_grads) if not skip)
        check_double_backward(case.call, inputs, y_grad, tuple(xp.asarray(g) for g in x_grad_grad),
                              eps=1e-5, rtol=1e-4, atol=1e-6, no_grads=no_grads,
                              dtype=numpy.float64, rng=rng)


def check_gradient_shapes(op: OpDef[Any], outputs: tuple[fchain.Variable, ...], xp: Any) -> None:
    """An op declared ``broadcasts=False`` promises that its rule returns every input
    gradient in that input's shape (the plain ``backward()`` then skips the
    un-broadcasting check): run the rule of each of its nodes behind ``outputs``."""
    seen: set[int] = set()
    stack = [y.creator for y in outputs if y.creator is not None]
    checked = 0
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(v._creator for v in node.inputs if v is not None and v._creator is not None)
        if node.op is not op:
            continue
        grads = tuple(xp.ones_like(y) for y in node.output_arrays)
        for i, (x, g) in enumerate(zip(node.inputs, node.op.vjp(xp, node.residuals, grads, node.params))):
            if x is not None and g is not None:
                shape = x.shape  # type: ignore[attr-defined]  # a graph input is a Variable
                assert g.shape == shape, (
                    f"{op.name} is declared broadcasts=False but its rule returned a gradient of "
                    f"shape {g.shape} for input {i} of shape {shape}")
        checked += 1
    assert checked, f"no {op.name} node behind the case's outputs"


def _call(case: Case, xs: list[fchain.Variable]) -> tuple[fchain.Variable, ...]:
    result = case.call(*xs)
    if isinstance(result, fchain.Variable):
        return (result,)
    assert isinstance(result, (tuple, list))
    return tuple(result)


def as_numpy(a: Array) -> Array:
    return to_numpy(a)
