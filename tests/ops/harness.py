"""What fchain's own op property tests add to ``fchain.testing.check_op``: the
per-op budgets of the double-backprop comparison, and a rule scaled by a factor
(for the sensitivity meta-test)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fchain.core.op import Op, Vjp
from fchain.types import Array, ArrayNamespace

__all__ = ["DOUBLE_PATH_ULPS", "double_path_ulps", "scaled_rule"]

_RECORDED = ("its second_order_vjp computes the same gradient in another order of operations "
             "(recomputing what the first-order rule reads from its residuals)")

DOUBLE_PATH_ULPS: dict[str, tuple[float, str]] = {
    # op name: (ulps of the largest gradient element, why the two paths round differently);
    # budgets are about twice the worst of 300 random cases per dtype (measured: 31 and 25
    # for batch_normalization in float64 and float32, 10.6 and 16.5 for group_normalization,
    # 2 and 10 for softmax_cross_entropy, 2 for hinge).
    "batch_normalization": (64, _RECORDED + "; the batch statistics are differentiated, not reused"),
    "group_normalization": (32, _RECORDED),
    "softmax_cross_entropy": (16, _RECORDED + " (the softmax, recomputed from x)"),
    "hinge": (4, "gy / N: on arrays a true division, on Variables Chainer's gy * (1 / N)"),
}
"""Ops whose first-order gradients through ``enable_double_backprop=True`` may
differ from the plain backward's, and by how much; every other op must give the
same values exactly."""


def double_path_ulps(op: Op[Any]) -> float:
    """The budget of ``op`` in ``DOUBLE_PATH_ULPS`` (0: exact)."""
    entry = DOUBLE_PATH_ULPS.get(op.name)
    return 0.0 if entry is None else entry[0]


def _scaled(rule: Vjp[Any], factor: float) -> Vjp[Any]:
    def scaled(xp: ArrayNamespace, residuals: tuple[Array, ...], grads: tuple[Array, ...],
               params: Any) -> tuple[Array | None, ...]:
        return tuple(None if g is None else g * factor for g in rule(xp, residuals, grads, params))
    return scaled


@contextmanager
def scaled_rule(op: Op[Any], factor: float) -> Iterator[None]:
    """While inside, ``op``'s rules (``vjp`` and ``second_order_vjp``) return
    their gradients times ``factor``: a wrong rule that every call of the op uses,
    public function and Variable operators alike (the op is a frozen value, so
    its fields are swapped in place and restored)."""
    saved = (op.vjp, op.second_order_vjp)
    object.__setattr__(op, "vjp", _scaled(op.vjp, factor))
    if op.second_order_vjp is not None:
        object.__setattr__(op, "second_order_vjp", _scaled(op.second_order_vjp, factor))
    try:
        yield
    finally:
        object.__setattr__(op, "vjp", saved[0])
        object.__setattr__(op, "second_order_vjp", saved[1])
