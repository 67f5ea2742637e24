"""What the public n_step functions share: reading Chainer's arguments (the layer
count, the dropout ratio, the stacked states, the lists of weight and bias lists
and the list of time steps), checking them with messages that name the function
and the argument, drawing the dropout masks and applying the fused op."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fchain.core import backend
from fchain.core.op import MultiOutputOp
from fchain.core.spec import Case, Draw
from fchain.errors import DTypeError, ShapeError
from fchain.graph.config import config
from fchain.graph.apply import apply
from fchain.graph.random import random_mask
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, int_arg, real_arg, sequence_arg, shape_of
from fchain.ops.rnn._n_step_cells import CELLS
from fchain.ops.rnn._n_step_engine import NStepParams
from fchain.types import Array

__all__ = ["NStepResult", "n_step_call", "n_step_case", "n_step_params"]

NStepResult = tuple[tuple[Variable, ...], tuple[Variable, ...]]
"""The states ``(hy,)`` or ``(hy, cy)`` and the outputs ``ys``."""


def _array(x: VariableLike) -> Array:
    return x.array if isinstance(x, Variable) else x


def _check_kwargs(name: str, kwargs: dict[str, object]) -> None:
    """Chainer's refusal of its removed arguments, and of any other."""
    for key, how in (("train", "use fchain.using_config('train', ...)"),
                     ("use_cudnn", "use fchain.using_config('use_cudnn', ...)")):
        if key in kwargs:
            raise ValueError(f"{name}: the {key} argument is not supported anymore; {how}")
    if kwargs:
        raise TypeError(f"{name}() got unexpected keyword argument(s) {', '.join(sorted(kwargs))}")


def _lists(name: str, arg: str, value: object, count: int, per: int) -> list[VariableLike]:
    """``ws`` or ``bs``: ``count`` lists of ``per`` arrays, flattened."""
    if not isinstance(value, (list, tuple)) or len(value) != count:
        got = f"{len(value)} lists" if isinstance(value, (list, tuple)) else type(value).__name__
        raise ShapeError(f"{name}: {arg} must be a list of {count} lists (one per layer and direction), got {got}")
    flat: list[VariableLike] = []
    for k, row in enumerate(value):
        if not isinstance(row, (list, tuple)) or len(row) != per:
            got = f"{len(row)} arrays" if isinstance(row, (list, tuple)) else type(row).__name__
            raise ShapeError(f"{name}: {arg}[{k}] must be a list of {per} arrays, got {got}")
        flat.extend(row)
    return flat


def n_step_params(name: str, cell_name: str, n_layers: int, dropout_ratio: float, hx: VariableLike,
                  cx: VariableLike | None, ws: Sequence[Sequence[VariableLike]],
                  bs: Sequence[Sequence[VariableLike]], xs: Iterable[VariableLike], directions: int,
                  kwargs: dict[str, object]) -> tuple[NStepParams, list[VariableLike], float]:
    """The checked params, the op's inputs but the masks, and the dropout ratio."""
    _check_kwargs(name, kwargs)
    cell = CELLS[cell_name]
    n_layers = n_layers if type(n_layers) is int else int_arg(name, "n_layers", n_layers)
    if n_layers < 1:
        raise ValueError(f"{name}: n_layers must be at least 1, got {n_layers}")
    ratio = dropout_ratio if type(dropout_ratio) is float else real_arg(name, "dropout_ratio", dropout_ratio)
    if not 0.0 <= ratio < 1.0:
        raise ValueError(f"{name}: dropout_ratio must be in [0, 1), got {ratio!r}")
    h_shape = shape_of(hx, name, "hx")
    if len(h_shape) != 3 or h_shape[0] != n_layers * directions:
        raise ShapeError(f"{name}: hx must have shape ({n_layers * directions}, batch, units) "
                         f"({n_layers} layer(s) x {directions} direction(s)), got {h_shape}")
    batch, units = h_shape[1], h_shape[2]
    states: list[VariableLike] = [hx]
    if cell.has_cell:
        if cx is None:
            raise TypeError(f"{name}: cx must be a Variable or array of hx's shape, got None")
        if shape_of(cx, name, "cx") != h_shape:
            raise ShapeError(f"{name}: cx must have hx's shape {h_shape}, got {shape_of(cx, name, 'cx')}")
        states.append(cx)
    xs = sequence_arg(name, xs)
    if not xs:
        raise ValueError(f"{name}: xs is empty; give one Variable or array per time step")
    x_shapes = [shape_of(x, name, f"xs[{t}]") for t, x in enumerate(xs)]
    n_in = x_shapes[0][1] if len(x_shapes[0]) == 2 else -1
    for t, s in enumerate(x_shapes):
        if len(s) != 2 or s[1] != n_in:
            raise ShapeError(f"{name}: xs[{t}] must have shape (batch, {n_in}) like xs[0], got {s}")
        if s[0] > (x_shapes[t - 1][0] if t else batch):
            before = f"xs[{t - 1}] has {x_shapes[t - 1][0]}" if t else f"hx has a batch of {batch}"
            raise ShapeError(f"{name}: xs[{t}] has {s[0]} rows but {before}; sort the sequences by "
                             "decreasing length (transpose_sequence) so that each step's batch is no "
                             "larger than the one before")
    count = n_layers * directions
    flat_w = _lists(name, "ws", ws, count, cell.n_weights)
    flat_b = _lists(name, "bs", bs, count, cell.n_weights)
    first_w = shape_of(flat_w[cell.x_order[0]], name, "ws[0][0]")
    if len(first_w) == 2 and first_w[1] != n_in:
        raise ShapeError(f"{name}: inconsistent input size in input values and weight parameters: "
                         f"xs[0] has {n_in} features but ws[0][{cell.x_order[0]}] has shape {first_w}")
    for k in range(count):
        layer_in = n_in if k < directions else directions * units
        for j in range(cell.n_weights):
            want = (units, layer_in if j in cell.x_order else units)
            got = shape_of(flat_w[k * cell.n_weights + j], name, f"ws[{k}][{j}]")
            if got != want:
                raise ShapeError(f"{name}: ws[{k}][{j}] must have shape {want}, got {got}")
            got = shape_of(flat_b[k * cell.n_weights + j], name, f"bs[{k}][{j}]")
            if got != (units,):
                raise ShapeError(f"{name}: bs[{k}][{j}] must have shape ({units},), got {got}")
    dtype = _array(hx).dtype
    for arg, v in [("cx", states[-1])] + [(f"xs[{t}]", x) for t, x in enumerate(xs)] + \
            [(f"ws[{k // cell.n_weights}][{k % cell.n_weights}]", w) for k, w in enumerate(flat_w)] + \
            [(f"bs[{k // cell.n_weights}][{k % cell.n_weights}]", b) for k, b in enumerate(flat_b)]:
        if _array(v).dtype != dtype:
            raise DTypeError(f"{name}: {arg} has dtype {_array(v).dtype} but hx has {dtype}; every array "
                             "must share one floating dtype")
    dropout = ratio > 0.0 and n_layers > 1 and bool(config.train)
    params = NStepParams(name, cell_name, n_layers, directions, tuple(s[0] for s in x_shapes), units, n_in,
                         dropout)
    return params, states + flat_w + flat_b + list(xs), ratio


