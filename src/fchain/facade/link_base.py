"""``Link``, the base class of every link: calling, link traversal, gradients,
update switches, ``repeat`` and printing, on top of the modules that each give it
one concern (see ``fchain.facade.link``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from fchain.facade.link_call import ForwardCall
from fchain.facade.link_copy import CopyMode, LinkCopying, check_copy_mode
from fchain.facade.link_registration import LinkRegistration
from fchain.facade.link_serialization import LinkSerialization
from fchain.facade.link_tree import child_of, param_of

if TYPE_CHECKING:
    # Only for repeat's return type: Sequential is built on Link, so fchain.facade.sequential
    # imports this module and registers itself as Link._sequential_class.
    from fchain.facade.sequential import Sequential

__all__ = ["Link"]


class Link(LinkRegistration, LinkCopying, LinkSerialization):
    """A building block of models: named parameters, persistent values, a device.

    ``Link()`` takes no arguments; subclasses register parameters in
    ``init_scope()`` and define ``forward`` (or ``__call__``).
    """

    _sequential_class: ClassVar[type[Sequential]]
    """What ``repeat`` returns (set by ``fchain.facade.sequential``)."""

    # ------------------------------------------------------------ calling
    if TYPE_CHECKING:
        __call__: ForwardCall
        """``link(...)`` calls ``forward`` and is typed as it (``fchain.facade.link_call``)."""
    else:

        def __call__(self, *args, **kwargs):
            try:
                forward = self.forward
            except AttributeError:
                forward = None
            if forward is None:
                raise AttributeError(
                    f"{type(self).__name__}: a Link is called through its forward method, "
                    "which this class does not define (define forward or __call__)")
            if kwargs:
                return forward(*args, **kwargs)
            if len(args) == 1:  # most calls: an ordinary call is cheaper than unpacking
                return forward(args[0])
            return forward(*args)

    # ---------------------------------------------------------- traversal
    def _child_items(self) -> Iterator[tuple[str, Link]]:
        """``(name, child)`` pairs in traversal order (none for a plain Link)."""
        return iter(())

    def links(self, skipself: bool = False) -> Iterator[Link]:
        """This link (unless ``skipself``) and every descendant, depth first."""
        for _, link in self.namedlinks(skipself):
            yield link

    def namedlinks(self, skipself: bool = False) -> Iterator[tuple[str, Link]]:
        """``(path, link)`` pairs: ``('/', self)``, then ``('/l1', ...)``,
        ``('/l1/sub', ...)``, ..."""
        if not skipself:
            yield "/", self
        for cname, child in self._child_items():
            prefix = "/" + cname
            yield prefix, child
            for path, link in child.namedlinks(skipself=True):
                yield prefix + path, link

    def children(self) -> Iterator[Link]:
        """The direct child links."""
        for _, child in self._child_items():
            yield child

    # ---------------------------------------------------------- gradients
    def cleargrads(self) -> None:
        """Set every parameter's gradient to ``None``."""
        for param in self._param_list():
            param.cleargrad()

    def zerograds(self) -> None:
        """Set every gradient to zeros (deprecated in Chainer: use ``cleargrads``)."""
        warnings.warn("Link.zerograds is deprecated. Use Link.cleargrads instead.",
                      DeprecationWarning, stacklevel=2)
        for param in self.params():
            param.zerograd()

    def addgrads(self, link: Link) -> None:
        """Add the gradients of ``link`` (same structure) to this link's, across devices."""
        where = f"{type(self).__name__}.addgrads"
        if not isinstance(link, Link):
            raise TypeError(f"{where}: expected a Link, got {type(link).__name__}")
        for name, param in self._own_params():
            param.addgrad(param_of(link, name, where))
        others = dict(link._child_items())
        for cname, child in self._child_items():
            child.addgrads(child_of(others, cname, where))

    # ------------------------------------------------------------ updates
    def enable_update(self) -> None:
        """Enable the update rule of every parameter that has one."""
        for param in self.params():
            rule = param.update_rule
            if rule is not None:
                rule.enabled = True

    def disable_update(self) -> None:
        """Disable the update rule of every parameter that has one (so an optimizer
        that is already set up leaves them unchanged)."""
        for param in self.params():
            rule = param.update_rule
            if rule is not None:
                rule.enabled = False

    @property
    def update_enabled(self) -> bool:
        """True if at least one parameter has an enabled update rule."""
        for param in self.params():
            rule = param.update_rule
            if rule is not None and rule.enabled:
                return True
        return False

    # ------------------------------------------------------------ copying
    def repeat(self, n_repeat: int, mode: CopyMode = "init") -> Sequential:
        """A ``Sequential`` of ``n_repeat`` copies of this link made with ``copy(mode)``."""
        ret = self._sequential_class()
        if n_repeat <= 0:
            return ret
        check_copy_mode(mode, f"{type(self).__name__}.repeat")
        for _ in range(n_repeat):
            ret.append(self.copy(mode))
        return ret

    # ----------------------------------------------------------- printing
    def printable_specs(self) -> Iterator[tuple[str, object]]:
        """``(name, value)`` pairs shown in ``repr`` (e.g. ``in_size=3``)."""
        return iter(())

    def _repr_lines(self, indent: int) -> list[str]:
        specs = ", ".join(f"{k}={v}" for k, v in self.printable_specs())
        children = list(self._child_items())
        if not children:
            return [f"{type(self).__name__}({specs})"]
        pad = "  " * (indent + 1)
        lines = [f"{type(self).__name__}("]
        for cname, child in children:
            sub = child._repr_lines(indent + 1)
            lines.append(f"{pad}({cname}): {sub[0]}")
            lines.extend(sub[1:])
            lines[-1] += ","
        lines.append("  " * indent + ")")
        return lines

    def __repr__(self) -> str:
        return "\n".join(self._repr_lines(0))
