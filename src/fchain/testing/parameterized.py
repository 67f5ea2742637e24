"""``parameterize``, ``product`` and ``product_dict``: Chainer's test-class
parameterization, for plain pytest classes.

``@parameterize(*params)`` turns a test class into one subclass per parameter
dict, each named ``<Class>_param_<i>_{k=v, ...}`` (keys sorted, long values
shortened) and holding the dict's entries as class attributes, so a test reads
``self.dtype``.  The subclasses are added to the module the class was defined in,
where pytest collects them; the decorated class itself stays importable (for
typing and for subclassing) but is no longer collected (``__test__ = False``).
Stacked decorators multiply: ``@parameterize(a, b)`` over ``@parameterize(c)``
gives the subclasses ``a+c`` and ``b+c`` and collects only those.  A function
value becomes a static method (``self.f(x)`` calls ``f(x)``), as in Chainer.  A
failing test method gets the parameters added to its error as a note.

``product({'dtype': [f32, f64], 'shape': [(2,), ()]})`` is the list of the four
dicts of the cartesian product (keys in sorted order).  A key may name several
attributes at once, ``'x,y': [(1, 2), (3, 4)]``, each value then being a tuple.
``product([[{'a': 1}, {'a': 2}], [{'b': 3}]])`` and ``product_dict(*lists)``
combine lists of dicts.
"""

from __future__ import annotations

import functools
import itertools
import sys
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import ParamSpec, TypeVar

__all__ = ["Params", "parameterize", "product", "product_dict"]

Params = dict[str, object]
"""One parameter combination: attribute name to value."""

T = TypeVar("T", bound=type)
PS = ParamSpec("PS")
R = TypeVar("R")

_GENERATED = "_fchain_parameterized"  # the (module, name, params) a decorated class produced


def _describe(value: object) -> str:
    name = getattr(value, "__name__", None)
    return name if isinstance(name, str) else repr(value)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = (limit - 3) // 2
    return text[:head] + "..." + text[len(text) - (limit - 3 - head):]


def class_name(base: str, index: int, params: Mapping[str, object]) -> str:
    """``<base>_param_<index>_{k=v, ...}``: Chainer's name of a generated class."""
    body = ", ".join(f"{k}={_shorten(_describe(v), 100)}" for k, v in sorted(params.items()))
    return f"{base}_param_{index}_{{{_shorten(body, 5000)}}}"


def _with_note(method: Callable[PS, R], params: Mapping[str, object]) -> Callable[PS, R]:
    @functools.wraps(method)
    def wrapped(*args: PS.args, **kwargs: PS.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except Exception as error:
            if not _is_skip(error):
                error.add_note("test parameters: " + ", ".join(f"{k}={v!r}" for k, v in sorted(params.items())))
            raise
    return wrapped


def _is_skip(error: BaseException) -> bool:
    unittest = sys.modules.get("unittest")
    return unittest is not None and isinstance(error, unittest.SkipTest)


def _members(base: type, params: Mapping[str, object]) -> dict[str, object]:
    members: dict[str, object] = {"__test__": True, "__module__": base.__module__}
    for key, value in params.items():
        members[key] = staticmethod(value) if isinstance(value, types.FunctionType) else value
    for name in dir(base):
        if name.startswith("test"):
            method = getattr(base, name)
            if callable(method) and not isinstance(method, type):
                members[name] = _with_note(method, params)
    return members


def parameterize(*params: Mapping[str, object]) -> Callable[[T], T]:
    """The class decorator of the module docstring."""
    for p in params:
        if not isinstance(p, Mapping):
            raise TypeError(f"parameterize: each parameter set must be a dict, got {type(p).__name__}")

    def decorate(cls: T) -> T:
        module = sys.modules[cls.__module__]
        earlier: list[tuple[str, Params]] = list(cls.__dict__.get(_GENERATED, ()))
        bases: list[tuple[Params, str]] = []
        if earlier:
            for name, combined in earlier:  # an inner @parameterize made these: replace them
                if getattr(module, name, None) is not None:
                    delattr(module, name)
                bases.append((combined, name))
        else:
            bases.append(({}, cls.__name__))
        generated: list[tuple[str, Params]] = []
        for inner, _ in bases:
            for p in params:
                combined = {**inner, **p}
                name = class_name(cls.__name__, len(generated), combined)
                sub = type(name, (cls,), _members(cls, combined))
                sub.__qualname__ = name
                setattr(module, name, sub)
                generated.append((name, combined))
        setattr(cls, _GENERATED, tuple(generated))
        setattr(cls, "__test__", False)
        return cls

    return decorate


def _split_names(names: str, values: Sequence[object]) -> list[Params]:
    keys = names.split(",")
    out: list[Params] = []
    for value in values:
        if len(keys) == 1:
            out.append({keys[0]: value})
            continue
        if not isinstance(value, (tuple, list)) or len(value) != len(keys):
            raise ValueError(f"product: {names!r} names {len(keys)} attributes, so each value must be a "
                             f"tuple of {len(keys)}; got {value!r}")
        out.append(dict(zip(keys, value)))
    return out


def product(parameter: Mapping[str, Sequence[object]] | Sequence[Sequence[Mapping[str, object]]]
            ) -> list[Params]:
    """Every combination, as the module docstring describes."""
    if isinstance(parameter, Mapping):
        return product_dict(*[_split_names(k, v) for k, v in sorted(parameter.items())])
    if isinstance(parameter, (list, tuple)):
        if not all(isinstance(group, (list, tuple)) and all(isinstance(d, Mapping) for d in group)
                   for group in parameter):
            raise TypeError("product: a list argument must be a list of lists of dicts")
        return product_dict(*parameter)
    raise TypeError(f"product: the argument must be a dict or a list, got {type(parameter).__name__}")


def product_dict(*parameters: Iterable[Mapping[str, object]]) -> list[Params]:
    """The cartesian product of lists of dicts, each combination merged into one
    dict (a later list's key wins over an earlier one's)."""
    return [{k: v for d in combo for k, v in d.items()} for combo in itertools.product(*parameters)]
