"""Small ops, right and wrong, for the kit's own tests: ``x**3`` with a correct
rule, and variants whose rule is wrong in exactly one way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fchain import Variable
from fchain.testing.op import (
    Case,
    Draw,
    Forwarded,
    GradSpec,
    Grads,
    Inputs,
    NotDifferentiable,
    OpDef,
    VariableLike,
    Vjp,
    apply,
)
from fchain.types import ArrayNamespace


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    (x,) = inputs
    return (x * x * x,), (x,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    (x,) = residuals
    return (grads[0] * 3 * x * x,)


def _vjp_scaled(factor: float) -> Vjp[None]:
    def vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
        (x,) = residuals
        return (grads[0] * (3 * factor) * x * x,)
    return vjp


def _vjp_constant_residual(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    """Right values, but one factor of x is made a constant: its second derivative misses a term."""
    (x,) = residuals
    return (grads[0] * 3 * x * xp.asarray(x.array if isinstance(x, Variable) else x),)


def make_cube(name: str, vjp: Vjp[None] = _vjp, *, second_order_vjp: Vjp[None] | None = None,
              broadcasts: bool = True, sample: Callable[[Draw], Case] | None = None,
              float32: bool = True) -> tuple[OpDef[None], Callable[[VariableLike], Variable]]:
    """An ``x**3`` op named ``name`` with the given rule, and its public function."""
    def cube(x: VariableLike) -> Variable:
        return apply(op, (x,), None)

    def default_sample(draw: Draw) -> Case:
        return Case((draw.floats(draw.shape()),), cube)

    op: OpDef[None] = OpDef(name, _forward, vjp, GradSpec(sample or default_sample, float32=float32),
                            second_order_vjp=second_order_vjp, broadcasts=broadcasts)
    return op, cube


CUBE, cube = make_cube("kit_cube")
CUBE_WRONG, cube_wrong = make_cube("kit_cube_wrong", _vjp_scaled(1.001))
CUBE_SECOND_ORDER_WRONG, cube_second_order_wrong = make_cube("kit_cube_so_wrong", _vjp_constant_residual)
CUBE_DOUBLE_PATH_WRONG, _ = make_cube("kit_cube_dp_wrong", second_order_vjp=_vjp_scaled(1.0 + 2**-50))


def _vjp_broadcast(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    (x,) = residuals
    g = grads[0] * 3 * x * x
    return (xp.broadcast_to(g, (2,) + tuple(g.shape)) * 0.5,)


CUBE_BROADCASTS, _ = make_cube("kit_cube_broadcasts", _vjp_broadcast, broadcasts=False)


def _not_calling(draw: Draw) -> Case:
    return Case((draw.floats((3,)),), lambda x: x * 2.0)


CUBE_UNCALLED, _ = make_cube("kit_cube_uncalled", sample=_not_calling)


def _leaky_sample(draw: Draw) -> Case:
    return Case((draw.floats((3,)),), leaky_sign)


def _sign_forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    return (xp.sign(inputs[0]),), ()


def _sign_vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    return (grads[0] * 0.0,)  # a zero gradient where the op promised none


LEAKY_SIGN: OpDef[Any] = OpDef("kit_leaky_sign", _sign_forward, _sign_vjp,
                               NotDifferentiable("a step function", _leaky_sample))


def leaky_sign(x: VariableLike) -> Variable:
    return apply(LEAKY_SIGN, (x,), None)
