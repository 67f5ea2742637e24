"""``check_op``: the property test fchain runs on each of its own ops, for yours.

For an op with a ``GradSpec``, one example is: draw a ``Case`` from the spec, cast
its floating inputs to the dtype under test, move them to the device, then

1. the case must call the op (a spec that never reaches its op tests nothing);
2. an op declared ``broadcasts=False`` must return every gradient in its input's
   shape (the traversal trusts that promise and skips un-broadcasting);
3. backprop must match a numerical directional derivative computed in float64
   (``fchain.gradient_check.check_backward`` with ``dtype=float64``), within the
   spec's tolerances for the dtype;
4. gradients keep their input's dtype and shape;
5. the same gradients computed through the double-backprop path
   (``fchain.grad(..., enable_double_backprop=True)``, where every rule runs on
   the second-order namespace, un-broadcasting is a recorded ``sum_to`` and
   gradients reaching one variable are added by a recorded ``+``) must equal the
   plain backward's: exactly, or within ``double_path_ulps`` units in the last
   place of the largest gradient element of the case (over every checked
   input: a reordered sum is off by a few ulps of its terms, and a gradient
   whose terms cancel may be far smaller than they are).  (The case is called twice on the same
   inputs there, so that each input's two gradients are added up too, and the
   result compared with twice the plain gradient.)  The double-backward check
   below differentiates this path but never looks at its values, so without this
   step a wrong first-order value on it (a sum replaced by a slice, a dropped
   term) goes unseen;
6. in float64, when the spec claims it (``double=True``), the backward's own
   derivative (with respect to the inputs and the output gradient) must match a
   numerical one (``check_double_backward``).

Broadcasting is exercised by the spec: a binary op's sample draws broadcastable
shapes (``draw.broadcastable_shape``), and steps 3 to 5 then run on them.

For an op marked ``NotDifferentiable``, an example checks that backprop through
the case leaves every input without a gradient.

``check_op(op)`` runs that property with hypothesis on every dtype (float64,
float32) and device (the CPU, and GPU 0 where CuPy sees one), under the
currently loaded hypothesis profile unless ``settings`` is given.  The lower-level
``check_example`` runs one example from any ``Draw`` (``RandomDraw`` for a
reproducible single case).  Hypothesis is needed only by ``check_op``.

float32 inputs are always compared with a float64 numerical derivative here:
with a float32 numerical side, a correct float32 rule fails on 21 to 55% of
random seeds (see ``fchain.testing.gradients``), because the difference quotient
itself loses most of float32's digits.  ``fchain.gradient_check.check_backward`` keeps
Chainer's default (the numerical side in the inputs' dtype).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy

from fchain.core.backend import to_numpy
from fchain.core.node import Node
from fchain.core.op import AnyOp, Op
from fchain.core.spec import Case, Draw, GradSpec, NotDifferentiable
from fchain.graph.backprop import backward as _backward
from fchain.graph.grad import grad as _grad
from fchain.graph.device import Device, get_device
from fchain.graph.variable import Variable
from fchain.gradient_check import check_backward, check_double_backward
from fchain.testing.devices import resolve_devices
from fchain.types import Array, DTypeLike

if TYPE_CHECKING:
    from hypothesis import settings as Settings
    from hypothesis.strategies import DataObject

__all__ = [
    "DoublePathError",
    "check_example",
    "check_gradient_case",
    "check_no_gradient_case",
    "check_op",
    "outputs_of",
    "prepare_inputs",
    "ulps_of_largest",
]

DEFAULT_DTYPES: tuple[DTypeLike, ...] = (numpy.float64, numpy.float32)


class DoublePathError(AssertionError):
    """The double-backprop path gave first-order gradients other than the plain
    backward's."""


def prepare_inputs(case: Case, dtype: DTypeLike, device: str | Device) -> tuple[Array, ...]:
    """The case's inputs as fresh C-contiguous arrays, the floating ones cast to
    ``dtype``, moved to ``device``."""
    target = device if isinstance(device, Device) else get_device(device)
    out = []
    for x in case.inputs:
        a = numpy.array(x, dtype=dtype if x.dtype.kind == "f" else x.dtype, order="C")
        out.append(target.send(a))
    return tuple(out)


