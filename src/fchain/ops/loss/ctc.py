"""connectionist_temporal_classification(x, t, blank_symbol, input_length=None,
label_length=None, reduce='mean'): the CTC loss (Graves et al., 2006).

``x`` is a list of ``T`` arrays ``(B, V)`` of unnormalized label scores, one per
input step; the function applies the softmax itself.  The loss of sequence ``b``
is ``-log`` of the total probability of the alignments of its first
``input_length[b]`` inputs to its first ``label_length[b]`` labels ``t[b]``, with
``blank_symbol`` as the blank.  ``reduce='mean'`` averages over the batch, ``'no'``
returns ``(B,)``.  Differentiable in ``x`` only, and only once (Chainer 7's
``ConnectionistTemporalClassification`` is an old-style function without double
backprop; so is this op).

The public function stacks ``x`` (``F.stack``: each step gets its slice of the
gradient) and applies the op to ``(x, t, input_length, label_length)``; the rules
(``_ctc_rules.py``) run the forward-backward algorithm in log space, one
vectorised step per time step for the whole batch.  Lengths left out mean the
whole of ``x`` and ``t``, as in Chainer.  A label sequence that cannot fit its
inputs gives a finite loss of about ``1e10`` (the log of 0 is Chainer's -1e10).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from fchain.core import backend
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import DTypeError, ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, is_integer, shape_of
from fchain.ops.array.stack import stack
from fchain.ops.loss._checks import array_of, check_int_labels, check_reduce
from fchain.ops.loss._ctc_rules import CtcParams, forward, vjp
from fchain.types import Array

__all__ = ["CONNECTIONIST_TEMPORAL_CLASSIFICATION", "CtcParams", "connectionist_temporal_classification"]

_NAME = "connectionist_temporal_classification"


def _check_lengths(name: str, lengths: Array, batch: int, low: int, high: int, what: str) -> None:
    if lengths.dtype.kind not in "iu":
        raise DTypeError(f"{_NAME}: {name} must be an integer array, got dtype {lengths.dtype}")
    if tuple(lengths.shape) != (batch,):
        raise ShapeError(f"{_NAME}: {name} must have shape ({batch},) (one length per sequence), "
                         f"got shape {tuple(lengths.shape)}")
    if batch and not (int(lengths.min()) >= low and int(lengths.max()) <= high):
        found = sorted({int(v) for v in backend.to_numpy(lengths).ravel()
                        if not low <= int(v) <= high})[:5]
        raise ValueError(f"{_NAME}: every entry of {name} must be in [{low}, {high}] ({what}), got {found}")


def _check(arrays: tuple[Array, ...], p: CtcParams) -> CtcParams:
    """The labels and lengths against ``x``'s ``(T, B, V)``: lengths within the
    steps and the labels' width, and every label within its length in ``[0, V)``."""
    x, t, input_length, label_length = arrays
    steps, batch, n_label = x.shape
    check_int_labels(_NAME, t)
    if t.ndim != 2 or t.shape[0] != batch:
        raise ShapeError(f"{_NAME}: t must have shape ({batch}, M) (one label sequence per row of x[i]), "
                         f"got shape {tuple(t.shape)}")
    _check_lengths("input_length", input_length, batch, 1, steps, "the number of steps in x")
    _check_lengths("label_length", label_length, batch, 0, t.shape[1], "the width of t")
    xp = backend.namespace_of(t)
    used = xp.less(xp.reshape(xp.arange(t.shape[1]), (1, -1)), xp.reshape(label_length, (-1, 1)))
    bad = xp.logical_and(used, xp.logical_not(xp.logical_and(xp.greater_equal(t, 0), xp.less(t, n_label))))
    if bool(bad.any()):
        found = sorted({int(v) for v in backend.to_numpy(t[bad]).ravel()})[:5]
        raise ValueError(f"{_NAME}: every label of t within label_length must be in [0, {n_label}) "
                         f"(the labels of x), got {found}")
    return p


