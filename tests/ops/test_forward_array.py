"""Forward values of the array ops against references written independently here
(Python lists and loops, or numpy functions other than the one the op calls), the
gradients that are easy to state exactly (repeated indices accumulate, unused
outputs get zeros, dtypes and devices come back), and their errors on bad input."""

from __future__ import annotations

from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.core.backend import is_cupy_array, to_numpy
from fchain.errors import DTypeError, ShapeError
from fchain.graph.device import get_device
from fchain.types import Array
from tests.conftest import DEVICES, requires_gpu

RNG = numpy.random.default_rng(7)


def _on(device: str, a: Array) -> Array:
    return get_device(device).send(a)


def _np(v: fchain.Variable | Array | None) -> Array:
    assert v is not None
    return to_numpy(v.array if isinstance(v, fchain.Variable) else v)


def _x(*shape: int) -> Array:
    return RNG.standard_normal(shape)


def _grad(x: fchain.Variable) -> Array:
    assert x.grad is not None, "expected a gradient"
    return to_numpy(x.grad)


# ---------------------------------------------------------------------- get_item
@pytest.mark.parametrize("device", DEVICES)
def test_get_item_basic_indices_match_python_lists(device: str) -> None:
    a = _x(4, 5)
    rows = a.tolist()
    x = fchain.Variable(_on(device, a))
    numpy.testing.assert_array_equal(_np(x[1]), rows[1])
    numpy.testing.assert_array_equal(_np(x[-1]), rows[-1])
    numpy.testing.assert_array_equal(_np(x[1:4:2]), rows[1:4:2])
    numpy.testing.assert_array_equal(_np(x[::-1]), rows[::-1])
    numpy.testing.assert_array_equal(_np(x[2, 3]), rows[2][3])
    numpy.testing.assert_array_equal(_np(x[:, -2]), [r[-2] for r in rows])
    numpy.testing.assert_array_equal(_np(x[..., 1]), [r[1] for r in rows])
    numpy.testing.assert_array_equal(_np(x[1, ...]), rows[1])
    assert x[None].shape == (1, 4, 5)
    assert x[:, None, 2:].shape == (4, 1, 3)
    numpy.testing.assert_array_equal(_np(x[:, None, 2:])[:, 0], [r[2:] for r in rows])
    assert x[2, 3].shape == () and isinstance(x[2, 3], fchain.Variable)


@pytest.mark.parametrize("device", DEVICES)
def test_get_item_integer_arrays_and_lists(device: str) -> None:
    a = _x(4, 3, 5)
    rows = a.tolist()
    x = fchain.Variable(_on(device, a))
    idx = [3, 0, 3, -1]
    expected = [rows[i] for i in idx]
    numpy.testing.assert_array_equal(_np(F.get_item(x, idx)), expected)  # a list of ints: one index
    numpy.testing.assert_array_equal(_np(x[_on(device, numpy.array(idx))]), expected)
    numpy.testing.assert_array_equal(_np(x[numpy.array(idx)]), expected)  # numpy index, any device
    # two integer arrays separated by a slice: the broadcast index axes come first
    i0, i2 = [0, 3, 3], [4, -5, 1]
    got = _np(x[numpy.array(i0), :, numpy.array(i2)])
    assert got.shape == (3, 3)
    numpy.testing.assert_array_equal(got, [[rows[i][j][k] for j in range(3)] for i, k in zip(i0, i2)])
    # a list holding a slice is read as a tuple (Chainer's rule)
    numpy.testing.assert_array_equal(_np(F.get_item(x, [1, slice(None), 2])),
                                     [rows[1][j][2] for j in range(3)])


