# Local stubs: CuPy's random Generator as fchain.facade.random uses it (see stubs/README.md).
from numpy.typing import DTypeLike

from cupy import ndarray

class Generator:
    def random(self, size: int | tuple[int, ...] | None = None, dtype: DTypeLike = ...) -> ndarray: ...
    def standard_normal(self, size: int | tuple[int, ...] | None = None,
                        dtype: DTypeLike = ...) -> ndarray: ...

def default_rng(seed: int | None = None) -> Generator: ...
