"""``fchain.functions.math.linear_interpolate``: Chainer's module path of
``linear_interpolate`` (implemented in ``fchain.ops.math.linear_interpolate``)."""

from __future__ import annotations

from fchain.ops.math.linear_interpolate import linear_interpolate as linear_interpolate

__all__ = ["linear_interpolate"]
