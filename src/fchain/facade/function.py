"""User-defined functions in Chainer's two styles, run by fchain's pure core.

* ``FunctionNode`` (Chainer 3+): ``forward(inputs)`` on arrays, ``backward(indexes,
  grad_outputs)`` on Variables.  Because the backward is written with fchain
  functions, it is differentiable again: double backprop works.
* ``Function`` (Chainer 1 style): ``forward(inputs)`` and ``backward(inputs,
  grad_outputs)``, both on arrays; first order only.

Both dispatch to ``forward_cpu``/``forward_gpu`` (``backward_cpu``/``backward_gpu``)
when a subclass defines those instead, and both run a subclass's
``check_type_forward(in_types)`` (``fchain.utils.type_check``) before ``forward``
while ``fchain.config.type_check`` is on, as Chainer does.  Each application becomes one immutable
graph node whose rule calls the user's methods; the instance carries the user's
retained data, as in Chainer (apply an instance once).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from fchain.core import backend
from fchain.core.op import MultiOutputOp
from fchain.core.spec import Case, Draw, NotDifferentiable
from fchain.graph.apply import apply
from fchain.graph.config import config, force_backprop_mode, no_backprop_mode
from fchain.graph.variable import Variable
from fchain.types import Array, ArrayNamespace
from fchain.utils import type_check

__all__ = ["Function", "FunctionNode"]


def _no_sample(draw: Draw) -> Case:
    raise NotImplementedError("user-defined functions carry no gradient spec; test them with "
                              "fchain.gradient_check.check_backward")


_USER_SPEC = NotDifferentiable("a user-defined function; checked by its author", _no_sample)


def _as_tuple(value: object, where: str) -> tuple[Any, ...]:
    if isinstance(value, tuple):
        return value
    if isinstance(value, list):
        return tuple(value)
    raise TypeError(f"{where} must return a tuple, got {type(value).__name__}")


def _on_device(fn: FunctionNode | Function, method: str, inputs: tuple[Array, ...],
               *args: tuple[Array, ...]) -> tuple[Any, ...] | None:
    """The result of ``fn.<method>_cpu(*args)`` or ``fn.<method>_gpu(*args)``, chosen by
    the device of ``inputs``; ``None`` when the subclass defines neither for it."""
    on_cpu = (backend.namespace_of(inputs[0]) if inputs else backend.NUMPY) is backend.NUMPY
    name = f"{method}_cpu" if on_cpu else f"{method}_gpu"
    if not hasattr(fn, name):
        return None
    return _as_tuple(getattr(fn, name)(*args), f"{fn.label}.{name}")


def _check_types(fn: FunctionNode | Function, inputs: Sequence[object]) -> None:
    """Run ``fn.check_type_forward`` on the inputs' type information unless
    ``config.type_check`` is off (called only for subclasses that define one)."""
    if not config.type_check:
        return
    arrays = tuple(x.array if isinstance(x, Variable) else x for x in inputs)
    with type_check.get_function_check_context(fn):
        fn.check_type_forward(type_check.get_types(arrays, "in_types", False))


class FunctionNode:
    """Base class of new-style differentiable functions (Chainer's ``FunctionNode``).

    Override ``forward(inputs)`` (arrays in, tuple of arrays out) and
    ``backward(target_input_indexes, grad_outputs)`` (Variables in, one Variable or
    ``None`` per input out).  Call ``retain_inputs``/``retain_outputs`` in forward to
    use ``get_retained_inputs``/``get_retained_outputs`` in backward.  Override
    ``check_type_forward(in_types)`` to check the inputs first.
    """

    _retained_input_indexes: tuple[int, ...] = ()
    _retained_output_indexes: tuple[int, ...] = ()
    _retained_inputs: tuple[Variable, ...] = ()
    _retained_outputs: tuple[Variable, ...] = ()
    _n_inputs: int = 0

    @property
    def label(self) -> str:
        return type(self).__name__

    def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        outputs = _on_device(self, "forward", inputs, inputs)
        if outputs is None:
            raise NotImplementedError(f"{self.label}: define forward, or forward_cpu/forward_gpu")
        return outputs

    def backward(self, target_input_indexes: tuple[int, ...],
                 grad_outputs: tuple[Variable | None, ...]) -> tuple[Variable | None, ...]:
        raise NotImplementedError(f"{self.label}: define backward to make it differentiable")

    def retain_inputs(self, indexes: Sequence[int]) -> None:
        self._retained_input_indexes = tuple(indexes)

    def retain_outputs(self, indexes: Sequence[int]) -> None:
        self._retained_output_indexes = tuple(indexes)

    def get_retained_inputs(self) -> tuple[Variable, ...]:
        return self._retained_inputs

    def get_retained_outputs(self) -> tuple[Variable, ...]:
        return self._retained_outputs

    def check_type_forward(self, in_types: type_check.TypeInfoTuple) -> None:
        """Check the inputs' types (``type_check.expect(...)``); raise
        ``type_check.InvalidType`` when they do not fit.  Accepts anything by default."""

    def apply(self, inputs: Sequence[Variable | Array]) -> tuple[Variable, ...]:
        """Check the inputs (``check_type_forward``), run forward on them and record
        the node; returns the outputs."""
        if type(self).check_type_forward is not FunctionNode.check_type_forward:
            _check_types(self, inputs)
        self._n_inputs = len(inputs)
        return apply(_FUNCTION_NODE, tuple(inputs), self)


def _node_forward(xp: ArrayNamespace, inputs: tuple[Array, ...], fn: FunctionNode
                  ) -> tuple[tuple[Array, ...], tuple[Array, ...]]:
    outputs = _as_tuple(fn.forward(inputs), f"{fn.label}.forward")
    residuals = tuple(inputs[i] for i in fn._retained_input_indexes) + tuple(
        outputs[i] for i in fn._retained_output_indexes)
    return outputs, residuals


def _wrap(values: Sequence[object]) -> tuple[Variable, ...]:
    return tuple(v if isinstance(v, Variable) else Variable(v, requires_grad=False)  # type: ignore[arg-type]  # arrays
                 for v in values)


def _run_backward(residuals: tuple[Array, ...], grads: tuple[Array, ...], fn: FunctionNode,
                  recorded: bool) -> tuple[Variable | None, ...]:
    """Call the user's ``backward`` on Variables (Chainer's FunctionNode API), with
    the graph recorded (second order) or not (first order)."""
    n_in = len(fn._retained_input_indexes)
    held = _wrap(residuals)
    fn._retained_inputs = held[:n_in]
    fn._retained_outputs = held[n_in:]
    targets = tuple(range(fn._n_inputs))
    with force_backprop_mode() if recorded else no_backprop_mode():
        result = _as_tuple(fn.backward(targets, _wrap(grads)), f"{fn.label}.backward")
    if len(result) != fn._n_inputs:
        raise ValueError(f"{fn.label}.backward returned {len(result)} gradients for {fn._n_inputs} inputs")
    return cast(tuple[Variable | None, ...], result)


def _node_vjp(xp: ArrayNamespace, residuals: tuple[Array, ...], grads: tuple[Array, ...],
              fn: FunctionNode) -> tuple[Array | None, ...]:
    result = _run_backward(residuals, grads, fn, recorded=False)
    return tuple(None if g is None else (g._data if isinstance(g, Variable) else g) for g in result)


def _node_vjp_recorded(xp: ArrayNamespace, residuals: tuple[Array, ...], grads: tuple[Array, ...],
                       fn: FunctionNode) -> tuple[Array | None, ...]:
    return cast(tuple[Array | None, ...], _run_backward(residuals, grads, fn, recorded=True))


_FUNCTION_NODE: MultiOutputOp[FunctionNode] = MultiOutputOp(
    "function_node", _node_forward, _node_vjp, _USER_SPEC, float_inputs=(),
    second_order_vjp=_node_vjp_recorded)


class Function:
    """Base class of old-style functions (Chainer 1's ``Function``): ``forward`` and
    ``backward`` both on arrays.  ``f(x, y)`` returns a Variable (or a tuple when
    there are several outputs).  First order only."""

    @property
    def label(self) -> str:
        return type(self).__name__

    def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        outputs = _on_device(self, "forward", inputs, inputs)
        if outputs is None:
            raise NotImplementedError(f"{self.label}: define forward, or forward_cpu/forward_gpu")
        return outputs

    def backward(self, inputs: tuple[Array, ...], grad_outputs: tuple[Array, ...]) -> tuple[Array | None, ...]:
        grads = _on_device(self, "backward", inputs, inputs, grad_outputs)
        if grads is None:
            raise NotImplementedError(f"{self.label}: define backward to make it differentiable")
        return grads

    def check_type_forward(self, in_types: type_check.TypeInfoTuple) -> None:
        """Check the inputs' types (``type_check.expect(...)``); raise
        ``type_check.InvalidType`` when they do not fit.  Accepts anything by default."""

    def __call__(self, *inputs: Variable | Array) -> Variable | tuple[Variable, ...]:
        """Apply to ``inputs``, checked first by ``check_type_forward``: the output
        Variable, or a tuple of them when the forward returns several (as in Chainer)."""
        if type(self).check_type_forward is not Function.check_type_forward:
            _check_types(self, inputs)
        outputs = apply(_FUNCTION, tuple(inputs), self)
        return outputs[0] if len(outputs) == 1 else outputs


def _function_forward(xp: ArrayNamespace, inputs: tuple[Array, ...], fn: Function
                      ) -> tuple[tuple[Array, ...], tuple[Array, ...]]:
    outputs = _as_tuple(fn.forward(inputs), f"{fn.label}.forward")
    setattr(fn, "output_data", outputs)
    return outputs, inputs


def _function_vjp(xp: ArrayNamespace, residuals: tuple[Array, ...], grads: tuple[Array, ...],
                  fn: Function) -> tuple[Array | None, ...]:
    result = _as_tuple(fn.backward(residuals, grads), f"{fn.label}.backward")
    if len(result) != len(residuals):
        raise ValueError(f"{fn.label}.backward returned {len(result)} gradients for {len(residuals)} inputs")
    return result


_FUNCTION: MultiOutputOp[Function] = MultiOutputOp(
    "function", _function_forward, _function_vjp, _USER_SPEC, float_inputs=(),
    double_differentiable=False)
