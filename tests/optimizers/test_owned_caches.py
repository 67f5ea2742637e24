"""What an optimizer caches belongs to it: another optimizer's hyperparameters or
rule hooks change nothing for it.

* A rule re-reads its hyperparameters only when its own entries or an ancestor's
  changed (``Hyperparameter`` versions, pushed down to the children).
* A hook on one rule switches only that optimizer's update from its single pass to
  Chainer's order of steps; every other optimizer keeps its single pass and its
  results.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import numpy as np
import pytest

from fchain import Chain, Parameter, optimizers
from fchain.facade.gradient_method import GradientMethod
from fchain.facade.update_rule import UpdateRule
from fchain.graph.variable import Variable
from tests.arrays import values
from tests.optimizers.models import make_link, param
from tests.rules import rule_of, state_dict


def _model() -> Chain:
    rng = np.random.default_rng(0)
    return make_link({"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2),
                      "l1/W": rng.standard_normal(4)})


def _grads(step: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(100 + step)
    return {"/W": rng.standard_normal((3, 2)), "/b": rng.standard_normal(2),
            "/l1/W": rng.standard_normal(4)}


def _step(model: Chain, opt: GradientMethod, step: int) -> None:
    grads = _grads(step)
    for name, p in model.namedparams():
        p.grad = grads[name].copy()
    opt.update()


def _values(model: Chain) -> dict[str, np.ndarray]:
    return {name: values(p).copy() for name, p in model.namedparams()}


class _Reads:
    """Counts ``_read_hyperparam`` calls of each rule of a model."""

    def __init__(self, model: Chain) -> None:
        self.counts: dict[str, int] = {}
        for name, p in model.namedparams():
            rule = rule_of(p)
            original = rule._read_hyperparam
            self.counts[name] = 0

            def counting(name: str = name, original: object = original) -> None:
                self.counts[name] += 1
                original()  # type: ignore[operator]  # the bound method saved above

            setattr(rule, "_read_hyperparam", counting)

    def take(self) -> dict[str, int]:
        counts = dict(self.counts)
        for name in self.counts:
            self.counts[name] = 0
        return counts


# ------------------------------------------------------------ hyperparameters
def test_a_rule_rereads_only_after_its_own_or_an_ancestors_change() -> None:
    a_model, b_model = _model(), _model()
    a = optimizers.MomentumSGD(lr=0.1).setup(a_model)
    b = optimizers.MomentumSGD(lr=0.1).setup(b_model)
    _step(a_model, a, 0)
    _step(b_model, b, 0)
    a_reads, b_reads = _Reads(a_model), _Reads(b_model)
    _step(a_model, a, 1)
    _step(b_model, b, 1)
    assert set(a_reads.take().values()) == {0} and set(b_reads.take().values()) == {0}

    b.lr = 0.05  # another optimizer: a's rules keep their values
    _step(a_model, a, 2)
    _step(b_model, b, 2)
    assert set(a_reads.take().values()) == {0}
    assert set(b_reads.take().values()) == {1}

    rule_of(param(a_model, "b")).hyperparam.momentum = 0.5  # one rule's override
    _step(a_model, a, 3)
    assert a_reads.take() == {"/W": 0, "/b": 1, "/l1/W": 0}


def test_a_changed_hyperparameter_is_used_at_the_next_step() -> None:
    model = make_link({"W": np.zeros(2)})
    opt = optimizers.SGD(lr=1.0).setup(model)
    W = param(model, "W")
    for lr, expected in [(1.0, -1.0), (0.5, -1.5), (0.25, -1.75)]:
        opt.lr = lr
        W.grad = np.ones(2)
        opt.update()
        np.testing.assert_array_equal(W.array, [expected, expected])
    rule_of(W).hyperparam.lr = 2.0
    W.grad = np.ones(2)
    opt.update()
    np.testing.assert_array_equal(W.array, [-3.75, -3.75])
    del rule_of(W).hyperparam.lr
    opt.hyperparam.lr = 0.5
    W.grad = np.ones(2)
    opt.update()
    np.testing.assert_array_equal(W.array, [-4.25, -4.25])


def test_a_deep_copy_of_an_optimizer_has_its_own_hyperparameter_tree() -> None:
    model = make_link({"W": np.zeros(2)})
    opt = optimizers.SGD(lr=1.0).setup(model)
    param(model, "W").grad = np.ones(2)
    opt.update()
    twin = copy.deepcopy(opt)
    twin.lr = 0.25
    twin_W = param(twin.target, "W")
    assert rule_of(twin_W).hyperparam.parent is twin.hyperparam
    for o in (opt, twin):
        param(o.target, "W").grad = np.ones(2)
        o.update()
    np.testing.assert_array_equal(param(model, "W").array, [-2.0, -2.0])
    np.testing.assert_array_equal(twin_W.array, [-1.25, -1.25])


# ------------------------------------------------------------------ rule hooks
@pytest.fixture
def steps_path_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[GradientMethod]]:
    """The optimizers that left the single pass for Chainer's order of steps."""
    calls: list[GradientMethod] = []
    original = GradientMethod._update_all

    def spy(self: GradientMethod, params: object) -> None:
        calls.append(self)
        original(self, params)  # type: ignore[arg-type]  # what update passed

    monkeypatch.setattr(GradientMethod, "_update_all", spy)
    yield calls


