"""Forward values of the array functions of issue 12 against references written
independently here (Python loops, or numpy functions other than the one the op
calls), the gradients that are easy to state exactly (how many copies each element
has), and their errors on bad input.  The ops that gather and scatter are run on
every device."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.core.backend import is_cupy_array, to_numpy
from fchain.errors import DTypeError, ShapeError
from fchain.graph.device import get_device
from fchain.types import Array
from tests.conftest import DEVICES

RNG = numpy.random.default_rng(2024)


def bad(value: object) -> Any:
    """A value of the wrong type, hidden from mypy: the mistake under test."""
    return value


def _on(device: str, a: Array) -> Array:
    return get_device(device).send(a)


def _np(v: fchain.Variable | Array | None) -> Array:
    assert v is not None
    return to_numpy(v.array if isinstance(v, fchain.Variable) else v)


def _x(*shape: int) -> Array:
    return RNG.standard_normal(shape)


def _grad_of_sum(f: Callable[[fchain.Variable], fchain.Variable], a: Array, device: str = "@numpy",
                 gy: Array | None = None) -> Array:
    """The gradient of ``sum(f(x) * gy)`` (``gy`` ones by default) at ``a``."""
    x = fchain.Variable(_on(device, a))
    y = f(x)
    y.grad = y.xp.ones_like(y.array) if gy is None else _on(device, gy)
    y.backward()
    assert x.grad is not None
    if is_cupy_array(x.array):
        assert is_cupy_array(x.grad)
    return to_numpy(x.grad)


# ------------------------------------------------------------------ axis permutations
def test_swapaxes_moveaxis_rollaxis_match_numpys_functions() -> None:
    a = _x(2, 3, 4, 5)
    numpy.testing.assert_array_equal(F.swapaxes(a, 0, -1).array, numpy.swapaxes(a, 0, -1))
    numpy.testing.assert_array_equal(F.moveaxis(a, (0, 1), (-1, 1)).array, numpy.moveaxis(a, (0, 1), (-1, 1)))
    numpy.testing.assert_array_equal(F.moveaxis(a, -1, 0).array, numpy.moveaxis(a, -1, 0))
    for axis in range(-4, 4):
        for start in range(-4, 5):
            numpy.testing.assert_array_equal(F.rollaxis(a, axis, start).array, numpy.rollaxis(a, axis, start))
    g = _grad_of_sum(lambda v: F.moveaxis(v, 0, 2), a, gy=numpy.moveaxis(a, 0, 2))
    numpy.testing.assert_array_equal(g, a)  # the backward moves the axis back


def test_flips_reverse_along_their_axes() -> None:
    a = _x(3, 4, 2)
    numpy.testing.assert_array_equal(F.flip(a, 1).array, a[:, ::-1])
    numpy.testing.assert_array_equal(F.flip(a, -1).array, a[:, :, ::-1])
    numpy.testing.assert_array_equal(F.fliplr(a).array, a[:, ::-1])
    numpy.testing.assert_array_equal(F.flipud(a).array, a[::-1])
    gy = _x(3, 4, 2)
    numpy.testing.assert_array_equal(_grad_of_sum(F.flipud, a, gy=gy), gy[::-1])


# ------------------------------------------------------------------------- stacking
def test_stacks_match_numpys_stacking_functions() -> None:
    cases: list[list[tuple[int, ...]]] = [[(), ()], [(3,), (3,)], [(2, 3), (2, 3)], [(2, 3, 1), (2, 3, 1)]]
    for shapes in cases:
        xs = [_x(*s) for s in shapes]
        numpy.testing.assert_array_equal(F.vstack(xs).array, numpy.vstack(xs))
        numpy.testing.assert_array_equal(F.dstack(xs).array, numpy.dstack(xs))
        numpy.testing.assert_array_equal(F.hstack(xs).array, numpy.hstack(xs))
    ragged = [_x(2), _x(3)]
    numpy.testing.assert_array_equal(F.hstack(ragged).array, numpy.hstack(ragged))
    wide = [_x(2, 1, 3), _x(2, 4, 3)]
    numpy.testing.assert_array_equal(F.hstack(wide).array, numpy.hstack(wide))
    vs = [fchain.Variable(_x(3)), fchain.Variable(_x(3))]
    y = F.vstack(vs)
    y.grad = numpy.arange(6.0).reshape(2, 3)
    y.backward()
    assert vs[1].grad is not None
    numpy.testing.assert_array_equal(vs[1].grad, [3.0, 4.0, 5.0])


# ------------------------------------------------------------------ depth and space
def test_depth2space_and_space2depth_move_blocks_as_chainer_orders_them() -> None:
    b, c, h, w, r = 2, 3, 2, 4, 2
    deep = _x(b, r * r * c, h, w)
    wide = F.depth2space(deep, r).array
    assert wide.shape == (b, c, h * r, w * r)
    for n in range(b):
        for k in range(c):
            for i in range(r):
                for j in range(r):
                    numpy.testing.assert_array_equal(wide[n, k, i::r, j::r], deep[n, (i * r + j) * c + k])
    numpy.testing.assert_array_equal(F.space2depth(wide, r).array, deep)


# -------------------------------------------------------------- tile and repeat
@pytest.mark.parametrize("device", DEVICES)
def test_tile_and_repeat_gradients_count_the_copies(device: str) -> None:
    a = _x(2, 3)
    numpy.testing.assert_array_equal(_np(F.tile(_on(device, a), (2, 1, 3))),
                                     [[[v for _ in range(3) for v in row] for row in a.tolist()]] * 2)
    numpy.testing.assert_array_equal(_grad_of_sum(lambda v: F.tile(v, (2, 1, 3)), a, device), numpy.full((2, 3), 6.0))
    numpy.testing.assert_array_equal(_grad_of_sum(lambda v: F.tile(v, 0), a, device), numpy.zeros((2, 3)))
    counts = (2, 0, 3)
    y = F.repeat(_on(device, a), counts, axis=1)
    numpy.testing.assert_array_equal(_np(y), [[row[0], row[0], row[2], row[2], row[2]] for row in a.tolist()])
    numpy.testing.assert_array_equal(_grad_of_sum(lambda v: F.repeat(v, counts, axis=1), a, device),
                                     numpy.tile([2.0, 0.0, 3.0], (2, 1)))
    numpy.testing.assert_array_equal(_np(F.repeat(_on(device, a), 2)), [v for v in a.ravel() for _ in range(2)])
    gy = _x(12)
    numpy.testing.assert_allclose(_grad_of_sum(lambda v: F.repeat(v, 2), a, device, gy=gy),
                                  gy.reshape(6, 2).sum(axis=1).reshape(2, 3), rtol=1e-15)


# --------------------------------------------------------------------------- pad
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric", "wrap"])
def test_pad_matches_numpy_and_each_element_collects_its_copies_gradients(device: str, mode: Any) -> None:
    a = _x(3, 4)
    width = ((2, 1), (3, 2))
    numpy.testing.assert_array_equal(_np(F.pad(_on(device, a), width, mode)), numpy.pad(a, width, mode=mode))
    # with gy = 1, an element's gradient is how many times the output holds it
    source = numpy.pad(numpy.arange(12).reshape(3, 4), width, mode=mode)
    inner = numpy.pad(numpy.ones((3, 4), dtype=bool), width)
    held = source[inner] if mode == "constant" else source.ravel()
    expected = numpy.bincount(held, minlength=12).reshape(3, 4).astype(numpy.float64)
    numpy.testing.assert_array_equal(_grad_of_sum(lambda v: F.pad(v, width, mode), a, device), expected)


def test_pad_widths_and_constant_values_follow_numpy() -> None:
    a = _x(2, 3)
    widths: list[Any] = [1, (1, 2), ((1, 2),), ((0, 1), (2, 0)), [[1, 1], [0, 2]]]
    for width in widths:
        numpy.testing.assert_array_equal(F.pad(a, width, "constant", constant_values=-3.0).array,
                                         numpy.pad(a, width, constant_values=-3.0))


# ------------------------------------------------------------------------- diagonal
@pytest.mark.parametrize("offset", [-3, -1, 0, 1, 2, 5])
def test_diagonal_matches_numpy_diagonal_and_scatters_back(offset: int) -> None:
    a = _x(3, 4, 5)
    for axis1, axis2 in [(0, 1), (2, 0), (-1, -2), (1, 2)]:
        y = F.diagonal(a, offset, axis1, axis2)
        numpy.testing.assert_array_equal(y.array, numpy.diagonal(a, offset, axis1, axis2))
        gy = _x(*y.shape)
        expected = numpy.zeros_like(a)
        where = numpy.indices(a.shape)  # each element's own coordinates, read off the diagonal
        expected[tuple(numpy.diagonal(where[k], offset, axis1, axis2) for k in range(3))] = gy
        numpy.testing.assert_array_equal(_grad_of_sum(lambda v: F.diagonal(v, offset, axis1, axis2), a, gy=gy),
                                         expected)


# ------------------------------------------------------------- permutate, scatter_add
@pytest.mark.parametrize("device", DEVICES)
def test_permutate_and_its_inverse(device: str) -> None:
    a = _x(4, 3)
    perm = numpy.array([2, 0, 3, 1], dtype=numpy.int32)
    y = F.permutate(_on(device, a), perm)  # a numpy index may serve a GPU x
    numpy.testing.assert_array_equal(_np(y), [a[i] for i in perm])
    back = F.permutate(y, _on(device, perm), inv=True)
    numpy.testing.assert_array_equal(_np(back), a)
    gy = _x(4, 3)
    g = _grad_of_sum(lambda v: F.permutate(v, _on(device, perm)), a, device, gy=gy)
    expected = numpy.zeros_like(a)
    for i, p in enumerate(perm):
        expected[p] = gy[i]
    numpy.testing.assert_array_equal(g, expected)
    columns = numpy.array([2, 0, 1])
    numpy.testing.assert_array_equal(_np(F.permutate(_on(device, a), fchain.Variable(_on(device, columns)), axis=1)),
                                     a[:, columns])


@pytest.mark.parametrize("device", DEVICES)
def test_scatter_add_accumulates_repeated_positions(device: str) -> None:
    a, b = _x(4, 3), _x(5, 3)
    idx = numpy.array([0, 2, 2, 1, 2])
    expected = a.copy()
    for row, i in enumerate(idx):
        expected[i] += b[row]
    av, bv = fchain.Variable(_on(device, a)), fchain.Variable(_on(device, b))
    y = F.scatter_add(av, _on(device, idx), bv)
    numpy.testing.assert_allclose(_np(y), expected, rtol=1e-15)
    numpy.testing.assert_array_equal(a, _np(av))  # a itself is unchanged
    gy = _x(4, 3)
    y.grad = _on(device, gy)
    y.backward()
    numpy.testing.assert_array_equal(_np(av.grad), gy)
    numpy.testing.assert_array_equal(_np(bv.grad), gy[idx])


# ------------------------------------------------------------------ resize_images
def _resize_reference(a: Array, out: tuple[int, int], align: bool, mode: str) -> Array:
    """Per output pixel: the input position it samples and its bilinear (or nearest)
    value, in float64 with Python's math."""
    _, _, h, w = a.shape

    def position(i: int, n_out: int, n_in: int) -> float:
        if mode == "nearest":
            return float(min(math.floor(i * n_in / n_out), n_in - 1))
        if align:
            return i * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        return max((i + 0.5) * n_in / n_out - 0.5, 0.0)

    y = numpy.zeros(a.shape[:2] + out)
    for i in range(out[0]):
        for j in range(out[1]):
            v, u = position(i, out[0], h), position(j, out[1], w)
            v0, u0 = int(v), int(u)
            v1, u1 = min(v0 + 1, h - 1), min(u0 + 1, w - 1)
            fv, fu = v - v0, u - u0
            y[:, :, i, j] = ((1 - fv) * ((1 - fu) * a[:, :, v0, u0] + fu * a[:, :, v0, u1])
                             + fv * ((1 - fu) * a[:, :, v1, u0] + fu * a[:, :, v1, u1]))
    return y


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("out", "align", "mode"), [((7, 3), True, "bilinear"), ((3, 9), False, "bilinear"),
                                                     ((1, 1), True, "bilinear"), ((6, 5), False, "nearest")])
