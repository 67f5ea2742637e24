"""MPI job (any number of ranks): every communicator method, the iterators, and the
differentiable collectives, each checked on every rank against what the other
ranks are known to send.  Prints ``PASS <check>`` per check; a failed check raises,
which ends the whole job with a non-zero status (the except hook)."""

from __future__ import annotations

import argparse
import json
import os

import numpy as np
import numpy.typing as npt

import fchain
import fchain.functions as F
from fchain import iterators
from fchain.distributed import (
    create_communicator,
    create_multi_node_iterator,
    create_synchronized_iterator,
    scatter_dataset,
)
from fchain.distributed import functions as mnF
from fchain.distributed.communicators.mpi_communicator_base import MpiCommunicatorBase as Comm
from fchain.types import Array


def value(rank: int, shape: tuple[int, ...] = (2, 3), dtype: npt.DTypeLike = np.float32) -> Array:
    return (np.arange(np.prod(shape)).reshape(shape) + 10 * rank).astype(dtype)


def grad(v: fchain.Variable) -> Array:
    g = v.grad
    assert g is not None, "no gradient"
    return g


def passed(comm: Comm, name: str) -> None:
    print(f"PASS {name} rank {comm.rank}", flush=True)


def check_arrays(kind: str) -> None:
    comm = create_communicator(kind, timeout=60)
    r, n = comm.rank, comm.size
    for dtype in (np.float32, np.float64, np.float16, np.int32, np.bool_):
        x = value(r, dtype=dtype)
        got = comm.bcast(x if r == 0 else None, root=0)
        assert got.dtype == x.dtype and np.array_equal(got, value(0, dtype=dtype)), (dtype, got)
        gathered = comm.gather(x, root=n - 1)
        if r == n - 1:
            assert gathered is not None and all(np.array_equal(g, value(i, dtype=dtype))
                                                for i, g in enumerate(gathered))
        else:
            assert gathered is None
        every = comm.allgather(x)
        assert [g.dtype for g in every] == [x.dtype] * n
        assert all(np.array_equal(g, value(i, dtype=dtype)) for i, g in enumerate(every))
    summed = comm.allreduce(value(r))
    assert np.array_equal(summed, sum(value(i) for i in range(n)))
    half = comm.allreduce(value(r, dtype=np.float16))
    assert half.dtype == np.float16 and np.allclose(half, sum(value(i) for i in range(n)))
    # scatter: a tuple of different shapes, and an array split along axis 0
    parts = [value(i, (i + 1, 2)) for i in range(n)] if r == 0 else None
    assert np.array_equal(comm.scatter(parts, root=0), value(r, (r + 1, 2)))
    whole = np.stack([value(i) for i in range(n)]) if r == 0 else None
    assert np.array_equal(comm.scatter(whole, root=0), value(r))
    # alltoall: rank r sends (r, j) to rank j
    received = comm.alltoall([np.full((j + 1,), 100 * r + j, np.int64) for j in range(n)])
    assert all(np.array_equal(got, np.full((r + 1,), 100 * i + r)) for i, got in enumerate(received))
    # point to point in a ring, an array and a tuple of arrays
    right, left = (r + 1) % n, (r - 1) % n
    if n > 1:
        if r % 2 == 0:
            comm.send(value(r), right, 5)
            comm.send((value(r), value(r, (1,), np.float64)), right, 6)
            got_a, got_t = comm.recv(left, 5), comm.recv(left, 6)
        else:
            got_a, got_t = comm.recv(left, 5), comm.recv(left, 6)
            comm.send(value(r), right, 5)
            comm.send((value(r), value(r, (1,), np.float64)), right, 6)
        assert isinstance(got_a, np.ndarray) and np.array_equal(got_a, value(left))
        assert isinstance(got_t, tuple) and got_t[1].dtype == np.float64
        assert np.array_equal(got_t[0], value(left)) and np.array_equal(got_t[1], value(left, (1,)))
    passed(comm, f"arrays {kind}")
    comm.finalize()


def check_objects(comm: Comm) -> None:
    c = comm
    r, n = c.rank, c.size
    assert c.bcast_obj({"from": 0, "list": [1, 2]} if r == 0 else None) == {"from": 0, "list": [1, 2]}
    # a broadcast cut into chunks of 7 bytes
    assert c.bcast_obj(list(range(50)) if r == n - 1 else None, max_buf_len=7, root=n - 1) == list(range(50))
    gathered = c.gather_obj(("rank", r), root=0)
    assert gathered == ([("rank", i) for i in range(n)] if r == 0 else None)
    assert c.allreduce_obj(r + 1) == n * (n + 1) // 2
    assert c.allreduce_obj([r]) == list(range(n))
    if n > 1:
        if r == 0:
            c.send_obj({"to": 1}, dest=1, tag=3)
            c.send_obj("any tag", dest=1, tag=9)
        elif r == 1:
            assert c.recv_obj(0, tag=3) == {"to": 1}
            assert c.recv_obj(0) == "any tag"
    sub = c.split(r % 2, -r)
    assert sub.size == len(range(r % 2, n, 2))
    assert sub.allgather_obj(r) == sorted(range(r % 2, n, 2), reverse=True)
    c.barrier()
    passed(c, "objects")


