"""``rule_of(param)``: a parameter's update rule with the facade's type, for tests.

``Parameter.update_rule`` is typed by the graph layer's ``ParameterUpdateRule``
protocol (the facade's ``UpdateRule`` lives above it) and is ``None`` before an
optimizer's ``setup``; a test that reads a rule's state, hyperparameters or hooks
narrows it here, as a typed user would with ``isinstance``.
"""

from __future__ import annotations

from typing import TypeVar, overload

from fchain import Parameter
from fchain.facade.update_rule import UpdateRule
from fchain.types import Array

R = TypeVar("R", bound=UpdateRule)


@overload
def rule_of(param: Parameter) -> UpdateRule: ...
@overload
def rule_of(param: Parameter, kind: type[R]) -> R: ...


def rule_of(param: Parameter, kind: type[UpdateRule] = UpdateRule) -> UpdateRule:
    """``param.update_rule``, checked to be a ``kind``."""
    rule = param.update_rule
    assert isinstance(rule, kind), f"expected a {kind.__name__}, got {type(rule).__name__}"
    return rule


def state_dict(rule: UpdateRule) -> dict[str, Array]:
    """The rule's state, which exists once it has made an update."""
    state = rule.state
    assert state is not None, "the rule has no state yet"
    return state
