"""Applying an op to variables: the one hot path every function call takes.

``apply`` unwraps the inputs, checks what must hold for every op (float inputs share
a floating dtype, all inputs on one device), runs the pure forward, wraps the
outputs and, when a gradient may be needed, records an immutable ``Node``.
Everything optional (debug checks, creation sites) is behind one flag read.
"""

from __future__ import annotations

import itertools
import traceback
import weakref
from typing import Any, TypeVar

import numpy

from fchain.core import backend
from fchain.core.node import Node, make_node
from fchain.core.op import OpDef
from fchain.errors import DTypeError, FchainError, ShapeError
from fchain.facade.config import _HOT, _global_version, hot_flags
from fchain.facade.variable import Parameter, Variable, _make
from fchain.types import Array, ArrayNamespace

__all__ = ["apply", "apply1", "check_finite", "no_data_error", "record"]

P = TypeVar("P")

_next_index = itertools.count().__next__
_ndarray = numpy.ndarray
_ref = weakref.ref
_NUMPY = backend.NUMPY
_make_node = make_node
_new = object.__new__
_UNUSED: list[Variable | None] = []


def no_data_error(op_name: str, what: str, x: Variable) -> ValueError:
    """The error for a Variable without an array given to ``op_name`` as ``what``
    (``'input 0'``, or an argument's name)."""
    kind = "an uninitialized Parameter" if isinstance(x, Parameter) else "a Variable without an array"
    return ValueError(f"{op_name}: {what} has no data ({kind})")


def _unwrap(op_name: str, i: int, x: object) -> Array:
    if isinstance(x, Variable):
        data = x._data
        if data is None:
            raise no_data_error(op_name, f"input {i}", x)
        return data
    if isinstance(x, _ndarray) or backend.is_cupy_array(x):
        return x  # type: ignore[return-value]  # checked just above; numpy scalars are not arrays
    raise TypeError(
        f"{op_name}: input {i} must be a Variable, numpy.ndarray or cupy.ndarray, "
        f"got {type(x).__name__}"
    )


def _position(inputs: tuple[object, ...], x: object) -> int:
    """The index of ``x`` in ``inputs`` by identity (for error messages)."""
    return next(i for i, y in enumerate(inputs) if y is x)


def _force_array(xp: ArrayNamespace, y: object) -> Array:
    """numpy returns scalars from 0-d arithmetic; a Variable always holds an array."""
    if backend.is_cupy_array(y):
        return y  # type: ignore[return-value]  # a CuPy array is an Array to fchain
    return xp.asarray(y)


def _force_outputs(xp: ArrayNamespace, outs: tuple[Array, ...], residuals: tuple[Array, ...]
                   ) -> tuple[tuple[Array, ...], tuple[Array, ...]]:
    """Outputs as arrays, with residuals that were the same scalar objects replaced
    too (double backprop finds outputs among the residuals by identity)."""
    forced = tuple(_force_array(xp, y) for y in outs)
    swap = {id(old): new for old, new in zip(outs, forced) if old is not new}
    return forced, tuple(swap.get(id(r), r) for r in residuals)


def _check_dtypes(op: OpDef[Any], arrays: tuple[Array, ...]) -> None:
    first = op.float_inputs[0]
    dtype = arrays[first].dtype
    if dtype.kind != "f":
        raise DTypeError(
            f"{op.name}: input {first} must be a floating-point array, got dtype {dtype}"
            + ("; cast integer data with F.cast or .astype(numpy.float32)" if dtype.kind in "iub" else "")
        )
    for i in op.float_inputs[1:]:
        if i < len(arrays) and arrays[i].dtype != dtype:
            raise DTypeError(
                f"{op.name}: input {i} has dtype {arrays[i].dtype} but input {first} has {dtype}; "
                "all floating inputs of one op must share a dtype"
            )


def _explain(op: OpDef[Any], arrays: tuple[Array, ...], error: Exception) -> Exception:
    if isinstance(error, FchainError):
        return error
    described = ", ".join(f"input {i}: shape {a.shape} {a.dtype}" for i, a in enumerate(arrays))
    kind = ShapeError if isinstance(error, ValueError) else type(error)
    try:
        return kind(f"{op.name}: {error} ({described})")
    except Exception:
        return ShapeError(f"{op.name}: {error} ({described})")


def check_finite(op_name: str, what: str, arrays: tuple[Array | None, ...], where: str | None) -> None:
    """Debug mode: raise if any array holds NaN or Inf, naming the op and its call site."""
    for i, a in enumerate(arrays):
        if a is None or a.dtype.kind != "f":
            continue
        xp = backend.namespace_of(a)
        if not bool(xp.isfinite(a).all()):
            site = f"; the op was called at\n{where}" if where else ""
            raise FloatingPointError(f"{op_name}: {what} {i} contains NaN or Inf{site}")


def _call_site() -> str:
    frames = traceback.extract_stack()[:-3]
    user = [f for f in frames if "/fchain/" not in f.filename.replace("\\", "/")] or frames
    return "".join(traceback.format_list(user[-3:]))


