"""Applying an op to variables: the one hot path every function call takes.

``apply`` unwraps the inputs, checks what must hold for every op (float inputs share
a floating dtype, all inputs on one device, the op's declared ``check``), runs the
pure forward, wraps the outputs and, when a gradient may be needed, records an
immutable ``Node``.  Everything optional (debug checks, creation sites) is behind
one flag read.  Its numpy fast path is written here once: every op, MLP or CNN,
takes it.
"""

from __future__ import annotations

import itertools
import traceback
import weakref
from typing import Any, TypeVar, overload

import numpy

from fchain.core import backend
from fchain.core.node import GraphVariable, make_node
from fchain.core.op import MultiOutputOp, Op, OpDef
from fchain.errors import DTypeError, FchainError, ShapeError
from fchain.graph.config import GLOBAL_VERSION, HOT_FLAGS, refresh_hot_flags
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable, wrap
from fchain.types import Array, ArrayNamespace

__all__ = ["apply", "check_dtypes", "check_finite", "no_data_error"]

P = TypeVar("P")

_next_index = itertools.count().__next__
_ndarray = numpy.ndarray
_ref = weakref.ref
_NUMPY = backend.NUMPY
_make_node = make_node
_new = object.__new__
_Variable = Variable
_Parameter = Parameter
_hot_flags = HOT_FLAGS.get


def no_data_error(op_name: str, what: str, x: Variable) -> ValueError:
    """The error for a Variable without an array given to ``op_name`` as ``what``
    (an argument's name)."""
    kind = "an uninitialized Parameter" if isinstance(x, Parameter) else "a Variable without an array"
    return ValueError(f"{op_name}: {what} has no data ({kind})")


