"""One update rule and one optimizer class that run every optimizer's description.

An optimizer of ``fchain.optimizers`` is described once:

* its hyperparameters, with types and Chainer's defaults: a ``HyperparameterFields``
  declaration (``fchain.facade.hyperparameter_fields``), mixed into its typed
  ``Hyperparameter`` and into the optimizer (which gets its keyword signature and
  typed attributes from it);
* a ``Formula``: the state arrays a rule keeps per parameter (``StateArray``: a
  name, zeros or ones, and the boolean hyperparameter it exists under, as Adam's
  ``vhat`` under ``amsgrad``), the CPU rule (a function of
  ``fchain.core.optim_rules``) and the fused GPU kernel (a name in
  ``fchain.facade.optim_cuda``).

``class SGDRule(DescribedRule[SGDHyperparameter])`` with ``formula = Formula(...)``
is the rule, and ``class SGD(_SGDFields, DescribedMethod[SGDHyperparameter,
SGDRule])`` the optimizer: the type arguments are read at run time too, so the
static types and the classes used cannot disagree.

``DescribedRule`` calls the CPU rule as ``cpu(numpy, param, grad, *state,
*scalars)`` and the kernel as ``kernel(grad, *scalars, param, *state)`` (a state
array that does not exist is passed as ``None`` to the CPU rule and left out for the
kernel; the names of a kernel's parameters are the hyperparameters' and the state
arrays').  The scalars are the hyperparameter values in declaration order, as
Python numbers, re-read only when the hyperparameters' version changes; on the CPU
the rule then binds the CPU rule to its arguments, so an update is one call of it.
An optimizer whose formula takes other scalars (Adam's bias-corrected step size,
M-SVAG's power of beta) overrides ``cpu_scalars`` / ``gpu_scalars`` /
``gpu_kernel`` and nothing else, with ``static_scalars = False`` when its CPU
scalars change at every step.

``DescribedMethod`` is the optimizer side: the constructor binds the declared
arguments, each hyperparameter gets its ``optimizer.<name>`` alias, and
``create_update_rule`` makes the described rule.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast, get_args

import numpy

from fchain.core import backend
from fchain.facade import optim_cuda
from fchain.facade.gradient_method import GradientMethod
from fchain.facade.optimizer_base import LinkT, TargetT
from fchain.facade.hyperparameter import Hyperparameter, HyperparameterProxy
from fchain.facade.hyperparameter_fields import HyperparameterFields, bind_arguments
from fchain.facade.update_rule import UpdateRule
from fchain.graph.variable import Variable
from fchain.types import Array, ArrayNamespace, DType

__all__ = ["DescribedMethod", "DescribedRule", "Formula", "StateArray"]

_HP = TypeVar("_HP", bound=Hyperparameter)
_R = TypeVar("_R", bound="DescribedRule[Any]")

_NUMPY: ArrayNamespace = numpy


@dataclass(frozen=True)
class StateArray:
    """One state array of an update rule: zeros (or ``ones``) like the parameter,
    kept only while the boolean hyperparameter ``when`` (if given) is true."""

    name: str
    ones: bool = False
    when: str | None = None


@dataclass(frozen=True)
class Formula:
    """The update math of an optimizer: the CPU rule, the state arrays and the name
    of the GPU kernel (see the module docstring for the calling conventions);
    ``kernel=None`` for a rule that picks its kernel itself (``gpu_kernel``)."""

    cpu: Callable[..., None]
    state: tuple[StateArray, ...] = ()
    kernel: str | None = None


_T = TypeVar("_T")


def _type_argument(cls: type, bound: type[_T]) -> type[_T] | None:
    """The class among the type arguments of ``cls``'s generic bases that is a
    subclass of ``bound`` (``SGDHyperparameter`` for ``class SGDRule(
    DescribedRule[SGDHyperparameter])``), or ``None``."""
    for base in cls.__dict__.get("__orig_bases__", ()):
        for arg in get_args(base):
            if isinstance(arg, type) and issubclass(arg, bound):
                return arg
    return None


_Bound = tuple[Callable[[Variable], None], Callable[[Variable], bool]]


def _bound_source(head: str, call: str) -> str:
    """The source of a binder: ``update_core_cpu`` and ``_fast_update`` for one
    rule, with its CPU rule's arguments written out (``call``)."""
    return (
        f"def binder(rule, fallback, cpu, {head}):\n"
        f"    def update_core_cpu(param):\n"
        f"        holder = param._grad_var\n"
        f"        data = param._data\n"
        f"        if holder is not None and data is not None:\n"
        f"            cpu(xp, data, holder._data, {call})\n"
        f"    def update_unhooked(param):\n"
        f"        data = param._data\n"
        f"        if type(data) is rule._fast_kind and rule._hp_seen == rule._hp_version.value:\n"
        f"            rule.t += 1\n"
        f"            holder = param._grad_var\n"
        f"            if holder is not None:\n"
        f"                cpu(xp, data, holder._data, {call})\n"
        f"            return True\n"
        f"        return fallback(rule, param)\n"
        f"    return update_core_cpu, update_unhooked\n")


