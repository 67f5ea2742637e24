"""bilinear(e1, e2, W, V1=None, V2=None, b=None): the bilinear layer of Socher et al.'s
neural tensor network, Chainer's signature:
``y[i, l] = sum_jk e1[i, j] e2[i, k] W[j, k, l] + (e1 V1)[i, l] + (e2 V2)[i, l] + b[l]``.

``e1`` ``(N, J, ...)`` and ``e2`` ``(N, K, ...)`` are flattened after the batch axis;
``W``: ``(J, K, L)``; ``V1``: ``(J, L)``, ``V2``: ``(K, L)``, ``b``: ``(L,)``, all three
given or none (as Chainer demands).  Built of ops (the outer product as a
broadcast ``mul``, ``reshape``, ``matmul``, ``add``), so every order of derivative
exists.
"""

from __future__ import annotations

from fchain.errors import ShapeError
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, shape_of
from fchain.ops.array.reshape import reshape
from fchain.ops.math.add import add
from fchain.ops.math.matmul import matmul
from fchain.ops.math.mul import mul

__all__ = ["bilinear"]


def _features(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape[1:]:
        n *= s
    return n


def bilinear(e1: VariableLike, e2: VariableLike, W: VariableLike, V1: VariableLike | None = None,
             V2: VariableLike | None = None, b: VariableLike | None = None) -> Variable:
    """The bilinear function (see the module docstring)."""
    fn = "bilinear"
    given = [v is not None for v in (V1, V2, b)]
    if any(given) and not all(given):
        raise ValueError(f"{fn}: V1, V2 and b must be all given or all None")
    s1, s2, sw = shape_of(e1, fn, "e1"), shape_of(e2, fn, "e2"), shape_of(W, fn, "W")
    if len(s1) < 2 or len(s2) < 2 or s1[0] != s2[0]:
        raise ShapeError(f"{fn}: e1 {s1} and e2 {s2} must be (batch, features...) with one batch size")
    j, k = _features(s1), _features(s2)
    if len(sw) != 3 or sw[:2] != (j, k):
        raise ShapeError(f"{fn}: W has shape {sw}; expected ({j}, {k}, out_size) for e1 {s1} and e2 {s2}")
    out = sw[2]
    a = reshape(e1, (s1[0], j)) if len(s1) != 2 else e1
    c = reshape(e2, (s2[0], k)) if len(s2) != 2 else e2
    outer = mul(reshape(a, (s1[0], j, 1)), reshape(c, (s1[0], 1, k)))
    y = matmul(reshape(outer, (s1[0], j * k)), reshape(W, (j * k, out)))
    if V1 is None or V2 is None or b is None:
        return y
    for name, v, want in (("V1", V1, (j, out)), ("V2", V2, (k, out)), ("b", b, (out,))):
        if shape_of(v, fn, name) != want:
            raise ShapeError(f"{fn}: {name} has shape {shape_of(v, fn, name)}; expected {want}")
    return add(y, matmul(a, V1), matmul(c, V2), b)
