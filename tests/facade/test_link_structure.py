"""Every change to a link tree reaches an optimizer set up on the root.

An optimizer keeps its target's parameter list while the target's structure
version is unchanged (``fchain.facade.link_tree``).  Each test here changes the
tree in one of the ways a link can change, after the optimizer has cached the
list, and then checks the next update against Chainer's semantics: exactly the
parameters the root now holds that have an update rule change, and nothing else
(a parameter that left the tree keeps its value even though it still has a rule
and a gradient).  A parameter that joins the tree is given a rule by hand
(``opt.create_update_rule()``, what ``setup`` does), so a stale list fails the
test twice: the new parameter stays put and the old one moves.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable

import numpy as np
import pytest

import fchain
import fchain.links as L
from fchain import Chain, ChainList, Link, Parameter, Sequential, optimizers
from fchain.optimizer import GradientMethod
from tests.arrays import values


class Block(Chain):
    """A chain with one linear layer."""

    inner: L.Linear

    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.inner = L.Linear(2, 2)


class Model(Chain):
    """Three levels: ``/head/W``, ``/body/0/inner/W``, ``/body/1/inner/W``, ``/tail/...``."""

    head: L.Linear
    body: ChainList[Block]
    tail: Sequential

    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.head = L.Linear(2, 2)
            self.body = ChainList(Block(), Block())
            self.tail = Sequential(L.Linear(2, 2), fchain.functions.relu)


def _new_params(opt: GradientMethod, link: Link) -> list[Parameter]:
    """Give every parameter of ``link`` a rule of ``opt`` (as ``setup`` would)."""
    params = list(link.params())
    for p in params:
        p.update_rule = opt.create_update_rule()
    return params


def _check_next_update(root: Link, opt: GradientMethod, gone: list[Parameter]) -> None:
    """One update with every gradient set: the parameters the root holds and that
    have a rule move, ``gone`` (no longer in the tree) and rule-less ones do not."""
    held = list(root.params())
    for p in [*held, *gone]:
        p.grad = np.ones_like(values(p))
    before = {id(p): values(p).copy() for p in [*held, *gone]}
    opt.update()
    for p in held:
        moved = not np.array_equal(values(p), before[id(p)])
        assert moved == (p.update_rule is not None), f"{p.name}: moved={moved}"
    for p in gone:
        assert not any(q is p for q in held)
        np.testing.assert_array_equal(values(p), before[id(p)], err_msg=f"{p.name} left the tree")


Change = Callable[[Model, GradientMethod], list[Parameter]]
"""Changes the model; returns the parameters that left it."""


def _replace_param_in_scope(m: Model, opt: GradientMethod) -> list[Parameter]:
    old = m.head.W
    with m.head.init_scope():
        m.head.W = Parameter(np.zeros((2, 2), np.float32))
    _new_params(opt, m.head)
    return [old]


def _replace_param_outside_scope(m: Model, opt: GradientMethod) -> list[Parameter]:
    inner = m.body[1].inner
    old = inner.W
    inner.W = Parameter(np.zeros((2, 2), np.float32))
    inner.W.update_rule = opt.create_update_rule()
    return [old]


def _param_replaced_by_non_parameter(m: Model, opt: GradientMethod) -> list[Parameter]:
    old = m.head.b
    assert old is not None
    m.head.b = None
    return [old]


def _append_to_chain_list(m: Model, opt: GradientMethod) -> list[Parameter]:
    block = Block()
    _new_params(opt, block)
    m.body.append(block)
    return []


def _insert_into_chain_list(m: Model, opt: GradientMethod) -> list[Parameter]:
    block = Block()
    _new_params(opt, block)
    m.body.insert(0, block)
    return []


def _set_chain_list_item(m: Model, opt: GradientMethod) -> list[Parameter]:
    old = list(m.body[0].params())
    block = Block()
    _new_params(opt, block)
    m.body[0] = block
    return old


def _delete_chain_list_item(m: Model, opt: GradientMethod) -> list[Parameter]:
    old = list(m.body[1].params())
    del m.body[1]
    return old


def _append_to_sequential(m: Model, opt: GradientMethod) -> list[Parameter]:
    layer = L.Linear(2, 2)
    _new_params(opt, layer)
    m.tail.append(layer)
    return []


def _delete_from_sequential(m: Model, opt: GradientMethod) -> list[Parameter]:
    old = list(m.tail.params())
    del m.tail[0]
    return old


def _add_param(m: Model, opt: GradientMethod) -> list[Parameter]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        m.body[0].inner.add_param("extra", (3,), initializer=fchain.initializers.Zero())
    extra = m.body[0].inner.__dict__["extra"]
    extra.update_rule = opt.create_update_rule()
    return []


def _add_link(m: Model, opt: GradientMethod) -> list[Parameter]:
    layer = L.Linear(2, 2)
    _new_params(opt, layer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        m.body[1].add_link("extra", layer)
    return []


def _register_persistent(m: Model, opt: GradientMethod) -> list[Parameter]:
    inner = m.body[0].inner
    old = inner.W
    inner.register_persistent("W")
    return [old]


def _delete_param(m: Model, opt: GradientMethod) -> list[Parameter]:
    inner = m.body[0].inner
    old = inner.W
    del inner.W
    return [old]


def _delete_child(m: Model, opt: GradientMethod) -> list[Parameter]:
    old = list(m.body[1].params())
    del m.body[1].inner
    return old


def _replace_deep_child(m: Model, opt: GradientMethod) -> list[Parameter]:
    old = list(m.body[0].inner.params())
    layer = L.Linear(2, 2)
    _new_params(opt, layer)
    m.body[0].inner = layer  # a registered child replaced outside init_scope
    return old


def _replace_child_in_scope(m: Model, opt: GradientMethod) -> list[Parameter]:
    old = list(m.body[1].inner.params())
    del m.body[1].inner
    layer = L.Linear(2, 2)
    _new_params(opt, layer)
    with m.body[1].init_scope():
        m.body[1].inner = layer
    return old


def _move_child_between_parents(m: Model, opt: GradientMethod) -> list[Parameter]:
    # The moved link keeps its rules: it is updated once, from its new place.
    block = m.body[1]
    del m.body[1]
    m.tail.append(block)
    return []


def _param_without_rule(m: Model, opt: GradientMethod) -> list[Parameter]:
    # Chainer: a parameter added after setup has no update rule and is left alone.
    with m.head.init_scope():
        m.head.extra = Parameter(np.ones(2, np.float32))
    return []


CHANGES: dict[str, Change] = {
    "param replaced in init_scope": _replace_param_in_scope,
    "param replaced outside init_scope": _replace_param_outside_scope,
    "param replaced by a non-parameter": _param_replaced_by_non_parameter,
    "ChainList.append": _append_to_chain_list,
    "ChainList.insert": _insert_into_chain_list,
    "ChainList[i] = link": _set_chain_list_item,
    "del ChainList[i]": _delete_chain_list_item,
    "Sequential.append": _append_to_sequential,
    "del Sequential[i]": _delete_from_sequential,
    "add_param": _add_param,
    "add_link": _add_link,
    "register_persistent": _register_persistent,
    "del param": _delete_param,
    "del child": _delete_child,
    "deep child replaced outside init_scope": _replace_deep_child,
    "child replaced in init_scope": _replace_child_in_scope,
    "child moved to another parent": _move_child_between_parents,
    "param added without a rule": _param_without_rule,
}


@pytest.mark.parametrize("name", sorted(CHANGES))
@pytest.mark.parametrize("make", [optimizers.SGD, optimizers.MomentumSGD], ids=["SGD", "MomentumSGD"])
def test_optimizer_on_the_root_sees_the_change(name: str, make: Callable[[], GradientMethod]) -> None:
    m = Model()
    opt = make().setup(m)
    _check_next_update(m, opt, [])  # the optimizer's parameter list is now cached
    gone = CHANGES[name](m, opt)
    _check_next_update(m, opt, gone)
    _check_next_update(m, opt, gone)


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_the_change_reaches_every_ancestor_and_no_other_tree(name: str) -> None:
    m, other = Model(), Model()
    opt = optimizers.SGD().setup(m)
    versions = [link._structure_version for link in (m, other)]
    cached = other._param_list()
    CHANGES[name](m, opt)
    assert m._structure_version != versions[0]
    assert other._structure_version == versions[1]
    assert other._param_list() is cached
    now = m._param_list()
    assert len(now) == len(list(m.params())) and all(a is b for a, b in zip(now, m.params()))


def test_a_link_in_two_trees_reports_to_both() -> None:
    shared = Block()
    a, b = Chain(), Chain()
    with a.init_scope():
        a.x = shared
    with b.init_scope():
        b.y = shared
    va, vb = a._structure_version, b._structure_version
    del shared.inner.b
    assert a._structure_version > va and b._structure_version > vb
    assert len(a._param_list()) == len(b._param_list()) == 1


def test_a_released_child_no_longer_reports_to_its_old_parent() -> None:
    m = Model()
    head = m.head
    m.head = L.Linear(2, 2)
    version = m._structure_version
    del head.W
    assert m._structure_version == version


def test_a_child_held_under_two_names_stays_a_child_while_one_is_left() -> None:
    c = Chain()
    shared = L.Linear(2, 2)
    with c.init_scope():
        c.p = shared
        c.q = shared
    c.p = L.Linear(1, 1)
    version = c._structure_version
    del shared.W
    assert c._structure_version > version


@pytest.mark.parametrize("how", ["share", "copy", "init", "deepcopy"])
def test_copies_report_to_themselves_not_to_the_original(how: str) -> None:
    m = Model()
    if how == "deepcopy":
        c = copy.deepcopy(m)
    else:
        c = m.copy(how)  # type: ignore[arg-type]  # one of the three modes
    opt = optimizers.SGD().setup(c)
    _check_next_update(c, opt, [])
    version = m._structure_version
    old = list(c.body[0].inner.params())
    layer = L.Linear(2, 2)
    _new_params(opt, layer)
    c.body[0].inner = layer
    assert m._structure_version == version
    _check_next_update(c, opt, old)