def outputs_of(case: Case, variables: Sequence[Variable]) -> tuple[Variable, ...]:
    """``case.call(*variables)`` as a tuple of Variables."""
    result = case.call(*variables)
    if isinstance(result, Variable):
        return (result,)
    if not isinstance(result, (tuple, list)) or not all(isinstance(y, Variable) for y in result):
        raise TypeError(f"a Case's call must return a Variable or a tuple of them, got {result!r}")
    return tuple(result)


def _nodes(outputs: Sequence[Variable]) -> list[Node]:
    """Every node recorded behind ``outputs``."""
    found: list[Node] = []
    seen: set[int] = set()
    stack = [y.creator for y in outputs]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        found.append(node)
        stack.extend(v._creator for v in node.inputs if v is not None)
    return found


def ulps_of_largest(got: Array, want: Array, largest: float | None = None) -> float:
    """``max |got - want|`` in units in the last place of ``max |want|`` (in
    ``want``'s dtype), or of ``largest`` when given (a scale shared by several
    arrays, such as the largest gradient element of a whole case).  The measure
    for gradients that are sums whose terms cancel: an element near zero may be
    many of its own ulps off while the error is a rounding of the terms.  0 when
    the two are equal; ``inf`` when they differ and the scale is zero, or when
    their NaNs differ."""
    got64 = numpy.asarray(to_numpy(got), dtype=numpy.float64)
    want64 = numpy.asarray(to_numpy(want), dtype=numpy.float64)
    nan_got, nan_want = numpy.isnan(got64), numpy.isnan(want64)
    if not numpy.array_equal(nan_got, nan_want):
        return float("inf")
    same = (got64 == want64) | nan_want
    if bool(same.all()):
        return 0.0
    diff = float(numpy.max(numpy.abs(got64 - want64)[~same]))
    top = numpy.max(numpy.abs(want64[~nan_want]), initial=0.0) if largest is None else abs(largest)
    if top == 0 or not numpy.isfinite(diff) or not numpy.isfinite(top):
        return float("inf")
    unit = float(numpy.spacing(numpy.asarray(top, dtype=want.dtype)))  # want.dtype: CuPy refuses asarray(want)
    return diff / unit


def _compare_double_path(op: AnyOp, plain: Sequence[Array | None], recorded: Sequence[Variable | None],
                         max_ulps: float) -> None:
    """Each recorded gradient against the plain one, in ulps of the largest
    plain gradient element over all of them."""
    largest = max((float(numpy.max(numpy.abs(host[~numpy.isnan(host)]), initial=0.0))
                   for host in (to_numpy(a) for a in plain if a is not None)), default=0.0)
    for i, (a, b) in enumerate(zip(plain, recorded)):
        if a is None and b is None:
            continue
        if a is None or b is None:
            raise DoublePathError(
                f"{op.name}: checked input {i} gets a gradient on only one path "
                f"(plain backward: {'none' if a is None else 'one'}; enable_double_backprop: "
                f"{'none' if b is None else 'one'})")
        got = b.array
        if got.dtype != a.dtype or got.shape != a.shape:
            raise DoublePathError(
                f"{op.name}: the gradient of checked input {i} through the double-backprop path is "
                f"{got.dtype}{got.shape}, through the plain backward {a.dtype}{a.shape}")
        distance = ulps_of_largest(got, a, largest)
        if distance > max_ulps:
            raise DoublePathError(
                f"{op.name}: the gradient of checked input {i} through the double-backprop path "
                f"differs from the plain backward's by {distance:g} ulps of the case's largest gradient element "
                f"(allowed {max_ulps:g})\n  plain:    {to_numpy(a).ravel()[:8]}\n"
                f"  recorded: {to_numpy(got).ravel()[:8]}")


