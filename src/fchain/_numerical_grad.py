"""``numerical_grad``: per-element central differences with Chainer's semantics
(``fchain.gradient_check`` re-exports it and builds its directional checks on it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

import numpy

from fchain.core import backend
from fchain.errors import NondifferentiableError
from fchain.types import Array

__all__ = ["numerical_grad"]

# One sample of f: its outputs as float64 numpy copies (None where f returned None).
_Sample = list[Array | None]


def _host_float64(a: Array) -> Array:
    """A float64 numpy copy of ``a`` (a copy, so later in-place changes of ``a`` do not leak)."""
    return numpy.array(backend.to_numpy(a), dtype=numpy.float64)


def numerical_grad(f: Callable[[], Sequence[Array | None] | Array], inputs: Sequence[Array],
                   grad_outputs: Sequence[Array | None], eps: float = 1e-3,
                   detect_nondifferentiable: bool = False, diff_atol: float = 0.0,
                   diff_rtol: float = 1e-2, center_outputs: Sequence[Array] | None = None
                   ) -> tuple[Array, ...]:
    """Per-element numerical gradient of ``sum(f() * grad_outputs)`` w.r.t. ``inputs``.

    ``f`` takes no argument and reads ``inputs``, which are perturbed in place and
    restored.  Each result has its input's dtype; the differences are taken output
    element by output element in float64 before they are weighted by
    ``grad_outputs`` (an output whose grad_output is ``None`` contributes nothing).

    With ``detect_nondifferentiable`` a 5-point stencil is used and, as in Chainer,
    every output element is tested at every input element: a
    ``NondifferentiableError`` is raised where its finiteness differs among the 5
    samples, or where the samples do not fit a quadratic within
    ``diff_atol + diff_rtol * (max - min)`` (RMS residual).

    ``center_outputs`` is accepted for Chainer's signature and not used: Chainer 7
    discards it too (it sets it to ``None`` on entry, since outputs in a low
    precision dtype made the centre sample too coarse), so the centre is always
    evaluated afresh, in float64.
    """
    del center_outputs  # Chainer 7 ignores it as well; see the docstring
    if eps <= 0:
        raise ValueError(f"numerical_grad: eps must be positive, got {eps}")
    for i, x in enumerate(inputs):
        if x.dtype.kind != "f":
            raise RuntimeError(f"numerical_grad: input {i} has non-floating dtype {x.dtype}")
    arrays = list(inputs) + [g for g in grad_outputs if g is not None]
    if len({backend.is_cupy_array(a) for a in arrays}) > 1:
        raise RuntimeError("numerical_grad: CPU and GPU arrays cannot be mixed")
    gys = [None if g is None else _host_float64(g) for g in grad_outputs]

    def evaluate() -> _Sample:
        out = f()
        outs = tuple(out) if isinstance(out, (tuple, list)) else (cast(Array, out),)
        if len(outs) != len(gys):
            raise ValueError(f"numerical_grad: f returned {len(outs)} outputs but there are "
                             f"{len(gys)} grad_outputs")
        sample: _Sample = []
        for i, (y, gy) in enumerate(zip(outs, gys)):
            if y is None:
                sample.append(None)
                continue
            if gy is not None and tuple(y.shape) != gy.shape:
                raise ValueError(f"numerical_grad: output {i} has shape {tuple(y.shape)} but "
                                 f"grad_outputs[{i}] has shape {gy.shape}")
            sample.append(_host_float64(y))
        return sample

    offsets = (-1.0, -0.5, 0.0, 0.5, 1.0) if detect_nondifferentiable else (-1.0, 1.0)
    grads: list[Array] = []
    for i_in, x in enumerate(inputs):
        g = numpy.zeros(x.shape, dtype=numpy.float64)
        for idx in numpy.ndindex(*x.shape):
            original = x[idx].copy()
            samples: list[_Sample] = []
            try:
                for k in offsets:
                    x[idx] = original + k * eps
                    samples.append(evaluate())
            finally:
                x[idx] = original
            if detect_nondifferentiable:
                _check_smooth(samples, diff_atol, diff_rtol, i_in, idx)
            g[idx] = _stencil(samples, gys, eps)
        out = g.astype(x.dtype)
        grads.append(backend.namespace_of(x).asarray(out) if backend.is_cupy_array(x) else out)
    return tuple(grads)


def _stencil(samples: list[_Sample], gys: list[Array | None], eps: float) -> float:
    """The difference quotient of ``sum(y * gy)``, formed output element by element."""
    total = 0.0
    for i, gy in enumerate(gys):
        ys = [s[i] for s in samples]
        if any((y is None) != (ys[0] is None) for y in ys):
            raise ValueError(f"numerical_grad: output {i} is None at some samples but not at others")
        if gy is None or ys[0] is None:
            continue
        if len(ys) == 2:
            y_m1, y_p1 = cast(list[Array], ys)
            total += float(((y_p1 - y_m1) * gy).sum()) / (2 * eps)
        else:
            y_m1, y_mh, _, y_ph, y_p1 = cast(list[Array], ys)
            total += float(((-y_p1 + 8 * y_ph - 8 * y_mh + y_m1) * gy).sum()) / (6 * eps)
    return total


# Design matrix of a quadratic at the 5 sample points (in units of eps / 2, centred).
_QUADRATIC = numpy.vander(numpy.arange(-2.0, 3.0), 3)


def _check_smooth(samples: list[_Sample], atol: float, rtol: float, i_in: int, where: object) -> None:
    """Chainer's non-differentiability test, for every element of every output.

    An element whose finiteness differs among the 5 samples marks a kink.  As in
    Chainer, the quadratic fit is then skipped for all outputs when any element is
    non-finite at every sample (log of a negative, ...): such a point is
    consistently undefined, not a sign of a kink, and the fit cannot use it.
    """
    stacks: list[tuple[int, Array]] = []
    any_nonfinite = False
    for i_out in range(len(samples[0])):
        ys = [s[i_out] for s in samples]
        if ys[0] is None or ys[0].size == 0:
            continue
        stack = numpy.stack([cast(Array, y).reshape(-1) for y in ys])  # (5, output size)
        finite = numpy.isfinite(stack)
        if bool((finite != finite[0]).any()):
            column = int(numpy.argwhere((finite != finite[0]).any(axis=0))[0, 0])
            raise NondifferentiableError(
                f"numerical_grad: the finiteness of output {i_out} (element {column} of it) "
                f"differs among the 5 samples around element {where} of input {i_in}: "
                f"{stack[:, column].tolist()}")
        any_nonfinite = any_nonfinite or not bool(finite.all())
        stacks.append((i_out, stack))
    if any_nonfinite:
        return
    for i_out, stack in stacks:
        values = stack - stack[2]  # relative to the centre: fewer digits lost in the fit
        coeffs = numpy.linalg.lstsq(_QUADRATIC, values, rcond=None)[0]
        rms = numpy.sqrt(numpy.mean((_QUADRATIC @ coeffs - values) ** 2, axis=0))
        span = values.max(axis=0) - values.min(axis=0)
        bad = (rms > atol + rtol * span) & (span > 0)
        if bool(bad.any()):
            column = int(numpy.argmax(bad))
            raise NondifferentiableError(
                f"numerical_grad: output {i_out} is not differentiable near element {where} of "
                f"input {i_in}: its samples (relative to the centre) {values[:, column].tolist()} "
                f"do not fit a quadratic (RMS residual {float(rms[column]):.3g} > "
                f"diff_atol {atol} + diff_rtol {rtol} * span {float(span[column]):.3g})")
