"""``BinaryHierarchicalSoftmax``: hierarchical softmax over a binary tree of
words (Morin and Bengio, 2005), with one vector per internal node as ``W``.

The tree is nested pairs with word ids (ints) at the leaves, ``((0, 1), 2)``;
``create_huffman_tree(counts)`` builds Chainer's Huffman tree from word counts.
The internal nodes are numbered in pre-order (the root 0, then its left subtree,
then its right), each word's path records the nodes it passes and whether it goes
left (code 1) or right (-1): Chainer's numbering, so its files (``W`` of shape
``(n_internal_nodes, in_size)``, drawn from ``Uniform(1)``) load and compute its
losses.  The loss of a batch is the sum over its rows (a 0-d Variable), computed
by the op of ``fchain.ops.loss._hierarchical_softmax``.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterator, Mapping
from typing import TypeAlias, TypeVar, overload

import numpy

from fchain.facade.link import Link
from fchain.graph.config import get_dtype
from fchain.graph.device import Device
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.initializers import Uniform
from fchain.links._sizes import count
from fchain.ops.loss._hierarchical_softmax import binary_hierarchical_softmax
from fchain.types import Array, DTypeLike

__all__ = ["BinaryHierarchicalSoftmax", "Tree"]

Tree: TypeAlias = "int | tuple[Tree, Tree]"
"""A binary tree of word ids: a leaf (an int) or a pair of subtrees."""

_K = TypeVar("_K", bound=Hashable)
Huffman: TypeAlias = "_K | tuple[Huffman[_K], Huffman[_K]]"
"""A binary tree with leaves of any hashable type (``create_huffman_tree``'s
result; an int-keyed one is a ``Tree``)."""


def _walk(tree: Tree) -> tuple[dict[int, list[int]], dict[int, list[float]], int]:
    """Each leaf's internal nodes (pre-order numbers) and turns (1 left, -1 right)
    from the root, and the number of internal nodes."""
    paths: dict[int, list[int]] = {}
    codes: dict[int, list[float]] = {}
    n_nodes = 0
    # Depth first, left before right: (subtree, path above it, codes above it).
    stack: list[tuple[object, list[int], list[float]]] = [(tree, [], [])]
    while stack:
        node, path, code = stack.pop()
        if isinstance(node, tuple):
            if len(node) != 2:
                raise ValueError("BinaryHierarchicalSoftmax: all internal nodes must have two child nodes, "
                                 f"got one with {len(node)}")
            here = n_nodes
            n_nodes += 1
            left, right = node
            stack.append((right, [*path, here], [*code, -1.0]))
            stack.append((left, [*path, here], [*code, 1.0]))
        else:
            if isinstance(node, bool) or not isinstance(node, (int, numpy.integer)) or int(node) < 0:
                raise TypeError(f"BinaryHierarchicalSoftmax: the leaves must be word ids (ints >= 0), "
                                f"got {node!r}")
            paths[int(node)] = path
            codes[int(node)] = code
    return paths, codes, n_nodes


class BinaryHierarchicalSoftmax(Link):
    """Hierarchical softmax loss over the binary word tree ``tree``.

    Args:
        in_size: the units of the inputs (and of each node vector).
        tree: the word tree (see the module docstring).
        dtype: the dtype of the path codes (default ``fchain.config.dtype``).

    Attributes:
        W: one vector per internal node, ``(n_nodes, in_size)``.
        paths, codes: per word id, its nodes and turns, padded to the longest path
            with node 0 and code 0 (moved with the link, not saved in files).
    """

    W: Parameter
    paths: Array
    codes: Array

    def __init__(self, in_size: int, tree: Tree, dtype: DTypeLike | None = None) -> None:
        super().__init__()
        units = count("BinaryHierarchicalSoftmax", "in_size", in_size)
        paths, codes, n_nodes = _walk(tree)
        n_words = max(paths) + 1
        longest = max(len(p) for p in paths.values())
        self.paths = numpy.zeros((n_words, longest), dtype=numpy.int32)
        self.codes = numpy.zeros((n_words, longest), dtype=get_dtype(dtype))
        for word, path in paths.items():
            self.paths[word, :len(path)] = path
            self.codes[word, :len(path)] = codes[word]
        with self.init_scope():
            self.W = Parameter(Uniform(1), (n_nodes, units))

    def _move_own(self, target: Device) -> None:
        super()._move_own(target)
        self.paths = target.send(self.paths)
        self.codes = target.send(self.codes)

    @overload
    @staticmethod
    def create_huffman_tree(word_counts: Mapping[int, float]) -> Tree: ...

    @overload
    @staticmethod
    def create_huffman_tree(word_counts: Mapping[_K, float]) -> Huffman[_K]: ...

    @staticmethod
    def create_huffman_tree(word_counts: Mapping[_K, float]) -> Huffman[_K]:
        """Chainer's Huffman tree of ``word_counts`` (word -> count): the two
        lightest subtrees are joined until one is left, ties going to the subtree
        holding the word that comes first in ``word_counts``; the lighter of the two
        is the left child."""
        if not word_counts:
            raise ValueError("Empty vocabulary")
        heap: list[tuple[float, int, Huffman[_K]]] = [
            (c, uid, word) for uid, (word, c) in enumerate(word_counts.items())]
        heapq.heapify(heap)
        while len(heap) >= 2:
            count1, id1, left = heapq.heappop(heap)
            count2, id2, right = heapq.heappop(heap)
            heapq.heappush(heap, (count1 + count2, min(id1, id2), (left, right)))
        return heap[0][2]

    def forward(self, x: Variable | Array, t: Variable | Array) -> Variable:
        """The loss of ``x`` (``(N, in_size)``) for the words ``t``, summed over
        the rows (0-d)."""
        codes = self.codes
        dtype = x.dtype
        if codes.dtype != dtype:
            codes = codes.astype(dtype)
        return binary_hierarchical_softmax(x, t, self.W, self.paths, codes)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "in_size", self.W.shape[1]
        yield "n_words", self.paths.shape[0]
