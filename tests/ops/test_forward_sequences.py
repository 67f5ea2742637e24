"""The sequence utilities (pad_sequence, transpose_sequence, separate, select_item)
against references written here with Python loops, the list forms of concat and
stack on variable-length sequences, and the losses on (batch, class, time) scores
against the same rows laid out 2-d."""

from __future__ import annotations

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.core import backend
from fchain.errors import DTypeError, ShapeError
from fchain.graph.device import get_device
from fchain.types import Array
from tests.conftest import DEVICES

RNG = numpy.random.default_rng(7)


def _seqs(*lengths: int, unit: tuple[int, ...] = (2,)) -> list[Array]:
    return [RNG.standard_normal((n,) + unit) for n in lengths]


# ------------------------------------------------------------------- pad_sequence
@pytest.mark.parametrize("device", DEVICES)
def test_pad_sequence_pads_each_sequence_and_routes_the_gradient_back(device: str) -> None:
    to = get_device(device).send
    xs = _seqs(2, 0, 3)
    vs = [fchain.Variable(to(x)) for x in xs]
    y = F.pad_sequence(vs, length=4, padding=-2.5)
    want = numpy.full((3, 4, 2), -2.5)
    for i, x in enumerate(xs):
        want[i, :len(x)] = x
    numpy.testing.assert_array_equal(backend.to_numpy(y.array), want)
    gy = RNG.standard_normal((3, 4, 2))
    y.grad = to(gy)
    y.backward()
    for i, (v, x) in enumerate(zip(vs, xs)):
        assert v.grad is not None
        numpy.testing.assert_array_equal(backend.to_numpy(v.grad), gy[i, :len(x)])


def test_pad_sequence_keeps_integer_labels_and_defaults_to_the_longest() -> None:
    y = F.pad_sequence([numpy.array([3, 1], numpy.int32), numpy.array([7], numpy.int32)], padding=-1)
    assert y.dtype == numpy.int32
    numpy.testing.assert_array_equal(y.array, [[3, 1], [7, -1]])


def test_pad_sequence_errors_name_the_function_and_argument() -> None:
    with pytest.raises(ShapeError, match="pad_sequence: length=1 is shorter than the longest sequence"):
        F.pad_sequence(_seqs(2, 1), length=1)
    with pytest.raises(ShapeError, match=r"pad_sequence: xs\[1\] has shape \(1, 3\) but xs\[0\] has \(2, 2\)"):
        F.pad_sequence([numpy.zeros((2, 2)), numpy.zeros((1, 3))])
    with pytest.raises(DTypeError, match=r"pad_sequence: xs\[1\] has dtype float32"):
        F.pad_sequence([numpy.zeros(2), numpy.zeros(2, numpy.float32)])
    with pytest.raises(TypeError, match="pad_sequence: xs must be a list or tuple"):
        F.pad_sequence(numpy.zeros((2, 2)))  # an array is iterable, but not a list of sequences


# -------------------------------------------------------------- transpose_sequence
@pytest.mark.parametrize("device", DEVICES)
def test_transpose_sequence_is_chainers_example_and_its_own_inverse(device: str) -> None:
    to = get_device(device).send
    xs = [numpy.array([0, 1, 2, 3.0]), numpy.array([4, 5.0]), numpy.array([6.0])]
    ys = F.transpose_sequence([to(x) for x in xs])
    assert [backend.to_numpy(y.array).tolist() for y in ys] == [[0, 4, 6], [1, 5], [2], [3]]
    back = F.transpose_sequence(list(ys))
    assert [backend.to_numpy(b.array).tolist() for b in back] == [x.tolist() for x in xs]


def test_transpose_sequence_matches_a_loop_and_sends_gradients_back() -> None:
    xs = _seqs(4, 4, 2, 1, unit=(3,))
    vs = [fchain.Variable(x) for x in xs]
    ys = F.transpose_sequence(vs)
    for t, y in enumerate(ys):
        numpy.testing.assert_array_equal(y.array, numpy.stack([x[t] for x in xs if len(x) > t]))
    gys = [RNG.standard_normal(y.shape) for y in ys]
    fchain.backward(list(ys), gys)
    for i, v in enumerate(vs):
        assert v.grad is not None
        numpy.testing.assert_array_equal(v.grad, numpy.stack([gys[t][i] for t in range(len(xs[i]))]))


def test_transpose_sequence_of_nothing_is_empty_and_unsorted_input_is_refused() -> None:
    assert F.transpose_sequence([]) == ()
    with pytest.raises(ShapeError, match=r"transpose_sequence: the sequences must be sorted by decreasing "
                                         r"length, but xs\[1\] has 3 steps and xs\[0\] 2"):
        F.transpose_sequence(_seqs(2, 3))


