"""``pseudo_connect``: join a separate graph component to the backward pass."""

from __future__ import annotations

from fchain.distributed.functions._delegate import empty_like_device
from fchain.facade.function import FunctionNode
from fchain.graph.variable import Variable
from fchain.types import Array

__all__ = ["PseudoConnect", "pseudo_connect"]


class PseudoConnect(FunctionNode):
    """Outputs the inputs after the first (unchanged); the backward passes their
    gradients through and gives the first input, a delegate, a zero gradient."""

    def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        self.retain_inputs((0,))
        return inputs[1:]

    def backward(self, target_input_indexes: tuple[int, ...],
                 grad_outputs: tuple[Variable | None, ...]) -> tuple[Variable | None, ...]:
        delegate, = self.get_retained_inputs()
        zero = Variable(delegate.array * 0, requires_grad=False)
        return (zero, *grad_outputs)


def pseudo_connect(delegate_variable: Variable | Array | None,
                   *actual_variables: Variable | Array) -> tuple[Variable, ...]:
    """``actual_variables`` again, now also depending on ``delegate_variable``: a
    backward pass reaching them continues into the delegate's graph (a ``send``
    earlier on this rank), which it would otherwise never visit.

    A model part that sends its output and then computes more needs this; so does a
    rank that sends twice in a row.  ``None``: no delegate (an empty one).
    """
    if not actual_variables:
        raise TypeError("pseudo_connect: give at least one variable to connect")
    if delegate_variable is None:
        first = actual_variables[0]
        delegate_variable = empty_like_device(first.array if isinstance(first, Variable) else first)
    return PseudoConnect().apply((delegate_variable, *actual_variables))
