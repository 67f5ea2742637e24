"""``fchain.testing``: the tools fchain tests itself with, for your ops, links and models.

Chainer's names, with Chainer's semantics, for plain pytest classes:

* ``assert_allclose(x, y, atol=1e-5, rtol=1e-4)`` (``array``);
* ``parameterize``, ``product``, ``product_dict`` (``parameterized``);
* ``FunctionTestCase``, ``LinkTestCase``, ``LinkInitializersTestCase``,
  ``InitializerArgument``, ``FunctionTestError``, ``LinkTestError``: declarative
  tests that run the forward check and the backward and double-backward gradient
  checks on every available device (``function_case``, ``link_case``);
* ``condition.retry`` / ``repeat`` / ``repeat_with_success_at_least`` and
  ``attr.gpu`` / ``attr.multi_gpu`` / ``attr.slow`` (submodules; ``attr`` needs
  pytest).

fchain's own tools:

* ``check_op(op)``: the property test fchain runs on each of its ops, for an op
  you define with ``fchain.testing.op`` (``OpDef``, ``GradSpec``, ``apply``);
* ``check_backward`` / ``check_double_backward``: ``fchain.gradient_check``'s,
  with the numerical side in float64 by default (``gradients``);
* ``strategies``: hypothesis strategies (arrays away from kinks and ties,
  broadcastable shapes, well-conditioned matrices, probabilities, labels,
  Variables, small links and MLPs);
* ``draws``: ``HypothesisDraw`` and ``RandomDraw``, the two ``Draw``
  implementations an op's spec samples through;
* a pytest plugin (``pytest_plugin``, loaded automatically once fchain is
  installed): the ``gpu`` and ``slow`` markers, the ``device`` fixture, the
  hypothesis profiles ``fchain-ci`` / ``fchain-dev`` / ``fchain-gpu``.

The numerical side of every gradient check in this kit is float64, whatever the
inputs' dtype: with float32 on both sides, a correct float32 rule raises false
alarms on 21 to 55% of random seeds (``gradients`` gives the measurements).
``fchain.gradient_check`` itself keeps Chainer's default.

Dependencies: ``attr``, the plugin and the test cases' skips need pytest;
``strategies`` and ``check_op`` need hypothesis.  Both come with the ``testing``
extra (``pip install fchain[testing]``); importing ``fchain.testing`` needs
neither.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

from fchain.testing._case_support import FunctionTestError as FunctionTestError
from fchain.testing._case_support import LinkTestError as LinkTestError
from fchain.testing.array import assert_allclose as assert_allclose
from fchain.testing.function_case import FunctionTestCase as FunctionTestCase
from fchain.testing.gradients import check_backward as check_backward
from fchain.testing.gradients import check_double_backward as check_double_backward
from fchain.testing.link_case import InitializerArgument as InitializerArgument
from fchain.testing.link_case import LinkInitializersTestCase as LinkInitializersTestCase
from fchain.testing.link_case import LinkTestCase as LinkTestCase
from fchain.testing.op_check import check_op as check_op
from fchain.testing.parameterized import parameterize as parameterize
from fchain.testing.parameterized import product as product
from fchain.testing.parameterized import product_dict as product_dict

if TYPE_CHECKING:
    from fchain.testing import attr as attr
    from fchain.testing import condition as condition
    from fchain.testing import strategies as strategies

__all__ = [
    "FunctionTestCase",
    "FunctionTestError",
    "InitializerArgument",
    "LinkInitializersTestCase",
    "LinkTestCase",
    "LinkTestError",
    "assert_allclose",
    "attr",
    "check_backward",
    "check_double_backward",
    "check_op",
    "condition",
    "parameterize",
    "product",
    "product_dict",
    "strategies",
]

_LAZY = ("attr", "condition", "strategies")


def __getattr__(name: str) -> ModuleType:
    """``fchain.testing.attr`` (pytest), ``.condition`` and ``.strategies``
    (hypothesis) load on first use, so importing the package needs neither."""
    if name in _LAZY:
        return importlib.import_module(f"fchain.testing.{name}")
    raise AttributeError(f"module 'fchain.testing' has no attribute {name!r}")
