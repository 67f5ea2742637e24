"""``LinkRegistration``: registering parameters and persistent values by name.

Inside ``with link.init_scope():`` assigning a ``Parameter`` to an attribute
registers it (``Chain`` adds child links the same way, in ``fchain.facade.chain``).
Registering, replacing or removing a parameter, whether inside or outside the
scope, by ``add_param``, ``register_persistent`` or ``del``, is a change of the
link's structure and is recorded as one (``LinkTree._structure_changed``).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

import numpy

from fchain.facade.link_devices import LinkDevices, is_array
from fchain.graph.parameter import Parameter
from fchain.initializers import NaN
from fchain.types import DTypeLike

__all__ = ["LinkRegistration"]


class LinkRegistration(LinkDevices):
    """A link that registers the parameters assigned to it in ``init_scope``."""

    _within_init_scope: bool

    def __init__(self) -> None:
        super().__init__()
        self.__dict__["_within_init_scope"] = False

    @property
    def within_init_scope(self) -> bool:
        """True inside ``with self.init_scope():``."""
        return bool(self.__dict__.get("_within_init_scope", False))

    @contextlib.contextmanager
    def init_scope(self) -> Iterator[None]:
        """Within this block, assigning a ``Parameter`` (or, in a Chain, a Link) to an
        attribute registers it."""
        d = self.__dict__
        old = d.get("_within_init_scope", False)
        d["_within_init_scope"] = True
        try:
            yield
        finally:
            d["_within_init_scope"] = old

    def __setattr__(self, name: str, value: object) -> None:
        d = self.__dict__
        params: dict[str, None] | None = d.get("_params")
        changed = False
        if params is not None:
            if isinstance(value, Parameter):
                if d.get("_within_init_scope", False):
                    value.name = name
                    self._send_param(value)
                    params[name] = None
                    self._persistent.pop(name, None)
                    changed = True
                elif name in params:
                    changed = True  # the registered name now holds another Parameter
            elif name in params:
                # A registered parameter replaced by something else is no longer one.
                del params[name]
                changed = True
        object.__setattr__(self, name, value)
        if changed:
            self._structure_changed()

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        was_param = d["_params"].pop(name, 0) is None
        d["_persistent"].pop(name, None)
        object.__delattr__(self, name)
        if was_param:
            self._structure_changed()

    def add_param(self, name: str, shape: int | tuple[int, ...] | None = None,
                  dtype: DTypeLike = numpy.float32, initializer: object = None) -> None:
        """Register a new parameter ``name`` (deprecated in Chainer: assign a
        ``Parameter`` inside ``init_scope()`` instead).  Without ``initializer`` the
        parameter is filled with NaN of ``dtype``."""
        warnings.warn(
            "Link.add_param is deprecated; assign a Parameter to an attribute inside "
            "'with link.init_scope():' instead", DeprecationWarning, stacklevel=2)
        if name in self.__dict__:
            raise AttributeError(f"Link.add_param: cannot register a new parameter {name!r}: attribute exists")
        param = Parameter(NaN(dtype) if initializer is None else initializer, shape)
        with self.init_scope():
            setattr(self, name, param)

    def add_persistent(self, name: str, value: object) -> None:
        """Register ``value`` under ``name`` as a persistent value: serialized with
        the link and moved with it between devices, but not trained."""
        d = self.__dict__
        if name in d:
            raise AttributeError(
                f"Link.add_persistent: cannot register a new persistent value {name!r}: attribute exists")
        if is_array(value):
            value = self._device.send(value)
        self._persistent[name] = None
        d[name] = value

    def register_persistent(self, name: str) -> None:
        """Register the existing attribute ``name`` as a persistent value."""
        if not hasattr(self, name):
            raise AttributeError(
                f"Link.register_persistent: cannot register non-existent attribute {name!r} "
                "as a persistent value")
        self._persistent[name] = None
        if self._params.pop(name, 0) is None:  # it was a registered parameter
            self._structure_changed()