@pytest.mark.parametrize("device", DEVICES)
def test_get_item_boolean_mask(device: str) -> None:
    a = _x(3, 4)
    mask = a > 0
    x = fchain.Variable(_on(device, a))
    expected = [v for row, mrow in zip(a.tolist(), mask.tolist()) for v, m in zip(row, mrow) if m]
    numpy.testing.assert_array_equal(_np(x[_on(device, mask)]), expected)
    row_mask = numpy.array([True, False, True])
    numpy.testing.assert_array_equal(_np(x[_on(device, row_mask), 1:]),
                                     [a.tolist()[0][1:], a.tolist()[2][1:]])
    y = x[_on(device, mask)]
    y.grad = y.xp.ones_like(y.array)
    y.backward()
    numpy.testing.assert_array_equal(_grad(x), mask.astype(numpy.float64))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_get_item_repeated_indices_accumulate_gradients(device: str, dtype: Any) -> None:
    a = _x(5, 2).astype(dtype)
    idx = [4, 1, 4, 4, 0, 1]
    x = fchain.Variable(_on(device, a))
    y = x[_on(device, numpy.array(idx))]
    gy = RNG.standard_normal((len(idx), 2)).astype(dtype)
    y.grad = _on(device, gy)
    y.backward()
    expected = numpy.zeros((5, 2))
    for row, i in enumerate(idx):
        expected[i] += gy[row]
    g = _grad(x)
    assert g.dtype == dtype and g.shape == a.shape
    numpy.testing.assert_allclose(g, expected, rtol=1e-6)
    if is_cupy_array(x.array):
        assert is_cupy_array(x.grad)


@pytest.mark.parametrize("device", DEVICES)
def test_get_item_mixed_advanced_gradient_counts(device: str) -> None:
    a = _x(3, 2, 4)
    i0, i2 = numpy.array([[0, 2], [2, 2]]), numpy.array([3, 3])
    x = fchain.Variable(_on(device, a))
    y = x[None, _on(device, i0), :, _on(device, i2)]
    assert y.shape == (2, 2, 1, 2)
    F.sum(y).backward()
    expected = numpy.zeros((3, 2, 4))
    for r in range(2):
        for c in range(2):
            expected[i0[r, c], :, i2[c]] += 1.0
    numpy.testing.assert_array_equal(_grad(x), expected)


def test_get_item_double_backprop_with_repeats() -> None:
    a = _x(4)
    idx = numpy.array([2, 2, 0])
    x = fchain.Variable(a)
    y = F.sum(x[idx] ** 3)
    (gx,) = fchain.grad([y], [x], enable_double_backprop=True)
    assert gx is not None
    counts = numpy.array([float(list(idx).count(i)) for i in range(4)])
    numpy.testing.assert_allclose(_np(gx), 3 * a ** 2 * counts, rtol=1e-12)
    v = _x(4)
    F.sum(gx * v).backward()
    numpy.testing.assert_allclose(_grad(x), 6 * a * counts * v, rtol=1e-12)


def test_get_item_rejects_bad_indices() -> None:
    x = fchain.Variable(_x(3, 4))
    with pytest.raises(DTypeError, match=r"get_item: .*index array.*float64"):
        F.get_item(x, numpy.array([0.0, 1.0]))
    with pytest.raises(IndexError, match="get_item"):
        F.get_item(x, 3)
    with pytest.raises(IndexError, match="get_item"):
        F.get_item(x, (0, 0, 0))
    with pytest.raises(TypeError, match="get_item: slices"):
        F.get_item(x, "a")  # type: ignore[arg-type]  # rejected by mypy too; checked at run time
    with pytest.raises(TypeError, match="get_item: an index cannot be a Variable"):
        F.get_item(x, fchain.Variable(numpy.array([0])))  # type: ignore[arg-type]  # as above


# ---------------------------------------------------------- expand_dims, squeeze, flatten
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("axis", "shape"), [(0, (1, 2, 3)), (1, (2, 1, 3)), (2, (2, 3, 1)),
                                             (-1, (2, 3, 1)), (-3, (1, 2, 3)), ((0, -1), (1, 2, 3, 1))])
def test_expand_dims_shapes(device: str, axis: int | tuple[int, ...], shape: tuple[int, ...]) -> None:
    a = _x(2, 3)
    y = F.expand_dims(fchain.Variable(_on(device, a)), axis)
    assert y.shape == shape
    numpy.testing.assert_array_equal(_np(y).ravel(), a.ravel())


def test_expand_dims_bad_axis() -> None:
    x = fchain.Variable(_x(2, 3))
    for axis in (3, -4):
        with pytest.raises(ShapeError, match=rf"expand_dims: axis {axis} is out of range"):
            F.expand_dims(x, axis)


