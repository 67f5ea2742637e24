"""What ``FunctionTestCase`` and the link test cases share: their error types, the
typed option dicts, non-contiguous copies, the checks of what user methods
return, and the comparison of forward outputs with the expected ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Literal, TypedDict, TypeVar

import numpy

from fchain.errors import NondifferentiableError
from fchain.graph.device import Device, get_device_from_array
from fchain.graph.variable import Variable
from fchain.testing.array import assert_allclose, host_array
from fchain.types import Array

__all__ = [
    "BackwardOptions",
    "Contiguity",
    "ForwardOptions",
    "FunctionTestError",
    "LinkTestError",
    "TestCaseError",
    "as_noncontiguous",
    "check_arrays",
    "checked_arrays",
    "check_outputs_equal",
    "check_variables",
    "dodging",
    "raise_as",
]

Contiguity = Literal["C"] | None
"""``None``: feed non-contiguous arrays (Chainer's default); ``'C'``: C-contiguous."""

MAX_DODGES = 100
"""How many times ``dodge_nondifferentiable`` redraws before it gives up."""

R = TypeVar("R")


class ForwardOptions(TypedDict, total=False):
    """``check_forward_options``: passed to ``assert_allclose``."""

    atol: float
    rtol: float


class BackwardOptions(TypedDict, total=False):
    """``check_backward_options`` / ``check_double_backward_options``: passed to the
    gradient checks."""

    atol: float
    rtol: float
    eps: float


class TestCaseError(AssertionError):
    """A test case found the code under test wrong (Chainer's ``_TestError``)."""

    __test__ = False  # not a test class, whatever its name


class FunctionTestError(TestCaseError):
    """The function under test is implemented incorrectly."""


class LinkTestError(TestCaseError):
    """The link under test is implemented incorrectly."""


@contextmanager
def raise_as(error: type[TestCaseError], message: str) -> Iterator[None]:
    """Re-raise an ``AssertionError`` from inside as ``error``, its message
    preceded by ``message``, chained."""
    try:
        yield
    except AssertionError as cause:
        raise error(f"{message}\n{cause}") from cause


def dodging(enabled: bool, check: Callable[[], R]) -> R:
    """``check()``; when ``enabled``, again (with fresh draws) while it finds a
    non-differentiable point, up to ``MAX_DODGES`` times."""
    if not enabled:
        return check()
    for _ in range(MAX_DODGES):
        try:
            return check()
        except NondifferentiableError:
            continue
    raise AssertionError(f"dodge_nondifferentiable: {MAX_DODGES} draws in a row were at "
                         "non-differentiable points; draw inputs away from the kinks")


def as_noncontiguous(a: Array | None) -> Array | None:
    """A non-contiguous copy of ``a`` on its device (every other element of an
    array twice its size on each axis); arrays of at most one element as they are."""
    if a is None or a.size <= 1:
        return a
    xp = get_device_from_array(a).xp
    big = xp.zeros(tuple(2 * n for n in a.shape), dtype=a.dtype)
    view: Array = big[(slice(None, None, 2),) * a.ndim]
    view[...] = a
    return view


def arranged(arrays: Sequence[Array], contiguous: Contiguity) -> tuple[Array, ...]:
    """``arrays`` as ``contiguous`` asks (see ``Contiguity``)."""
    if contiguous == "C":
        return tuple(arrays)
    if contiguous is not None:
        raise ValueError(f"contiguous must be None or 'C', got {contiguous!r}")
    out = []
    for a in arrays:
        b = as_noncontiguous(a)
        assert b is not None
        out.append(b)
    return tuple(out)


def arranged_optional(arrays: Sequence[Array | None], contiguous: Contiguity) -> tuple[Array | None, ...]:
    if contiguous == "C":
        return tuple(arrays)
    return tuple(as_noncontiguous(a) for a in arrays)


def check_arrays(value: object, where: str, allow_none: bool = False) -> tuple[Array | None, ...]:
    """What a user method returned, which must be a tuple of numpy arrays (or
    ``None`` entries where allowed): a ``TypeError`` naming the method otherwise.
    numpy scalars (what ``x * x`` gives for a 0-d ``x``) become 0-d arrays."""
    if not isinstance(value, tuple):
        raise TypeError(f"{where}() must return a tuple, not {type(value).__name__}")
    out: list[Array | None] = []
    for i, a in enumerate(value):
        if isinstance(a, numpy.generic):
            a = numpy.asarray(a)
        if not (isinstance(a, numpy.ndarray) or (a is None and allow_none)):
            raise TypeError(f"{where}() must return a tuple of numpy arrays"
                            f"{' or None' if allow_none else ''}; entry {i} is {type(a).__name__}")
        out.append(a)
    return tuple(out)


def checked_arrays(value: object, where: str) -> tuple[Array, ...]:
    """``check_arrays`` without ``None`` entries."""
    return tuple(a for a in check_arrays(value, where) if a is not None)


def check_variables(value: object, where: str, device: Device, error: type[TestCaseError]) -> tuple[Variable, ...]:
    """What ``forward`` returned must be a tuple of Variables whose arrays live on
    ``device``."""
    if not isinstance(value, tuple):
        raise error(f"{where}() must return a tuple of Variables, not {type(value).__name__}")
    for i, v in enumerate(value):
        if not isinstance(v, Variable):
            raise error(f"{where}() must return a tuple of Variables; entry {i} is {type(v).__name__}")
        if get_device_from_array(v.array) != device:
            raise error(f"{where}(): output {i} is on {get_device_from_array(v.array)}, the inputs on {device}")
    return value


def _props(arrays: Sequence[Array]) -> str:
    return ", ".join(f"{a.dtype}{tuple(a.shape)}" for a in arrays)


def check_outputs_equal(actual: Sequence[Array], expected: Sequence[Array], error: type[TestCaseError],
                        options: ForwardOptions) -> None:
    """Same count, dtypes and shapes, then ``assert_allclose`` output by output; one
    ``error`` listing every output that differs."""
    actual = [host_array(a) for a in actual]
    expected = [host_array(a) for a in expected]
    message = None
    details = ""
    if len(actual) != len(expected):
        message = f"Number of outputs ({len(actual)}, {len(expected)}) does not match"
    elif any(a.dtype != e.dtype or a.shape != e.shape for a, e in zip(actual, expected)):
        message = "Shapes and/or dtypes do not match"
    else:
        failed = []
        for i, (a, e) in enumerate(zip(actual, expected)):
            try:
                assert_allclose(a, e, **options)
            except AssertionError as cause:
                failed.append(i)
                details += f"Error details of output [{i}]:\n{cause}\n"
        if failed:
            message = ("Outputs do not match the expected values.\n"
                       f"Indices of outputs that do not match: {', '.join(map(str, failed))}")
    if message is not None:
        raise error(f"{message}\nExpected shapes and dtypes: {_props(expected)}\n"
                    f"Actual shapes and dtypes:   {_props(actual)}\n" + (f"\n\n{details}" if details else ""))
