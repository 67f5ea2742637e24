"""The scratch pool never hands out an array that something still references."""

from __future__ import annotations

import numpy
import pytest

from fchain.core import workspace

SHAPE = (1 << 18,)  # 1 MiB of float32: pooled


def test_a_free_buffer_is_reused_and_a_held_one_is_not() -> None:
    workspace.clear()
    a = workspace.empty(numpy, SHAPE, numpy.float32)
    a_id = id(a)
    del a
    b = workspace.empty(numpy, SHAPE, numpy.float32)
    assert id(b) == a_id  # free again: reused
    view = b[::2]
    del b
    c = workspace.empty(numpy, SHAPE, numpy.float32)
    assert id(c) != a_id  # a view still holds the first buffer
    assert view.base is not None and id(view.base) == a_id
    workspace.clear()


def test_zeros_are_zero_after_reuse() -> None:
    workspace.clear()
    a = workspace.zeros(numpy, SHAPE, numpy.float32)
    a += 7
    del a
    assert not workspace.zeros(numpy, SHAPE, numpy.float32).any()
    workspace.clear()


def test_matmul_into_a_pooled_buffer_is_a_matmul() -> None:
    rng = numpy.random.default_rng(0)
    a = rng.standard_normal((4, 64, 512)).astype(numpy.float32)
    b = rng.standard_normal((512, 256)).astype(numpy.float32)
    first = workspace.matmul(numpy, a, b)
    numpy.testing.assert_array_equal(first, a @ b)
    second = workspace.matmul(numpy, a, b)
    assert second is not first  # the first result is still held here
    workspace.clear()


def test_small_arrays_are_not_pooled() -> None:
    workspace.clear()
    a = workspace.empty(numpy, (8,), numpy.float32)
    a_id = id(a)
    del a
    assert all(id(buf) != a_id for bufs in workspace._POOL.values() for buf in bufs)


def test_empty_like_keeps_the_memory_order_of_its_model_and_is_never_shared() -> None:
    workspace.clear()
    model = numpy.zeros((4, 16, 64, 64), numpy.float32).transpose(0, 2, 3, 1)  # a channels-first view
    a = workspace.empty_like(numpy, model)
    assert a.shape == model.shape and a.dtype == model.dtype
    assert a.strides == model.strides  # laid out as the model
    b = workspace.empty_like(numpy, model)
    assert not numpy.shares_memory(a, b)  # a is still held
    del a
    c = workspace.empty_like(numpy, model)
    assert not numpy.shares_memory(b, c)
    workspace.clear()


def test_elementwise_is_the_ufunc() -> None:
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((8, 64, 32, 32)).astype(numpy.float32).transpose(0, 2, 3, 1)
    y = workspace.elementwise(numpy, numpy.maximum, x, 0.0, like=x)
    numpy.testing.assert_array_equal(y, numpy.maximum(x, 0.0))
    assert y.strides == x.strides
    small = numpy.ones(3, numpy.float32)
    numpy.testing.assert_array_equal(workspace.elementwise(numpy, numpy.add, small, 1.0, like=small), small + 1)
    workspace.clear()


def _pooled_ids() -> set[int]:
    return {id(buf) for bufs in workspace._POOL.values() for buf in bufs}


def test_the_pool_stays_under_its_limit_dropping_the_least_recently_used_free_buffers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    workspace.clear()
    monkeypatch.setattr(workspace, "MAX_POOLED_BYTES", 4 << 20)
    held = workspace.empty(numpy, (1 << 18,), numpy.float32)  # 1 MiB, kept alive throughout
    held[:] = 3.0
    recent = None
    for n in range(1, 40):  # 39 shapes of about 1 MiB, each used once and dropped
        a = workspace.empty(numpy, ((1 << 18) + n,), numpy.float32)
        recent_id = id(a)
        del a
        assert workspace.pooled_bytes() <= workspace.MAX_POOLED_BYTES
        recent = recent_id
    assert id(held) in _pooled_ids()  # in use: never dropped
    assert recent in _pooled_ids()  # the most recently used shape keeps its free buffer
    assert len(workspace._POOL) <= 5
    assert (held == 3.0).all()
    again = workspace.empty(numpy, ((1 << 18) + 39,), numpy.float32)
    assert id(again) == recent  # and hands it out again
    workspace.clear()
    assert workspace.pooled_bytes() == 0


def test_a_buffer_that_cannot_fit_is_handed_out_unpooled(monkeypatch: pytest.MonkeyPatch) -> None:
    workspace.clear()
    monkeypatch.setattr(workspace, "MAX_POOLED_BYTES", 1 << 20)
    held = workspace.empty(numpy, (1 << 18,), numpy.float32)  # fills the pool, in use
    other = workspace.empty(numpy, (1 << 17,), numpy.float32)
    assert id(other) not in _pooled_ids() and id(held) in _pooled_ids()
    assert workspace.pooled_bytes() == held.nbytes
    workspace.clear()


def test_stacks_of_different_lengths_share_a_buffer() -> None:
    workspace.clear()
    rng = numpy.random.default_rng(0)
    shapes = set()
    for steps in (33, 35, 40, 57, 64):  # variable-length sequences of 20-row steps
        parts = tuple(rng.standard_normal((20, 800)).astype(numpy.float32) for _ in range(steps))
        stacked = workspace.concatenate(numpy, parts)
        numpy.testing.assert_array_equal(stacked, numpy.concatenate(parts))
        assert stacked.flags.c_contiguous and stacked.shape == (20 * steps, 800)
        shapes |= set(workspace._POOL)
        del stacked
    assert shapes == {((1024, 800), numpy.dtype(numpy.float32).str), ((2048, 800), numpy.dtype(numpy.float32).str)}
    assert sum(len(bufs) for bufs in workspace._POOL.values()) == 2
    workspace.clear()
