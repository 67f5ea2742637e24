"""Numerical gradient checks with Chainer's semantics, for fchain's ops and yours.

* ``numerical_grad(f, inputs, grad_outputs, eps)``: per-element central differences
  (5-point, with a non-differentiability test, when ``detect_nondifferentiable``).
* ``check_backward(func, x_data, y_grad, ...)``: compares backprop with a numerical
  directional derivative along one random unit direction (two forward calls,
  whatever the input size), as Chainer does.
* ``check_double_backward(...)``: the same check applied to the first-order
  gradient function, so second derivatives (also with respect to ``y_grad``) are
  verified.

Pass ``dtype=numpy.float64`` to compute the numerical side in float64 while the
analytic side runs in the inputs' own dtype.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy

from fchain.core import backend
from fchain.errors import NondifferentiableError
from fchain.facade.backprop import backward as _backward
from fchain.facade.backprop import grad as _grad
from fchain.facade.variable import Parameter, Variable
from fchain.types import Array

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


def numerical_grad(f: Callable[[], Sequence[Array | None] | Array], inputs: Sequence[Array],
                   grad_outputs: Sequence[Array | None], eps: float = 1e-3,
                   detect_nondifferentiable: bool = False, diff_atol: float = 0.0,
                   diff_rtol: float = 1e-2, center_outputs: Sequence[Array] | None = None
                   ) -> tuple[Array, ...]:
    """Per-element numerical gradient of ``sum(f() * grad_outputs)`` w.r.t. ``inputs``.

    ``f`` takes no argument and reads ``inputs``, which are perturbed in place and
    restored.  Each result has its input's dtype.  With ``detect_nondifferentiable``
    a 5-point stencil is used and a ``NondifferentiableError`` is raised where the
    samples do not lie on a smooth curve.
    """
    if eps <= 0:
        raise ValueError(f"numerical_grad: eps must be positive, got {eps}")
    for i, x in enumerate(inputs):
        if x.dtype.kind != "f":
            raise RuntimeError(f"numerical_grad: input {i} has non-floating dtype {x.dtype}")
    if len({backend.is_cupy_array(x) for x in inputs}) > 1:
        raise RuntimeError("numerical_grad: CPU and GPU arrays cannot be mixed")

    def evaluate() -> tuple[Array | None, ...]:
        out = f()
        return tuple(out) if isinstance(out, (tuple, list)) else (cast(Array, out),)

    def project(outs: tuple[Array | None, ...]) -> float:
        total = 0.0
        for y, gy in zip(outs, grad_outputs):
            if y is None or gy is None:
                continue
            total += float((backend.to_numpy(_to_float64(y)) * backend.to_numpy(_to_float64(gy))).sum())
        return total

    offsets = (-1.0, -0.5, 0.0, 0.5, 1.0) if detect_nondifferentiable else (-1.0, 1.0)
    grads: list[Array] = []
    for x in inputs:
        xp = backend.namespace_of(x)
        flat = x.reshape(-1) if x.flags.c_contiguous else None
        g = numpy.zeros(x.shape, dtype=numpy.float64)
        for idx in numpy.ndindex(*x.shape):
            original = x[idx].copy() if flat is None else x[idx].copy()
            samples: list[float] = []
            for k in offsets:
                x[idx] = original + k * eps
                samples.append(project(evaluate()))
            x[idx] = original
            if detect_nondifferentiable:
                _check_smooth(samples, eps, diff_atol, diff_rtol, idx)
                y_m1, y_mh, _, y_ph, y_p1 = samples
                g[idx] = (-y_p1 + 8 * y_ph - 8 * y_mh + y_m1) / (6 * eps)
            else:
                g[idx] = (samples[1] - samples[0]) / (2 * eps)
        grads.append(xp.asarray(g.astype(x.dtype)) if backend.is_cupy_array(x) else g.astype(x.dtype))
    return tuple(grads)


def _check_smooth(samples: list[float], eps: float, atol: float, rtol: float, where: object) -> None:
    finite = [numpy.isfinite(s) for s in samples]
    if any(finite) and not all(finite):
        raise NondifferentiableError(
            f"numerical_grad: some of the 5 samples around element {where} are not finite: {samples}")
    if not all(finite):
        return
    xs = numpy.array([-1.0, -0.5, 0.0, 0.5, 1.0]) * eps
    ys = numpy.array(samples)
    span = float(ys.max() - ys.min())
    if span == 0.0:
        return
    coeffs = numpy.polynomial.polynomial.polyfit(xs, ys, 2)
    fitted = numpy.polynomial.polynomial.polyval(xs, coeffs)
    rms = float(numpy.sqrt(numpy.mean((fitted - ys) ** 2)))
    if rms > atol + rtol * span:
        raise NondifferentiableError(
            f"numerical_grad: the function is not differentiable near element {where}: "
            f"samples {samples} do not fit a quadratic (residual {rms:.3g})")


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
                   dtype: Any = None, detect_nondifferentiable: bool = False,
                   rng: numpy.random.Generator | None = None) -> None:
    """Assert that backprop through ``func`` matches a numerical directional derivative.

    ``func`` takes one Variable per array of ``x_data`` and returns a Variable or a
    tuple of them.  ``y_grad`` holds one gradient per output (``None`` only for a
    single one-element output).  ``params`` are Parameters ``func`` uses, checked as
    well.  ``no_grads[i]`` skips input ``i`` (default: skip non-float inputs, whose
    gradient must stay ``None``).  Raises ``AssertionError`` on a mismatch.
    """
    xs_data = _as_tuple(x_data)
    params_t: tuple[Parameter, ...] = (params,) if isinstance(params, Parameter) else tuple(params)
    if no_grads is None:
        skip = [x.dtype.kind != "f" for x in xs_data]
    else:
        if len(no_grads) != len(xs_data):
            raise ValueError(f"check_backward: {len(xs_data)} inputs but {len(no_grads)} no_grads entries")
        skip = list(no_grads)
    rng = rng if rng is not None else numpy.random.default_rng()

    xs = [Variable(x, requires_grad=not s) for x, s in zip(xs_data, skip)]
    for p in params_t:
        p.cleargrad()
    ys = _call(func, xs)
    gys = _as_tuple(y_grad)
    if not gys:
        if len(ys) != 1 or ys[0].size != 1:
            raise ValueError("check_backward: y_grad may be None only for a single one-element output")
        gys = (None,)
    if len(gys) != len(ys):
        raise ValueError(f"check_backward: func returned {len(ys)} outputs but y_grad has {len(gys)}")
    live = [(y, gy) for y, gy in zip(ys, gys) if y is not None]
    if live:
        _backward([y for y, _ in live], [gy for _, gy in live])
    for i, (x, s) in enumerate(zip(xs, skip)):
        if s and x.grad is not None:
            raise RuntimeError(f"check_backward: input {i} is skipped (no_grads) but received a gradient")

    checked: list[tuple[Array, Array | None]] = []
    for x, s in zip(xs, skip):
        if not s:
            checked.append((x._data, x.grad))
    for p in params_t:
        checked.append((p._data, p.grad))
    directions = _random_direction([a.size for a, _ in checked], rng)
    analytic = 0.0
    for (a, g), d in zip(checked, directions):
        if g is not None:
            analytic += float((backend.to_numpy(_to_float64(g)).reshape(-1) * d).sum())

    base_inputs = [x.copy() for x in xs_data]
    base_params = [p._data.copy() for p in params_t]
    work_dtype = numpy.dtype(dtype) if dtype is not None else None

    def perturbed(delta: float) -> float:
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
        total = 0.0
        for y, gy in zip(outs, gys):
            if y is None or gy is None:
                if y is not None and gy is None and y.size == 1 and len(outs) == 1:
                    total += float(backend.to_numpy(_to_float64(y._data)).sum())
                continue
            total += float((backend.to_numpy(_to_float64(y._data)) *
                            backend.to_numpy(_to_float64(gy))).sum())
        return total

    delta0 = numpy.zeros((), dtype=numpy.float64)
    (numeric_arr,) = numerical_grad(lambda: (numpy.asarray(perturbed(float(delta0))),), [delta0],
                                    [numpy.ones((), dtype=numpy.float64)], eps=eps,
                                    detect_nondifferentiable=detect_nondifferentiable,
                                    diff_rtol=rtol)
    numeric = float(numeric_arr)
    if not abs(numeric - analytic) <= atol + rtol * abs(numeric):
        raise AssertionError(
            "check_backward: backprop and numerical gradients differ along a random direction\n"
            f"  numerical: {numeric!r}\n  backprop:  {analytic!r}\n"
            f"  difference {abs(numeric - analytic):.3g} > atol {atol} + rtol {rtol} * |numerical|\n"
            f"  inputs: {[(x.shape, x.dtype) for x in xs_data]}\n"
            f"  params: {[(p.name, p.shape) for p in params_t]}")


def _call(func: Func, xs: Sequence[Variable]) -> tuple[Variable, ...]:
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
                          no_grads: Sequence[bool] | None = None, dtype: Any = None,
                          detect_nondifferentiable: bool = False,
                          rng: numpy.random.Generator | None = None) -> None:
    """Check second derivatives: ``check_backward`` on the first-order gradient.

    The first-order gradient is a function of the inputs and of ``y_grad``, so the
    derivative with respect to ``y_grad`` is checked too.  ``x_grad_grad`` holds one
    gradient per checked input, ``params_grad_grad`` one per parameter.
    """
    xs_data = _as_tuple(x_data)
    gys_data = _as_tuple(y_grad)
    params_t: tuple[Parameter, ...] = (params,) if isinstance(params, Parameter) else tuple(params)
    n_x = len(xs_data)
    skip = [x.dtype.kind != "f" for x in xs_data] if no_grads is None else list(no_grads)

    def first_order_grad(*inputs: Variable) -> tuple[Variable, ...]:
        xs = inputs[:n_x]
        gys = inputs[n_x:]
        ys = _call(func, xs)
        targets = [x for x, s in zip(xs, skip) if not s] + list(params_t)
        seeds: list[Variable | Array | None] = list(gys) if gys else [None] * len(ys)
        grads = _grad(list(ys), targets, seeds, enable_double_backprop=True)
        out: list[Variable] = []
        for t, g in zip(targets, grads):
            if g is None:
                xp = backend.namespace_of(t._data)
                g = Variable(xp.zeros_like(t._data), requires_grad=False)
            out.append(g)
        return tuple(out)

    ggs = _as_tuple(x_grad_grad) + _as_tuple(params_grad_grad)
    inputs = xs_data + tuple(g for g in gys_data if g is not None)
    check_backward(first_order_grad, inputs, ggs, params_t, eps=eps, atol=atol, rtol=rtol,
                   no_grads=skip + [False] * (len(inputs) - n_x), dtype=dtype,
                   detect_nondifferentiable=detect_nondifferentiable, rng=rng)