def _compiled(source: str) -> Callable[..., _Bound]:
    namespace: dict[str, Any] = {"xp": _NUMPY}
    exec(source, namespace)
    binder: Callable[..., _Bound] = namespace["binder"]
    return binder


@functools.cache
def _binder(arity: int) -> Callable[..., _Bound]:
    """``binder(rule, fallback, cpu, *args)`` makes, for fixed ``args``, the rule's
    ``update_core_cpu`` and its ``_fast_update`` (``UpdateRule._update_unhooked``'s
    fast path with the CPU rule called in it, ``fallback`` for anything else):
    functions of the parameter that call ``cpu(numpy, param, grad, *args)`` with
    the ``arity`` arguments written out, since a call with ``*args`` costs about
    100 ns more per parameter, and one call level fewer (a few percent of an SGD
    step on a small model)."""
    names = ", ".join(f"a{i}" for i in range(arity))
    return _compiled(_bound_source(names, names))


@functools.cache
def _state_binder(arity: int) -> Callable[..., _Bound]:
    """As ``_binder``, for a rule whose scalars change from step to step (Adam's
    bias-corrected step size): ``binder(rule, fallback, cpu, scalars_of, *states)``,
    the state arrays written out, the scalars ``scalars_of(dtype)`` computed at each
    call."""
    names = "".join(f"s{i}, " for i in range(arity))
    return _compiled(_bound_source(f"scalars_of, {names}", f"{names}*scalars_of(data.dtype)"))


def _filled(data: Array, ones: bool) -> Array:
    xp = backend.namespace_of(data)
    return xp.ones_like(data) if ones else xp.zeros_like(data)