def n_step_call(op: MultiOutputOp[NStepParams], params: NStepParams, inputs: list[VariableLike],
                ratio: float, masks: Sequence[Array] | None = None) -> NStepResult:
    """Apply ``op``: draw the dropout masks (one per layer after the first and
    direction, over the time-major rows of that layer's input) unless given."""
    if params.dropout and masks is None:
        like = _array(inputs[0])
        xp = backend.namespace_of(like)
        width = params.directions * params.units
        template = xp.zeros((sum(params.sizes), width), dtype=like.dtype)
        masks = [random_mask(template, ratio) for _ in range(params.n_masks)]
    outs = apply(op, tuple(inputs) + tuple(masks or ()), params)
    return outs[:params.n_states], outs[params.n_states:]


def n_step_case(draw: Draw, op: MultiOutputOp[NStepParams], cell_name: str, directions: int) -> Case:
    """A small random call of an n_step op for the property tests: up to two layers,
    sequences of different lengths and, sometimes, dropout masks (drawn here, as
    inputs, so that every evaluation of the numerical gradient sees the same)."""
    cell = CELLS[cell_name]
    n_layers, units, n_in = draw.integer(1, 2), draw.integer(1, 2), draw.integer(1, 3)
    lengths = sorted((draw.integer(1, 3) for _ in range(draw.integer(1, 3))), reverse=True)
    sizes = tuple(sum(1 for n in lengths if n > t) for t in range(lengths[0]))
    batch = sizes[0]
    dropout = n_layers > 1 and draw.boolean()
    params = NStepParams(op.name, cell_name, n_layers, directions, sizes, units, n_in, dropout)
    states = [draw.floats((n_layers * directions, batch, units)) for _ in range(params.n_states)]
    ws, bs = [], []
    for k in range(n_layers * directions):
        layer_in = n_in if k < directions else directions * units
        for j in range(cell.n_weights):
            ws.append(draw.floats((units, layer_in if j in cell.x_order else units), -1.0, 1.0))
            bs.append(draw.floats((units,), -1.0, 1.0))
    xs = [draw.floats((b, n_in)) for b in sizes]
    masks = [draw.integers((sum(sizes), directions * units), 0, 1) * 2.0 for _ in range(params.n_masks)]
    n = params.n_inputs - params.n_masks

    def call(*vs: Variable) -> tuple[Variable, ...]:
        got_states, ys = n_step_call(op, params, list(vs[:n]), 0.5, [m.array for m in vs[n:]])
        return got_states + ys

    return Case(tuple(states + ws + bs + xs + masks), call, check=tuple(range(n)))
