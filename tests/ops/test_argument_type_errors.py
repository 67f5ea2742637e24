"""An op given something that is not a Variable or an array names itself and the
argument, whether the check is ``apply``'s or the up-front shape read of ops that
need the shape before applying (reductions, shape ops, linear, matmul, losses)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import fchain.functions as F

A = np.ones((2, 3))
CASES: list[tuple[str, Callable[[], object]]] = [
    (r"sum: x must be", lambda: F.sum("a")),  # type: ignore[arg-type]  # the mistake under test
    (r"max: x must be", lambda: F.max(1.0)),  # type: ignore[arg-type]  # the mistake under test
    (r"argmin: x must be", lambda: F.argmin(None)),  # type: ignore[arg-type]  # the mistake under test
    (r"reshape: x must be", lambda: F.reshape([1, 2], (2,))),  # type: ignore[arg-type]  # the mistake under test
    (r"linear: W must be", lambda: F.linear(A, "W")),  # type: ignore[arg-type]  # the mistake under test
    (r"linear: b must be", lambda: F.linear(A, np.ones((4, 3)), 0)),  # type: ignore[arg-type]  # the mistake under test
    (r"matmul: b must be", lambda: F.matmul(A, [[1.0]])),  # type: ignore[arg-type]  # the mistake under test
    (r"concat: xs\[1\] must be", lambda: F.concat([A, 3])),  # type: ignore[list-item]  # the mistake under test
    (r"stack: xs\[0\] must be", lambda: F.stack(["a", A])),  # type: ignore[list-item]  # the mistake under test
    (r"mean: weights must be", lambda: F.mean(A, axis=1, weights="w")),  # type: ignore[arg-type]  # the mistake under test
    (r"mean_squared_error: x1 must be", lambda: F.mean_squared_error(A, 2.0)),  # type: ignore[arg-type]  # the mistake under test
    (r"relu: input 0 must be", lambda: F.relu("a")),  # type: ignore[arg-type]  # the mistake under test
]


@pytest.mark.parametrize(("message", "call"), CASES, ids=[m.split(":")[0] for m, _ in CASES])
def test_a_non_array_argument_is_named_with_its_op(message: str, call: Callable[[], object]) -> None:
    with pytest.raises(TypeError, match=message + r" a Variable, numpy.ndarray or cupy.ndarray, got \w+"):
        call()
