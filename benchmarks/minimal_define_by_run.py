"""The least Python a define-by-run training step can run: a reference, not a library.

``training_loop.py`` compares fchain's bare loop with a hand-written numpy floor.
This module answers the question that ratio raises: how close to the floor can any
pure-Python define-by-run framework get?  It records the tutorial MLP's graph with
one object per op and a closure per backward, no argument checks, no
configuration, no reporter, no hooks, no devices, no typed errors, and
backpropagates it in reverse creation order (the same order fchain uses).  The
arithmetic is the floor's, in Chainer's order of operations, so only the
bookkeeping differs.  Whatever such a toy costs over the floor is the price of
recording a graph in Python at all.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["MinimalMLP"]

F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]
Grads = tuple["F32 | None", ...]

_next_index = itertools.count().__next__


class Var:
    """An array, its gradient and the node that made it."""

    __slots__ = ("data", "grad", "node")

    def __init__(self, data: F32, node: Node | None = None) -> None:
        self.data = data
        self.grad: F32 | None = None
        self.node = node


class Node:
    """One op application: its backward closure, its inputs, its creation index."""

    __slots__ = ("vjp", "inputs", "index")

    def __init__(self, vjp: Callable[[F32], Grads], inputs: tuple[Var | None, ...]) -> None:
        self.vjp = vjp
        self.inputs = inputs
        self.index = _next_index()


def _linear(x: Var | F32, W: Var, b: Var) -> Var:
    x_var = x if isinstance(x, Var) else None
    xa = x.data if isinstance(x, Var) else x
    Wa = W.data
    y = xa @ Wa.T
    y += b.data

    def vjp(gy: F32) -> Grads:
        gx = gy @ Wa if x_var is not None else None
        return gx, gy.T @ xa, gy.sum(axis=0)

    return Var(y, Node(vjp, (x_var, W, b)))


def _relu(x: Var) -> Var:
    y = np.maximum(x.data, np.float32(0))

    def vjp(gy: F32) -> Grads:
        return (gy * (y > 0),)

    return Var(y, Node(vjp, (x,)))


def _softmax_cross_entropy(x: Var, t: I32) -> Var:
    xa = x.data
    n = xa.shape[0]
    m = xa.max(axis=1, keepdims=True)
    log_y = xa - (m + np.log(np.exp(xa - m).sum(axis=1, keepdims=True)))
    rows = np.arange(n)
    loss = np.asarray(log_y[rows, t].sum() * np.float32(-1.0 / n))

    def vjp(gy: F32) -> Grads:
        g = np.exp(log_y)
        g[rows, t] -= 1
        g *= np.float32(float(gy) / n)
        return (g,)

    return Var(loss, Node(vjp, (x,)))


def _accuracy(y: Var, t: I32) -> F32:
    return np.asarray((y.data.argmax(axis=1) == t).mean(dtype=np.float32))


def _backward(loss: Var) -> None:
    """Accumulate d loss / d leaf into every leaf's ``grad``, visiting nodes newest
    first (every input of a node was created before it)."""
    assert loss.node is not None
    pending: dict[int, tuple[Node, F32]] = {-loss.node.index: (loss.node, np.ones((), np.float32))}
    heap = [-loss.node.index]
    while heap:
        node, gy = pending.pop(heapq.heappop(heap))
        for var, g in zip(node.inputs, node.vjp(gy)):
            if var is None or g is None:
                continue
            creator = var.node
            if creator is None:
                var.grad = g if var.grad is None else var.grad + g
                continue
            key = -creator.index
            entry = pending.get(key)
            if entry is None:
                pending[key] = (creator, g)
                heapq.heappush(heap, key)
            else:
                pending[key] = (creator, entry[1] + g)


class MinimalMLP:
    """The tutorial MLP on the toy graph above, trained by plain SGD."""

    def __init__(self, weights: Sequence[F32], biases: Sequence[F32], lr: float) -> None:
        self.params = [Var(a.copy()) for a in (*weights, *biases)]
        self.lr = lr
        self.accuracy: F32 | None = None

    def loss(self, x: F32, t: I32) -> Var:
        W1, W2, W3, b1, b2, b3 = self.params
        h = _relu(_linear(x, W1, b1))
        h = _relu(_linear(h, W2, b2))
        y = _linear(h, W3, b3)
        self.accuracy = _accuracy(y, t)
        return _softmax_cross_entropy(y, t)

    def step(self, x: F32, t: I32) -> float:
        """One SGD step; returns the loss."""
        for p in self.params:
            p.grad = None
        loss = self.loss(x, t)
        _backward(loss)
        for p in self.params:
            assert p.grad is not None
            p.data -= self.lr * p.grad
        return float(loss.data)