def check_gradient_case(op: AnyOp, case: Case, dtype: DTypeLike, device: str | Device,
                        rng: numpy.random.Generator, *, double_path_ulps: float = 0.0) -> None:
    """Steps 1 to 6 of the module docstring on one case of ``op`` (whose spec is a
    ``GradSpec``); raises ``AssertionError`` (or a subclass) on a failure."""
    spec = op.spec
    if not isinstance(spec, GradSpec):
        raise TypeError(f"check_gradient_case: {op.name} has no GradSpec")
    target = device if isinstance(device, Device) else get_device(device)
    xp = target.xp
    inputs = prepare_inputs(case, dtype, target)
    outs = outputs_of(case, [Variable(x) for x in inputs])
    nodes = _nodes(outs)
    if not any(node.op is op for node in nodes):
        raise AssertionError(f"the spec of {op.name} drew a case ({case.label or 'unlabelled'}) that never "
                             f"calls {op.name}: {sorted({node.op.name for node in nodes})}")
    if not op.broadcasts:
        _check_gradient_shapes(op, nodes, xp)
    y_grad = tuple(xp.asarray(rng.standard_normal(y.shape).astype(y.dtype)) for y in outs)
    no_grads = [not (x.dtype.kind == "f" and (case.check is None or i in case.check))
                for i, x in enumerate(inputs)]
    if numpy.dtype(dtype) == numpy.float64:
        rtol, atol = spec.rtol64, spec.atol64
    else:
        rtol, atol = spec.rtol32, spec.atol32
    check_backward(case.call, inputs, y_grad, eps=1e-6, rtol=rtol, atol=atol,
                   no_grads=no_grads, dtype=numpy.float64, rng=rng)

    xs = [Variable(x) for x in inputs]
    _backward(list(outputs_of(case, xs)), list(y_grad))
    plain: list[Array | None] = []
    for i, (x, skip) in enumerate(zip(xs, no_grads)):
        if skip:
            continue
        g = x.grad
        plain.append(g)
        if g is not None:
            if g.dtype != x.dtype:
                raise AssertionError(f"{op.name}: the gradient of input {i} is {g.dtype}, the input {x.dtype}")
            if g.shape != x.shape:
                raise AssertionError(f"{op.name}: the gradient of input {i} has shape {g.shape}, "
                                     f"the input {x.shape}")

    if all(node.op.double_differentiable for node in nodes):
        # The case is called twice on the same Variables, so every input also
        # receives two gradients to add up: the recorded path must give twice the
        # plain backward's gradients (a doubling, exact in floating point).
        xs2 = [Variable(x) for x in inputs]
        outs2 = outputs_of(case, xs2) + outputs_of(case, xs2)
        targets = [x for x, skip in zip(xs2, no_grads) if not skip]
        recorded = _grad(list(outs2), targets, list(y_grad) * 2, enable_double_backprop=True)
        _compare_double_path(op, [None if g is None else g * 2 for g in plain], recorded, double_path_ulps)

    if spec.double and numpy.dtype(dtype) == numpy.float64:
        x_grad_grad = tuple(xp.asarray(rng.standard_normal(x.shape).astype(x.dtype))
                            for x, skip in zip(inputs, no_grads) if not skip)
        check_double_backward(case.call, inputs, y_grad, x_grad_grad, eps=1e-5, rtol=1e-4, atol=1e-6,
                              no_grads=no_grads, dtype=numpy.float64, rng=rng)


def _check_gradient_shapes(op: AnyOp, nodes: Sequence[Node], xp: Any) -> None:
    """Run the rule of each node of ``op`` and require every input gradient in its
    input's shape (the promise of ``broadcasts=False``)."""
    for node in nodes:
        if node.op is not op:
            continue
        grads = tuple(xp.ones_like(y) for y in node.output_arrays)
        for i, (x, g) in enumerate(zip(node.inputs, node.op.vjp(xp, node.residuals, grads, node.params))):
            if x is not None and g is not None:
                shape = x._data.shape  # type: ignore[union-attr]  # a graph input holds an array
                if g.shape != shape:
                    raise AssertionError(
                        f"{op.name} is declared broadcasts=False but its rule returned a gradient of "
                        f"shape {g.shape} for input {i} of shape {shape}")


