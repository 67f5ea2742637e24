"""Optimizer machinery: setup, update with and without a loss function, gradient
reallocation, per-parameter hyperparameters and enabled flags, t and epoch, hooks
and their timing."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import fchain
import fchain.functions as F
from fchain import Variable, optimizers
from fchain.facade.optimizer import GradientMethod, Hyperparameter, Optimizer, UpdateRule
from fchain.optimizers.adam import AdamRule
from fchain.optimizers.sgd import SGDRule
from tests.optimizers.models import make_link, param
from tests.arrays import values
from tests.rules import rule_of


def _two_params() -> fchain.Chain:
    return make_link({"W": np.array([1.0, 2.0, 3.0]), "b": np.array([0.5])})


def test_setup_returns_the_optimizer_and_gives_each_param_a_rule() -> None:
    link = _two_params()
    opt = optimizers.MomentumSGD()
    assert opt.setup(link) is opt
    assert opt.target is link
    rules = [rule_of(p) for p in link.params()]
    assert all(isinstance(r, UpdateRule) for r in rules)
    assert len({id(r) for r in rules}) == 2
    assert all(r.hyperparam.parent is opt.hyperparam for r in rules)


def test_setup_rejects_non_links() -> None:
    with pytest.raises(TypeError, match=r"SGD\.setup: the optimization target must be a Link, got int"):
        optimizers.SGD().setup(42)  # type: ignore[type-var]  # the error under test


def test_target_before_setup_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="call setup"):
        optimizers.SGD().target


def test_update_without_lossfun_uses_existing_gradients() -> None:
    link = _two_params()
    opt = optimizers.SGD(lr=0.5).setup(link)
    W = param(link, "W")
    W.grad = np.array([1.0, 0.0, -2.0])
    opt.update()
    np.testing.assert_array_equal(W.array, [0.5, 2.0, 4.0])
    np.testing.assert_array_equal(W.grad, [1.0, 0.0, -2.0])  # not cleared by update()


def test_update_with_lossfun_clears_stale_gradients_first() -> None:
    link = _two_params()
    opt = optimizers.SGD(lr=0.1).setup(link)
    W, b = param(link, "W"), param(link, "b")
    W.grad = np.full(3, 100.0)  # stale: must not leak into the step
    b.grad = np.full(1, 100.0)
    calls: list[tuple[Any, ...]] = []

    def lossfun(x: Variable, *, scale: float) -> Variable:
        calls.append((x.array.copy(), scale))
        return F.sum(W * x) * scale

    x = np.array([1.0, -1.0, 2.0])
    opt.update(lossfun, Variable(x), scale=2.0)
    assert len(calls) == 1 and calls[0][1] == 2.0
    np.testing.assert_allclose(values(W), np.array([1.0, 2.0, 3.0]) - 0.1 * 2.0 * x)
    # b is not in the loss: its gradient was cleared, then reallocated as zeros
    np.testing.assert_array_equal(b.array, [0.5])
    np.testing.assert_array_equal(b.grad, [0.0])
    assert opt.t == 1


def test_update_with_lossfun_and_zerograds_when_use_cleargrads_false() -> None:
    link = _two_params()
    opt = optimizers.SGD(lr=0.1).setup(link)
    with pytest.warns(DeprecationWarning, match="use_cleargrads is deprecated"):
        opt.use_cleargrads(False)
    W = param(link, "W")
    W.grad = np.full(3, 100.0)

    def lossfun() -> Variable:
        return F.sum(W * np.ones(3))

    with pytest.warns(DeprecationWarning, match="zerograds"):
        opt.update(lossfun)
    np.testing.assert_allclose(values(W), np.array([1.0, 2.0, 3.0]) - 0.1)


def test_cleared_gradient_is_reallocated_as_zeros_and_momentum_continues() -> None:
    link = make_link({"W": np.array([0.0, 1.0])})
    opt = optimizers.MomentumSGD(lr=0.1, momentum=0.5).setup(link)
    W = param(link, "W")
    W.grad = np.array([1.0, -1.0])
    opt.update()
    v1 = -0.1 * np.array([1.0, -1.0])
    np.testing.assert_allclose(values(W), np.array([0.0, 1.0]) + v1)
    W.cleargrad()
    opt.update()  # Chainer gives W a zero gradient; the velocity still moves it
    np.testing.assert_allclose(values(W), np.array([0.0, 1.0]) + v1 + 0.5 * v1)
    np.testing.assert_array_equal(W.grad, [0.0, 0.0])


def test_per_parameter_hyperparameter_override_and_inheritance() -> None:
    link = _two_params()
    opt = optimizers.SGD(lr=0.1).setup(link)
    W, b = param(link, "W"), param(link, "b")

    def step() -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        w0, b0 = values(W).copy(), values(b).copy()
        W.grad = np.ones(3)
        b.grad = np.ones(1)
        opt.update()
        return w0 - W.array, b0 - b.array

    rule_of(W).hyperparam.lr = 0.5
    dw, db = step()
    np.testing.assert_allclose(dw, 0.5)
    np.testing.assert_allclose(db, 0.1)
    opt.lr = 0.2  # reaches every rule without its own value
    assert opt.hyperparam.lr == 0.2
    dw, db = step()
    np.testing.assert_allclose(dw, 0.5)
    np.testing.assert_allclose(db, 0.2)
    del rule_of(W).hyperparam.lr  # back to the optimizer's value
    dw, db = step()
    np.testing.assert_allclose(dw, 0.2)
    assert rule_of(W).hyperparam.get_dict() == {"lr": 0.2}


def test_update_rule_constructor_overrides_and_defaults() -> None:
    rule = SGDRule(lr=0.7)
    assert rule.hyperparam.lr == 0.7
    assert SGDRule().hyperparam.lr == 0.01  # Chainer's default when there is no parent
    parent = Hyperparameter()
    parent.lr = 0.3
    assert SGDRule(parent).hyperparam.lr == 0.3
    parent.lr = 0.4
    assert SGDRule(parent).hyperparam.lr == 0.4
    assert repr(SGDRule(parent, lr=0.9).hyperparam) == "Hyperparameter(lr=0.9)"


def test_missing_hyperparameter_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="'nothing' is not set"):
        Hyperparameter().nothing


def test_disabled_rule_leaves_param_and_its_t_alone() -> None:
    link = _two_params()
    opt = optimizers.Adam().setup(link)
    W, b = param(link, "W"), param(link, "b")
    rule_of(W).enabled = False
    W.grad, b.grad = np.ones(3), np.ones(1)
    opt.update()
    np.testing.assert_array_equal(W.array, [1.0, 2.0, 3.0])
    assert rule_of(W).t == 0 and rule_of(W).state is None
    assert rule_of(b).t == 1 and values(b)[0] != 0.5
    assert opt.t == 1


def test_link_disable_update_freezes_its_params() -> None:
    link = make_link({"l1/W": np.ones(2), "l2/W": np.ones(2)})
    opt = optimizers.SGD(lr=1.0).setup(link)
    l1 = dict(link.namedlinks())["/l1"]
    l1.disable_update()
    for p in link.params():
        p.grad = np.ones(2)
    opt.update()
    np.testing.assert_array_equal(param(link, "l1/W").array, [1.0, 1.0])
    np.testing.assert_array_equal(param(link, "l2/W").array, [0.0, 0.0])
    l1.enable_update()
    opt.update()
    np.testing.assert_array_equal(param(link, "l1/W").array, [0.0, 0.0])


def test_t_counts_optimizer_steps_and_rule_steps_separately() -> None:
    link = _two_params()
    opt = optimizers.Adam().setup(link)
    W, b = param(link, "W"), param(link, "b")
    for _ in range(3):
        W.grad, b.grad = np.ones(3), np.ones(1)
        opt.update()
    rule_of(b).enabled = False
    opt.update()
    assert (opt.t, rule_of(W).t, rule_of(b).t) == (4, 4, 3)
    assert rule_of(W, AdamRule).alpha_t == pytest.approx(0.001 * np.sqrt(1 - 0.999 ** 4) / (1 - 0.9 ** 4))
    assert opt.alpha_t == pytest.approx(rule_of(W, AdamRule).alpha_t)
    with pytest.warns(DeprecationWarning, match="alpha_t"):
        assert opt.lr == opt.alpha_t


def test_adam_alpha_t_before_any_update_is_an_error() -> None:
    opt = optimizers.Adam().setup(_two_params())
    with pytest.raises(RuntimeError, match="before the first update"):
        opt.alpha_t


def test_uninitialized_param_is_skipped_until_it_has_data() -> None:
    link = make_link({"W": np.ones(2)})
    with link.init_scope():
        link.lazy = fchain.Parameter()
    opt = optimizers.MomentumSGD(lr=0.1).setup(link)
    lazy = param(link, "lazy")
    rule = rule_of(lazy)
    param(link, "W").grad = np.ones(2)
    opt.update()
    assert rule.state is None and not lazy.is_initialized
    lazy.initialize((3,))
    values(lazy)[...] = 1.0
    lazy.grad = np.full(3, 2.0, dtype=np.float32)  # a Parameter is float32 by default
    opt.update()
    np.testing.assert_allclose(values(lazy), 1.0 - 0.1 * 2.0)
    assert sorted(rule.state or {}) == ["v"]


def test_new_epoch() -> None:
    opt = optimizers.SGD().setup(_two_params())
    opt.new_epoch()
    opt.new_epoch()
    assert opt.epoch == 2
    with pytest.raises(RuntimeError, match="use_auto_new_epoch is False"):
        opt.new_epoch(auto=True)
    opt.use_auto_new_epoch = True
    opt.new_epoch(auto=True)
    assert opt.epoch == 3
    with pytest.raises(RuntimeError, match="by hand"):
        opt.new_epoch()
    opt.setup(_two_params())
    assert (opt.t, opt.epoch) == (0, 0)


def test_rmsprop_eps_that_underflows_is_an_error() -> None:
    link = make_link({"W": np.ones(2, dtype=np.float16)})
    opt = optimizers.RMSprop().setup(link)
    param(link, "W").grad = np.ones(2, dtype=np.float16)
    with pytest.raises(ValueError, match=r"RMSprop: eps=1e-08 is too small for float16"):
        opt.update()


def test_adam_on_float16_computes_in_float32() -> None:
    link = make_link({"W": np.array([1.0, -1.0], dtype=np.float16)})
    opt = optimizers.Adam(alpha=0.1).setup(link)
    W = param(link, "W")
    W.grad = np.array([1.0, -1.0], dtype=np.float16)
    opt.update()  # eps=1e-8 is fine: it is added in float32
    assert W.dtype == np.float16
    np.testing.assert_allclose(values(W).astype(np.float64), [0.9, -0.9], rtol=1e-3)


# ------------------------------------------------------------------- hooks
class Recorder:
    """Records what a hook saw: (label, optimizer t, W's value, W's rule t)."""

    def __init__(self, label: str, log: list[tuple[str, int, float, int]], timing: str | None = None) -> None:
        self.name = label
        self.log = log
        if timing is not None:
            self.timing = timing

    def __call__(self, opt: Optimizer) -> None:
        W = param(opt.target, "W")
        self.log.append((self.name, opt.t, float(values(W)[0]), rule_of(W).t))


def test_hook_timing_pre_and_post() -> None:
    link = _two_params()
    opt = optimizers.SGD(lr=1.0).setup(link)
    log: list[tuple[str, int, float, int]] = []
    opt.add_hook(Recorder("post-attr", log, "post"))  # timing='auto' takes the attribute
    opt.add_hook(Recorder("pre", log), timing="pre")
    opt.add_hook(Recorder("post", log), timing="post")
    opt.add_hook(Recorder("pre2", log, "post"), timing="pre")  # explicit beats the attribute
    param(link, "W").grad = np.full(3, 0.25)
    opt.update()
    assert log == [
        ("pre", 0, 1.0, 0), ("pre2", 0, 1.0, 0),
        ("post-attr", 1, 0.75, 1), ("post", 1, 0.75, 1),
    ]


def test_pre_hooks_run_in_registration_order_on_the_gradient() -> None:
    link = make_link({"W": np.array([0.0])})
    opt = optimizers.SGD(lr=1.0).setup(link)
    W = param(link, "W")

    def double(opt: Optimizer) -> None:
        assert W.grad is not None
        W.grad *= 2

    def add_one(opt: Optimizer) -> None:
        assert W.grad is not None
        W.grad += 1

    with pytest.warns(UserWarning, match="no timing attribute"):
        opt.add_hook(double)  # a plain function: named after itself, run 'pre'
    with pytest.warns(UserWarning):
        opt.add_hook(add_one)
    W.grad = np.array([3.0])
    opt.update()
    np.testing.assert_array_equal(W.array, [-(3.0 * 2 + 1)])
    opt.remove_hook("double")
    W.grad = np.array([3.0])
    opt.update()
    np.testing.assert_array_equal(W.array, [-7.0 - 4.0])


def test_hook_that_clears_a_gradient_gets_it_back_as_zeros() -> None:
    link = _two_params()
    opt = optimizers.SGD(lr=1.0).setup(link)
    W = param(link, "W")

    def clear(opt: Optimizer) -> None:
        W.cleargrad()

    opt.add_hook(clear, name="clear", timing="pre")
    W.grad = np.ones(3)
    opt.update()
    np.testing.assert_array_equal(W.array, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(W.grad, np.zeros(3))


def test_call_for_each_param_hook_receives_rule_and_param() -> None:
    link = _two_params()
    opt = optimizers.SGD().setup(link)
    seen: list[tuple[str, bool]] = []

    class PerParam:
        name = "per_param"
        timing = "pre"
        call_for_each_param = True

        def __call__(self, rule: UpdateRule, p: fchain.Parameter) -> None:
            seen.append((str(p.name), rule is rule_of(p)))

    opt.add_hook(PerParam())
    for p in link.params():
        p.grad = np.zeros(p.shape)
    opt.update()
    assert seen == [("W", True), ("b", True)]


def test_hook_errors() -> None:
    opt = optimizers.SGD()
    with pytest.raises(RuntimeError, match="call setup"):
        opt.add_hook(fchain.optimizer_hooks.WeightDecay(0.1))
    opt.setup(_two_params())
    with pytest.raises(TypeError, match="hook must be callable"):
        opt.add_hook(3)  # type: ignore[arg-type]  # the error under test
    with pytest.raises(ValueError, match="timing must be"):
        opt.add_hook(fchain.optimizer_hooks.WeightDecay(0.1), timing="later")  # type: ignore[arg-type]  # under test
    opt.add_hook(fchain.optimizer_hooks.WeightDecay(0.1))
    with pytest.raises(KeyError, match="WeightDecay"):
        opt.add_hook(fchain.optimizer_hooks.WeightDecay(0.2))
    opt.add_hook(fchain.optimizer_hooks.WeightDecay(0.2), name="wd2")
    opt.remove_hook("wd2")
    with pytest.raises(KeyError):
        opt.remove_hook("wd2")


def test_update_rule_hooks_run_around_the_rule() -> None:
    link = make_link({"W": np.array([1.0])})
    opt = optimizers.SGD(lr=1.0).setup(link)
    W = param(link, "W")
    log: list[tuple[str, float, int]] = []
    rule = rule_of(W)
    rule.add_hook(lambda r, p: log.append(("pre", float(p.array[0]), r.t)), name="a")
    rule.add_hook(lambda r, p: log.append(("post", float(p.array[0]), r.t)), name="b", timing="post")
    with pytest.raises(ValueError, match="already exists"):
        rule.add_hook(lambda r, p: None, name="a")
    W.grad = np.array([0.5])
    opt.update()
    assert log == [("pre", 1.0, 1), ("post", 0.5, 1)]
    rule.remove_hook("a")
    rule.remove_hook("b")
    opt.update()
    assert len(log) == 2


def test_custom_gradient_method_in_chainer_style() -> None:
    class SignRule(UpdateRule):
        def update_core_cpu(self, param: Variable) -> None:
            grad = param.grad
            if grad is None:
                return
            param.array[...] -= self.hyperparam.lr * np.sign(grad)

    class SignSGD(GradientMethod):
        def __init__(self, lr: float = 0.1) -> None:
            super().__init__()
            self.hyperparam.lr = lr

        def create_update_rule(self) -> UpdateRule:
            return SignRule(self.hyperparam)

    link = make_link({"W": np.array([1.0, 1.0])})
    opt = SignSGD(0.25).setup(link)
    W = param(link, "W")
    W.grad = np.array([3.0, -0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.update()
    np.testing.assert_allclose(values(W), [0.75, 1.25])


def test_param_added_after_setup_is_updated_only_after_setup_again() -> None:
    link = make_link({"W": np.array([1.0])})
    opt = optimizers.SGD(lr=1.0).setup(link)
    with link.init_scope():
        link.extra = fchain.Parameter(np.array([5.0]))
    extra = param(link, "extra")
    assert extra.update_rule is None  # as in Chainer: no rule, no update
    param(link, "W").grad = np.array([1.0])
    extra.grad = np.array([1.0])
    opt.update()
    np.testing.assert_array_equal(extra.array, [5.0])
    np.testing.assert_array_equal(param(link, "W").array, [0.0])
    opt.setup(link)
    opt.update()
    np.testing.assert_array_equal(extra.array, [4.0])


def test_optimizer_stops_updating_a_link_removed_after_setup() -> None:
    import numpy as np

    import fchain
    import fchain.links as L
    from fchain import optimizers

    class Two(fchain.Chain):
        def __init__(self) -> None:
            super().__init__()
            with self.init_scope():
                self.a = L.Linear(2, 2)
                self.b = L.Linear(2, 2)

    model = Two()
    opt = optimizers.SGD(lr=1.0).setup(model)
    removed = model.b
    x = np.ones((1, 2), np.float32)
    fchain.functions.sum(removed(model.a(x))).backward()  # removed.W now has a gradient
    del model.b
    before = values(removed.W).copy()
    opt.update()
    np.testing.assert_array_equal(removed.W.array, before)


def test_deepcopy_of_a_link_works() -> None:
    import copy

    import fchain.links as L

    link = L.Linear(2, 3)
    clone = copy.deepcopy(link)
    assert clone.W is not link.W
    assert (values(clone.W) == values(link.W)).all()
