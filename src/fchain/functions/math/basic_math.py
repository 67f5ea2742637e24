"""``fchain.functions.math.basic_math``: Chainer's module path of ``absolute``, ``add``,
``div``, ``mul``, ``neg``, ``pow``, ``sub`` (each implemented in
``fchain.ops.math.<name>``)."""

from __future__ import annotations

from fchain.ops.math.absolute import absolute as absolute
from fchain.ops.math.add import add as add
from fchain.ops.math.div import div as div
from fchain.ops.math.mul import mul as mul
from fchain.ops.math.neg import neg as neg
from fchain.ops.math.pow import pow as pow
from fchain.ops.math.sub import sub as sub

__all__ = ["absolute", "add", "div", "mul", "neg", "pow", "sub"]
