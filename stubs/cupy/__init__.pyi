# Local stubs for the few CuPy names fchain and its GPU tests call outside the
# ArrayNamespace protocol.  See stubs/README.md: deliberately small, checked against
# the real CuPy by tests/gpu/test_stubs_match_cupy.py.  Extend only with names that
# are called.
from collections.abc import Sequence
from typing import Any

import numpy
from numpy.typing import ArrayLike, DTypeLike, NDArray

from cupy import cuda as cuda
from cupy import random as random

# CuPy arrays are typed as numpy arrays everywhere in fchain (fchain.types.Array);
# this stub keeps that convention so a cupy.ndarray passes where an Array is
# expected.  It is a static fiction only: at run time a cupy.ndarray is NOT a
# numpy.ndarray, so never narrow with isinstance(x, numpy.ndarray) on device data.
class ndarray(numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]]):
    @property
    def device(self) -> cuda.Device: ...  # type: ignore[override]  # numpy says 'cpu'; CuPy gives its Device
    def get(self) -> NDArray[Any]: ...

def asarray(a: ArrayLike | ndarray, dtype: DTypeLike | None = None) -> ndarray: ...
def asnumpy(a: ArrayLike | ndarray) -> NDArray[Any]: ...

class ufunc:
    def at(self, a: ndarray, indices: object, b: ArrayLike | ndarray | None = None, /) -> None: ...

add: ufunc

class ElementwiseKernel:
    def __init__(self, in_params: str, out_params: str, operation: str, name: str = "kernel",
                 reduce_dims: bool = True, preamble: str = "", no_return: bool = False,
                 return_tuple: bool = False, loop_prep: str = "", after_loop: str = "",
                 options: Sequence[str] = ()) -> None: ...
    def __call__(self, *args: object, size: int | None = None) -> ndarray | tuple[ndarray, ...] | None: ...

float16 = numpy.float16
float32 = numpy.float32
float64 = numpy.float64
int32 = numpy.int32
int64 = numpy.int64
