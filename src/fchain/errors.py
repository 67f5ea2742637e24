"""fchain's exceptions.

Every message names the op or function, the argument, what was expected and what
came, so a user can fix the call without reading fchain's source.  Each class also
derives from the built-in exception Chainer users already catch.
"""

from __future__ import annotations

__all__ = [
    "DeviceMismatchError",
    "DeviceSpecError",
    "DTypeError",
    "FchainError",
    "GraphError",
    "LabelError",
    "NondifferentiableError",
    "NotDoubleDifferentiableError",
    "SerializationError",
    "SerializationWarning",
    "ShapeError",
    "UninitializedError",
]


class FchainError(Exception):
    """Base class of every error fchain raises on purpose."""


class ShapeError(FchainError, ValueError):
    """An argument has a shape the op cannot work with."""


class DTypeError(FchainError, TypeError):
    """An argument has a dtype the op cannot work with."""


class DeviceMismatchError(FchainError, ValueError):
    """Arrays on different devices (numpy and CuPy, or two GPUs) met in one op."""


class DeviceSpecError(FchainError, ValueError, TypeError):
    """A device specifier fchain cannot read.  Chainer raises ``ValueError`` for a
    malformed string and ``TypeError`` for a value of the wrong kind; this is both,
    so either ``except`` catches it."""


class GraphError(FchainError, RuntimeError):
    """The computational graph was used in a way that has no defined gradient."""


class NotDoubleDifferentiableError(GraphError):
    """Second-order gradients were requested through an op whose backward has none."""


class NondifferentiableError(FchainError, ArithmeticError):
    """A numerical gradient found a point where the function is not differentiable."""


class SerializationError(FchainError, ValueError):
    """A file could not be read into (or written from) an object."""


class SerializationWarning(UserWarning):
    """A load went through but left something of the file unused (keys the target
    never asked for, which Chainer ignores silently)."""


class UninitializedError(FchainError, ValueError):
    """A Variable without an array (an uninitialized Parameter, or ``Variable()``) was
    read where an array is needed."""


class LabelError(FchainError, ValueError):
    """A label outside the classes an op was given (and not its ``ignore_label``)."""