# ----------------------------------------------------------- separate, select_item
def test_separate_undoes_stack_and_gives_unused_slices_zero_gradient() -> None:
    x = fchain.Variable(RNG.standard_normal((2, 3, 4)))
    parts = F.separate(x, axis=1)
    assert len(parts) == 3 and all(p.shape == (2, 4) for p in parts)
    numpy.testing.assert_array_equal(F.stack(list(parts), axis=1).array, x.array)
    parts[1].grad = numpy.ones((2, 4))
    parts[1].backward()
    assert x.grad is not None
    want = numpy.zeros((2, 3, 4))
    want[:, 1] = 1
    numpy.testing.assert_array_equal(x.grad, want)
    with pytest.raises(ValueError, match="separate: axis 3 is out of range"):
        F.separate(x, axis=3)


@pytest.mark.parametrize("device", DEVICES)
def test_select_item_picks_one_entry_per_row(device: str) -> None:
    to = get_device(device).send
    a = RNG.standard_normal((4, 3))
    t = numpy.array([2, 0, 0, 1], numpy.int32)
    x = fchain.Variable(to(a))
    y = F.select_item(x, to(t))
    numpy.testing.assert_array_equal(backend.to_numpy(y.array), [a[i, t[i]] for i in range(4)])
    y.grad = to(numpy.arange(1.0, 5.0))
    y.backward()
    want = numpy.zeros((4, 3))
    want[numpy.arange(4), t] = numpy.arange(1.0, 5.0)
    assert x.grad is not None
    numpy.testing.assert_array_equal(backend.to_numpy(x.grad), want)


def test_select_item_errors_name_the_function_and_argument() -> None:
    with pytest.raises(DTypeError, match="select_item: t must hold integer indices"):
        F.select_item(numpy.zeros((2, 3)), numpy.zeros(2))
    with pytest.raises(ShapeError, match="select_item: x must be 2-d and t 1-d"):
        F.select_item(numpy.zeros((2, 3)), numpy.zeros(3, numpy.int32))


# ----------------------------------------- concat and stack on lists of sequences
def test_concat_and_split_axis_take_a_list_of_variable_length_sequences() -> None:
    xs = _seqs(3, 1, 2)
    vs = [fchain.Variable(x) for x in xs]
    joined = F.concat(vs, axis=0)
    numpy.testing.assert_array_equal(joined.array, numpy.concatenate(xs))
    pieces = F.split_axis(joined, [3, 4], axis=0)
    assert [p.shape[0] for p in pieces] == [3, 1, 2]
    loss = F.sum(joined * joined)
    loss.backward()
    for v, x in zip(vs, xs):
        assert v.grad is not None
        numpy.testing.assert_allclose(v.grad, 2 * x)
    steps = F.stack([fchain.Variable(RNG.standard_normal((2, 3))) for _ in range(4)], axis=1)
    assert steps.shape == (2, 4, 3)


def test_the_list_functions_take_any_iterable_as_chainer_and_refuse_an_array() -> None:
    xs = _seqs(3, 1, 2)
    numpy.testing.assert_array_equal(F.concat((x for x in xs), axis=0).array, numpy.concatenate(xs))
    numpy.testing.assert_array_equal(F.stack(iter([xs[0], xs[0]])).array, numpy.stack([xs[0], xs[0]]))
    numpy.testing.assert_array_equal(F.vstack(x for x in xs).array, numpy.vstack(xs))
    assert [y.shape[0] for y in F.transpose_sequence(x for x in xs[:1])] == [1, 1, 1]
    assert F.pad_sequence(iter(xs)).shape == (3, 3, 2)
    for fn in (F.concat, F.stack, F.hstack, F.pad_sequence, F.transpose_sequence):
        with pytest.raises(TypeError, match="xs must be a list or tuple of Variables or arrays, got ndarray"):
            fn(numpy.zeros((2, 2)))


# ------------------------------------ losses on (batch, class, time) scores
def test_softmax_cross_entropy_and_accuracy_on_batch_class_time_equal_the_flat_rows() -> None:
    x = RNG.standard_normal((3, 5, 4)) * 2
    t = RNG.integers(-1, 5, (3, 4)).astype(numpy.int32)
    t[0, 0] = -1
    flat_x = numpy.ascontiguousarray(numpy.moveaxis(x, 1, -1).reshape(-1, 5))
    flat_t = t.reshape(-1)
    xv, fv = fchain.Variable(x), fchain.Variable(flat_x)
    loss, flat_loss = F.softmax_cross_entropy(xv, t), F.softmax_cross_entropy(fv, flat_t)
    numpy.testing.assert_allclose(loss.array, flat_loss.array, rtol=1e-13)
    per = F.softmax_cross_entropy(x, t, reduce="no")
    assert per.shape == (3, 4) and per.array[0, 0] == 0.0
    numpy.testing.assert_allclose(per.array.reshape(-1), F.softmax_cross_entropy(flat_x, flat_t, reduce="no").array,
                                  rtol=1e-13)
    loss.backward()
    flat_loss.backward()
    assert xv.grad is not None and fv.grad is not None
    numpy.testing.assert_allclose(numpy.moveaxis(xv.grad, 1, -1).reshape(-1, 5), fv.grad, rtol=1e-12, atol=1e-16)
    accuracy = F.accuracy(x, t, ignore_label=-1).array
    valid = flat_t != -1
    assert accuracy == pytest.approx(numpy.mean(flat_x.argmax(axis=1)[valid] == flat_t[valid]))
