"""MultiprocessParallelUpdater: one process per GPU, gradients summed with NCCL
(Chainer's ``MultiprocessParallelUpdater``).

The main process keeps the model and the optimizer on the first device; one worker
process per other device is forked when training starts (it inherits the model and
its iterator, so CUDA must not be initialized in the main process before, as in
Chainer).  Each step, every process computes the gradients of its own batch; NCCL
sums them into the main process (one packed buffer per dtype), which updates and
broadcasts the parameters back.  As in Chainer the gradients are summed, and the
optimizer's ``lr`` (or ``eps``) is adjusted for the larger batch, with a warning.

Where this cannot run (no CuPy, no NCCL, no GPU, CPU devices) the constructor says
why; on CPUs use ``ParallelUpdater`` or ``fchain.distributed`` with ``mpirun``.
"""

from __future__ import annotations

import importlib
import multiprocessing
import warnings
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from fchain.core import backend
from fchain.graph.device import Device, GpuDevice, get_device
from fchain.training.updaters.updater import Iterator, Optimizer, StandardUpdater

if TYPE_CHECKING:
    from fchain.dataset.convert import DeviceLike

__all__ = ["MultiprocessParallelUpdater"]


def _unavailable_reason() -> str | None:
    from fchain.distributed.communicators._nccl_probe import nccl_unavailable_reason

    return nccl_unavailable_reason()


def _devices(devices: Mapping[str, DeviceLike] | Sequence[DeviceLike] | None) -> list[Device]:
    if devices is None:
        raise ValueError("MultiprocessParallelUpdater: GPU devices must be specified")
    if isinstance(devices, Mapping):
        if "main" not in devices:
            raise KeyError("MultiprocessParallelUpdater: 'devices' must contain a 'main' key")
        ordered = [devices["main"], *(v for k, v in devices.items() if k != "main")]
    elif isinstance(devices, (list, tuple)):
        ordered = list(devices)
    else:
        raise ValueError(f"devices argument should be either dict, list or tuple, but "
                         f"{type(devices).__name__} was given")
    try:
        found = [get_device(d) for d in ordered]
    except RuntimeError as exc:  # a GPU specifier where CuPy is missing
        raise RuntimeError(f"MultiprocessParallelUpdater runs one process per GPU and sums "
                           f"gradients with NCCL, which is not possible here: {exc}") from exc
    cpu = [str(d) for d in found if not isinstance(d, GpuDevice)]
    if cpu:
        raise ValueError(f"MultiprocessParallelUpdater runs one process per GPU and sums gradients "
                         f"with NCCL; {', '.join(cpu)} is not a GPU.  On CPUs use ParallelUpdater, "
                         "or fchain.distributed with mpirun (one process per rank)")
    return found


def _adjust_for_batch(optimizer: Any, n: int) -> None:
    """Chainer's correction of the hyperparameters for ``n`` times the batch."""
    name = type(optimizer).__name__
    if name in ("Adam", "AdaGrad", "RMSprop"):
        optimizer.eps *= n
        changed = f"optimizer.eps is changed to {optimizer.eps}"
    elif name in ("RMSpropGraves", "AdaDelta"):
        optimizer.eps *= n ** 2
        changed = f"optimizer.eps is changed to {optimizer.eps}"
    elif hasattr(optimizer, "lr"):
        optimizer.lr /= n
        changed = f"optimizer.lr is changed to {optimizer.lr}"
    else:
        return
    warnings.warn(f"{changed} by MultiprocessParallelUpdater for new batch size.", stacklevel=3)


def _loss(model: Any, in_arrays: object) -> Any:
    if isinstance(in_arrays, tuple):
        return model(*in_arrays)
    if isinstance(in_arrays, dict):
        return model(**in_arrays)
    return model(in_arrays)


class _Nccl:
    """An NCCL communicator of ``n`` processes and the buffers of one model."""

    def __init__(self, n: int, comm_id: Any, rank: int) -> None:
        from fchain.distributed.communicators._packing import Packer

        nccl = importlib.import_module("cupy.cuda.nccl")
        self._nccl = nccl
        self._comm = nccl.NcclCommunicator(n, comm_id, rank)
        self._packer = Packer()

    def _call(self, op: str, buf: Any) -> None:
        cp = backend.cupy_module()
        assert cp is not None
        nccl = self._nccl
        dtype = {"float16": nccl.NCCL_FLOAT16, "float32": nccl.NCCL_FLOAT32,
                 "float64": nccl.NCCL_FLOAT64, "uint8": nccl.NCCL_UINT8}[buf.dtype.name]
        stream = cp.cuda.get_current_stream().ptr
        if op == "reduce":
            self._comm.reduce(buf.data.ptr, buf.data.ptr, buf.size, dtype, nccl.NCCL_SUM, 0, stream)
        else:
            self._comm.bcast(buf.data.ptr, buf.size, dtype, 0, stream)
        cp.cuda.get_current_stream().synchronize()

    def sum_grads(self, model: Any, unpack: bool) -> None:
        """Sum every process's gradients into process 0 (``unpack``: install them)."""
        groups = self._packer.pack_grads(model._param_list(), True, 1.0)
        for group in groups:
            self._call("reduce", group.buffer)
        if unpack:
            self._packer.unpack_grads(groups)

    def bcast_params(self, model: Any) -> None:
        """Process 0's parameters into every process."""
        groups = self._packer.pack_data(model._param_list())
        for group in groups:
            self._call("bcast", group.buffer)
        self._packer.unpack_data(groups)

    def destroy(self) -> None:
        self._comm.destroy()


