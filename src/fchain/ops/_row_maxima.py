"""The maximum of each row of a 2-d array, fast for few columns.

numpy reduces a short last axis row by row, at a fixed cost per row: ``x.max(axis=1)``
takes 6 us for 100 x 10 float32 scores and 52 us for 1000 x 10, against 1.7 and 4.7
us for the maximum over axis 0 of ``x^T`` copied to C order, whose inner loop runs
along the rows (numpy 2.4, measured over 8-1000 rows and 2-1000 columns: the copy
pays from 16 rows while the columns are at most 32).  A maximum is exact, so the
values are the same; only the sign of a zero maximum that both +0 and -0 reach may
differ, and the softmax-like uses never see it (a tie gives ``sum(exp(x - m)) >=
2``, so ``m + log(sum)`` is the same, and ``exp(x - m)`` is 1 either way).
"""

from __future__ import annotations

from numpy import ndarray as _ndarray

from fchain.types import Array

__all__ = ["FEW_COLUMNS", "MANY_ROWS", "row_maxima"]

FEW_COLUMNS = 32
MANY_ROWS = 16


def row_maxima(x: Array) -> Array:
    """``x.max(axis=1, keepdims=True)`` of a 2-d array ``x`` (numpy or CuPy; only
    numpy's is taken over the copy: a GPU reduces a short axis well)."""
    rows, columns = x.shape
    if columns > FEW_COLUMNS or rows < MANY_ROWS or type(x) is not _ndarray:
        m: Array = x.max(axis=1, keepdims=True)
    else:
        m = x.T.copy().max(axis=0).reshape(rows, 1)
    return m