def _sample(draw: Draw) -> Case:
    batch, n_label, width = draw.integer(1, 3), draw.integer(2, 4), draw.integer(1, 2)
    blank = draw.integer(0, n_label - 1)
    steps = 2 * width + draw.integer(1, 2)  # room for any labels, repeats included
    x = tuple(draw.floats((batch, n_label), -2.0, 2.0) for _ in range(steps))
    t = (blank + draw.integers((batch, width), 1, n_label - 1)) % n_label  # never the blank
    input_length = draw.integers((batch,), 2 * width + 1, steps)
    label_length = draw.integers((batch,), 0, width)
    full = draw.boolean()
    reduce: Literal["mean", "no"] = draw.choice(["mean", "no"])

    def call(*args: Variable) -> Variable:
        xs, labels, il, ll = list(args[:steps]), args[steps], args[steps + 1], args[steps + 2]
        if full:
            return connectionist_temporal_classification(xs, labels, blank, reduce=reduce)
        return connectionist_temporal_classification(xs, labels, blank, il, ll, reduce=reduce)

    return Case(x + (t, input_length, label_length), call, check=tuple(range(steps)))


CONNECTIONIST_TEMPORAL_CLASSIFICATION: OpDef[CtcParams] = register(OpDef(
    _NAME, forward, vjp, GradSpec(_sample, double=False),
    arg_names=("x", "t", "input_length", "label_length"), float_inputs=(0,), check=_check,
    double_differentiable=False, broadcasts=False))


def connectionist_temporal_classification(
        x: Sequence[VariableLike], t: VariableLike, blank_symbol: int,
        input_length: VariableLike | None = None, label_length: VariableLike | None = None,
        reduce: Literal["mean", "no"] = "mean") -> Variable:
    """The connectionist temporal classification loss of label sequences.

    Args:
        x: ``T`` arrays of shape ``(B, V)``: unnormalized scores of the ``V``
            labels (the blank included) at each input step.
        t: Integer labels, ``(B, M)``; row ``b``'s first ``label_length[b]`` are
            its label sequence, each in ``[0, V)``.
        blank_symbol: The blank's index in ``[0, V)``.
        input_length: Integer ``(B,)``, each in ``[1, T]``: how many steps of ``x``
            each sequence uses (all of them when left out).
        label_length: Integer ``(B,)``, each in ``[0, M]`` (``M`` when left out).
        reduce: ``'mean'`` for the mean over the batch, ``'no'`` for ``(B,)``.

    Raises:
        TypeError: ``x`` is not a list or tuple, or ``blank_symbol`` is not an int.
        ShapeError: the steps of ``x`` disagree, or ``t`` or a length does not
            match the batch.
        ValueError: ``blank_symbol``, a length or a used label out of range, or a
            bad ``reduce``.
    """
    if not isinstance(x, (list, tuple)) or not x:
        raise TypeError(f"{_NAME}: x must be a non-empty list or tuple of Variables or arrays (one per step), "
                        f"got {type(x).__name__}" + (" (empty)" if isinstance(x, (list, tuple)) else ""))
    if not is_integer(blank_symbol):
        raise TypeError(f"{_NAME}: blank_symbol must be a non-negative int, got {type(blank_symbol).__name__}")
    check_reduce(_NAME, reduce)
    first = shape_of(x[0], _NAME, "x[0]")
    if len(first) != 2:
        raise ShapeError(f"{_NAME}: each x[i] must have shape (B, V), got shape {first} for x[0]")
    batch, n_label = first
    if not 0 <= int(blank_symbol) < n_label:
        raise ValueError(f"{_NAME}: blank_symbol must be in [0, {n_label}) (the labels of x), got {blank_symbol}")
    for i, step in enumerate(x[1:], 1):
        shape = shape_of(step, _NAME, f"x[{i}]")
        if shape != first:
            raise ShapeError(f"{_NAME}: x[{i}] has shape {shape} but x[0] has shape {first}; every step must "
                             "have the same (B, V)")
    ta = array_of(_NAME, "t", t)
    xp = backend.namespace_of(ta)
    il = xp.full((batch,), len(x), dtype=xp.int32) if input_length is None else input_length
    ll = xp.full((batch,), ta.shape[1] if ta.ndim == 2 else 0, dtype=xp.int32) if label_length is None \
        else label_length
    stacked = stack(list(x), axis=0)
    return apply(CONNECTIONIST_TEMPORAL_CLASSIFICATION, (stacked, t, il, ll),
                 CtcParams(int(blank_symbol), reduce))
