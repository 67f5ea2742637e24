"""``fchain.initializers``: Chainer's weight initializers, seeded reproducibly.

An initializer fills an array in place (``init(array)``); pass one as a link's
``initialW``/``initial_bias`` or to ``Parameter(init, shape)``.  Defaults follow
Chainer: ``L.Linear``'s ``W`` uses ``LeCunNormal()`` and its bias ``Zero``.

Seeding: ``fchain.initializers.set_random_seed(0)`` makes every later
initialization draw from ``numpy.random.default_rng(0)``, so the same seed builds
the same model on every run and on CPU and GPU alike; an initializer's own
``rng=`` overrides it.  Until a seed is set, draws come from numpy's global
generator, as in Chainer, so ``numpy.random.seed(0)`` reproduces Chainer's
initial weights.
"""

from __future__ import annotations

from fchain.initializers._base import Initializer as Initializer
from fchain.initializers._base import InitializerLike as InitializerLike
from fchain.initializers._base import RandomSource as RandomSource
from fchain.initializers._base import generate_array as generate_array
from fchain.initializers._base import get_fans as get_fans
from fchain.initializers._base import get_rng as get_rng
from fchain.initializers._base import set_random_seed as set_random_seed
from fchain.initializers._base import set_rng as set_rng
from fchain.initializers.constant import Constant as Constant
from fchain.initializers.constant import Identity as Identity
from fchain.initializers.constant import NaN as NaN
from fchain.initializers.constant import One as One
from fchain.initializers.constant import Zero as Zero
from fchain.initializers.normal import GlorotNormal as GlorotNormal
from fchain.initializers.normal import HeNormal as HeNormal
from fchain.initializers.normal import LeCunNormal as LeCunNormal
from fchain.initializers.normal import Normal as Normal
from fchain.initializers.orthogonal import Orthogonal as Orthogonal
from fchain.initializers.uniform import GlorotUniform as GlorotUniform
from fchain.initializers.uniform import HeUniform as HeUniform
from fchain.initializers.uniform import LeCunUniform as LeCunUniform
from fchain.initializers.uniform import Uniform as Uniform

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "Initializer",
    "InitializerLike",
    "LeCunNormal",
    "LeCunUniform",
    "NaN",
    "Normal",
    "One",
    "Orthogonal",
    "RandomSource",
    "Uniform",
    "Zero",
    "generate_array",
    "get_fans",
    "get_rng",
    "set_random_seed",
    "set_rng",
]
