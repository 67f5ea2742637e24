"""One ``.npy`` member of an npz archive: written and read without ever unpickling.

numpy stores an object array by pickling it, and Chainer writes ``None`` (an
uninitialized lazy parameter, a ``None`` persistent) as ``numpy.asarray(None)``, a
0-d object array.  fchain must read those files and write files Chainer reads, yet
never run a pickle:

* **Writing** ``None``: the pickle bytes are assembled here opcode by opcode, in the
  form numpy 1.x wrote them (protocol 3, ``numpy.core.multiarray._reconstruct``), so
  Chainer, which runs on numpy 1.x, loads them back as ``None``.  numpy 2 itself
  would name ``numpy._core``, which numpy 1.x before 1.26 cannot import.
* **Reading** an object member: the pickle is only *disassembled*
  (``pickletools.genops`` parses opcodes and runs nothing) and evaluated
  symbolically over plain data; a global is kept as a name and never imported.  The
  member is accepted only when the result is exactly a 0-d object ndarray holding
  ``None``.  Anything else is refused as a pickled object.
"""

from __future__ import annotations

import pickletools
import struct
from dataclasses import dataclass, field
from typing import IO

import numpy
from numpy.lib import format as npy_format

from fchain.types import Array

__all__ = ["NONE_MEMBER", "is_none_array", "read_header", "recognize_pickled_none"]


def _unicode(text: str) -> bytes:
    raw = text.encode("utf-8")
    return b"X" + struct.pack("<I", len(raw)) + raw


def _build_none_pickle() -> bytes:
    """Protocol-3 opcodes for ``numpy.asarray(None)`` as numpy 1.x pickled it."""
    reconstruct = b"cnumpy.core.multiarray\n_reconstruct\n"
    ndarray = b"cnumpy\nndarray\n"
    dtype_global = b"cnumpy\ndtype\n"
    return b"".join([
        b"\x80\x03",  # PROTO 3
        reconstruct,  # GLOBAL numpy.core.multiarray._reconstruct
        ndarray,  # GLOBAL numpy.ndarray
        b"K\x00\x85",  # (0,)
        b"C\x01b",  # b'b'
        b"\x87R",  # TUPLE3, REDUCE: _reconstruct(ndarray, (0,), b'b')
        b"(",  # MARK: the array state
        b"K\x01",  # version 1
        b")",  # shape ()
        dtype_global, _unicode("O8"), b"\x89\x88\x87R",  # dtype('O8', False, True)
        b"(K\x03", _unicode("|"), b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK?tb",  # dtype state
        b"\x89",  # not Fortran order
        b"]Na",  # [None]: the elements
        b"tb",  # TUPLE, BUILD
        b".",  # STOP
    ])


def _build_none_member() -> bytes:
    header = "{'descr': '|O', 'fortran_order': False, 'shape': (), }"
    # npy 1.0: magic, version, little-endian uint16 header length, header padded
    # with spaces and ended by a newline so the data starts at a multiple of 64.
    prefix_len = len(npy_format.MAGIC_PREFIX) + 2 + 2
    padded = header + " " * (-(prefix_len + len(header) + 1) % 64) + "\n"
    raw = padded.encode("latin1")
    return npy_format.MAGIC_PREFIX + b"\x01\x00" + struct.pack("<H", len(raw)) + raw + _build_none_pickle()


NONE_MEMBER: bytes = _build_none_member()
"""The complete ``.npy`` member for ``None`` (a 0-d object array), Chainer-readable."""

_MAX_NONE_PICKLE = 4096  # a real None pickle is about 150 bytes


def is_none_array(array: Array) -> bool:
    """True for the in-memory stand-in of ``None``: a 0-d object array holding None."""
    return array.dtype.hasobject and array.shape == () and array[()] is None


def read_header(fp: IO[bytes]) -> tuple[tuple[int, ...], numpy.dtype[numpy.generic]] | None:
    """Shape and dtype from an ``.npy`` header; ``None`` for a header version this
    reader does not parse itself (numpy's ``read_array`` still checks those)."""
    version = npy_format.read_magic(fp)
    if version == (1, 0):
        shape, _, dtype = npy_format.read_array_header_1_0(fp)
    elif version == (2, 0):
        shape, _, dtype = npy_format.read_array_header_2_0(fp)
    else:
        return None
    return tuple(shape), dtype


@dataclass(frozen=True)
class _Global:
    module: str
    name: str


@dataclass(eq=False)
class _Call:
    func: object
    args: object
    state: object = field(default=None)


_ALLOWED_GLOBALS = frozenset({
    _Global("numpy.core.multiarray", "_reconstruct"),
    _Global("numpy._core.multiarray", "_reconstruct"),
    _Global("numpy", "ndarray"),
    _Global("numpy", "dtype"),
})

