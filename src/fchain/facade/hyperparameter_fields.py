"""``HyperparameterFields``: declaring an optimizer's hyperparameters once.

A declaration lists each hyperparameter as ``name: type = default``, in Chainer's
argument order::

    class _AdamFields(HyperparameterFields, kw_only=False, init=False):
        alpha: float = 0.001
        beta1: float = 0.9
        ...

and both sides of the optimizer's typed surface inherit it:

* the typed hyperparameter, ``class AdamHyperparameter(Hyperparameter,
  _AdamFields, init=False)``, so ``optimizer.hyperparam.alpha`` is a ``float``;
* the optimizer, ``class Adam(_AdamFields, DescribedMethod[...])``: type checkers
  read the declaration as dataclass fields (PEP 681), which gives ``Adam`` its
  keyword signature ``Adam(alpha: float = 0.001, beta1: float = 0.9, ...)`` and the
  typed attributes ``optimizer.alpha``; at run time ``DescribedMethod`` binds the
  arguments and makes each attribute an alias of the hyperparameter entry.

At run time a declaration keeps its defaults in ``_fields`` (and the conversion of
each value, from its annotation, in ``_kinds``) and removes them as class
attributes, where they would shadow a hyperparameter's inherited entries.  Only a
class that lists ``HyperparameterFields`` itself as a base is a declaration;
subclasses of an optimizer add no fields.  The class keywords ``init`` and
``kw_only`` are for type checkers (a declaration passes ``kw_only=False`` so the
arguments are positional too, and ``init=False``, as does a typed hyperparameter).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, dataclass_transform

__all__ = ["HyperparameterFields", "bind_arguments"]

_KINDS: dict[object, Callable[[Any], object]] = {
    "float": float, float: float, "bool": bool, bool: bool, "int": int, int: int,
}


@dataclass_transform(eq_default=False, kw_only_default=True)
class HyperparameterFields:
    """Base of a declaration of hyperparameters (see the module docstring)."""

    _fields: ClassVar[dict[str, object]] = {}
    """Name -> default, in declaration order."""
    _kinds: ClassVar[dict[str, Callable[[Any], object]]] = {}
    """Name -> the conversion an update rule applies to the value (``float``,
    ``bool``, ``int``; the identity for other annotations)."""

    def __init_subclass__(cls, *, init: bool = True, kw_only: bool = True, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if HyperparameterFields not in cls.__bases__:
            return
        annotations = cls.__dict__.get("__annotations__", {})
        fields: dict[str, object] = {}
        kinds: dict[str, Callable[[Any], object]] = {}
        for name, annotation in annotations.items():
            if name not in cls.__dict__:
                raise TypeError(f"{cls.__name__}: hyperparameter {name!r} has no default")
            fields[name] = cls.__dict__[name]
            kinds[name] = _KINDS.get(annotation, _identity)
            delattr(cls, name)
        cls._fields = fields
        cls._kinds = kinds


def _identity(value: object) -> object:
    return value


def bind_arguments(where: str, names: Sequence[str], args: Sequence[object],
                   kwargs: Mapping[str, object]) -> dict[str, object]:
    """The arguments of a call ``where(*args, **kwargs)`` whose parameters are
    ``names`` (positional or keyword), by name; raises ``TypeError`` as Python does
    for a bad call."""
    if len(args) > len(names):
        raise TypeError(f"{where}() takes at most {len(names)} positional arguments "
                        f"({len(args)} given)")
    given = dict(zip(names, args))
    for name, value in kwargs.items():
        if name not in names:
            raise TypeError(f"{where}() got an unexpected keyword argument {name!r}")
        if name in given:
            raise TypeError(f"{where}() got multiple values for argument {name!r}")
        given[name] = value
    return given