@pytest.mark.parametrize("device", DEVICES)
def test_squeeze(device: str) -> None:
    a = _x(1, 3, 1, 2)
    x = fchain.Variable(_on(device, a))
    assert F.squeeze(x).shape == (3, 2)
    assert F.squeeze(x, 0).shape == (3, 1, 2)
    assert F.squeeze(x, -2).shape == (1, 3, 2)
    assert F.squeeze(x, (0, 2)).shape == (3, 2)
    numpy.testing.assert_array_equal(_np(F.squeeze(x)).ravel(), a.ravel())
    y = F.squeeze(x, -2)
    F.sum(y * y).backward()
    numpy.testing.assert_allclose(_grad(x), 2 * a)


def test_squeeze_errors() -> None:
    x = fchain.Variable(_x(1, 3))
    with pytest.raises(ShapeError, match=r"squeeze: axis 1 of x has length 3, not 1"):
        F.squeeze(x, 1)
    with pytest.raises(ValueError, match="squeeze: axis 2 is out of range"):
        F.squeeze(x, 2)


@pytest.mark.parametrize("device", DEVICES)
def test_flatten(device: str) -> None:
    a = _x(2, 3, 2)
    x = fchain.Variable(_on(device, a))
    y = F.flatten(x)
    assert y.shape == (12,)
    numpy.testing.assert_array_equal(_np(y), [v for plane in a.tolist() for row in plane for v in row])
    w = _x(12)
    F.sum(y * _on(device, w)).backward()
    numpy.testing.assert_array_equal(_grad(x), w.reshape(2, 3, 2))


# ------------------------------------------------------------- concat, stack, split
@pytest.mark.parametrize("device", DEVICES)
def test_concat_default_axis_is_one(device: str) -> None:
    a, b = _x(2, 3), _x(2, 1)
    y = F.concat([fchain.Variable(_on(device, a)), _on(device, b)])
    assert y.shape == (2, 4)
    numpy.testing.assert_array_equal(_np(y), [ra + rb for ra, rb in zip(a.tolist(), b.tolist())])


@pytest.mark.parametrize("device", DEVICES)
def test_concat_negative_axis_and_gradients(device: str) -> None:
    parts = [_x(2, 3, 1), _x(2, 3, 2), _x(2, 3, 3)]
    xs = [fchain.Variable(_on(device, p)) for p in parts]
    y = F.concat(xs, axis=-1)
    assert y.shape == (2, 3, 6)
    numpy.testing.assert_array_equal(_np(y)[..., 1:3], parts[1])
    w = _x(2, 3, 6)
    F.sum(y * _on(device, w)).backward()
    numpy.testing.assert_array_equal(_grad(xs[0]), w[..., :1])
    numpy.testing.assert_array_equal(_grad(xs[1]), w[..., 1:3])
    numpy.testing.assert_array_equal(_grad(xs[2]), w[..., 3:])


def test_concat_errors_name_the_argument() -> None:
    a, b = fchain.Variable(_x(2, 3)), fchain.Variable(_x(3, 3))
    with pytest.raises(ShapeError, match=r"concat: xs\[1\] has shape \(3, 3\) but xs\[0\] has shape \(2, 3\)"):
        F.concat([a, b], axis=1)
    with pytest.raises(ShapeError, match=r"concat: xs\[1\] has shape \(2,\)"):
        F.concat([a, fchain.Variable(_x(2))], axis=1)
    with pytest.raises(ShapeError, match="concat: axis 2 is out of range"):
        F.concat([a, a], axis=2)
    with pytest.raises(DTypeError, match=r"concat: xs\[1\] has dtype float32"):
        F.concat([a, a.array.astype(numpy.float32)], axis=0)
    with pytest.raises(ValueError, match="concat: xs is empty"):
        F.concat([], axis=0)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_stack_matches_loops(device: str, axis: int) -> None:
    parts = [_x(2, 3) for _ in range(4)]
    y = F.stack([fchain.Variable(_on(device, p)) for p in parts], axis=axis)
    got = _np(y)
    out_axis = axis % 3
    assert got.shape == tuple([2, 3][:out_axis] + [4] + [2, 3][out_axis:])
    for k, p in enumerate(parts):
        numpy.testing.assert_array_equal(numpy.take(got, k, axis=out_axis), p)