class DescribedRule(UpdateRule, Generic[_HP]):
    """The update rule of a described optimizer.

    A subclass names its typed hyperparameter as the type argument (which becomes
    ``hyperparameter_class``) and sets ``formula``.  ``Rule(parent_hyperparam=None,
    *overrides)`` takes each hyperparameter as an optional override (``None``:
    inherited), positionally in declaration order or by name; without a parent the
    rule falls back to the declared defaults.
    """

    is_elementwise = True
    hyperparameter_class: ClassVar[type[Hyperparameter]]
    formula: ClassVar[Formula]
    static_scalars: ClassVar[bool] = True
    _names: ClassVar[tuple[str, ...]] = ()
    _kinds: ClassVar[tuple[Callable[[Any], object], ...]] = ()
    _parentless: ClassVar[Hyperparameter | None] = None

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        hp_class = _type_argument(cls, Hyperparameter)
        if hp_class is None:
            return
        if not issubclass(hp_class, HyperparameterFields):
            raise TypeError(f"{cls.__name__}: {hp_class.__name__} mixes in no HyperparameterFields declaration")
        cls.hyperparameter_class = hp_class
        cls._names = tuple(hp_class._fields)
        cls._kinds = tuple(hp_class._kinds[name] for name in cls._names)
        cls._parentless = None

    @classmethod
    def _defaults(cls) -> Hyperparameter:
        """The hyperparameter that rules made without a parent fall back to."""
        hp = cls.__dict__.get("_parentless")
        if hp is None:
            hp = cls.hyperparameter_class()
            for name, default in cast(type[HyperparameterFields], cls.hyperparameter_class)._fields.items():
                setattr(hp, name, default)
            cls._parentless = hp
        return hp

    def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                 *overrides: object, **named_overrides: object) -> None:
        cls = type(self)
        super().__init__(cls._defaults() if parent_hyperparam is None else parent_hyperparam)
        given = bind_arguments(cls.__name__, cls._names, overrides, named_overrides)
        hp = self._hyperparam
        for name in cls._names:
            value = given.get(name)
            if value is not None:
                setattr(hp, name, value)
        self._values: tuple[Any, ...] = ()
        self._state_args: tuple[Array | None, ...] | None = None
        self._eps_checked: object = None
        self._finish_init()

    def _finish_init(self) -> None:
        """Called at the end of ``__init__``, with the overrides set: rules that keep
        more than their state arrays set it up here."""

    def _new_hyperparam(self, parent: Hyperparameter | None) -> Hyperparameter:
        return type(self).hyperparameter_class(parent)

    @property
    def hyperparam(self) -> _HP:
        """This rule's hyperparameters (falling back to the optimizer's)."""
        return cast(_HP, self._hyperparam)

    # ----------------------------------------------------------- caching
    def _read_hyperparam(self) -> None:
        hp = self._hyperparam
        self._values = tuple(kind(getattr(hp, name)) for name, kind in zip(self._names, self._kinds))
        self._eps_checked = None
        self._state_changed()  # a state array's `when` may have changed too

    def _state_changed(self) -> None:
        super()._state_changed()
        self._state_args = None

    def _collect_states(self, data: Array) -> tuple[Array | None, ...]:
        """The state arrays in the formula's order (``None`` where ``when`` is false),
        making any that a ``when`` switched on since the state was made."""
        state = self._state
        assert state is not None
        hp = self._hyperparam
        arrays: list[Array | None] = []
        for spec in self.formula.state:
            if spec.when is not None and not getattr(hp, spec.when):
                arrays.append(None)
                continue
            array = state.get(spec.name)
            if array is None:
                array = _filled(data, spec.ones)
                state[spec.name] = array
            arrays.append(array)
        states = tuple(arrays)
        self._state_args = states
        return states

    # ------------------------------------------------------------- state
    def _kept_state(self) -> list[StateArray]:
        """The state arrays the current hyperparameters call for."""
        hp = self._hyperparam
        return [spec for spec in self.formula.state if spec.when is None or getattr(hp, spec.when)]

    def init_state(self, param: Variable) -> None:
        state = self.state
        data = param.data
        assert state is not None and data is not None
        for spec in self._kept_state():
            state[spec.name] = _filled(data, spec.ones)

    def _state_names(self) -> list[str]:
        return [spec.name for spec in self._kept_state()]

    # ------------------------------------------------------------ update
    def update_core_cpu(self, param: Variable) -> None:
        """Call the CPU rule and bind it for the next updates (``_cpu_update``): to
        this rule's state arrays and, with static scalars, its scalars too (until
        the state or the hyperparameters change)."""
        holder = param._grad_var  # ``param.grad``, read from its slot
        data = param._data
        if holder is None or data is None:
            return
        grad = holder._data
        if grad is None:
            return
        states = self._state_args
        if states is None:
            states = self._collect_states(data)
        scalars = self.cpu_scalars(data.dtype)
        cpu = self.formula.cpu
        fallback = type(self)._update_unhooked
        if self.static_scalars:
            bound = _binder(len(states) + len(scalars))(self, fallback, cpu, *states, *scalars)
        else:
            bound = _state_binder(len(states))(self, fallback, cpu, self.cpu_scalars, *states)
        self._cpu_update, self._fast_update = bound
        cpu(_NUMPY, data, grad, *states, *scalars)

    def update_core_gpu(self, param: Variable) -> None:
        """Launch the fused kernel."""
        grad = param.grad
        data = param.data
        if grad is None or data is None:
            return
        states = self._state_args
        if states is None:
            states = self._collect_states(data)
        kernel = self.gpu_kernel(data.dtype)
        kernel(grad, *self.gpu_scalars(data.dtype), data, *[s for s in states if s is not None])

    def cpu_scalars(self, dtype: DType) -> tuple[object, ...]:
        """The scalar arguments of the CPU rule (the hyperparameter values)."""
        return self._values

    def gpu_scalars(self, dtype: DType) -> tuple[object, ...]:
        """The scalar arguments of the GPU kernel (the hyperparameter values)."""
        return self._values

    def gpu_kernel(self, dtype: DType) -> Callable[..., object]:
        """The fused kernel for a parameter of ``dtype`` (the formula's)."""
        name = self.formula.kernel
        if name is None:
            raise NotImplementedError(f"{type(self).__name__} names no kernel and picks none")
        return optim_cuda.kernel(name)

    def _check_eps(self, optimizer: str, eps: float, dtype: DType) -> None:
        """Raise when ``eps`` is nonzero but rounds to zero in ``dtype`` (it would no
        longer guard the division it is there for); checked once per dtype and
        hyperparameter change."""
        if dtype is self._eps_checked:
            return
        if eps != 0 and dtype.type(eps) == 0:
            raise ValueError(
                f"{optimizer}: eps={eps} is too small for {dtype.name} (it rounds to 0); "
                f"use a larger eps or a wider parameter dtype")
        self._eps_checked = dtype


