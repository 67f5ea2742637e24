"""ParallelUpdater: one process, one model copy per device, gradients summed into the
main model (Chainer's ``ParallelUpdater``).

Each step splits the batch round-robin over the devices (``batch[i::n]``), computes
each copy's loss and gradients on its device, adds every copy's gradients into the
main model's (``addgrads``: a sum, as in Chainer, so with mean losses the step is
``n`` times a mean-loss step), updates the main model and copies its parameters back
to the other copies.  Any devices work, numpy ones included (a CPU device list
parallelizes nothing but runs the same arithmetic: a check of the GPU setup).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fchain.graph.config import force_backprop_mode
from fchain.graph.device import Device, get_device, using_device
from fchain.training.updaters.updater import Iterator, Optimizer, StandardUpdater

if TYPE_CHECKING:
    from fchain.facade.link_base import Link
    from fchain.graph.variable import Variable
    from fchain.dataset.convert import DeviceLike
    from fchain.training.trainer import Trainer

__all__ = ["ParallelUpdater"]


def _named_devices(devices: Mapping[str, DeviceLike] | Sequence[DeviceLike]) -> dict[str, Device]:
    """``{'main': ..., name: ...}``: a mapping must name one device ``'main'``; in a
    sequence the first is ``'main'`` and the others are named by their index."""
    if isinstance(devices, Mapping):
        if "main" not in devices:
            raise KeyError("ParallelUpdater: 'devices' must contain a 'main' key")
        named = {"main": get_device(devices["main"])}
        named.update({str(k): get_device(v) for k, v in devices.items() if k != "main"})
        return named
    if isinstance(devices, (str, bytes)) or not isinstance(devices, Sequence) or not devices:
        raise TypeError(f"ParallelUpdater: devices must be a dict with a 'main' key or a non-empty "
                        f"list of devices, got {devices!r}")
    return {("main" if i == 0 else str(i)): get_device(d) for i, d in enumerate(devices)}


def _call(func: Callable[..., Any], in_arrays: object) -> Any:
    if isinstance(in_arrays, tuple):
        return func(*in_arrays)
    if isinstance(in_arrays, dict):
        return func(**in_arrays)
    return func(in_arrays)


class ParallelUpdater(StandardUpdater):
    """Data parallelism over ``devices`` in one process.

    Args:
        iterator, optimizer, converter, loss_func, loss_scale, auto_new_epoch:
            as ``StandardUpdater``.
        models: a dict of models by name (``'main'`` is the optimizer's target);
            made from ``devices`` when ``None``.
        devices: the device of each model: a dict by the same names (``'main'``
            required) or a list (the first is the main device), e.g.
            ``['@cupy:0', '@cupy:1']`` or ``['@numpy', '@numpy']``.
    """

    def __init__(self, iterator: Iterator | Mapping[str, Iterator], optimizer: Optimizer,
                 converter: Callable[..., object] | None = None,
                 models: Mapping[str, Link] | None = None,
                 devices: Mapping[str, DeviceLike] | Sequence[DeviceLike] | None = None,
                 loss_func: Callable[..., Variable] | None = None, loss_scale: float | None = None,
                 auto_new_epoch: bool = True) -> None:
        super().__init__(iterator, optimizer, converter=converter, loss_func=loss_func,
                         loss_scale=loss_scale, auto_new_epoch=auto_new_epoch)
        if devices is None:
            raise ValueError("ParallelUpdater: devices must be given (with models too: the "
                             "device each model's batch is sent to)")
        named = _named_devices(devices)
        main = self.get_optimizer("main").target
        if models is None:
            main.to_device(named["main"])
            built: dict[str, Link] = {"main": main}
            for name, device in named.items():
                if name != "main":
                    replica = copy.deepcopy(main)
                    replica.to_device(device)
                    built[name] = replica
            models = built
        elif set(models) != set(named):
            raise ValueError(f"ParallelUpdater: models {sorted(models)} and devices "
                             f"{sorted(named)} must have the same names")
        elif models.get("main") is not main:
            raise ValueError("ParallelUpdater: models['main'] must be the main optimizer's target")
        self._models: dict[str, Link] = dict(models)
        self._devices = named

    @property
    def models(self) -> dict[str, Link]:
        """The model of each device, by name."""
        return dict(self._models)

    def connect_trainer(self, trainer: Trainer) -> None:
        """Report the other models' observations under their names."""
        main = self.get_optimizer("main").target
        for name, model in self._models.items():
            if model is not main:
                trainer.reporter.add_observer(name, model)

    def update_core(self) -> None:
        optimizer = self.get_optimizer("main")
        main = optimizer.target
        iterator = self.get_iterator("main")
        examples = next(iterator)
        if not isinstance(examples, Sequence):
            raise TypeError(f"ParallelUpdater: the iterator must return a list of examples, "
                            f"got {type(examples).__name__}")
        batch = list(examples)
        n = len(self._models)
        inputs = {name: self.converter(batch[i::n], self._devices[name])
                  for i, name in enumerate(self._models)}
        for model in self._models.values():
            model.cleargrads()
        losses = []
        for name, model in self._models.items():
            with force_backprop_mode(), using_device(self._devices[name]):
                losses.append(_call(self.loss_func or model, inputs[name]))
        for model in self._models.values():  # lazily initialized parameters
            model.cleargrads()
        for loss in losses:
            loss.backward(loss_scale=self.loss_scale)
        others = [model for model in self._models.values() if model is not main]
        for model in others:
            main.addgrads(model)
        optimizer.update()
        for model in others:
            model.copyparams(main)
        if self.auto_new_epoch and iterator.is_new_epoch:
            optimizer.new_epoch(auto=True)
