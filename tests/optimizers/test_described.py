"""The optimizers are described once and run by one rule (``fchain.facade.
described_optimizer``): their constructors bind the declared hyperparameters, the
typed rule signatures match the declarations, the state follows its ``when``
conditions, and, on the CPU against a fake CuPy, the GPU path hands each fused
kernel the arguments its declaration names, in its order."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import fchain.optimizers as optimizers
from fchain.core import optim_rules
from fchain.facade import optim_cuda
from fchain.facade.described_optimizer import DescribedMethod, DescribedRule
from fchain.facade.gradient_method import GradientMethod
from fchain.facade.hyperparameter import HyperparameterProxy
from fchain.facade.hyperparameter_fields import HyperparameterFields
from tests.arrays import values
from tests.optimizers.models import make_link, param
from tests.rules import rule_of

DESCRIBED = {name: getattr(optimizers, name) for name in optimizers.__all__}


def _rule_classes() -> list[type[DescribedRule[Any]]]:
    return sorted({cls.rule_class for cls in DESCRIBED.values()}, key=lambda c: c.__name__)


def test_every_optimizer_is_described() -> None:
    for name, cls in DESCRIBED.items():
        assert issubclass(cls, DescribedMethod), name
        assert issubclass(cls.rule_class, DescribedRule), name
        fields = cls._fields
        assert fields and fields is cls.rule_class.hyperparameter_class._fields, name


def _typed_init(cls: type) -> list[str] | None:
    """The parameter names of the ``__init__`` written in ``cls``'s body (a stub under
    ``if TYPE_CHECKING`` included), or ``None``."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    for node in ast.walk(tree.body[0]):
        if isinstance(node, ast.FunctionDef) and node.name == "__init__":
            return [a.arg for a in node.args.args]
    return None


@pytest.mark.parametrize("rule_class", _rule_classes(), ids=lambda c: c.__name__)
def test_the_typed_rule_signature_is_the_declaration(rule_class: type[DescribedRule[Any]]) -> None:
    # The rule's keyword signature is spelled out once for type checkers (an
    # ``if TYPE_CHECKING`` stub); at run time the rule binds the declared names.
    for cls in rule_class.__mro__:
        if cls is DescribedRule:
            pytest.fail(f"{rule_class.__name__} has no typed __init__")
        names = _typed_init(cls)
        if names is not None:
            assert names == ["self", "parent_hyperparam", *rule_class._names]
            return


def test_constructors_bind_the_declared_arguments() -> None:
    opt = optimizers.Adam(0.01, 0.8, eps=1e-6)
    assert (opt.alpha, opt.beta1, opt.beta2, opt.eps) == (0.01, 0.8, 0.999, 1e-6)
    assert list(opt.hyperparam.get_dict()) == list(optimizers.Adam._fields)
    with pytest.raises(TypeError, match="unexpected keyword argument 'lr'"):
        optimizers.Adam(lr=0.1)  # type: ignore[call-arg]  # the mistake under test
    with pytest.raises(TypeError, match="multiple values for argument 'alpha'"):
        optimizers.Adam(0.1, alpha=0.2)  # type: ignore[misc]  # the mistake under test
    with pytest.raises(TypeError, match="at most 1 positional"):
        optimizers.SGD(0.1, 0.2)  # type: ignore[call-arg]  # the mistake under test
    rule = optimizers.adam.AdamRule(None, 0.5, amsgrad=True)
    assert (rule.hyperparam.alpha, rule.hyperparam.amsgrad, rule.hyperparam.beta1) == (0.5, True, 0.9)
    assert rule.hyperparam.own_items() == [("alpha", 0.5), ("amsgrad", True)]
    assert rule.initial_alpha == 0.5
    with pytest.raises(TypeError, match="unexpected keyword argument 'beta'"):
        optimizers.adam.AdamRule(beta=0.1)  # type: ignore[call-arg]  # the mistake under test
    assert optimizers.msvag.MSVAGRule(beta=0.5).beta_power == 0.5


def test_the_aliases_read_and_write_the_hyperparameters() -> None:
    opt = optimizers.RMSprop()
    opt.eps_inside_sqrt = True
    assert opt.hyperparam.eps_inside_sqrt is True
    opt.hyperparam.lr = 0.5
    assert opt.lr == 0.5
    assert isinstance(vars(optimizers.RMSprop)["lr"], HyperparameterProxy)
    with pytest.raises(AttributeError):
        optimizers.Adam().lr = 0.1  # type: ignore[misc]  # read-only, as in Chainer


def test_a_declaration_needs_defaults() -> None:
    with pytest.raises(TypeError, match="'lr' has no default"):
        class _Broken(HyperparameterFields, kw_only=False, init=False):
            lr: float