def _worker(rank: int, n: int, conn: Connection, model: Any, device: Device, iterator: Any,
            converter: Callable[..., Any]) -> None:
    """A worker process: one step per ``'update'`` message, until ``'finalize'``."""
    from fchain.facade.reporter import Reporter

    device.use()
    model.to_device(device)
    _, comm_id = conn.recv()
    nccl = _Nccl(n, comm_id, rank)
    reporter = Reporter()
    reporter.add_observer("main", model)
    reporter.add_observers("main", model.namedlinks(skipself=True))
    while True:
        job = conn.recv()
        if job[0] == "finalize":
            nccl.destroy()
            break
        model.cleargrads()
        batch = converter(next(iterator), device)
        with reporter.scope({}):
            loss = _loss(model, batch)
        model.cleargrads()
        loss.backward()
        del loss
        nccl.sum_grads(model, unpack=False)
        model.cleargrads()
        nccl.bcast_params(model)


class MultiprocessParallelUpdater(StandardUpdater):
    """Data parallelism with one process per GPU and NCCL.

    Args:
        iterators: one iterator per device (same dataset length each).
        optimizer: the main process's optimizer (its target is the model).
        converter: as ``StandardUpdater``'s.
        devices: a list of GPU devices (the first is the main one) or a dict with
            a ``'main'`` key.
        auto_new_epoch: as ``StandardUpdater``'s.
    """

    def __init__(self, iterators: Sequence[Iterator], optimizer: Optimizer,
                 converter: Callable[..., object] | None = None,
                 devices: Mapping[str, DeviceLike] | Sequence[DeviceLike] | None = None,
                 auto_new_epoch: bool = True) -> None:
        found = _devices(devices)
        reason = _unavailable_reason()
        if reason is not None:
            raise RuntimeError(f"MultiprocessParallelUpdater runs one process per GPU and sums "
                               f"gradients with NCCL, which is not possible here: {reason}.  On "
                               "CPUs use ParallelUpdater, or fchain.distributed with mpirun")
        if len(iterators) != len(found):
            raise ValueError(f"MultiprocessParallelUpdater: {len(iterators)} iterators for "
                             f"{len(found)} devices; give one iterator per device")
        if multiprocessing.get_start_method(allow_none=True) not in (None, "fork") or \
                _cuda_initialized():
            raise RuntimeError("MultiprocessParallelUpdater forks its workers, which needs CUDA "
                               "uninitialized in this process: create it before using the GPU")
        _adjust_for_batch(optimizer, len(found))
        super().__init__(iterators[0], optimizer, converter=converter,
                         auto_new_epoch=auto_new_epoch)
        self._master = optimizer.target
        self._devices = found
        self._iterators_all = list(iterators)
        self._pipes: list[Connection] = []
        self._workers: list[Any] = []
        self._nccl: _Nccl | None = None
        self._initialized = False

    @staticmethod
    def available() -> bool:
        """Whether CuPy with NCCL and a GPU are present."""
        return _unavailable_reason() is None

    def setup_workers(self) -> None:
        """Fork the workers, move the model to the main GPU and build the NCCL
        communicator (on the first update)."""
        if self._initialized:
            return
        self._initialized = True
        if len(self._devices) == 1:
            self._devices[0].use()
            self._master.to_device(self._devices[0])
            return
        context = multiprocessing.get_context("fork")
        self._master.cleargrads()
        for rank in range(1, len(self._devices)):
            mine, theirs = context.Pipe()
            worker = context.Process(target=_worker, args=(
                rank, len(self._devices), theirs, self._master, self._devices[rank],
                self._iterators_all[rank], self.converter), daemon=True)
            worker.start()
            self._workers.append(worker)
            self._pipes.append(mine)
        self._devices[0].use()
        self._master.to_device(self._devices[0])
        comm_id = importlib.import_module("cupy.cuda.nccl").get_unique_id()
        for pipe in self._pipes:
            pipe.send(("set comm_id", comm_id))
        self._nccl = _Nccl(len(self._devices), comm_id, 0)

    def update_core(self) -> None:
        self.setup_workers()
        for pipe in self._pipes:
            pipe.send(("update", None))
        self._devices[0].use()
        optimizer = self.get_optimizer("main")
        iterator = self.get_iterator("main")
        model = self._master
        model.cleargrads()
        loss = _loss(model, self.converter(next(iterator), self._devices[0]))
        model.cleargrads()
        loss.backward()
        del loss
        if self._nccl is not None:
            self._nccl.sum_grads(model, unpack=True)
        optimizer.update()
        if self._nccl is not None:
            self._nccl.bcast_params(model)
        if self.auto_new_epoch and iterator.is_new_epoch:
            optimizer.new_epoch(auto=True)

    def finalize(self) -> None:
        for pipe in self._pipes:
            pipe.send(("finalize", None))
        for worker in self._workers:
            worker.join()
        if self._nccl is not None:
            self._nccl.destroy()
            self._nccl = None
        super().finalize()


def _cuda_initialized() -> bool:
    cp = backend.cupy_module()
    if cp is None:
        return False
    try:
        return bool(cp.cuda.driver.ctxGetCurrent())
    except Exception:  # noqa: BLE001 - no driver, no context
        return False
