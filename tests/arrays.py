"""``values(p)``: the array of a Parameter the test knows is initialized.

``Parameter.array`` is typed ``Array | None`` (``None`` until a lazily sized
parameter is initialized, as in Chainer); tests that read parameters of links
built with their sizes use this instead of narrowing at every access.
"""

from __future__ import annotations

from fchain import Variable
from fchain.types import Array

__all__ = ["values"]


def values(v: Variable) -> Array:
    """``v.array``, asserting that it exists."""
    data = v.array
    assert data is not None, "the parameter is not initialized"
    return data
