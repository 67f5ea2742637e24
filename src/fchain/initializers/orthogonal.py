"""``Orthogonal``: a scaled (semi-)orthogonal matrix (Saxe et al., 2013).

The array is viewed as a matrix ``(out, in)`` (trailing axes flattened).  A
standard-normal matrix of that shape is drawn; for ``out < in`` the QR
decomposition of its transpose gives ``in x out`` orthonormal columns, whose
transpose is stored: the rows are orthonormal.  For ``out >= in`` (square matrices
included) the QR of the matrix itself gives orthonormal columns.  This is Chainer's
rule (transpose only when ``in > out``), so after ``numpy.random.seed(s)`` every
shape, square ones too, gets exactly Chainer's numbers.  Signs follow ``diag(R)`` so the result is
unique, and everything is multiplied by ``scale`` (Chainer's default 1.1).

``mode`` asserts the shape: ``'projection'`` needs ``out <= in``, ``'embedding'``
``out >= in``, ``'basis'`` a square matrix, ``'auto'`` accepts either.  A 0-d array
gets ``+scale`` or ``-scale``.
"""

from __future__ import annotations

from typing import Literal

import numpy

from fchain.errors import ShapeError
from fchain.initializers._base import Initializer, RandomSource, draw_bit, draw_normal, fill
from fchain.types import Array, DTypeLike

__all__ = ["Orthogonal"]

OrthogonalMode = Literal["auto", "projection", "embedding", "basis"]


class Orthogonal(Initializer):
    """``scale`` times a matrix with orthonormal rows (or columns when ``out > in``)."""

    def __init__(self, scale: float = 1.1, dtype: DTypeLike | None = None,
                 mode: OrthogonalMode = "auto", rng: RandomSource | None = None) -> None:
        super().__init__(dtype)
        if mode not in ("auto", "projection", "embedding", "basis"):
            raise ValueError(
                f"Orthogonal: mode must be 'auto', 'projection', 'embedding' or 'basis', got {mode!r}")
        self.scale = scale
        self.mode: OrthogonalMode = mode
        self.rng = rng

    def __call__(self, array: Array) -> None:
        self._check_dtype(array)
        if array.ndim == 0:
            fill(array, numpy.asarray(self.scale * (2 * draw_bit(self.rng) - 1)))
            return
        if array.size == 0:
            raise ShapeError(f"Orthogonal: the array must be non-empty, got shape {tuple(array.shape)}")
        out_dim = int(array.shape[0])
        in_dim = int(array.size) // out_dim
        if self.mode in ("projection", "basis") and out_dim > in_dim:
            raise ShapeError(
                f"Orthogonal: mode={self.mode!r} needs at most as many rows as columns, but the "
                f"array of shape {tuple(array.shape)} is {out_dim} x {in_dim}")
        if self.mode in ("embedding", "basis") and out_dim < in_dim:
            raise ShapeError(
                f"Orthogonal: mode={self.mode!r} needs at least as many rows as columns, but the "
                f"array of shape {tuple(array.shape)} is {out_dim} x {in_dim}")
        a = draw_normal(self.rng, 1.0, (out_dim, in_dim))
        transpose = in_dim > out_dim  # Chainer's rule: a square matrix is not transposed
        q, r = numpy.linalg.qr(a.T if transpose else a)
        q = q * numpy.copysign(self.scale, numpy.diag(r))
        if transpose:
            q = q.T
        fill(array, q.reshape(array.shape))
