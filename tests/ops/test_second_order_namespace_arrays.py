"""The second-order namespace's ``tile``, ``repeat``, ``flip`` and ``pad``: on
Variables they are the ops ``tile``, ``repeat``, ``flip`` and ``pad`` (recorded, so
differentiable again), with numpy's values.  (A rule that calls one of them in its backward gets double backprop
through it; ``flip`` and ``diagonal`` do, and their property tests check it.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain._second_order import DIFF
from fchain.types import Array

RNG = numpy.random.default_rng(5)
A = RNG.standard_normal((2, 3))

CALLS: list[tuple[str, Callable[[Any], Any], Callable[[Array], Array]]] = [
    ("tile", lambda a: DIFF.tile(a, (2, 1, 2)), lambda a: numpy.tile(a, (2, 1, 2))),
    ("repeat", lambda a: DIFF.repeat(a, 2, 1), lambda a: numpy.repeat(a, 2, 1)),
    ("repeat-per-element", lambda a: DIFF.repeat(a, [1, 0, 2], 1), lambda a: numpy.repeat(a, [1, 0, 2], 1)),
    ("flip-all", lambda a: DIFF.flip(a), lambda a: numpy.flip(a)),
    ("flip-axes", lambda a: DIFF.flip(a, (-1,)), lambda a: numpy.flip(a, (-1,))),
    ("pad", lambda a: DIFF.pad(a, [(1, 0), (0, 2)]), lambda a: numpy.pad(a, [(1, 0), (0, 2)])),
    ("pad-reflect", lambda a: DIFF.pad(a, [(1, 1), (2, 0)], "reflect"),
     lambda a: numpy.pad(a, [(1, 1), (2, 0)], mode="reflect")),
]


@pytest.mark.parametrize(("name", "call", "reference"), CALLS, ids=[c[0] for c in CALLS])
def test_members_record_their_op_and_differentiate_again(
        name: str, call: Callable[[Any], Any], reference: Callable[[Array], Array]) -> None:
    x = fchain.Variable(A.copy())
    y = call(x)
    assert isinstance(y, fchain.Variable) and y.creator is not None
    assert y.creator.op.name == name.split("-")[0]
    numpy.testing.assert_array_equal(y.array, reference(A))
    # sum(y * y) has gradient 2 * y pulled back: the copies of each element add up
    w = RNG.standard_normal(y.shape)
    (gx,) = fchain.grad([F.sum(y * w)], [x], enable_double_backprop=True)
    assert gx is not None
    x.cleargrad()
    F.sum(gx * gx).backward()  # d/dx of |J^T w|^2 is 0: J^T w does not depend on x
    assert x.grad is None or not numpy.any(x.grad)
