"""``create_multi_node_optimizer``: data-parallel training with any optimizer.

The multi-node optimizer computes the loss and gradients on this rank's batch, makes
every gradient the mean over the ranks (``multi_node_mean_grad``: one packed
collective), then lets the actual optimizer update.  Every rank then holds the
same parameters, provided they started equal: whenever the set of initialized
parameters changes (the first step, or a lazily sized link initialized by the
forward pass) rank 0's parameters are broadcast first.

Unlike ChainerMN, which skips the update of such a step, fchain recomputes the loss
with the broadcast parameters and updates: every iteration is an update, so two
ranks with batch ``B`` follow one process with batch ``2B`` step for step.  (Only
when ``update()`` is called without a loss function, on gradients the caller
computed, is the step skipped as in ChainerMN.)

Other attributes (``lr``, ``t``, ``add_hook``, ``serialize``...) are the actual
optimizer's: reading or setting them on the multi-node optimizer forwards them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.facade.link_base import Link
from fchain.facade.optimizer_base import Optimizer
from fchain.graph.variable import Variable

if TYPE_CHECKING:
    from fchain.facade.serializer import AbstractSerializer

__all__ = ["MultiNodeOptimizer", "create_multi_node_optimizer"]

O = TypeVar("O", bound=Optimizer)

_OWN = frozenset({"communicator", "actual_optimizer", "zero_fill", "_target_params",
                  "_pending", "_flip", "_packers"})


class MultiNodeOptimizer(Generic[O]):
    """``actual_optimizer`` made data parallel over ``communicator`` (made by
    ``create_multi_node_optimizer``)."""

    communicator: CommunicatorBase
    actual_optimizer: O
    zero_fill: bool
    _target_params: tuple[object, ...] | None
    _pending: Any

    def __init__(self, actual_optimizer: O, communicator: CommunicatorBase, zero_fill: bool) -> None:
        object.__setattr__(self, "communicator", communicator)
        object.__setattr__(self, "actual_optimizer", actual_optimizer)
        object.__setattr__(self, "zero_fill", zero_fill)
        object.__setattr__(self, "_target_params", None)

    # ------------------------------------------------------------ forwarding
    # Any: any attribute of the actual optimizer (lr, t, add_hook, ...), as ChainerMN
    # code reads them; typed code can read them from actual_optimizer instead
    def __getattr__(self, name: str) -> Any:
        return getattr(self.actual_optimizer, name)

    def __setattr__(self, name: str, value: object) -> None:
        if name in _OWN:
            object.__setattr__(self, name, value)
        else:
            setattr(self.actual_optimizer, name, value)

    def setup(self, link: Link) -> MultiNodeOptimizer[O]:
        """Set up the actual optimizer on ``link``; returns this optimizer."""
        self.actual_optimizer.setup(link)
        return self

    @property
    def target(self) -> Link:
        """The link being optimized."""
        return self.actual_optimizer.target

    def new_epoch(self, auto: bool = False) -> None:
        self.actual_optimizer.new_epoch(auto)

    def serialize(self, serializer: AbstractSerializer) -> None:
        """The actual optimizer's state (each rank saves its own)."""
        self.actual_optimizer.serialize(serializer)

    # ---------------------------------------------------------------- update
    def _backward(self, lossfun: Callable[..., Variable], args: tuple[object, ...],
                  kwds: dict[str, object]) -> None:
        target = self.target
        loss = lossfun(*args, **kwds)
        if getattr(self.actual_optimizer, "_use_cleargrads", True):
            target.cleargrads()
        else:
            target.zerograds()
        loss.backward(loss_scale=getattr(self.actual_optimizer, "_loss_scale", None))

    def _params_changed(self) -> bool:
        """Whether the parameters or which of them are initialized differ from the
        last call (the target's structure version changes with its parameters)."""
        target = self.target
        current = (target.__dict__["_structure_version"],
                   *(param._data is not None for param in target._param_list()))
        changed = current != self._target_params
        object.__setattr__(self, "_target_params", current)
        return changed

    def update(self, lossfun: Callable[..., Variable] | None = None,
               *args: object, **kwds: object) -> None:
        """One data-parallel step: the loss and gradients of this rank's batch, their
        mean over the ranks, the actual optimizer's update."""
        if lossfun is not None:
            self._backward(lossfun, args, kwds)
        if self._params_changed():
            self.communicator.bcast_data(self.target)
            if lossfun is None:
                return  # the gradients were computed with other parameters: skip
            self._backward(lossfun, args, kwds)
        self.communicator.multi_node_mean_grad(self.target, self.zero_fill)
        self.actual_optimizer.update(None)


class _DoubleBufferingOptimizer(MultiNodeOptimizer[O]):
    """Updates with the previous step's mean gradients while this step's are being
    communicated (ChainerMN's ``double_buffering``).  The first step only starts
    a communication; each later one updates with gradients one step old."""

    def __init__(self, actual_optimizer: O, communicator: CommunicatorBase, zero_fill: bool) -> None:
        super().__init__(actual_optimizer, communicator, zero_fill)
        start = getattr(communicator, "_start_mean_grad", None)
        if start is None:
            raise ValueError(f"{type(communicator).__name__} does not support double buffering")
        object.__setattr__(self, "_pending", None)

    def update(self, lossfun: Callable[..., Variable] | None = None,
               *args: object, **kwds: object) -> None:
        if lossfun is not None:
            self._backward(lossfun, args, kwds)
        comm: Any = self.communicator
        if self._params_changed():
            pending = self._pending
            if pending is not None:
                pending.finish()
            comm.bcast_data(self.target)
            object.__setattr__(self, "_pending", None)
            return
        started = comm._start_mean_grad(self.target, self.zero_fill)
        pending = self._pending
        object.__setattr__(self, "_pending", started)
        if pending is not None:
            pending.finish()
            self.actual_optimizer.update(None)

    def wait(self) -> None:
        """Complete the communication in flight (its gradients are not applied)."""
        pending = self._pending
        if pending is not None:
            pending.finish()
            object.__setattr__(self, "_pending", None)


def create_multi_node_optimizer(actual_optimizer: O, communicator: CommunicatorBase,
                                double_buffering: bool = False,
                                zero_fill: bool = True) -> MultiNodeOptimizer[O]:
    """``actual_optimizer`` made data parallel over ``communicator``.

    Args:
        actual_optimizer: any fchain optimizer (``optimizers.Adam()``, ...).
        communicator: from ``create_communicator``.
        double_buffering: update with the previous step's mean gradients while
            this step's travel (overlaps communication on GPUs with NCCL; on the
            CPU only the semantics change, as MPI progresses during calls).
        zero_fill: an initialized parameter without a gradient (unused this step)
            counts as a zero gradient, so every rank packs the same parameters.
    """
    if not isinstance(communicator, CommunicatorBase):
        raise TypeError(f"create_multi_node_optimizer: communicator must be a communicator from "
                        f"create_communicator, got {type(communicator).__name__}")
    if double_buffering:
        return _DoubleBufferingOptimizer(actual_optimizer, communicator, zero_fill)
    return MultiNodeOptimizer(actual_optimizer, communicator, zero_fill)
