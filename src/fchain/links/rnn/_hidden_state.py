"""The one-state recurrent links' state handling (``StatefulGRU``, ``StatefulMGU``).

A link that keeps one state ``h`` between calls: ``reset_state()`` forgets it,
``set_state(h)`` sets it (on the link's device), and moving the link moves it.
"""

from __future__ import annotations

from fchain.facade.link import Chain
from fchain.graph.device import Device
from fchain.graph.variable import Variable, as_variable
from fchain.types import Array

__all__ = ["HiddenState"]


class HiddenState(Chain):
    """Mixed in before a Chain subclass: the state ``h`` and its three methods."""

    h: Variable | None

    def _move_own(self, target: Device) -> None:
        super()._move_own(target)
        if self.h is not None:
            self.h.to_device(target)

    def set_state(self, h: Variable | Array) -> None:
        """Set the state (moved to the link's device)."""
        self.h = as_variable(h).to_device(self.device)

    def reset_state(self) -> None:
        """Forget the state: the next step starts without one."""
        self.h = None
