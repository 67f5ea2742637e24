"""``xp`` as users type it: the numpy module is an ``fchain.backend.ArrayModule``
(structurally, under mypy and pyright), and the calls user code makes on
``link.xp``, ``variable.xp`` and ``get_array_module`` check with numpy's
signatures: optional ``keepdims``, ``xp.random``, ``xp.linalg``, dtypes."""

from __future__ import annotations

import numpy

import fchain
from fchain.backend import ArrayModule
from fchain.types import Array

numpy_is_one: ArrayModule = numpy


def statistics(v: fchain.Variable, link: fchain.Link) -> tuple[float, Array]:
    xp = v.xp
    a = v.array
    total = float(xp.sum(a)) + float(xp.mean(a, axis=0).sum()) + float(xp.linalg.norm(a))
    noise = xp.random.normal(0.0, 1.0, a.shape).astype(xp.float32)
    same: ArrayModule = fchain.backend.get_array_module(a)
    ones = link.xp.ones((2, 3), dtype=link.xp.float32)
    rows = same.sum(ones, axis=1, keepdims=True)
    return total + float(xp.max(noise)), xp.concatenate([rows, rows])