def test_stack_gradients_and_errors() -> None:
    xs = [fchain.Variable(_x(3)) for _ in range(2)]
    y = F.stack(xs, axis=1)
    w = _x(3, 2)
    F.sum(y * w).backward()
    numpy.testing.assert_array_equal(_grad(xs[0]), w[:, 0])
    numpy.testing.assert_array_equal(_grad(xs[1]), w[:, 1])
    with pytest.raises(ShapeError, match=r"stack: xs\[1\] has shape \(4,\) but xs\[0\] has shape \(3,\)"):
        F.stack([xs[0], _x(4)])
    with pytest.raises(ShapeError, match="stack: axis 2 is out of range"):
        F.stack(xs, axis=2)


@pytest.mark.parametrize("device", DEVICES)
def test_split_axis_sections_and_indices(device: str) -> None:
    a = _x(3, 6)
    cols = a.tolist()
    x = fchain.Variable(_on(device, a))
    ys = F.split_axis(x, 3, 1)
    assert isinstance(ys, tuple) and len(ys) == 3
    for k, y in enumerate(ys):
        numpy.testing.assert_array_equal(_np(y), [r[2 * k:2 * k + 2] for r in cols])
    ys = F.split_axis(x, [1, 4], -1)
    assert [y.shape for y in ys] == [(3, 1), (3, 3), (3, 2)]
    numpy.testing.assert_array_equal(_np(ys[1]), [r[1:4] for r in cols])
    ys = F.split_axis(x, numpy.array([2, 2, 5]), 1)  # an index array; an empty piece
    assert [y.shape for y in ys] == [(3, 2), (3, 0), (3, 3), (3, 1)]
    ys = F.split_axis(x, numpy.int64(2), 1)  # a numpy integer counts as sections
    assert [y.shape for y in ys] == [(3, 3), (3, 3)]
    numpy.testing.assert_array_equal(_np(ys[1]), [r[3:] for r in cols])
    single = F.split_axis(x, 1, 0, force_tuple=False)
    assert isinstance(single, fchain.Variable) and single.shape == (3, 6)
    assert isinstance(F.split_axis(x, 1, 0), tuple)


@pytest.mark.parametrize("device", DEVICES)
def test_split_axis_unused_outputs_get_zero_gradients(device: str) -> None:
    a = _x(4, 2)
    x = fchain.Variable(_on(device, a))
    ys = F.split_axis(x, [1, 3], 0)
    w = _x(2, 2)
    F.sum(ys[1] * _on(device, w)).backward()
    expected = numpy.zeros((4, 2))
    expected[1:3] = w
    numpy.testing.assert_array_equal(_grad(x), expected)
    if is_cupy_array(x.array):
        assert is_cupy_array(x.grad)


def test_split_axis_errors() -> None:
    x = fchain.Variable(_x(3, 4))
    with pytest.raises(ShapeError, match=r"split_axis: indices_or_sections=3 .* axis 1 .* length is 4"):
        F.split_axis(x, 3, 1)
    with pytest.raises(ShapeError, match="split_axis: axis 2 is out of range"):
        F.split_axis(x, 2, 2)
    with pytest.raises(TypeError, match="split_axis: indices_or_sections"):
        F.split_axis(x, [1.5], 1)  # type: ignore[list-item]  # rejected by mypy too; checked at run time


# ------------------------------------------------------------------------- where
@pytest.mark.parametrize("device", DEVICES)
def test_where_with_broadcasting(device: str) -> None:
    c = RNG.standard_normal((3, 4)) > 0
    a, b = _x(3, 4), _x(4)
    x, y = fchain.Variable(_on(device, a)), fchain.Variable(_on(device, b))
    out = F.where(_on(device, c), x, y)
    expected = [[a[i, j] if c[i, j] else b[j] for j in range(4)] for i in range(3)]
    numpy.testing.assert_array_equal(_np(out), expected)
    F.sum(out).backward()
    numpy.testing.assert_array_equal(_grad(x), c.astype(numpy.float64))
    numpy.testing.assert_array_equal(_grad(y), (~c).sum(axis=0).astype(numpy.float64))


def test_where_condition_variable_and_errors() -> None:
    c = numpy.array([True, False, True])
    a, b = _x(3), _x(3)
    out = F.where(fchain.Variable(c), a, b)
    numpy.testing.assert_array_equal(_np(out), [a[0], b[1], a[2]])
    with pytest.raises(DTypeError, match="where: condition must have dtype bool, got int64"):
        F.where(numpy.array([1, 0, 1]), a, b)
    with pytest.raises(DTypeError, match="where: condition must have dtype bool, got float64"):
        F.where(a, a, b)
    with pytest.raises(DTypeError, match="where"):
        F.where(c, a, b.astype(numpy.float32))


