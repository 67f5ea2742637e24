"""Updater (abstract) and StandardUpdater: one training step per call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from fchain.facade.serializer import AbstractSerializer

if TYPE_CHECKING:
    from typing_extensions import TypeVar as _TypeVarWithDefault

    from fchain.dataset.convert import DeviceLike
    from fchain.facade.link_base import Link
    from fchain.graph.device import Device
    from fchain.graph.variable import Variable
    from fchain.training.trainer import Trainer

__all__ = ["Iterator", "Optimizer", "StandardUpdater", "Updater"]


class Iterator(Protocol):
    """What an updater needs from a dataset iterator (``SerialIterator`` etc.)."""

    @property
    def epoch(self) -> int: ...

    @property
    def is_new_epoch(self) -> bool: ...

    @property
    def epoch_detail(self) -> float: ...

    @property
    def previous_epoch_detail(self) -> float | None: ...

    def __next__(self) -> object: ...

    def serialize(self, serializer: AbstractSerializer) -> None: ...

    def finalize(self) -> None: ...


class Optimizer(Protocol):
    """What an updater needs from an optimizer."""

    @property
    def target(self) -> Link: ...

    def update(self, lossfun: Callable[..., Variable] | None = None,
               *args: object, **kwds: object) -> None: ...

    def new_epoch(self, auto: bool = False) -> None: ...

    def serialize(self, serializer: AbstractSerializer) -> None: ...


if TYPE_CHECKING:
    IteratorT = _TypeVarWithDefault("IteratorT", bound=Iterator, default=Iterator, covariant=True)
    OptimizerT = _TypeVarWithDefault("OptimizerT", bound=Optimizer, default=Optimizer, covariant=True)
else:
    IteratorT = TypeVar("IteratorT", bound=Iterator, covariant=True)
    OptimizerT = TypeVar("OptimizerT", bound=Optimizer, covariant=True)


class Updater:
    """The part of the training loop that updates parameters (abstract)."""

    iteration: int = 0

    def connect_trainer(self, trainer: Trainer) -> None:
        """Called by the Trainer it is given to."""

    def finalize(self) -> None:
        """Release resources (iterators' worker processes and threads)."""

    def get_optimizer(self, name: str) -> Optimizer:
        """The optimizer registered as ``name`` (``'main'``)."""
        raise NotImplementedError

    def get_all_optimizers(self) -> Mapping[str, Optimizer]:
        """Every optimizer, by name."""
        raise NotImplementedError

    def update(self) -> None:
        raise NotImplementedError

    def serialize(self, serializer: AbstractSerializer) -> None:
        raise NotImplementedError

    @property
    def epoch(self) -> int:
        raise NotImplementedError

    @property
    def epoch_detail(self) -> float:
        raise NotImplementedError

    @property
    def previous_epoch_detail(self) -> float:
        raise NotImplementedError

    @property
    def is_new_epoch(self) -> bool:
        raise NotImplementedError


class StandardUpdater(Updater, Generic[IteratorT, OptimizerT]):
    """Takes a batch from the ``main`` iterator, converts it and calls the ``main``
    optimizer's ``update(loss_func, *batch)`` (Chainer's ``StandardUpdater``).

    ``iterator`` and ``optimizer`` are one object each or dicts by name; the model
    is each optimizer's target.  Subclass and override ``update_core`` for custom
    steps (GANs, several optimizers).

    As in Chainer 7, ``device`` (a specifier such as ``'@numpy'`` or ``'@cupy:0'``)
    moves every optimizer's target there with ``to_device`` (except a model already
    on a GPU when ``device`` is a GPU: GPU-to-GPU moves are skipped, as Chainer's
    ``to_gpu`` does), and ``input_device`` is the device the converter sends each
    batch to; it defaults to ``device``.  Both are kept as ``Device`` objects (or
    ``None``) in ``device`` and ``input_device``.

    Generic in its iterator and optimizer types, read from the arguments:
    ``StandardUpdater(train_iter, optimizers.Adam().setup(model))`` gives an
    updater whose ``get_optimizer('main')`` is that ``Adam``, typed.
    """

    iteration: int

    converter: Callable[..., object]
    """``converter(batch, input_device)`` turns a batch into the loss's arguments."""
    loss_func: Callable[..., Variable] | None
    loss_scale: float | None
    auto_new_epoch: bool

    def __init__(self, iterator: IteratorT | Mapping[str, IteratorT],
                 optimizer: OptimizerT | Mapping[str, OptimizerT],
                 converter: Callable[..., object] | None = None, device: DeviceLike = None,
                 loss_func: Callable[..., Variable] | None = None, loss_scale: float | None = None,
                 auto_new_epoch: bool = True, *, input_device: DeviceLike = None) -> None:
        from fchain.graph.device import GpuDevice, get_device

        self._iterators: dict[str, IteratorT] = (
            dict(iterator) if isinstance(iterator, Mapping) else {"main": iterator})
        self._optimizers: dict[str, OptimizerT] = (
            dict(optimizer) if isinstance(optimizer, Mapping) else {"main": optimizer})
        if converter is None:
            from fchain.dataset import concat_examples

            converter = concat_examples
        self.converter = converter
        self.device: Device | None = None if device is None else get_device(device)
        self.input_device: Device | None = (
            self.device if input_device is None else get_device(input_device))
        if self.device is not None:
            for name, opt in self._optimizers.items():
                target = opt.target
                move = getattr(target, "to_device", None)
                if move is None:
                    raise TypeError(f"StandardUpdater: the target of optimizer {name!r} "
                                    f"({type(target).__name__}) has no to_device(), so it cannot "
                                    f"be moved to device {self.device}")
                if isinstance(self.device, GpuDevice) and isinstance(
                        getattr(target, "device", None), GpuDevice):
                    continue
                move(self.device)
        self.loss_func = loss_func
        self.loss_scale = loss_scale
        self.auto_new_epoch = auto_new_epoch
        if auto_new_epoch:
            # As Chainer: the optimizers learn that this updater calls new_epoch(auto=True).
            for opt in self._optimizers.values():
                if hasattr(opt, "use_auto_new_epoch"):
                    setattr(opt, "use_auto_new_epoch", True)
        if loss_scale is not None:
            for opt in self._optimizers.values():
                setter = getattr(opt, "set_loss_scale", None)
                if setter is not None:
                    setter(loss_scale)
        self.iteration = 0

    @property
    def epoch(self) -> int:
        return self._iterators["main"].epoch

    @property
    def epoch_detail(self) -> float:
        return float(self._iterators["main"].epoch_detail)

    @property
    def previous_epoch_detail(self) -> float:
        previous = self._iterators["main"].previous_epoch_detail
        return -1.0 if previous is None else float(previous)

    @property
    def is_new_epoch(self) -> bool:
        return bool(self._iterators["main"].is_new_epoch)

    def get_optimizer(self, name: str) -> OptimizerT:
        """The optimizer registered as ``name`` (``'main'``), typed as given."""
        return self._optimizers[name]

    def get_all_optimizers(self) -> dict[str, OptimizerT]:
        """Every optimizer, by name."""
        return dict(self._optimizers)

    def get_iterator(self, name: str) -> IteratorT:
        """The iterator registered as ``name`` (``'main'``), typed as given."""
        return self._iterators[name]

    def update(self) -> None:
        """One update step, then ``iteration += 1``."""
        self.update_core()
        self.iteration += 1

    def update_core(self) -> None:
        iterator = self._iterators["main"]
        batch = next(iterator)
        in_arrays = self.converter(batch, self.input_device)
        optimizer = self._optimizers["main"]
        loss_func = self.loss_func or optimizer.target
        if isinstance(in_arrays, tuple):
            optimizer.update(loss_func, *in_arrays)
        elif isinstance(in_arrays, dict):
            optimizer.update(loss_func, **in_arrays)
        else:
            optimizer.update(loss_func, in_arrays)
        if self.auto_new_epoch and iterator.is_new_epoch:
            optimizer.new_epoch(auto=True)

    def finalize(self) -> None:
        for iterator in self._iterators.values():
            finalize = getattr(iterator, "finalize", None)
            if finalize is not None:
                finalize()

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Chainer's keys: ``iterator:<name>``, ``optimizer:<name>``, ``model:<name>``,
        ``iteration``."""
        for name, iterator in self._iterators.items():
            iterator.serialize(serializer["iterator:" + name])
        for name, optimizer in self._optimizers.items():
            optimizer.serialize(serializer["optimizer:" + name])
            optimizer.target.serialize(serializer["model:" + name])
        self.iteration = int(serializer("iteration", self.iteration))