def check_datasets(comm: Comm, out: str) -> None:
    c = comm
    shares = {}
    for n_examples in (10, 11, 1):
        for force in (False, True):
            part = scatter_dataset(list(range(n_examples)) if c.rank == 0 else None, c,
                                   shuffle=True, seed=3, force_equal_length=force)
            shares[f"{n_examples}_{int(force)}"] = [int(part[i]) for i in range(len(part))]
    with open(os.path.join(out, f"shares_rank{c.rank}.json"), "w") as f:
        json.dump(shares, f)
    passed(c, "datasets")


def check_iterators(comm: Comm) -> None:
    c = comm
    data = [(np.full(2, i, np.float32), i) for i in range(7)]
    it = create_multi_node_iterator(iterators.SerialIterator(data, 3, shuffle=True, seed=c.rank)
                                    if c.rank == 0 else None, c)
    batches = []
    for _ in range(5):
        batch = next(it)
        batches.append(([int(t) for _, t in batch], it.epoch, it.is_new_epoch, round(it.epoch_detail, 6)))
    every = c.allgather_obj(batches)
    assert all(b == every[0] for b in every), every
    finite = create_multi_node_iterator(iterators.SerialIterator(data, 4, repeat=False)
                                        if c.rank == 0 else None, c)
    assert [len(b) for b in finite] == [4, 3]
    synced = create_synchronized_iterator(iterators.SerialIterator(data, 3, shuffle=True), c)
    orders = c.allgather_obj([[int(t) for _, t in next(synced)] for _ in range(6)])
    assert all(o == orders[0] for o in orders), orders
    passed(c, "iterators")


def check_functions(comm: Comm) -> None:
    c = comm
    r, n = c.rank, c.size

    def coef(i: int, j: int) -> np.ndarray:
        return np.full((2, 3), 1.0 + i + 10 * j, np.float32)

    # allgather: loss_r = sum_i <ys[i], coef(r, i)>; d x_j = sum_r coef(r, j)
    x = fchain.Variable(value(r))
    ys = mnF.allgather(c, x)
    assert all(np.array_equal(y.array, value(i)) for i, y in enumerate(ys))
    F.sum(F.stack([F.sum(y * coef(r, i)) for i, y in enumerate(ys)])).backward()
    assert np.allclose(grad(x), sum(coef(i, r) for i in range(n))), x.grad
    # alltoall: y_i = x_(i -> r); loss_r = sum_i <y_i, coef(r, i)>; d x_(r -> j) = coef(j, r)
    xs = [fchain.Variable(value(r) + j) for j in range(n)]
    ys = mnF.alltoall(c, xs)
    assert all(np.array_equal(y.array, value(i) + r) for i, y in enumerate(ys))
    F.sum(F.stack([F.sum(y * coef(r, i)) for i, y in enumerate(ys)])).backward()
    assert all(np.allclose(grad(xs[j]), coef(j, r)) for j in range(n))
    # bcast from the last rank: d x = sum_r coef(r, 0)
    root = n - 1
    x = fchain.Variable(value(r))
    y = mnF.bcast(c, x if r == root else None, root=root)
    assert np.array_equal(y.array, value(root))
    F.sum(y * coef(r, 0)).backward()
    if r == root:
        assert np.allclose(grad(x), sum(coef(i, 0) for i in range(n)))
    # gather on rank 0: d x_r = coef(r, 1)
    x = fchain.Variable(value(r))
    gathered = mnF.gather(c, x, root=0)
    if r == 0:
        assert isinstance(gathered, tuple) and len(gathered) == n
        F.sum(F.stack([F.sum(g * coef(i, 1)) for i, g in enumerate(gathered)])).backward()
    else:
        assert isinstance(gathered, fchain.Variable)
        gathered.backward()
    assert np.allclose(grad(x), coef(r, 1))
    # scatter from rank 0: d xs[i] = coef(i, 2)
    xs = [fchain.Variable(value(i)) for i in range(n)]
    y = mnF.scatter(c, xs if r == 0 else None, root=0)
    assert np.array_equal(y.array, value(r))
    F.sum(y * coef(r, 2)).backward()
    if r == 0:
        assert all(np.allclose(grad(xs[i]), coef(i, 2)) for i in range(n))
    passed(c, "functions")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--kinds", default="naive,hierarchical,two_dimensional")
    args = parser.parse_args()
    for kind in args.kinds.split(","):
        check_arrays(kind)
    comm = create_communicator("naive", timeout=60)
    check_objects(comm)
    check_datasets(comm, args.out)
    check_iterators(comm)
    check_functions(comm)


if __name__ == "__main__":
    main()
