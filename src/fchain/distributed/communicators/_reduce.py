"""How the communicators sum a host buffer across ranks (in place).

* ``FlatReducer``: one MPI all-reduce over all ranks (``naive``, ``flat``,
  ``pure_nccl``, ``single_node``, ``non_cuda_aware`` on the CPU).
* ``HierarchicalReducer``: reduce to the first rank of each node, all-reduce among
  those, broadcast back within each node (``hierarchical``): inter-node traffic
  is one buffer per node instead of one per rank.
* ``TwoDimensionalReducer``: reduce-scatter within each node, all-reduce each
  slice across nodes, all-gather within each node (``two_dimensional``): every
  rank of a node carries a slice of the inter-node traffic.

Each step waits through the ``Runtime`` of the MPI communicator it uses, so every
step has the deadline and failure watch of ``Runtime.wait``.
"""

from __future__ import annotations

from typing import Protocol

from mpi4py import MPI

from fchain.distributed.communicators._runtime import Runtime
from fchain.types import Array

__all__ = ["FlatReducer", "HierarchicalReducer", "Reducer", "TwoDimensionalReducer", "split_counts"]


class Reducer(Protocol):
    """Sums a 1-D host buffer over all ranks, in place."""

    def sum_(self, buf: Array, call: str, seq: int) -> None: ...


def _enter(rt: Runtime, call: str, seq: int) -> None:
    rt.call, rt.seq = call, seq


def split_counts(n: int, parts: int) -> list[int]:
    """``n`` elements cut into ``parts`` nearly equal consecutive counts."""
    return [n // parts + (1 if i < n % parts else 0) for i in range(parts)]


def _offsets(counts: list[int]) -> list[int]:
    out, total = [], 0
    for c in counts:
        out.append(total)
        total += c
    return out


class FlatReducer:
    """One all-reduce over the whole communicator."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def sum_(self, buf: Array, call: str, seq: int) -> None:
        self.rt.wait([self.rt.comm.Iallreduce(MPI.IN_PLACE, buf)])


class HierarchicalReducer:
    """Reduce within the node, all-reduce across nodes (first ranks only),
    broadcast within the node.  ``inter`` is ``None`` on the other ranks."""

    def __init__(self, intra: Runtime, inter: Runtime | None) -> None:
        self.intra = intra
        self.inter = inter

    def sum_(self, buf: Array, call: str, seq: int) -> None:
        intra = self.intra
        _enter(intra, call, seq)
        if intra.rank == 0:
            intra.wait([intra.comm.Ireduce(MPI.IN_PLACE, buf, root=0)])
        else:
            intra.wait([intra.comm.Ireduce(buf, None, root=0)])
        inter = self.inter
        if inter is not None and inter.size > 1:
            _enter(inter, call, seq)
            inter.wait([inter.comm.Iallreduce(MPI.IN_PLACE, buf)])
        intra.wait([intra.comm.Ibcast(buf, root=0)])


class TwoDimensionalReducer:
    """Reduce-scatter within the node, all-reduce each slice among the ranks with
    the same position on every node, all-gather within the node."""

    def __init__(self, intra: Runtime, inter: Runtime) -> None:
        self.intra = intra
        self.inter = inter

    def sum_(self, buf: Array, call: str, seq: int) -> None:
        intra, inter = self.intra, self.inter
        counts = split_counts(int(buf.size), intra.size)
        shard = buf[_offsets(counts)[intra.rank]:][:counts[intra.rank]].copy()
        _enter(intra, call, seq)
        intra.wait([intra.comm.Ireduce_scatter(buf, shard, counts)])
        if inter.size > 1:
            _enter(inter, call, seq)
            inter.wait([inter.comm.Iallreduce(MPI.IN_PLACE, shard)])
        mpi_type = MPI.Datatype.fromcode(buf.dtype.char)
        intra.wait([intra.comm.Iallgatherv(shard, (buf, (counts, _offsets(counts)), mpi_type))])