def test_adam_makes_vhat_when_amsgrad_is_switched_on_later() -> None:
    model = make_link({"W": np.array([1.0, -2.0])})
    opt = optimizers.Adam(alpha=0.1).setup(model)
    W = param(model, "W")
    W.grad = np.array([1.0, 2.0])
    opt.update()
    assert sorted(rule_of(W).state or {}) == ["m", "v"]
    opt.amsgrad = True
    W.grad = np.array([0.5, 0.5])
    opt.update()
    state = rule_of(W).state or {}
    assert sorted(state) == ["m", "v", "vhat"]
    np.testing.assert_array_equal(state["vhat"], state["v"])  # max(zeros, v)


def test_a_state_array_replaced_by_hand_is_the_one_updated() -> None:
    model = make_link({"W": np.array([1.0])})
    opt = optimizers.MomentumSGD(lr=1.0, momentum=0.5).setup(model)
    W = param(model, "W")
    W.grad = np.array([1.0])
    opt.update()  # v = -1
    state = rule_of(W).state
    assert state is not None
    state["v"] = np.array([4.0])
    opt.update()  # v = 0.5 * 4 - 1 = 1
    np.testing.assert_array_equal(state["v"], [1.0])
    np.testing.assert_array_equal(W.array, [1.0])


# ------------------------------------------------------------------ GPU path
class _FakeKernel:
    """Stands for ``cupy.ElementwiseKernel``: records its parameter names and calls."""

    def __init__(self, in_params: str, out_params: str, operation: str, name: str) -> None:
        self.inputs = [p.split()[-1] for p in in_params.split(",")]
        self.outputs = [p.split()[-1] for p in out_params.split(",")]
        self.calls: list[tuple[object, ...]] = []

    def __call__(self, *args: object) -> None:
        assert len(args) == len(self.inputs) + len(self.outputs), (self.inputs, self.outputs, len(args))
        self.calls.append(args)


class _FakeCupy:
    ElementwiseKernel = _FakeKernel


def _derived(name: str, hp: dict[str, Any], rule: Any, beta_power: float) -> object:
    """The value of a kernel scalar that is not a hyperparameter."""
    table: dict[str, Callable[[], object]] = {
        "alpha_t": lambda: rule.alpha_t,
        "one_minus_beta1": lambda: 1.0 - hp["beta1"],
        "one_minus_beta2": lambda: 1.0 - hp["beta2"],
        "neg_eta": lambda: -hp["eta"],
        "keep": lambda: 1.0 - hp["eta"] * hp["weight_decay_rate"],
        "lower": lambda: rule.bounds[0] if hp["adabound"] else 0.0,
        "upper": lambda: rule.bounds[1] if hp["adabound"] else 0.0,
        "one_minus_beta": lambda: 1.0 - hp["beta"],
        "one_minus_beta_power": lambda: 1.0 - beta_power,
        "rho": lambda: optim_rules.msvag_rho(hp["beta"], beta_power),
    }
    return table[name]()


GPU_CASES: dict[str, Callable[[], GradientMethod]] = {
    **DESCRIBED,
    "RMSprop-eps_inside_sqrt": lambda: optimizers.RMSprop(eps_inside_sqrt=True),
    "AdaBound-weight_decay": lambda: optimizers.Adam(adabound=True, weight_decay_rate=0.1, eta=0.5),
}


@pytest.mark.parametrize("name", sorted(GPU_CASES))
def test_the_gpu_path_passes_each_kernel_its_declared_arguments(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(optim_cuda, "_cupy", lambda: _FakeCupy)
    monkeypatch.setattr(optim_cuda, "_CACHE", {})
    model = make_link({"W": np.array([[0.5, -1.0], [2.0, 0.25]], np.float32)})
    opt = GPU_CASES[name]().setup(model)
    W = param(model, "W")
    W.grad = np.ones((2, 2), np.float32)
    opt.update()  # on the CPU: the state exists and the hyperparameters are read
    rule = rule_of(W)
    beta_power = getattr(rule, "beta_power", 0.0)
    rule.update_core_gpu(W)
    (kernel,) = optim_cuda._CACHE.values()
    assert isinstance(kernel, _FakeKernel) and len(kernel.calls) == 1
    args = kernel.calls[0]
    inputs, outputs = args[:len(kernel.inputs)], args[len(kernel.inputs):]
    assert kernel.inputs[0] == "grad" and inputs[0] is W.grad
    assert kernel.outputs[0] == "param" and outputs[0] is W.array
    state = rule.state or {}
    for out_name, array in zip(kernel.outputs[1:], outputs[1:]):
        assert array is state[out_name], out_name
    hp = rule.hyperparam.get_dict()
    for in_name, value in zip(kernel.inputs[1:], inputs[1:]):
        expected = hp[in_name] if in_name in hp else _derived(in_name, hp, rule, beta_power)
        assert value == pytest.approx(expected, rel=1e-15), in_name
    assert values(W).dtype == np.float32