_MARK = object()


class _NotRecognized(Exception):
    pass


def _symbolic_load(payload: bytes) -> object:
    """Evaluate a pickle over plain data without importing or calling anything."""
    stack: list[object] = []
    memo: dict[int, object] = {}

    def pop_mark() -> list[object]:
        for i in range(len(stack) - 1, -1, -1):
            if stack[i] is _MARK:
                items = stack[i + 1:]
                del stack[i:]
                return items
        raise _NotRecognized("MARK missing")

    for opcode, arg, _pos in pickletools.genops(payload):
        name = opcode.name
        if name in ("PROTO", "FRAME"):
            continue
        if name in ("BININT", "BININT1", "BININT2", "LONG1", "SHORT_BINUNICODE", "BINUNICODE",
                    "BINUNICODE8", "SHORT_BINBYTES", "BINBYTES", "BINBYTES8", "SHORT_BINSTRING",
                    "BINSTRING"):
            stack.append(arg)
        elif name == "NONE":
            stack.append(None)
        elif name == "NEWTRUE":
            stack.append(True)
        elif name == "NEWFALSE":
            stack.append(False)
        elif name == "MARK":
            stack.append(_MARK)
        elif name == "EMPTY_TUPLE":
            stack.append(())
        elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
            n = int(name[-1])
            if len(stack) < n:
                raise _NotRecognized("stack underflow")
            items = stack[len(stack) - n:]
            del stack[len(stack) - n:]
            stack.append(tuple(items))
        elif name == "TUPLE":
            stack.append(tuple(pop_mark()))
        elif name == "EMPTY_LIST":
            stack.append([])
        elif name == "LIST":
            stack.append(pop_mark())
        elif name == "APPEND":
            item = stack.pop()
            target = stack[-1]
            if not isinstance(target, list):
                raise _NotRecognized("APPEND to a non-list")
            target.append(item)
        elif name == "APPENDS":
            items = pop_mark()
            target = stack[-1]
            if not isinstance(target, list):
                raise _NotRecognized("APPENDS to a non-list")
            target.extend(items)
        elif name in ("GLOBAL", "STACK_GLOBAL"):
            if name == "GLOBAL":
                module, _, attr = str(arg).partition(" ")
            else:
                attr_obj, module_obj = stack.pop(), stack.pop()
                module, attr = str(module_obj), str(attr_obj)
            ref = _Global(module, attr)
            if ref not in _ALLOWED_GLOBALS:
                raise _NotRecognized(f"global {module}.{attr}")
            stack.append(ref)
        elif name == "REDUCE":
            args = stack.pop()
            func = stack.pop()
            stack.append(_Call(func, args))
        elif name == "BUILD":
            state = stack.pop()
            obj = stack[-1]
            if not isinstance(obj, _Call) or obj.state is not None:
                raise _NotRecognized("BUILD on a non-object")
            obj.state = state
        elif name == "MEMOIZE":
            memo[len(memo)] = stack[-1]
        elif name in ("BINPUT", "LONG_BINPUT", "PUT"):
            if not isinstance(arg, int):
                raise _NotRecognized("bad memo index")
            memo[arg] = stack[-1]
        elif name in ("BINGET", "LONG_BINGET", "GET"):
            if not isinstance(arg, int) or arg not in memo:
                raise _NotRecognized("memo miss")
            stack.append(memo[arg])
        elif name == "STOP":
            if len(stack) != 1:
                raise _NotRecognized("unbalanced stack")
            return stack[0]
        else:
            raise _NotRecognized(f"opcode {name}")
    raise _NotRecognized("no STOP")


def recognize_pickled_none(payload: bytes) -> bool:
    """True when ``payload`` is the pickle of a 0-d object ndarray holding ``None``."""
    if len(payload) > _MAX_NONE_PICKLE:
        return False
    try:
        obj = _symbolic_load(payload)
    except (_NotRecognized, ValueError, IndexError, TypeError):
        return False
    if not isinstance(obj, _Call) or not isinstance(obj.func, _Global):
        return False
    if obj.func.name != "_reconstruct" or not isinstance(obj.args, tuple) or len(obj.args) < 1:
        return False
    if obj.args[0] != _Global("numpy", "ndarray"):
        return False
    state = obj.state
    if not isinstance(state, tuple) or len(state) != 5:
        return False
    _version, shape, dtype, _fortran, data = state
    if shape != () or data != [None]:
        return False
    if not isinstance(dtype, _Call) or dtype.func != _Global("numpy", "dtype"):
        return False
    return isinstance(dtype.args, tuple) and len(dtype.args) >= 1 and dtype.args[0] == "O8"