def check_no_gradient_case(op: AnyOp, case: Case, device: str | Device) -> None:
    """For an op marked ``NotDifferentiable``: backprop from every output of the
    case (with output gradients of ones) leaves every input's gradient ``None``."""
    inputs = prepare_inputs(case, numpy.float64, device)
    xs = [Variable(x) for x in inputs]
    for y in outputs_of(case, xs):
        if y.creator is not None:
            y.grad = y.xp.ones_like(y.array)
            y.backward()
    got = [i for i, x in enumerate(xs) if x.grad is not None]
    if got:
        raise AssertionError(f"{op.name} is marked NotDifferentiable but inputs {got} received a gradient")


def check_example(op: AnyOp, draw: Draw, dtype: DTypeLike = numpy.float64,
                  device: str | Device = "@numpy", *, double_path_ulps: float = 0.0,
                  rng: numpy.random.Generator | None = None) -> None:
    """One example of ``op``'s property: a case drawn from its spec through
    ``draw``, checked as the module docstring says.  ``rng`` (default: the draw's
    own ``rng`` if it has one, else a fixed seed) makes the output gradients and
    the random directions of the numerical checks."""
    spec = op.spec
    case = spec.sample(draw)
    if isinstance(spec, NotDifferentiable):
        check_no_gradient_case(op, case, device)
        return
    if rng is None:
        own = getattr(draw, "rng", None)
        rng = own if isinstance(own, numpy.random.Generator) else numpy.random.default_rng(0)
    check_gradient_case(op, case, dtype, device, rng, double_path_ulps=double_path_ulps)


def check_op(op: AnyOp, *, dtypes: Sequence[DTypeLike] = DEFAULT_DTYPES,
             devices: Sequence[str | Device] | None = None, double_path_ulps: float = 0.0,
             settings: Settings | None = None) -> None:
    """Run the property test of ``op`` (see the module docstring) with hypothesis,
    for each device and dtype.

    ``devices`` defaults to every available one (the CPU, and GPU 0 where CuPy
    sees one); a device named explicitly must exist.  float32 is skipped for a
    spec that declares ``float32=False``; ``dtypes`` is ignored for an op marked
    ``NotDifferentiable`` (checked in float64).  ``double_path_ulps`` is the
    budget of step 5 (0: the double-backprop path must give the plain backward's
    values exactly).  ``settings`` (a ``hypothesis.settings``) overrides the
    loaded profile, e.g. ``settings(max_examples=20)``.  Raises the first
    falsifying example's error, as hypothesis reports it.
    """
    from hypothesis import given, note
    from hypothesis import strategies as st

    from fchain.testing.draws import HypothesisDraw

    if not isinstance(op, Op):
        raise TypeError(f"check_op: expected an OpDef or MultiOutputOp, got {type(op).__name__}")
    spec = op.spec
    runs: list[tuple[Device, DTypeLike]] = []
    for device in resolve_devices(devices):
        if isinstance(spec, NotDifferentiable):
            runs.append((device, numpy.float64))
            continue
        for dtype in dtypes:
            if numpy.dtype(dtype) == numpy.float32 and not spec.float32:
                continue
            runs.append((device, dtype))
    for device, dtype in runs:
        test = given(data=st.data())(_example(op, device, dtype, double_path_ulps, note, HypothesisDraw))
        if settings is not None:
            test = settings(test)
        test()


def _example(op: AnyOp, device: Device, dtype: DTypeLike, double_path_ulps: float,
             note: Callable[[str], None], make_draw: Callable[[DataObject], Draw]
             ) -> Callable[[DataObject], None]:
    """The property of ``op`` on one device and dtype, as a function of
    hypothesis' ``st.data()`` (one function per run: ``given`` wants no defaults)."""
    def example(data: DataObject) -> None:
        note(f"op {op.name}, {numpy.dtype(dtype).name} on {device}")
        check_example(op, make_draw(data), dtype, device, double_path_ulps=double_path_ulps)
    return example
