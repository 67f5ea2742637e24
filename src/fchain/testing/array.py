"""``assert_allclose``: Chainer's array comparison for tests.

``assert_allclose(x, y, atol=1e-5, rtol=1e-4)`` passes when every element
satisfies ``|x - y| <= atol + rtol * |y|`` (numpy's rule, ``y`` being the
expected side).  Either side may be a numpy or CuPy array, a Variable, or a
Python or numpy scalar; both are brought to the host first.  On a failure the
message adds what Chainer's does: the shapes and dtypes, the element that is
furthest past its tolerance with its relative and absolute error, and both arrays.
"""

from __future__ import annotations

import io

import numpy

from fchain.core.backend import to_numpy
from fchain.graph.variable import Variable
from fchain.types import Array

__all__ = ["ArrayLikeValue", "assert_allclose", "host_array"]

ArrayLikeValue = Array | Variable | float | int | numpy.generic
"""What the comparisons accept: an array, a Variable or a scalar."""


def host_array(value: ArrayLikeValue) -> Array:
    """``value`` as a numpy array on the host (a Variable's array, a CuPy array
    copied, a scalar made 0-d)."""
    if isinstance(value, Variable):
        value = value.array
    if isinstance(value, numpy.ndarray):
        return value
    if isinstance(value, (int, float, numpy.generic)):
        return numpy.asarray(value)
    return to_numpy(value)


def assert_allclose(x: ArrayLikeValue, y: ArrayLikeValue, atol: float = 1e-5, rtol: float = 1e-4,
                    verbose: bool = True) -> None:
    """Assert ``|x - y| <= atol + rtol * |y|`` elementwise (see the module docstring)."""
    xa, ya = host_array(x), host_array(y)
    try:
        numpy.testing.assert_allclose(xa, ya, atol=atol, rtol=rtol, verbose=verbose)
    except AssertionError as error:
        raise AssertionError(_explain(str(error), xa, ya, atol, rtol)) from None


def _explain(numpy_message: str, x: Array, y: Array, atol: float, rtol: float) -> str:
    out = io.StringIO()
    out.write(numpy_message + "\n\nassert_allclose failed:\n")
    out.write(f"  shape: {x.shape} {y.shape}\n  dtype: {x.dtype} {y.dtype}\n")
    if x.shape == y.shape and x.size:
        xx = numpy.atleast_1d(x).astype(numpy.float64)
        yy = numpy.atleast_1d(y).astype(numpy.float64)
        err = numpy.abs(xx - yy)
        tolerance = atol + rtol * numpy.abs(yy)
        excess = numpy.where(numpy.isnan(err), numpy.inf, err - tolerance)
        i = numpy.unravel_index(int(numpy.argmax(excess)), err.shape)
        relative = "inf" if yy[i] == 0 else f"{err[i] / abs(yy[i])}"
        out.write(f"  i: {tuple(int(k) for k in i)}\n  x[i]: {xx[i]}\n  y[i]: {yy[i]}\n"
                  f"  relative error[i]: {relative}\n  absolute error[i]: {err[i]}\n"
                  f"  relative tolerance * |y[i]|: {rtol * abs(yy[i])}\n"
                  f"  absolute tolerance: {atol}\n  total tolerance: {tolerance[i]}\n")
    with numpy.printoptions(threshold=10000):
        out.write("x: " + numpy.array2string(x, prefix="x: ") + "\n")
        out.write("y: " + numpy.array2string(y, prefix="y: ") + "\n")
    return out.getvalue()