def test_resize_images_matches_a_per_pixel_reference(device: str, out: tuple[int, int], align: bool,
                                                     mode: Any) -> None:
    a = _x(2, 3, 4, 5)
    y = F.resize_images(_on(device, a), out, mode=mode, align_corners=align)
    numpy.testing.assert_allclose(_np(y), _resize_reference(a, out, align, mode), rtol=1e-12, atol=1e-12)
    # linear in x: the gradient of sum(y) is the total weight each input pixel gets
    total = sum(_resize_reference(numpy.eye(20)[k].reshape(1, 1, 4, 5), out, align, mode).sum() for k in range(20))
    g = _grad_of_sum(lambda v: F.resize_images(v, out, mode=mode, align_corners=align), a, device)
    numpy.testing.assert_allclose(g.sum(), 2 * 3 * total, rtol=1e-12)
    assert g.shape == a.shape


# ------------------------------------------------------------ spatial transformers
def test_spatial_transformer_grid_maps_the_normalized_lattice() -> None:
    theta = _x(2, 2, 3)
    grid = F.spatial_transformer_grid(theta, (3, 4)).array
    assert grid.shape == (2, 2, 3, 4)
    for i in range(3):
        for j in range(4):
            p = numpy.array([-1 + 2 * j / 3, -1 + 2 * i / 2, 1.0])
            numpy.testing.assert_allclose(grid[:, :, i, j], theta @ p, rtol=1e-12, atol=1e-14)


