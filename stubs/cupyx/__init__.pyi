# Local stubs: cupyx.scatter_add, backend.scatter_add's fallback before CuPy 13 (see
# stubs/README.md).
from numpy.typing import ArrayLike

from cupy import ndarray

def scatter_add(a: ndarray, slices: object, value: ArrayLike | ndarray) -> None: ...