# --------------------------------------------------------------------- cast, copy
@pytest.mark.parametrize("device", DEVICES)
def test_cast_gradient_returns_in_input_dtype(device: str) -> None:
    a = _x(2, 3).astype(numpy.float32)
    x = fchain.Variable(_on(device, a))
    y = F.cast(x, numpy.float64)
    assert y.dtype == numpy.float64
    numpy.testing.assert_array_equal(_np(y), a.astype(numpy.float64))
    F.sum(y * y).backward()
    g = _grad(x)
    assert g.dtype == numpy.float32
    numpy.testing.assert_allclose(g, 2 * a, rtol=1e-6)
    h = fchain.Variable(_on(device, _x(3)))
    z = F.cast(h, "float16")
    assert z.dtype == numpy.float16
    z.grad = z.xp.ones_like(z.array)
    z.backward()
    assert _grad(h).dtype == numpy.float64


def test_cast_of_integers_has_no_gradient_and_bad_dtype_names_cast() -> None:
    n = fchain.Variable(numpy.array([1, 2, 3]))
    y = F.cast(n, numpy.float32)
    assert y.dtype == numpy.float32
    numpy.testing.assert_array_equal(_np(y), [1.0, 2.0, 3.0])
    F.sum(y).backward()
    assert n.grad is None
    with pytest.raises(TypeError, match="cast"):
        F.cast(n, "no-such-dtype")


@pytest.mark.parametrize("dst", [-1, "@numpy"])
def test_copy_on_the_cpu_makes_a_new_array(dst: object) -> None:
    a = _x(2, 2)
    x = fchain.Variable(a)
    y = F.copy(x, dst)
    assert y.array is not a and not numpy.shares_memory(y.array, a)
    numpy.testing.assert_array_equal(_np(y), a)
    F.sum(y * 3.0).backward()
    numpy.testing.assert_array_equal(_grad(x), numpy.full((2, 2), 3.0))


def test_copy_rejects_bad_device() -> None:
    with pytest.raises(ValueError, match="copy: dst 'nowhere'"):
        F.copy(fchain.Variable(_x(2)), "nowhere")


@requires_gpu
@pytest.mark.gpu
def test_copy_between_devices_sends_the_gradient_back() -> None:
    a = _x(3)
    x = fchain.Variable(a)
    y = F.copy(x, "@cupy:0")
    assert is_cupy_array(y.array)
    z = F.copy(y * 2.0, -1)
    assert not is_cupy_array(z.array)
    F.sum(z).backward()
    assert not is_cupy_array(x.grad)
    numpy.testing.assert_array_equal(_grad(x), numpy.full(3, 2.0))
    g = fchain.Variable(get_device("@cupy:0").send(a))
    h = F.copy(g, "@numpy")
    assert not is_cupy_array(h.array)
    F.sum(h * 5.0).backward()
    assert is_cupy_array(g.grad)
    numpy.testing.assert_array_equal(_grad(g), numpy.full(3, 5.0))
    same = F.copy(g, 0)
    assert is_cupy_array(same.array) and same.array is not g.array


# ----------------------------------------------------------------------- identity
@pytest.mark.parametrize("device", DEVICES)
def test_identity(device: str) -> None:
    a, b = _x(2), _x(3, 1)
    x = fchain.Variable(_on(device, a))
    y = F.identity(x)
    assert isinstance(y, fchain.Variable) and y is not x
    numpy.testing.assert_array_equal(_np(y), a)
    u, v = F.identity(x, _on(device, b))
    assert u.shape == (2,) and v.shape == (3, 1)
    numpy.testing.assert_array_equal(_np(v), b)
    w = _x(2)
    F.sum(u * _on(device, w)).backward()  # v is unused: its input would get zeros
    numpy.testing.assert_array_equal(_grad(x), w)
    p, q = fchain.Variable(_on(device, a)), fchain.Variable(_on(device, b))
    _, q2 = F.identity(p, q)
    F.sum(q2).backward()
    numpy.testing.assert_array_equal(_grad(p), numpy.zeros(2))
    numpy.testing.assert_array_equal(_grad(q), numpy.ones((3, 1)))