@pytest.mark.parametrize("name", ["SGD", "MomentumSGD", "Adam"])
def test_a_hook_on_one_optimizers_rule_changes_nothing_for_another(
        name: str, steps_path_calls: list[GradientMethod]) -> None:
    make = getattr(optimizers, name)
    reference_model = _model()
    reference = make().setup(reference_model)
    hooked_model, other_model = _model(), _model()
    hooked, other = make().setup(hooked_model), make().setup(other_model)
    seen: list[str] = []
    rule_of(param(hooked_model, "b")).add_hook(lambda rule, p: seen.append(p.name), name="log")
    for step in range(3):
        _step(reference_model, reference, step)
        _step(hooked_model, hooked, step)
        _step(other_model, other, step)
    assert seen == ["b"] * 3
    assert all(opt is hooked for opt in steps_path_calls) and len(steps_path_calls) == 3
    for name_, value in _values(other_model).items():
        np.testing.assert_array_equal(value, _values(reference_model)[name_], err_msg=name_)
        np.testing.assert_array_equal(value, _values(hooked_model)[name_], err_msg=name_)


def test_removing_the_last_rule_hook_brings_the_single_pass_back(
        steps_path_calls: list[GradientMethod]) -> None:
    model = _model()
    opt = optimizers.SGD().setup(model)
    rule = rule_of(param(model, "W"))
    rule.add_hook(lambda r, p: None, name="noop")
    _step(model, opt, 0)
    assert steps_path_calls == [opt]
    rule.remove_hook("noop")
    _step(model, opt, 1)
    _step(model, opt, 2)
    assert steps_path_calls == [opt]


def test_a_rule_hook_that_clears_another_gradient_gets_chainers_order() -> None:
    # Chainer reallocates every cleared gradient before the updates, then updates in
    # order: a gradient cleared by an earlier rule's hook stays None for its own
    # update, which is then skipped (its momentum does not move it).
    model = make_link({"W": np.array([1.0]), "b": np.array([1.0])})
    opt = optimizers.MomentumSGD(lr=0.1, momentum=0.5).setup(model)
    W, b = param(model, "W"), param(model, "b")
    W.grad, b.grad = np.array([1.0]), np.array([1.0])
    opt.update()  # b's velocity is now -0.1
    np.testing.assert_allclose(values(b), [0.9])

    def clear_b(rule: UpdateRule, p: Variable) -> None:
        b.cleargrad()

    rule_of(W).add_hook(clear_b, name="clear_b")
    W.grad = np.array([1.0])
    b.cleargrad()  # reallocated as zeros before the updates, then cleared by W's hook
    opt.update()
    np.testing.assert_allclose(values(b), [0.9])  # a single pass would have moved it by 0.5 * -0.1
    np.testing.assert_array_equal(b.grad, [0.0])  # reallocated after the updates
    assert rule_of(b).t == 2


