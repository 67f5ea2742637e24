"""binary_hierarchical_softmax(x, t, W, paths, codes): the loss of
``L.BinaryHierarchicalSoftmax`` (Morin and Bengio, 2005), summed over the batch.

A binary tree has the words at its leaves and one row of ``W`` per internal node.
Word ``w``'s path from the root passes the nodes ``paths[w, :L_w]`` and turns left
(``codes[w, k] = 1``) or right (``-1``) at each; ``paths``/``codes`` are padded to
the longest path with node 0 and code 0 (the link builds them from its tree).  The
probability of ``w`` given ``x`` is ``prod_k sigmoid(codes[w, k] * W[paths[w, k]]
. x)``, and the loss is ``sum_n sum_k log(1 + exp(-c_k W[p_k] . x_n))`` over
``t[n]``'s path: a 0-d array.

Chainer keeps this function inside its link
(``chainer.links.loss.hierarchical_softmax.BinaryHierarchicalSoftmaxFunction``),
not in ``chainer.functions``; so does fchain: this op is not registered (no
``F.binary_hierarchical_softmax``), and ``tests/links/test_hierarchical_softmax.py``
runs the registry's gradient property test on it.

Forward: the scores of every row's path nodes by one batched ``matmul`` of the
gathered rows ``W[paths[t]]`` with ``x``, ``f = -codes[t] * score`` and
``log(1 + exp(f)) = max(f, 0) + log1p(exp(-|f|))`` (numpy's ``logaddexp(0, f)``,
Chainer's CPU formula), masked to the path (``|codes|``), summed per row and then
over the rows (Chainer adds the rows' sums one by one: the same values summed in
another order).  VJP (Chainer's): ``g = -gy * c / (1 + exp(c * score))`` per path
node, ``gx[n] = g[n] . W[paths[t[n]]]`` and ``gW[p] += g x[n]`` scattered in row
order.  Residuals: ``x``, ``W`` (inputs), the gathered paths and codes; the second
order records the scatter as the op ``get_item_grad``, so double backprop works
(Chainer's function has none).
"""

from __future__ import annotations

from collections.abc import Callable

from fchain.core import backend
from fchain.core.op import OpDef
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.ops.array._scatter import scatter, scatter_recorded
from fchain.ops.loss._checks import check_int_labels
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["BINARY_HIERARCHICAL_SOFTMAX", "binary_hierarchical_softmax"]

_NAME = "binary_hierarchical_softmax"


def _scores(xp: ArrayNamespace, x: Array, w: Array) -> Array:
    """``x[n] . w[n, k]`` for every row ``n`` and path node ``k`` (a batched matmul)."""
    n, k, d = w.shape
    return xp.reshape(xp.matmul(w, xp.reshape(x, (n, d, 1))), (n, k))


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x, t, W, paths, codes = inputs
    path, code = paths[t], codes[t]
    f = -_scores(xp, x, W[path]) * code
    per_node = (xp.maximum(f, 0) + xp.log1p(xp.exp(-xp.absolute(f)))) * xp.absolute(code)
    loss = xp.asarray(xp.sum(xp.sum(per_node, axis=1, keepdims=False), axis=None, keepdims=False),
                      dtype=x.dtype)
    return (loss,), (x, W, path, code)


_Scatter = Callable[[ArrayNamespace, Array, Array, Shape], Array]


def _scatter_rows(xp: ArrayNamespace, values: Array, index: Array, shape: Shape) -> Array:
    return scatter(xp, values, (index,), shape)


def _scatter_rows_recorded(xp: ArrayNamespace, values: Array, index: Array, shape: Shape) -> Array:
    return scatter_recorded(values, (index,), shape)


def _vjp_with(xp: ArrayNamespace, residuals: Inputs, gy: Array, scatter_rows: _Scatter) -> Grads:
    x, W, path, code = residuals
    n, k = path.shape
    d = x.shape[1]
    w = W[path]
    wxy = _scores(xp, x, w) * code
    g = -gy * code / (1 + xp.exp(wxy))
    gx = xp.reshape(xp.matmul(xp.reshape(g, (n, 1, k)), w), (n, d))
    gW = scatter_rows(xp, xp.reshape(g, (n, k, 1)) * xp.reshape(x, (n, 1, d)), path, tuple(W.shape))
    return gx, None, gW, None, None


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    return _vjp_with(xp, residuals, grads[0], _scatter_rows)


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    """Second order: the scatter into ``W``'s gradient is the op ``get_item_grad``."""
    return _vjp_with(xp, residuals, grads[0], _scatter_rows_recorded)