# --------------------------------------------------- reshape, transpose, broadcast
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("shape", "resolved"), [((3, 4), (3, 4)), ((-1,), (12,)), ((2, -1, 3), (2, 2, 3)),
                                                 (12, (12,)), ([4, 3], (4, 3))])
def test_reshape_keeps_the_row_major_order(device: str, shape: Any, resolved: tuple[int, ...]) -> None:
    x = _x(2, 6)
    y = F.reshape(_on(device, x), shape)
    assert y.shape == resolved
    flat = [float(v) for row in x.tolist() for v in row]  # row-major, by hand
    assert [float(v) for v in _np(y).ravel(order="C")] == flat
    v = fchain.Variable(_on(device, x))
    y = F.reshape(v, shape)
    y.grad = _on(device, numpy.arange(12.0).reshape(resolved))
    y.backward()
    numpy.testing.assert_array_equal(_grad(v), numpy.arange(12.0).reshape(2, 6))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("axes", [None, (0, 1, 2), (2, 0, 1), (1, 2, 0), (-1, 0, 1), [2, 1, 0]])
def test_transpose_moves_each_element(device: str, axes: Any) -> None:
    x = _x(2, 3, 4)
    perm = (2, 1, 0) if axes is None else tuple(a % 3 for a in axes)
    y = _np(F.transpose(_on(device, x), axes))
    assert y.shape == tuple(x.shape[p] for p in perm)
    for out in numpy.ndindex(*y.shape):
        src = [0, 0, 0]
        for i, p in enumerate(perm):
            src[p] = out[i]
        assert y[out] == x[tuple(src)]


def test_transpose_gradient_is_the_inverse_permutation() -> None:
    v = fchain.Variable(_x(2, 3, 4))
    y = F.transpose(v, (2, 0, 1))
    gy = RNG.standard_normal(y.shape)
    y.grad = gy
    y.backward()
    g = _grad(v)
    for i, j, k in numpy.ndindex(2, 3, 4):
        assert g[i, j, k] == gy[k, i, j]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("in_shape", "shape"), [((3,), (2, 3)), ((2, 1), (2, 4)), ((1, 3), (2, 2, 3)),
                                                 ((), (2, 2)), ((2, 3), (2, 3))])
def test_broadcast_to_repeats_along_new_and_unit_axes(device: str, in_shape: tuple[int, ...],
                                                      shape: tuple[int, ...]) -> None:
    x = RNG.standard_normal(in_shape)
    y = _np(F.broadcast_to(_on(device, x), shape))
    assert y.shape == shape
    lead = len(shape) - len(in_shape)
    for out in numpy.ndindex(*shape):
        src = tuple(0 if n == 1 else out[lead + i] for i, n in enumerate(in_shape))
        assert y[out] == x[src]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("in_shape", "shape"), [((2, 3), (3,)), ((2, 4), (2, 1)), ((2, 2, 3), (1, 3)),
                                                 ((2, 2), ()), ((2, 3), (2, 3))])
def test_sum_to_adds_what_broadcast_to_would_repeat(device: str, in_shape: tuple[int, ...],
                                                    shape: tuple[int, ...]) -> None:
    x = RNG.standard_normal(in_shape)
    y = _np(F.sum_to(_on(device, x), shape))
    assert y.shape == shape
    expected = numpy.zeros(shape)
    lead = len(in_shape) - len(shape)
    for src in numpy.ndindex(*in_shape):
        out = tuple(0 if n == 1 else src[lead + i] for i, n in enumerate(shape))
        expected[out] += x[src]
    numpy.testing.assert_allclose(y, expected, rtol=1e-13, atol=1e-15)
    # and the gradient of sum_to is broadcast_to: every source element gets its sum's gradient
    v = fchain.Variable(_on(device, x))
    z = F.sum_to(v, shape)
    gz = RNG.standard_normal(shape)
    z.grad = _on(device, gz)
    z.backward()
    g = _grad(v)
    for src in numpy.ndindex(*in_shape):
        out = tuple(0 if n == 1 else src[lead + i] for i, n in enumerate(shape))
        assert g[src] == gz[out]