def _sample_reference(a: Array, grid: Array) -> Array:
    """Bilinear sampling with a zero border, per output pixel, in float64."""
    b, c, h, w = a.shape
    padded = numpy.pad(a, ((0, 0), (0, 0), (1, 1), (1, 1)))
    y = numpy.zeros((b, c) + grid.shape[2:])
    for n in range(b):
        for i in range(grid.shape[2]):
            for j in range(grid.shape[3]):
                u = min(max((grid[n, 0, i, j] + 1) * (w - 1) / 2 + 1, 0.0), w + 1.0)
                v = min(max((grid[n, 1, i, j] + 1) * (h - 1) / 2 + 1, 0.0), h + 1.0)
                u0, v0 = min(int(math.floor(u)), w), min(int(math.floor(v)), h)
                fu, fv = u - u0, v - v0
                y[n, :, i, j] = ((1 - fv) * ((1 - fu) * padded[n, :, v0, u0] + fu * padded[n, :, v0, u0 + 1])
                                 + fv * ((1 - fu) * padded[n, :, v0 + 1, u0] + fu * padded[n, :, v0 + 1, u0 + 1]))
    return y


@pytest.mark.parametrize("device", DEVICES)
def test_spatial_transformer_sampler_matches_a_per_pixel_reference(device: str) -> None:
    a = _x(2, 3, 4, 5)
    grid = RNG.uniform(-1.4, 1.4, size=(2, 2, 3, 6))
    y = F.spatial_transformer_sampler(_on(device, a), _on(device, grid))
    numpy.testing.assert_allclose(_np(y), _sample_reference(a, grid), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("device", DEVICES)
def test_the_identity_transform_reproduces_the_image(device: str) -> None:
    a = _x(2, 3, 4, 5)
    theta = numpy.tile(numpy.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), (2, 1, 1))
    grid = F.spatial_transformer_grid(_on(device, theta), (4, 5))
    numpy.testing.assert_allclose(_np(F.spatial_transformer_sampler(_on(device, a), grid)), a, rtol=1e-12,
                                  atol=1e-12)


