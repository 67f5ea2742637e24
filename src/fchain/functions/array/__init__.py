"""``fchain.functions.array``: Chainer's module paths of its array manipulations
(``chainer.functions.array.<module>.<function>``)."""

from __future__ import annotations

from fchain.functions.array import broadcast as broadcast
from fchain.functions.array import cast as cast
from fchain.functions.array import concat as concat
from fchain.functions.array import copy as copy
from fchain.functions.array import expand_dims as expand_dims
from fchain.functions.array import flatten as flatten
from fchain.functions.array import get_item as get_item
from fchain.functions.array import reshape as reshape
from fchain.functions.array import split_axis as split_axis
from fchain.functions.array import squeeze as squeeze
from fchain.functions.array import stack as stack
from fchain.functions.array import transpose as transpose
from fchain.functions.array import where as where

__all__ = [
    "broadcast",
    "cast",
    "concat",
    "copy",
    "expand_dims",
    "flatten",
    "get_item",
    "reshape",
    "split_axis",
    "squeeze",
    "stack",
    "transpose",
    "where",
]