def apply(op: OpDef[P], inputs: tuple[Variable | Array, ...], params: P) -> tuple[Variable, ...]:
    """Run ``op`` on ``inputs`` and return its outputs as Variables."""
    arrays = tuple([x._data if type(x) is Variable and x._data is not None else _unwrap(op.name, i, x)
                    for i, x in enumerate(inputs)])
    if op.float_inputs:
        _check_dtypes(op, arrays)
    xp = backend.namespace_of_all(op.name, arrays) if len(arrays) > 1 else backend.namespace_of(arrays[0])
    try:
        outs, residuals = op.forward(xp, arrays, params)
    except (ValueError, TypeError, IndexError) as error:
        raise _explain(op, arrays, error) from error
    backprop, debug = hot_flags()
    if any(type(y) is not _ndarray for y in outs):
        outs, residuals = _force_outputs(xp, outs, residuals)
    where = None
    if debug:
        where = _call_site()
        check_finite(op.name, "output", outs, where)
    variables = tuple([_make(y) for y in outs])
    if backprop:
        graph_inputs = tuple([x if isinstance(x, Variable) else None for x in inputs])
        if any(v is not None and v.requires_grad for v in graph_inputs):
            node = make_node(op, params, graph_inputs, residuals,
                        tuple([_ref(v) for v in variables]), outs, _next_index(), where)
            for i, v in enumerate(variables):
                v._creator = node
                v._index = i
        else:
            for v in variables:
                v.requires_grad = False
    return variables


def apply1(op: OpDef[P], inputs: tuple[Variable | Array, ...], params: P) -> Variable:
    """``apply`` for a single-output op: the fast path of almost every function."""
    if len(inputs) == 1:
        x0 = inputs[0]
        if type(x0) is Variable:
            a0 = x0._data
            if a0 is None:
                _unwrap(op.name, 0, x0)  # raises: the Variable has no array
            graph_input = x0.requires_grad
        else:
            a0 = _unwrap(op.name, 0, x0)
            graph_input = isinstance(x0, Variable) and x0.requires_grad
        arrays: tuple[Array, ...] = (a0,)
        node_inputs = _UNUSED  # the node's input tuple is ``inputs`` itself
        if op.float_inputs and a0.dtype.kind != "f":
            _check_dtypes(op, arrays)
        xp = _NUMPY if type(a0) is _ndarray else backend.namespace_of(a0)
    else:
        # One pass over the inputs: their arrays, whether any needs a gradient,
        # whether all are numpy arrays, and the node's inputs (Variables or None).
        collected: list[Array] = []
        node_inputs = []
        graph_input = False
        numpy_only = True
        for x in inputs:
            if type(x) is _ndarray:
                collected.append(x)
                node_inputs.append(None)
                continue
            if isinstance(x, Variable):
                a = x._data
                if a is None:
                    _unwrap(op.name, _position(inputs, x), x)
                if x.requires_grad:
                    graph_input = True
                node_inputs.append(x)
            else:
                a = _unwrap(op.name, _position(inputs, x), x)
                node_inputs.append(None)
            if type(a) is not _ndarray:
                numpy_only = False
            collected.append(a)
        arrays = tuple(collected)
        float_inputs = op.float_inputs
        if float_inputs:
            first = arrays[float_inputs[0]].dtype
            if first.kind != "f":
                _check_dtypes(op, arrays)
            n_arrays = len(arrays)
            for i in float_inputs[1:]:
                if i < n_arrays:
                    dtype = arrays[i].dtype
                    if dtype is not first and dtype != first:
                        _check_dtypes(op, arrays)
        xp = _NUMPY if numpy_only else backend.namespace_of_all(op.name, arrays)
    graph_inputs = inputs if len(inputs) == 1 else tuple(node_inputs)
    return record(op, params, xp, arrays, graph_inputs, graph_input)  # type: ignore[arg-type]  # holds Variables (or None) only


def record(op: OpDef[P], params: P, xp: ArrayNamespace, arrays: tuple[Array, ...],
           graph_inputs: tuple[Variable | None, ...], graph_input: bool) -> Variable:
    """Run a single-output ``op`` on ``arrays`` whose checks have passed and wrap the
    output; record a node over ``graph_inputs`` (the input Variables, ``None`` for
    plain arrays) when backprop is on and ``graph_input`` (some input needs a
    gradient).  ``apply1`` calls it after checking its inputs; a public function
    that has already read and checked its Variables' arrays may call it directly.
    """
    try:
        outs, residuals = op.forward(xp, arrays, params)
    except (ValueError, TypeError, IndexError) as error:
        raise _explain(op, arrays, error) from error
    y = outs[0]
    if type(y) is not _ndarray:
        outs, residuals = _force_outputs(xp, outs, residuals)
        y = outs[0]
    v = _new(Variable)  # ``_make(y)``, inlined: every op call runs it
    v._data = y
    v._grad_var = None
    v._creator = None
    v._index = 0
    v.name = None
    v.requires_grad = True
    flags = _HOT.get()
    if flags is None or flags[0] != _global_version[0]:
        backprop, debug = hot_flags()
    else:
        backprop, debug = flags[1], flags[2]
    where = None
    if debug:
        where = _call_site()
        check_finite(op.name, "output", outs, where)
    if backprop:
        if graph_input:
            v._creator = _make_node(op, params, graph_inputs, residuals,
                                    (_ref(v),), outs, _next_index(), where)
        else:
            v.requires_grad = False
    return v