# ------------------------------------------------------------------------- errors
A = _x(2, 3)
IMG = _x(1, 4, 2, 2)
# (exception, message, call): the whole message is matched.
ERRORS: list[tuple[type[Exception], str, Callable[[], object]]] = [
    (ShapeError, r"swapaxes: axis2 3 is out of range for x of shape \(2, 3\) \(2 dimensions; allowed: \[-2, 1\]\)",
     lambda: F.swapaxes(A, 0, 3)),
    (TypeError, "moveaxis: source must be an int or a tuple of ints, got str 'a'", lambda: F.moveaxis(A, bad("a"), 0)),
    (ValueError, r"moveaxis: destination \(1, 1\) repeats an axis", lambda: F.moveaxis(A, (0, 1), (1, 1))),
    (ValueError, r"moveaxis: source \(0, 1\) and destination 0 must name as many axes",
     lambda: F.moveaxis(A, (0, 1), 0)),
    (ShapeError, r"rollaxis: start 3 is out of range for x of shape \(2, 3\) \(2 dimensions; allowed: \[-2, 2\]\)",
     lambda: F.rollaxis(A, 0, 3)),
    (ShapeError, "flip: x must have at least one dimension, got a 0-d array", lambda: F.flip(numpy.zeros(()), 0)),
    (TypeError, "flip: axis must be an int, got float 0.0", lambda: F.flip(A, bad(0.0))),
    (ShapeError, r"fliplr: a must have at least 2 dimensions, got shape \(3,\)", lambda: F.fliplr(numpy.zeros(3))),
    (DTypeError, "fliplr: a must be a floating-point array, got dtype int64; "
     r"cast integer data with F.cast or .astype\(numpy.float32\)", lambda: F.fliplr(numpy.zeros((2, 2), int))),
    (TypeError, "flipud: a must be a Variable, numpy.ndarray or cupy.ndarray, got str", lambda: F.flipud(bad("a"))),
    (ValueError, "hstack: xs is empty; give at least one Variable or array", lambda: F.hstack([])),
    (ShapeError, r"vstack: xs\[1\] has shape \(4,\) but xs\[0\] has shape \(3,\); inputs with 1 dimensions must "
     "have the same shape", lambda: F.vstack([numpy.zeros(3), numpy.zeros(4)])),
    (ShapeError, r"hstack: xs\[1\] has shape \(3, 3\) but xs\[0\] has shape \(2, 3\); every axis except axis 1 "
     "must have the same length", lambda: F.hstack([A, numpy.zeros((3, 3))])),
    (ShapeError, r"dstack: xs\[1\] has shape \(2,\) but xs\[0\] has shape \(2, 3\); every input must have the "
     "same number of dimensions", lambda: F.dstack([A, numpy.zeros(2)])),
    (TypeError, r"vstack: xs\[1\] must be a Variable, numpy.ndarray or cupy.ndarray, got str",
     lambda: F.vstack([A, bad("b")])),
    (ValueError, r"tile: every entry of reps must be zero or larger, got \(2, -1\)", lambda: F.tile(A, (2, -1))),
    (TypeError, "tile: reps must be an int or a sequence of ints, got float 2.0", lambda: F.tile(A, bad(2.0))),
    (TypeError, "repeat: repeats must be an int or a tuple of ints, got float 2.0", lambda: F.repeat(A, bad(2.0))),
    (ShapeError, r"repeat: repeats has 2 entries but x.shape\[1\] is 3 \(x has shape \(2, 3\)\); give one count, "
     "or one per element", lambda: F.repeat(A, (1, 2), axis=1)),
    (ValueError, r"repeat: every entry of repeats must be zero or larger, got -1", lambda: F.repeat(A, -1)),
    (ValueError, "pad: mode must be one of 'constant', 'edge', 'reflect', 'symmetric', 'wrap', got 'mean' "
     r"\(the other modes of numpy.pad fill the padding with statistics of x, whose gradient fchain does not "
     r"provide\)", lambda: F.pad(A, 1, bad("mean"))),
    (ValueError, "pad: reflect_type must be 'even' \\(the only one fchain differentiates\\), got 'odd'",
     lambda: F.pad(A, 1, "reflect", reflect_type="odd")),
    (ShapeError, "pad: pad_width has 3 pairs but x has 2 dimensions",
     lambda: F.pad(A, ((1, 1), (1, 1), (1, 1)), "constant")),
    (ValueError, r"pad: pad_width must not be negative, got -1", lambda: F.pad(A, -1, "constant")),
    (TypeError, "pad: pad_width must be an int, a pair \\(before, after\\) or one pair per axis, got str 'a'",
     lambda: F.pad(A, bad("a"), "constant")),
    (ShapeError, r"depth2space: X has 4 channels \(shape \(1, 4, 2, 2\)\), not a multiple of r \* r = 9",
     lambda: F.depth2space(IMG, 3)),
    (ShapeError, r"space2depth: X's height and width \(shape \(1, 4, 2, 2\)\) must be multiples of r = 3",
     lambda: F.space2depth(IMG, 3)),
    (ShapeError, r"depth2space: X must be 4-d \(batch, channel, height, width\), got shape \(2, 3\)",
     lambda: F.depth2space(A, 1)),
    (ValueError, "space2depth: r must be a positive int, got 0", lambda: F.space2depth(IMG, 0)),
    (ValueError, "diagonal: axis1 and axis2 must be different axes, got 0 and -2", lambda: F.diagonal(A, 0, 0, -2)),
    (ShapeError, r"diagonal: x must have at least 2 dimensions, got shape \(3,\)", lambda: F.diagonal(numpy.zeros(3))),
    (ValueError, "permutate: indices must be a permutation of 0..1, got a repeated value",
     lambda: F.permutate(A, numpy.array([1, 1]))),
    (ValueError, "permutate: indices must be a permutation of 0..1, got values out of range",
     lambda: F.permutate(A, numpy.array([0, 2]))),
    (ValueError, r"permutate: indices must be a 1-d integer array, got ndarray of dtype float64 and shape \(2,\)",
     lambda: F.permutate(A, bad(numpy.array([0.0, 1.0])))),
    (ShapeError, r"permutate: indices has 3 entries but x.shape\[0\] is 2 \(x has shape \(2, 3\)\)",
     lambda: F.permutate(A, numpy.array([0, 1, 2]))),
    (ShapeError, r"scatter_add: b has shape \(3,\) but a\[slices\] has shape \(2,\); b must have that shape exactly "
     r"\(no broadcasting, as Chainer\)", lambda: F.scatter_add(A, (slice(None), 0), numpy.zeros(3))),
    (DTypeError, "scatter_add: b has dtype float32 but a has float64; all floating inputs of one op must share a "
     "dtype", lambda: F.scatter_add(A, 0, numpy.zeros(3, numpy.float32))),
    (ShapeError, r"resize_images: x must be 4-d \(batch, channel, height, width\), got shape \(2, 3\)",
     lambda: F.resize_images(A, (2, 2))),
    (ShapeError, r"resize_images: output_shape must be two positive ints \(out_H, out_W\), got \(2, 0\)",
     lambda: F.resize_images(IMG, (2, 0))),
    (ValueError, "resize_images: mode must be 'bilinear' or 'nearest', got 'cubic'",
     lambda: F.resize_images(IMG, (2, 2), mode=bad("cubic"))),
    (ShapeError, r"spatial_transformer_grid: theta must have shape \(B, 2, 3\), got \(2, 3\)",
     lambda: F.spatial_transformer_grid(A, (2, 2))),
    (ShapeError, r"spatial_transformer_sampler: grid must have shape \(B, 2, out_H, out_W\) with B = x.shape\[0\] "
     r"= 1, got \(1, 3, 2, 2\)", lambda: F.spatial_transformer_sampler(IMG, numpy.zeros((1, 3, 2, 2)))),
    (TypeError, "spatial_transformer_sampler: grid must be a Variable, numpy.ndarray or cupy.ndarray, got list",
     lambda: F.spatial_transformer_sampler(IMG, bad([0.0]))),
]


@pytest.mark.parametrize(("kind", "message", "call"), ERRORS,
                         ids=[f"{m.split(':')[0]}-{i}" for i, (_, m, _) in enumerate(ERRORS)])
def test_bad_arguments_name_the_function_the_argument_and_what_came(
        kind: type[Exception], message: str, call: Callable[[], object]) -> None:
    with pytest.raises(kind, match="^" + message + "$"):
        call()
