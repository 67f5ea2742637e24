"""Defining an op in fchain's own functional style, for users.

An op is one value: ``OpDef(name, forward, vjp, spec, ...)``.

* ``forward(xp, inputs, params) -> (outputs, residuals)`` is pure: it receives the
  input arrays and returns a tuple of outputs and a tuple of whatever the vjp
  needs (an input or output itself, by identity, when the vjp reads it).
* ``vjp(xp, residuals, grad_outputs, params) -> grad_inputs`` is pure too: one
  gradient per input, ``None`` where an input gets none.  It must be written only
  with ``xp`` (``fchain.types.ArrayNamespace``: numpy's names) and the array
  operators: on the first-order pass it runs on numpy or CuPy arrays, and under
  ``enable_double_backprop`` the same function runs on fchain's second-order
  namespace, where its arguments are Variables and each call is recorded, which is
  how one rule serves every order.  It never asks which of the two it got.
* ``spec`` is a ``GradSpec(sample, ...)``: ``sample(draw)`` draws one test
  ``Case`` through the ``Draw`` protocol (shapes, floats away from kinks, distinct
  values, integers, broadcastable shapes), and the spec states the tolerances and
  whether the backward is itself differentiable (``double``).  Mark an op without
  a gradient ``NotDifferentiable(reason, sample)``.

``apply(op, inputs, params)`` runs it: it unwraps Variables, checks what the op
declares (``arg_names``, ``float_inputs``, ``check``), runs ``forward`` and
records the graph node.  Your public function turns its Python arguments into
``params`` and calls ``apply``.  ``fchain.testing.check_op(op)`` then runs on it
the property test fchain runs on each of its own ops.  Registering the op in
fchain's registry is not needed (and not wanted: the registry is fchain's own).

Example, ``y = x * |x|`` (derivative ``2 |x|``)::

    import numpy
    from fchain import Variable
    from fchain.testing.op import (Case, Draw, Forwarded, GradSpec, Grads, Inputs,
                                   OpDef, apply)
    from fchain.types import Array, ArrayNamespace

    def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
        x, = inputs
        return (x * xp.absolute(x),), (x,)

    def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
        x, = residuals
        return (grads[0] * 2 * xp.absolute(x),)

    def _sample(draw: Draw) -> Case:
        return Case((draw.floats(draw.shape(), kinks=(0.0,)),), signed_square)

    SIGNED_SQUARE: OpDef[None] = OpDef("signed_square", _forward, _vjp, GradSpec(_sample))

    def signed_square(x: Variable | Array) -> Variable:
        return apply(SIGNED_SQUARE, (x,), None)

These names are fchain's own (``fchain.core.op``, ``fchain.core.spec``,
``fchain.graph.apply``), re-exported here as the supported public path.
"""

from __future__ import annotations

from typing import TypeAlias

from fchain.core.op import Check, Forward, MultiOutputOp, Op, OpDef, Vjp
from fchain.core.spec import Case, Draw, GradSpec, NotDifferentiable
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.types import Array, ArrayNamespace

__all__ = [
    "ArrayNamespace",
    "Case",
    "Check",
    "Draw",
    "Forward",
    "Forwarded",
    "GradSpec",
    "Grads",
    "Inputs",
    "MultiOutputOp",
    "NotDifferentiable",
    "Op",
    "OpDef",
    "VariableLike",
    "Vjp",
    "apply",
]

Inputs: TypeAlias = tuple[Array, ...]
"""The arrays a forward receives, or the residuals a vjp receives."""

Forwarded: TypeAlias = tuple[tuple[Array, ...], tuple[Array, ...]]
"""What a forward returns: ``(outputs, residuals)``."""

Grads: TypeAlias = tuple[Array | None, ...]
"""What a vjp returns: one gradient per input, ``None`` where there is none."""

VariableLike: TypeAlias = Variable | Array
"""What a public function accepts as an array argument."""