def test_a_rule_replaced_by_hand_with_a_hooked_one_is_honoured() -> None:
    model = make_link({"W": np.array([1.0]), "b": np.array([1.0])})
    opt = optimizers.MomentumSGD(lr=0.1, momentum=0.5).setup(model)
    W, b = param(model, "W"), param(model, "b")
    W.grad, b.grad = np.array([1.0]), np.array([1.0])
    opt.update()
    rule = opt.create_update_rule()
    rule.add_hook(lambda r, p: b.cleargrad(), name="clear_b")
    W.update_rule = rule
    W.grad = np.array([1.0])
    b.cleargrad()
    opt.update()
    np.testing.assert_allclose(values(b), [0.9])


def test_new_parameter_rules_after_setup_again() -> None:
    model = make_link({"W": np.array([1.0])})
    opt = optimizers.SGD(lr=1.0).setup(model)
    with model.init_scope():
        model.extra = Parameter(np.array([2.0]))
    opt.setup(model)
    for p in model.params():
        p.grad = np.ones(1)
    opt.update()
    np.testing.assert_array_equal(param(model, "extra").array, [1.0])


@pytest.mark.parametrize("name", ["MomentumSGD", "Adam", "RMSprop"])
def test_a_deep_copy_of_an_optimizer_updates_its_own_state(name: str) -> None:
    model = _model()
    opt = getattr(optimizers, name)().setup(model)
    _step(model, opt, 0)
    _step(model, opt, 1)  # the rules' arguments are bound by now
    twin = copy.deepcopy(opt)
    twin_model = twin.target
    assert isinstance(twin_model, Chain)
    _step(model, opt, 2)
    _step(twin_model, twin, 2)
    for path, value in _values(model).items():
        np.testing.assert_array_equal(_values(twin_model)[path], value, err_msg=path)
    for (path, p), q in zip(model.namedparams(), twin_model.params()):
        for key, array in (rule_of(p).state or {}).items():
            twin_array = state_dict(rule_of(q))[key]
            assert twin_array is not array
            np.testing.assert_array_equal(twin_array, array, err_msg=f"{path}/{key}")


@pytest.mark.parametrize("name, hyper", [("SGD", "lr"), ("MomentumSGD", "momentum"), ("Adam", "alpha"),
                                         ("Adam", "beta1"), ("RMSprop", "alpha")])
def test_the_bound_fast_path_follows_changes_as_the_hooked_path_does(name: str, hyper: str) -> None:
    """A rule whose CPU update is bound (its arguments, or its state arrays with
    the scalars computed per step) against the same rule run through Chainer's
    order (a no-op hook on every rule): equal after a hyperparameter change, a
    rule switched off and on, and a reloaded state."""
    fast_model, slow_model = _model(), _model()
    fast = getattr(optimizers, name)().setup(fast_model)
    slow = getattr(optimizers, name)().setup(slow_model)
    for p in slow_model.params():
        rule_of(p).add_hook(lambda rule, param: None, name="noop")

    def both(step: int) -> None:
        _step(fast_model, fast, step)
        _step(slow_model, slow, step)
        for path, value in _values(slow_model).items():
            np.testing.assert_array_equal(_values(fast_model)[path], value, err_msg=f"step {step}: {path}")

    both(0)
    both(1)  # bound by now
    for opt in (fast, slow):
        setattr(opt, hyper, getattr(opt, hyper) * 0.5)
    both(2)
    for model in (fast_model, slow_model):
        rule_of(param(model, "b")).enabled = False
    both(3)
    for model in (fast_model, slow_model):
        rule_of(param(model, "b")).enabled = True
    both(4)
    for model in (fast_model, slow_model):
        rule = rule_of(param(model, "W"))
        rule.__setstate__(rule.__getstate__())  # as a copy or a reload does: what was bound is dropped
    both(5)
