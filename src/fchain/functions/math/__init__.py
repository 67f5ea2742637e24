"""``fchain.functions.math``: Chainer's module paths of its mathematical functions
(``chainer.functions.math.<module>.<function>``)."""

from __future__ import annotations

from fchain.functions.math import average as average
from fchain.functions.math import basic_math as basic_math
from fchain.functions.math import bias as bias
from fchain.functions.math import clip as clip
from fchain.functions.math import exponential as exponential
from fchain.functions.math import identity as identity
from fchain.functions.math import linear_interpolate as linear_interpolate
from fchain.functions.math import logarithm_1p as logarithm_1p
from fchain.functions.math import logsumexp as logsumexp
from fchain.functions.math import matmul as matmul
from fchain.functions.math import maximum as maximum
from fchain.functions.math import minimum as minimum
from fchain.functions.math import minmax as minmax
from fchain.functions.math import scale as scale
from fchain.functions.math import sqrt as sqrt
from fchain.functions.math import square as square
from fchain.functions.math import sum as sum
from fchain.functions.math import trigonometric as trigonometric

__all__ = [
    "average",
    "basic_math",
    "bias",
    "clip",
    "exponential",
    "identity",
    "linear_interpolate",
    "logarithm_1p",
    "logsumexp",
    "matmul",
    "maximum",
    "minimum",
    "minmax",
    "scale",
    "sqrt",
    "square",
    "sum",
    "trigonometric",
]
