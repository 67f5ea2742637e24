"""Delegate variables: empty Variables that carry a computational graph across a
communication.

``send`` produces no data, yet its backward pass must run (to receive the gradient
from the peer); it returns an empty float32 Variable whose creator is the send, the
*delegate variable*.  Calling ``backward()`` on it, or passing it to the next
``recv`` or ``pseudo_connect``, runs that backward.  fchain's ``backward()`` needs a
gradient for a non-scalar output, so a delegate carries an empty one.
"""

from __future__ import annotations

from typing import Any

import numpy

from fchain.core import backend
from fchain.graph.variable import Variable
from fchain.types import Array

__all__ = ["empty_like_device", "mark_delegate"]


def empty_like_device(like: Array | None, dtype: object = numpy.float32) -> Array:
    """An empty 1-D array on the device of ``like`` (the CPU for ``None``)."""
    if like is not None and backend.is_cupy_array(like):
        cp = backend.cupy_module()
        assert cp is not None
        moved: Array = cp.empty((0,), dtype=dtype)
        return moved
    kind: numpy.dtype[Any] = numpy.dtype(dtype)  # type: ignore[call-overload]  # any dtype-like
    return numpy.empty(0, dtype=kind)


def mark_delegate(variable: Variable) -> Variable:
    """Name ``variable`` a delegate and give it an empty gradient, so that
    ``variable.backward()`` starts the backward pass from it."""
    variable.name = "delegate_variable"
    if variable.array.size == 0 and variable.grad is None:
        variable.grad = variable.array.copy()
    return variable
