"""Numerical gradient checks with Chainer's semantics, for fchain's ops and yours.

* ``numerical_grad(f, inputs, grad_outputs, eps)``: per-element central differences
  (5-point, with a non-differentiability test, when ``detect_nondifferentiable``).
* ``check_backward(func, x_data, y_grad, ...)``: compares backprop with a numerical
  directional derivative along one random unit direction (two forward calls,
  whatever the input size, or five with ``detect_nondifferentiable``), as Chainer
  does.
* ``check_double_backward(...)``: the same check applied to the first-order
  gradient function, so second derivatives (also with respect to ``y_grad``) are
  verified.

As in Chainer, a ``None`` entry of ``y_grad`` means that output contributes
nothing, and the two sides are compared as ``testing.assert_allclose(numerical,
backprop, atol, rtol)`` does: ``|numerical - backprop| <= atol + rtol * |backprop|``.

Pass ``dtype=numpy.float64`` to compute the numerical side in float64 while the
analytic side runs in the inputs' own dtype.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy

from fchain._numerical_grad import numerical_grad as numerical_grad
from fchain.core import backend
from fchain.errors import NondifferentiableError
from fchain.graph.backprop import backward as _backward
from fchain.graph.grad import grad as _grad
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.ops.array.cast import cast as cast_op
from fchain.types import Array, DTypeLike

__all__ = [
    "NondifferentiableError",
    "check_backward",
    "check_double_backward",
    "numerical_grad",
]

Func = Callable[..., object]

def _as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value,)


def _to_float64(a: Array) -> Array:
    return a.astype(numpy.float64) if a.dtype != numpy.float64 else a


def _random_direction(sizes: Sequence[int], rng: numpy.random.Generator) -> list[Array]:
    n = int(sum(sizes))
    if n == 0:
        return [numpy.zeros(0) for _ in sizes]
    d = rng.standard_normal(n)
    norm2 = float((d * d).sum())
    magnitude = numpy.sqrt(0.99 * d * d / norm2 + 0.01 / n) if norm2 > 0 else numpy.full(n, n ** -0.5)
    d = numpy.where(d < 0, -magnitude, magnitude)
    out: list[Array] = []
    start = 0
    for s in sizes:
        out.append(d[start:start + s])
        start += s
    return out


def check_backward(func: Func, x_data: Array | Sequence[Array], y_grad: Array | Sequence[Array | None] | None,
                   params: Sequence[Parameter] | Parameter = (), eps: float = 1e-3, atol: float = 1e-5,
                   rtol: float = 1e-4, no_grads: Sequence[bool] | None = None,
                   dtype: DTypeLike | None = None, detect_nondifferentiable: bool = False,
                   rng: numpy.random.Generator | None = None) -> None:
    """Assert that backprop through ``func`` matches a numerical directional derivative.

    ``func`` takes one Variable per array of ``x_data`` and returns a Variable or a
    tuple of them (``None`` entries allowed).  ``y_grad`` holds one gradient per
    output; a ``None`` entry means that output contributes nothing (Chainer's
    semantics), and ``y_grad=None`` itself is allowed only for a single
    one-element output, whose gradient is then 1.  ``params`` are Parameters
    ``func`` uses, checked as well.  ``no_grads[i]`` skips input ``i`` (default:
    skip non-float inputs, whose gradient must stay ``None``).

    The check passes when ``|numerical - backprop| <= atol + rtol * |backprop|``
    (``testing.assert_allclose(numerical, backprop, atol, rtol)`` in Chainer);
    otherwise it raises ``AssertionError``.  ``dtype`` is the dtype the numerical
    side runs in (default: each input's own).
    """
    xs_data = _as_tuple(x_data)
    params_t: tuple[Parameter, ...] = (params,) if isinstance(params, Parameter) else tuple(params)
    if no_grads is None:
        skip = [x.dtype.kind != "f" for x in xs_data]
    else:
        if len(no_grads) != len(xs_data):
            raise ValueError(f"check_backward: {len(xs_data)} inputs but {len(no_grads)} no_grads entries")
        skip = list(no_grads)
    work_dtype = numpy.dtype(dtype) if dtype is not None else None
    if work_dtype is not None and work_dtype.kind != "f":
        raise ValueError(f"check_backward: dtype must be a floating-point dtype, got {work_dtype}")
    rng = rng if rng is not None else numpy.random.default_rng()

    xs = [Variable(x, requires_grad=not s) for x, s in zip(xs_data, skip)]
    for p in params_t:
        p.cleargrad()
    ys = _call(func, xs)
    gys = _grad_outputs("check_backward", ys, y_grad)
    live = [(y, gy) for y, gy in zip(ys, gys) if y is not None and gy is not None]
    if live:
        _backward([y for y, _ in live], [gy for _, gy in live])
    for i, (x, s) in enumerate(zip(xs, skip)):
        if s and x.grad is not None:
            raise RuntimeError(f"check_backward: input {i} is skipped (no_grads) but received a gradient")

    checked: list[tuple[Array, Array | None]] = []
    for x, s in zip(xs, skip):
        if not s:
            checked.append((x.array, x.grad))
    for p in params_t:
        checked.append((p._array("check_backward"), p.grad))
    directions = _random_direction([a.size for a, _ in checked], rng)
    analytic = 0.0
    for (a, g), d in zip(checked, directions):
        if g is not None:
            analytic += float((backend.to_numpy(_to_float64(g)).reshape(-1) * d).sum())

    base_inputs = [x.copy() for x in xs_data]
    base_params = [p._array("check_backward").copy() for p in params_t]
    delta0 = numpy.zeros((), dtype=numpy.float64)

    def outputs_along_direction() -> tuple[Array | None, ...]:
        """``func`` at ``x + delta0 * direction`` (inputs and params moved together)."""
        delta = float(delta0)
        k = 0
        inputs: list[Array] = []
        for x0, s in zip(base_inputs, skip):
            if s:
                inputs.append(x0.astype(work_dtype) if work_dtype is not None and x0.dtype.kind == "f" else x0)
                continue
            xp = backend.namespace_of(x0)
            step = xp.asarray(directions[k].reshape(x0.shape))
            k += 1
            moved = xp.asarray(x0.astype(numpy.float64) + delta * step)
            inputs.append(moved.astype(work_dtype if work_dtype is not None else x0.dtype))
        originals = []
        for p, p0 in zip(params_t, base_params):
            xp = backend.namespace_of(p0)
            step = xp.asarray(directions[k].reshape(p0.shape))
            k += 1
            originals.append(p._data)
            p._data = xp.asarray(p0.astype(numpy.float64) + delta * step).astype(
                work_dtype if work_dtype is not None else p0.dtype)
        try:
            outs = _call(func, [Variable(a, requires_grad=not s) for a, s in zip(inputs, skip)])
        finally:
            for p, original in zip(params_t, originals):
                p._data = original
        if len(outs) != len(gys):
            raise ValueError(f"check_backward: func returned {len(ys)} outputs at first but "
                             f"{len(outs)} when called again")
        return tuple(None if y is None or gy is None else y._data for y, gy in zip(outs, gys))

    (numeric_arr,) = numerical_grad(outputs_along_direction, [delta0], list(gys), eps=eps,
                                    detect_nondifferentiable=detect_nondifferentiable,
                                    diff_atol=0.0, diff_rtol=rtol)
    numeric = float(numeric_arr)
    if not abs(numeric - analytic) <= atol + rtol * abs(analytic):
        raise AssertionError(
            "check_backward: backprop and numerical gradients differ along a random direction\n"
            f"  numerical: {numeric!r}\n  backprop:  {analytic!r}\n"
            f"  difference {abs(numeric - analytic):.3g} > atol {atol} + rtol {rtol} * |backprop|\n"
            f"  inputs: {[(x.shape, x.dtype) for x in xs_data]}\n"
            f"  params: {[(p.name, p.shape) for p in params_t]}")


def _grad_outputs(where: str, ys: tuple[Variable | None, ...],
                  y_grad: Array | Sequence[Array | None] | None) -> tuple[Array | None, ...]:
    """One gradient (or ``None``: no contribution) per output of ``ys``.

    ``y_grad=None`` stands for a gradient of 1 on a single one-element output; a
    ``None`` output gets ``None`` whatever was given for it.
    """
    if y_grad is None:
        if len(ys) != 1 or ys[0] is None or ys[0].size != 1:
            shapes = [None if y is None else y.shape for y in ys]
            raise ValueError(f"{where}: y_grad may be None only for a single one-element output "
                             f"(a loss); func returned outputs of shapes {shapes}")
        only = ys[0]
        return (backend.namespace_of(only.array).ones_like(only.array),)
    gys = _as_tuple(y_grad)
    if len(gys) != len(ys):
        raise ValueError(f"{where}: func returned {len(ys)} outputs but y_grad has {len(gys)}")
    for i, (y, gy) in enumerate(zip(ys, gys)):
        if y is not None and gy is not None and tuple(gy.shape) != y.shape:
            raise ValueError(f"{where}: y_grad[{i}] has shape {tuple(gy.shape)} but output {i} "
                             f"has shape {y.shape}")
    return tuple(None if y is None else gy for y, gy in zip(ys, gys))


def _call(func: Func, xs: Sequence[Variable]) -> tuple[Variable | None, ...]:
    out = func(*xs)
    if isinstance(out, Variable):
        return (out,)
    if not isinstance(out, (tuple, list)):
        raise TypeError(f"check_backward: func must return a Variable or a tuple of them, got {type(out).__name__}")
    result = tuple(out)
    for i, y in enumerate(result):
        if y is not None and not isinstance(y, Variable):
            raise TypeError(f"check_backward: func must return Variables, output {i} is {type(y).__name__}")
    return result


def check_double_backward(func: Func, x_data: Array | Sequence[Array],
                          y_grad: Array | Sequence[Array | None] | None,
                          x_grad_grad: Array | Sequence[Array],
                          params: Sequence[Parameter] | Parameter = (),
                          params_grad_grad: Sequence[Array] | Array = (),
                          eps: float = 1e-3, atol: float = 1e-4, rtol: float = 1e-3,
                          no_grads: Sequence[bool] | None = None, dtype: DTypeLike | None = None,
                          detect_nondifferentiable: bool = False,
                          rng: numpy.random.Generator | None = None) -> None:
    """Check second derivatives: ``check_backward`` on the first-order gradient.

    The first-order gradient is a function of the inputs and of ``y_grad``, so the
    derivative with respect to ``y_grad`` is checked too.  A ``None`` entry of
    ``y_grad`` means that output contributes nothing (it is then not an input of
    the first-order function either); ``y_grad=None`` means a gradient of 1 on a
    single one-element output.  ``x_grad_grad`` holds one gradient per checked
    input, ``params_grad_grad`` one per parameter.
    """
    xs_data = _as_tuple(x_data)
    given = None if y_grad is None else _as_tuple(y_grad)
    live = [] if given is None else [i for i, g in enumerate(given) if g is not None]
    gys_data = tuple(cast(tuple[Array, ...], given)[i] for i in live)
    params_t: tuple[Parameter, ...] = (params,) if isinstance(params, Parameter) else tuple(params)
    n_x = len(xs_data)
    if no_grads is not None and len(no_grads) != n_x:
        raise ValueError(f"check_double_backward: {n_x} inputs but {len(no_grads)} no_grads entries")
    skip = [x.dtype.kind != "f" for x in xs_data] if no_grads is None else list(no_grads)

    def first_order_grad(*inputs: Variable) -> tuple[Variable, ...]:
        xs = inputs[:n_x]
        ys = _call(func, xs)
        if given is None:
            _grad_outputs("check_double_backward", ys, None)  # validates: one one-element output
            outs = [cast(Variable, ys[0])]
            seeds: list[Variable | Array | None] = [None]
        else:
            if len(ys) != len(given):
                raise ValueError(f"check_double_backward: func returned {len(ys)} outputs but "
                                 f"y_grad has {len(given)}")
            outs, seeds = [], []
            for i, gy in zip(live, inputs[n_x:]):
                y = ys[i]
                if y is None:
                    continue
                outs.append(y)
                seeds.append(gy if gy.dtype == y.dtype else _cast(gy, y.dtype))
        targets = [x for x, s in zip(xs, skip) if not s] + list(params_t)
        grads = (_grad(outs, targets, seeds, enable_double_backprop=True) if outs
                 else [None] * len(targets))
        out: list[Variable] = []
        for t, g in zip(targets, grads):
            if g is None:
                data = t._array("check_double_backward")
                g = Variable(backend.namespace_of(data).zeros_like(data), requires_grad=False)
            out.append(g)
        return tuple(out)

    ggs = _as_tuple(x_grad_grad) + _as_tuple(params_grad_grad)
    inputs = xs_data + gys_data
    check_backward(first_order_grad, inputs, ggs, params_t, eps=eps, atol=atol, rtol=rtol,
                   no_grads=skip + [False] * len(gys_data), dtype=dtype,
                   detect_nondifferentiable=detect_nondifferentiable, rng=rng)


def _cast(v: Variable, dtype: DTypeLike) -> Variable:
    """``v`` cast to ``dtype`` differentiably (gradients flow back in ``v``'s dtype)."""
    return cast_op(v, dtype)