def _check(arrays: tuple[Array, ...], params: None) -> None:
    x, t, W, paths, codes = arrays
    if x.ndim != 2:
        raise ShapeError(f"{_NAME}: x must have shape (N, D), got shape {tuple(x.shape)}")
    check_int_labels(_NAME, t)
    if t.ndim != 1 or t.shape[0] != x.shape[0]:
        raise ShapeError(f"{_NAME}: t must have shape ({x.shape[0]},) (one word per row of x), "
                         f"got shape {tuple(t.shape)}")
    if W.ndim != 2 or W.shape[1] != x.shape[1]:
        raise ShapeError(f"{_NAME}: W must have shape (n_nodes, {x.shape[1]}), got shape {tuple(W.shape)}")
    check_int_labels(_NAME, paths, "paths")
    if paths.ndim != 2 or tuple(codes.shape) != tuple(paths.shape):
        raise ShapeError(f"{_NAME}: paths and codes must be (n_words, max_path) arrays of one shape, got "
                         f"{tuple(paths.shape)} and {tuple(codes.shape)}")
    if t.size and not (int(t.min()) >= 0 and int(t.max()) < paths.shape[0]):
        outside = backend.to_numpy(t[(t < 0) | (t >= paths.shape[0])])
        raise ValueError(f"{_NAME}: t holds words outside the tree's [0, {paths.shape[0]}): "
                         f"{sorted({int(v) for v in outside.ravel()[:100]})[:5]}")
    if paths.size and not (int(paths.min()) >= 0 and int(paths.max()) < W.shape[0]):
        raise ValueError(f"{_NAME}: paths name nodes outside W's {W.shape[0]} rows")


def _sample(draw: Draw) -> Case:
    """A caterpillar tree over 2 to 5 words as ``paths``/``codes``: internal node
    ``k`` is the right child of node ``k - 1``; word ``w`` turns right ``w`` times
    and then left, the last word right all the way (the padding varies by word)."""
    v, d, n = draw.integer(2, 5), draw.integer(1, 3), draw.integer(1, 4)
    depth = v - 1
    paths = draw.integers((v, depth), 0, 0)
    codes = draw.floats((v, depth), 0.0, 0.0)
    for word in range(v):
        length = min(word + 1, depth)
        for k in range(length):
            paths[word, k] = k
            codes[word, k] = -1.0 if k < word else 1.0
    x = draw.floats((n, d))
    W = draw.floats((depth, d))
    t = draw.integers((n,), 0, v - 1)

    def call(xv: Variable, tv: Variable, Wv: Variable, pv: Variable, cv: Variable) -> Variable:
        return binary_hierarchical_softmax(xv, tv, Wv, pv.array, cv.array)

    return Case((x, t, W, paths, codes), call, check=(0, 2))


BINARY_HIERARCHICAL_SOFTMAX: OpDef[None] = OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=("x", "t", "W", "paths", "codes"),
    float_inputs=(0, 2, 4), check=_check, broadcasts=False, second_order_vjp=_vjp_recorded)


def binary_hierarchical_softmax(x: VariableLike, t: VariableLike, W: VariableLike, paths: Array,
                                codes: Array) -> Variable:
    """The hierarchical softmax loss of the words ``t`` given ``x``, summed (0-d).

    Args:
        x: Input vectors ``(N, D)``.
        t: Integer words ``(N,)``, each a row of ``paths``.
        W: One row per internal node ``(n_nodes, D)``, ``x``'s dtype.
        paths: int32 ``(n_words, max_path)``: each word's nodes from the root,
            padded with 0.
        codes: ``(n_words, max_path)`` in ``x``'s dtype: 1 where the path turns
            left, -1 right, 0 past its end.
    """
    return apply(BINARY_HIERARCHICAL_SOFTMAX, (x, t, W, paths, codes), None)
