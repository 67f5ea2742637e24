"""Rules never ask what they were given.

Every op's ``forward`` and ``vjp`` — and every function of its module they call —
is written against the ``xp`` namespace only: the same ``vjp`` runs on arrays
(first order) and on the second-order namespace over Variables, so a rule that
tested for a ``Variable`` or for that namespace would be two rules in one.  An op
whose recorded rule really differs declares it as ``OpDef.second_order_vjp``,
which this test leaves alone.
"""

from __future__ import annotations

import ast
import inspect
import sys
from collections.abc import Callable

import pytest

from fchain.core.registry import all_ops

FORBIDDEN = {"Variable", "Parameter", "DiffNamespace", "DIFF", "as_variable", "_second_order"}


def _reachable(rule: Callable[..., object]) -> dict[str, ast.FunctionDef]:
    """The rule's function and the functions of its module it calls, by name."""
    module = sys.modules[rule.__module__]
    tree = ast.parse(inspect.getsource(module))
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    todo, seen = [rule.__name__], {}
    while todo:
        name = todo.pop()
        if name in seen or name not in functions:
            continue
        seen[name] = functions[name]
        todo += [n.id for n in ast.walk(functions[name]) if isinstance(n, ast.Name)]
    return seen


def _offences(rule: Callable[..., object]) -> list[str]:
    found = []
    for name, fn in _reachable(rule).items():
        for node in ast.walk(fn):
            word = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
            if word in FORBIDDEN:
                found.append(f"{rule.__module__}.{name}:{node.lineno} uses {word}")  # type: ignore[attr-defined]  # Name and Attribute nodes have lineno
    return found


@pytest.mark.parametrize("name", sorted(all_ops()))
def test_the_rules_use_only_xp(name: str) -> None:
    op = all_ops()[name]
    offences = _offences(op.forward) + _offences(op.vjp)
    assert not offences, "\n".join(offences)


def test_the_check_sees_an_isinstance_test() -> None:
    """The wrapper of user-defined FunctionNodes unwraps the Variables the user's
    backward returns (Chainer's API): the check must see that."""
    from fchain.facade import function

    assert any("uses Variable" in o for o in _offences(function._node_vjp))
