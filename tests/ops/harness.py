"""What fchain's own op property tests add to ``fchain.testing.check_op``: the
per-op budgets of the double-backprop comparison (and the measurement behind
them: ``python -m tests.ops.harness OP...``), and a rule scaled by a factor (for
the sensitivity meta-test)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import sys
from typing import Any

import numpy

from fchain._second_order import DIFF
from fchain.core.deferred_grad import DeferredGrad
from fchain.core.op import FirstOrderVjp, Op, Vjp
from fchain.core.registry import all_ops
from fchain.graph.backprop import backward, dense_grad
from fchain.graph.grad import grad
from fchain.graph.variable import Variable
from fchain.testing.draws import RandomDraw
from fchain.testing.op_check import outputs_of, prepare_inputs, ulps_of_largest
from fchain.types import Array, ArrayNamespace, DTypeLike

__all__ = ["DOUBLE_PATH_ULPS", "double_path_ulps", "measure_double_path", "scaled_rule"]

_RECORDED = ("its second_order_vjp computes the same gradient in another order of operations "
             "(recomputing what the first-order rule reads from its residuals)")

_N_STEP = ("the fused engine's backward runs each step's GEMMs on whole time-major arrays; the recorded rule "
           "differentiates the step-by-step composition (_n_step_reference), which sums the same products "
           "in another order")

DOUBLE_PATH_ULPS: dict[str, tuple[float, str]] = {
    # op name: (ulps of the case's largest gradient element, why the two paths round
    # differently).  Worst of 300 random cases per dtype (RandomDraw seeds 0-299,
    # measure_double_path below), float64 / float32: batch_normalization 3.9 / 16.9,
    # group_normalization 4.3 / 2, softmax_cross_entropy 2 / 6 (13 in float32 on a
    # case hypothesis' search found), hinge 2 / 1, n_step_rnn 5 / 2.5, n_step_birnn
    # 5 / 2, n_step_gru 3 / 3, n_step_bigru 4.8 / 3, n_step_lstm 9 / 2.6, n_step_bilstm
    # 3 / 3, convolution_nd 3 / 2.5.  Each budget leaves hypothesis' searches room: at least twice the
    # worst found, and at least 3.5 times the worst random case.  (A rule off by
    # 1e-4 is 4.5e11 float64 ulps off, and 840 float32 ones.)
    "batch_normalization": (64, _RECORDED + "; the batch statistics are differentiated, not reused"),
    "group_normalization": (32, _RECORDED),
    "softmax_cross_entropy": (32, _RECORDED + " (the softmax, recomputed from x)"),
    "convolution_nd": (12, "the plain backward forms a stride-1 filter gradient from the input gradient's "
                           "columns of gy and sums the bias gradient by chunks; the recorded rule applies "
                           "convolution_nd_grad_W and xp.sum: the same products summed in another order"),
    "hinge": (8, "gy / N: on arrays a true division, on Variables Chainer's gy * (1 / N)"),
    **{name: (32, _N_STEP) for name in ("n_step_rnn", "n_step_birnn", "n_step_gru", "n_step_bigru",
                                        "n_step_lstm", "n_step_bilstm")},
}
"""Ops whose first-order gradients through ``enable_double_backprop=True`` may
differ from the plain backward's, and by how much; every other op must give the
same values exactly."""


def double_path_ulps(op: Op[Any]) -> float:
    """The budget of ``op`` in ``DOUBLE_PATH_ULPS`` (0: exact)."""
    entry = DOUBLE_PATH_ULPS.get(op.name)
    return 0.0 if entry is None else entry[0]


def _scaled(rule: Vjp[Any], factor: float, recorded_only: bool) -> Vjp[Any]:
    def scaled(xp: ArrayNamespace, residuals: tuple[Array, ...], grads: tuple[Array, ...],
               params: Any) -> tuple[Array | None, ...]:
        out = rule(xp, residuals, grads, params)
        if recorded_only and xp is not DIFF:
            return out
        return tuple(None if g is None else g * factor for g in out)
    return scaled


def _scaled_first_order(rule: FirstOrderVjp[Any], factor: float) -> FirstOrderVjp[Any]:
    """``rule`` with its gradients (deferred ones evaluated) times ``factor``."""
    def scaled(xp: ArrayNamespace, residuals: tuple[Array, ...], grads: tuple[Array, ...],
               params: Any) -> tuple[Array | DeferredGrad | None, ...]:
        out = rule(xp, residuals, grads, params)
        return tuple(None if g is None else dense_grad(g) * factor for g in out)
    return scaled


@contextmanager
def scaled_rule(op: Op[Any], factor: float, *, recorded_only: bool = False) -> Iterator[None]:
    """While inside, ``op``'s rules (``vjp``, ``second_order_vjp`` and
    ``first_order_vjp``) return their gradients times ``factor``: a wrong rule that every call of the op uses,
    public function and Variable operators alike (the op is a frozen value, so
    its fields are swapped in place and restored).

    ``recorded_only``: only where the rule runs on the second-order namespace
    (``enable_double_backprop=True``), the mutant the issue's mutation run found
    surviving (a wrong factor in the Variable branch of a rule): the plain
    backward, and so the numerical comparison, stay right."""
    saved = (op.vjp, op.second_order_vjp, op.first_order_vjp)
    object.__setattr__(op, "vjp", _scaled(op.vjp, factor, recorded_only))
    if op.second_order_vjp is not None:
        object.__setattr__(op, "second_order_vjp", _scaled(op.second_order_vjp, factor, recorded_only))
    if op.first_order_vjp is not None and not recorded_only:
        object.__setattr__(op, "first_order_vjp", _scaled_first_order(op.first_order_vjp, factor))
    try:
        yield
    finally:
        object.__setattr__(op, "vjp", saved[0])
        object.__setattr__(op, "second_order_vjp", saved[1])
        object.__setattr__(op, "first_order_vjp", saved[2])


def measure_double_path(op: Op[Any], seed: int, dtype: DTypeLike) -> float:
    """How far the double-backprop path's first-order gradients are from the
    plain backward's on the case ``RandomDraw(seed)`` draws, in ulps of the case's
    largest gradient element (the measure ``check_op`` compares with a budget)."""
    case = op.spec.sample(RandomDraw(seed))
    rng = numpy.random.default_rng(seed)
    inputs = prepare_inputs(case, dtype, "@numpy")
    checked = [x.dtype.kind == "f" and (case.check is None or i in case.check) for i, x in enumerate(inputs)]
    xs = [Variable(x) for x in inputs]
    outs = outputs_of(case, xs)
    gys = [rng.standard_normal(y.shape).astype(y.dtype) for y in outs]
    backward(list(outs), list(gys))
    plain = [x.grad for x, c in zip(xs, checked) if c]
    xs2 = [Variable(x) for x in inputs]
    recorded = grad(list(outputs_of(case, xs2)), [x for x, c in zip(xs2, checked) if c], list(gys),
                    enable_double_backprop=True)
    largest = max((float(numpy.abs(g).max(initial=0.0)) for g in plain if g is not None), default=0.0)
    return max((ulps_of_largest(r.array, g, largest) for g, r in zip(plain, recorded)
                if g is not None and r is not None), default=0.0)


def _main(argv: list[str]) -> None:
    """Print the worst and 99th-percentile distances of each op named, over 300
    seeds per dtype."""
    for name in argv:
        op = all_ops()[name]
        for dtype in (numpy.float64, numpy.float32):
            found = [measure_double_path(op, seed, dtype) for seed in range(300)]
            print(f"{name} {numpy.dtype(dtype).name}: worst {max(found):g}, "
                  f"99th percentile {numpy.percentile(found, 99):g}, nonzero {sum(d > 0 for d in found)}/300")


if __name__ == "__main__":
    _main(sys.argv[1:])