def _unwrap_other(op: Op[Any], inputs: tuple[object, ...], x: object) -> Array:
    """The array of an input that is neither a numpy array nor a plain Variable or
    Parameter: a CuPy array, a Variable subclass, or something to reject."""
    if isinstance(x, Variable):
        data = x._data
        if data is None:
            raise no_data_error(op.name, op.arg_name(_position(inputs, x)), x)
        return data
    if isinstance(x, _ndarray) or backend.is_cupy_array(x):
        return x  # type: ignore[return-value]  # checked just above; numpy scalars are not arrays
    raise TypeError(
        f"{op.name}: {op.arg_name(_position(inputs, x))} must be a Variable, numpy.ndarray or "
        f"cupy.ndarray, got {type(x).__name__}"
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


def check_dtypes(op: Op[Any], arrays: tuple[Array, ...]) -> None:  # Any: any op's params
    """Raise the ``DTypeError`` for floating inputs (``op.float_inputs``) that are
    not floating or do not share one dtype; return quietly when they do
    (``apply`` calls it whenever its quick test could not decide).

    ``arrays`` may be the first inputs only: a public function that must see a
    valid dtype before it builds another input (dropout draws its mask in ``x``'s
    dtype) checks them here, so the error is the one ``apply`` would give.
    """
    if not op.float_inputs:
        return
    first = op.float_inputs[0]
    dtype = arrays[first].dtype
    if dtype.kind != "f":
        raise DTypeError(
            f"{op.name}: {op.arg_name(first)} must be a floating-point array, got dtype {dtype}"
            + ("; cast integer data with F.cast or .astype(numpy.float32)" if dtype.kind in "iub" else "")
        )
    for i in op.float_inputs[1:]:
        if i < len(arrays) and arrays[i].dtype != dtype:
            raise DTypeError(
                f"{op.name}: {op.arg_name(i)} has dtype {arrays[i].dtype} but {op.arg_name(first)} "
                f"has {dtype}; all floating inputs of one op must share a dtype"
            )


def _explain(op: Op[Any], arrays: tuple[Array, ...], error: Exception) -> Exception:
    if isinstance(error, FchainError):
        return error
    described = ", ".join(f"{op.arg_name(i)}: shape {a.shape} {a.dtype}" for i, a in enumerate(arrays))
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


@overload
def apply(op: MultiOutputOp[P], inputs: tuple[Variable | Array, ...], params: P) -> tuple[Variable, ...]: ...
@overload
def apply(op: OpDef[P], inputs: tuple[Variable | Array, ...], params: P) -> Variable: ...


def apply(op: Op[P], inputs: tuple[Variable | Array, ...], params: P) -> Variable | tuple[Variable, ...]:
    """Run ``op`` on ``inputs`` (Variables or arrays) with ``params``.

    Returns the output Variable, or a tuple of them for a ``MultiOutputOp``.  A node
    is recorded when backprop is enabled and some input Variable requires a
    gradient; otherwise the outputs require none either.
    """
    # One pass over the inputs: their arrays, whether any needs a gradient and
    # whether all are numpy arrays.  The node's inputs are ``inputs`` itself when
    # every input is a Variable (the usual case), else a tuple with None for arrays.
    # Variables and Parameters are read at separate sites: each attribute read
    # then sees one type, which CPython's specializing interpreter makes fast.
    # The dtypes are decided by identity when input 0 is the only floating input
    # or all inputs share its floating dtype; ``check_dtypes`` decides the rest.
    if len(inputs) == 1:  # most ops: the loop below, unrolled
        x = inputs[0]
        kind = type(x)
        if kind is _Variable:
            a = x._data  # type: ignore[union-attr]  # a Variable
            needs_grad = x.requires_grad  # type: ignore[union-attr]  # a Variable
            all_variables = True
        elif kind is _ndarray:
            a = x
            needs_grad = all_variables = False
        else:
            a = None
            needs_grad = all_variables = False
        if type(a) is not _ndarray:
            a = _unwrap_other(op, inputs, x)
            all_variables = isinstance(x, Variable)
            needs_grad = all_variables and x.requires_grad  # type: ignore[union-attr]  # a Variable
            numpy_only = type(a) is _ndarray
        else:
            numpy_only = True
        in_arrays: tuple[Array, ...] = (a,)
        if a.dtype.kind != "f":
            check_dtypes(op, in_arrays)
    else:
        arrays: list[Array] = []
        needs_grad = False
        numpy_only = True
        all_variables = True
        for x in inputs:
            kind = type(x)
            if kind is _Variable:
                a = x._data  # type: ignore[union-attr]  # a Variable
                if not needs_grad:
                    needs_grad = x.requires_grad  # type: ignore[union-attr]  # a Variable
            elif kind is _Parameter:
                a = x._data  # type: ignore[union-attr]  # a Parameter
                if not needs_grad:
                    needs_grad = x.requires_grad  # type: ignore[union-attr]  # a Parameter
            elif kind is _ndarray:
                a = x
                all_variables = False
            else:
                a = None
            if type(a) is not _ndarray:
                a = _unwrap_other(op, inputs, x)
                if isinstance(x, Variable):
                    needs_grad = needs_grad or x.requires_grad
                else:
                    all_variables = False
                if type(a) is not _ndarray:
                    numpy_only = False
            arrays.append(a)
        in_arrays = tuple(arrays)
        dtype = arrays[0].dtype
        if dtype.kind != "f":
            check_dtypes(op, in_arrays)
        elif op.leading_float_inputs != 1:
            for a in arrays:
                if a.dtype is not dtype:
                    check_dtypes(op, in_arrays)
                    break
    xp = _NUMPY if numpy_only else backend.namespace_of_all(op.name, in_arrays)
    check = op.check
    if check is not None:
        params = check(in_arrays, params)
    try:
        outs, residuals = op.forward(xp, in_arrays, params)
    except (ValueError, TypeError, IndexError) as error:
        raise _explain(op, in_arrays, error) from error
    flags = _hot_flags()  # ``hot_flags()``, inlined
    if flags[0] != GLOBAL_VERSION[0]:
        flags = refresh_hot_flags()
    _, backprop, debug = flags
    if op.multi_output:
        return _wrap_outputs(op, params, outs, residuals, xp, inputs, backprop and needs_grad,
                             all_variables, backprop, debug)
    y = outs[0]
    if type(y) is not _ndarray:
        outs, residuals = _force_outputs(xp, outs, residuals)
        y = outs[0]
    where = None
    if debug:
        where = _call_site()
        check_finite(op.name, "output", outs, where)
    v = _new(Variable)  # ``wrap(y)``, inlined: every op call runs it
    v._data = y
    v._grad_var = None
    v._creator = None
    v._index = 0
    v.name = None
    if backprop and needs_grad:
        v.requires_grad = True
        v._creator = _make_node(op, params, inputs if all_variables else _graph_inputs(inputs),  # type: ignore[arg-type]  # all Variables
                                residuals, (_ref(v),), outs, _next_index(), where)
    else:
        v.requires_grad = not backprop
    return v


def _graph_inputs(inputs: tuple[object, ...]) -> tuple[Variable | None, ...]:
    """A node's inputs: the Variables among ``inputs``, ``None`` for arrays."""
    if len(inputs) == 2:  # scores and labels: no comprehension
        a, b = inputs
        return (a if isinstance(a, Variable) else None, b if isinstance(b, Variable) else None)
    if len(inputs) == 3:  # a data batch and two parameters
        a, b, c = inputs
        return (a if isinstance(a, Variable) else None, b if isinstance(b, Variable) else None,
                c if isinstance(c, Variable) else None)
    return tuple([x if isinstance(x, Variable) else None for x in inputs])


def _wrap_outputs(op: Op[Any], params: object, outs: tuple[Array, ...], residuals: tuple[Array, ...],
                  xp: ArrayNamespace, inputs: tuple[object, ...], record: bool, all_variables: bool,
                  backprop: bool, debug: bool) -> tuple[Variable, ...]:
    """``apply``'s end for a ``MultiOutputOp``: every output wrapped, one node for all."""
    outs, residuals = _force_outputs(xp, outs, residuals)
    where = None
    if debug:
        where = _call_site()
        check_finite(op.name, "output", outs, where)
    variables = tuple([wrap(y) for y in outs])
    if record:
        node = _make_node(op, params, inputs if all_variables else _graph_inputs(inputs),  # type: ignore[arg-type]  # all Variables
                          residuals, tuple([_ref(v) for v in variables]), outs, _next_index(), where)
        for i, v in enumerate(variables):
            v._creator = node
            v._index = i
    elif backprop:
        for v in variables:
            v.requires_grad = False
    return variables