class DescribedMethod(GradientMethod[TargetT], Generic[_HP, _R, TargetT]):
    """The optimizer of a described rule: a subclass mixes in the declaration of
    its hyperparameters (first among its bases, for the typed signature) and names
    its typed hyperparameter and its rule as the type arguments (the rule becomes
    ``rule_class``)."""

    if TYPE_CHECKING:
        def setup(self, link: LinkT) -> DescribedMethod[_HP, _R, LinkT]:
            """Set the target link; returns this optimizer, typed by the link."""
            ...

    rule_class: ClassVar[type[DescribedRule[Any]]]  # Any: a class variable cannot name _HP
    _fields: ClassVar[dict[str, object]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        rule_class = _type_argument(cls, DescribedRule)
        if rule_class is not None:
            cls.rule_class = rule_class
            declared = cast(type[HyperparameterFields], rule_class.hyperparameter_class)._fields
            if declared is not cls._fields:
                raise TypeError(f"{cls.__name__}: its hyperparameter declaration is not its rule's")
        for name in cls._fields:
            if not hasattr(cls, name):
                setattr(cls, name, HyperparameterProxy[object](name))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__()
        fields = self._fields
        given = bind_arguments(type(self).__name__, tuple(fields), args, kwargs)
        hp = self._hyperparam
        for name, default in fields.items():
            setattr(hp, name, given.get(name, default))

    def _new_hyperparam(self) -> Hyperparameter:
        return self.rule_class.hyperparameter_class()

    @property
    def hyperparam(self) -> _HP:
        """The optimizer's hyperparameters: the parent of every rule's."""
        return cast(_HP, self._hyperparam)

    def create_update_rule(self) -> _R:
        """A new rule whose hyperparameter's parent is ``self.hyperparam``."""
        return cast(_R, self.rule_class(self._hyperparam))
