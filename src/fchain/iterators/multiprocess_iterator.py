"""``MultiprocessIterator``: reads the examples of each batch in worker processes.

Differences from Chainer, on purpose:

- The batches are planned in the main process with the same state machine as
  ``SerialIterator`` (Chainer plans them in a helper thread), so given the same
  order sampler the batches are exactly SerialIterator's, and snapshots resume
  exactly.
- Workers are a ``concurrent.futures.ProcessPoolExecutor``.  An exception raised by
  the dataset in a worker is re-raised by ``next()`` in the main process (with the
  worker's traceback as its cause); a worker that dies (killed, ``os._exit``,
  segfault) makes ``next()`` raise ``BrokenProcessPool`` instead of hanging.
- ``finalize()`` (also on leaving a ``with`` block, on garbage collection and at
  interpreter exit) terminates the workers at once, even while they are busy.
- Examples travel back through pipes (pickled, as between any Python processes; no
  file is ever unpickled); ``shared_mem`` is accepted for compatibility and ignored.
- ``mp_context`` picks the start method (``'fork'``, ``'spawn'``, ``'forkserver'``;
  default: the platform's).  Except with ``'fork'``, the dataset is pickled to reach
  the workers, so it must be picklable (no lambdas in a ``TransformDataset``).
"""

from __future__ import annotations

import os
import threading
import warnings
import weakref
from collections.abc import Callable
from concurrent.futures import Executor, Future
from concurrent.futures import TimeoutError as FutureTimeoutError
from typing import TYPE_CHECKING, Any, TypeVar

from fchain.dataset.dataset_mixin import Dataset
from fchain.iterators._prefetch import PrefetchIterator
from fchain.iterators._statemachine import OrderSamplerLike
from fchain.iterators.order_samplers import RandomSource

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

__all__ = ["MultiprocessIterator"]

E = TypeVar("E")

# ---------------------------------------------------------------- worker side

_worker_dataset: Any = None


def _worker_init(dataset: object) -> None:
    global _worker_dataset
    _worker_dataset = dataset


def _worker_read(indices: list[int]) -> list[Any]:
    dataset = _worker_dataset
    return [dataset[i] for i in indices]


# ---------------------------------------------------------------- main side

_live_executors: weakref.WeakSet[ProcessPoolExecutor] = weakref.WeakSet()
_atexit_registered = False


def _terminate(executor: ProcessPoolExecutor) -> None:
    """Stop ``executor``'s workers now, busy or not, and release it."""
    terminate_workers = getattr(executor, "terminate_workers", None)  # Python >= 3.14
    if callable(terminate_workers):
        try:
            terminate_workers()
        except Exception:
            pass
    else:
        processes = getattr(executor, "_processes", None) or {}
        for process in list(processes.values()):
            try:
                process.terminate()
            except Exception:
                pass
    executor.shutdown(wait=True, cancel_futures=True)
    _live_executors.discard(executor)


def _terminate_all_at_exit() -> None:
    for executor in list(_live_executors):
        try:
            _terminate(executor)
        except Exception:
            pass


def _register_exit_hook() -> None:
    """concurrent.futures joins its executors' threads at exit, which waits for busy
    workers; terminate ours first.  Hooks registered this way run last-in first-out,
    and concurrent.futures.process registered its own when it was imported, before
    the first executor (and this call) existed."""
    global _atexit_registered
    if _atexit_registered:
        return
    register = getattr(threading, "_register_atexit", None)
    if callable(register):
        register(_terminate_all_at_exit)
    _atexit_registered = True


class MultiprocessIterator(PrefetchIterator[E]):
    """Dataset iterator that reads examples in ``n_processes`` worker processes and
    prefetches ``n_prefetch`` batches.  Yields exactly the batches a
    ``SerialIterator`` with the same arguments would; see the module docstring for
    how it differs from Chainer's.

    ``dataset_timeout``: seconds after which a batch still being read triggers a
    ``MultiprocessIterator.TimeoutWarning`` (repeated while it waits; ``None``: no
    warning), as in Chainer.
    """

    n_prefetch: int

    class TimeoutWarning(RuntimeWarning):
        """A batch has taken longer than ``dataset_timeout`` to read."""

    def __init__(
        self,
        dataset: Dataset[E],
        batch_size: int,
        repeat: bool = True,
        shuffle: bool | None = None,
        n_processes: int | None = None,
        n_prefetch: int = 1,
        shared_mem: int | None = None,
        order_sampler: OrderSamplerLike | None = None,
        dataset_timeout: float | None = 30.0,
        maxtasksperchild: int | None = None,
        *,
        seed: RandomSource = None,
        mp_context: str | None = None,
    ) -> None:
        import multiprocessing  # here, not at import: it costs ~10 ms

        n = n_processes if n_processes is not None else (os.cpu_count() or 1)
        super().__init__(
            "MultiprocessIterator", dataset, batch_size, repeat, shuffle, order_sampler, seed,
            n, n_prefetch,
        )
        if mp_context is not None and mp_context not in multiprocessing.get_all_start_methods():
            raise ValueError(
                f"MultiprocessIterator: mp_context must be one of "
                f"{multiprocessing.get_all_start_methods()}, got {mp_context!r}"
            )
        if dataset_timeout is not None and dataset_timeout <= 0:
            raise ValueError(
                f"MultiprocessIterator: dataset_timeout must be positive or None, got {dataset_timeout}"
            )
        self.n_processes = n
        self.n_prefetch = self._n_prefetch
        self.shared_mem = shared_mem
        self.dataset_timeout = dataset_timeout
        self.maxtasksperchild = maxtasksperchild
        self.mp_context = mp_context

    def _make_executor(self) -> Executor:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        _register_exit_hook()
        context = multiprocessing.get_context(self.mp_context)
        kwargs: dict[str, Any] = {}
        if self.maxtasksperchild is not None:
            kwargs["max_tasks_per_child"] = self.maxtasksperchild
        executor = ProcessPoolExecutor(
            max_workers=self._n_workers,
            mp_context=context,
            initializer=_worker_init,
            initargs=(self.dataset,),
            **kwargs,
        )
        _live_executors.add(executor)
        return executor

    def _reader(self) -> Callable[[list[int]], list[E]]:
        return _worker_read

    def _wait(self, future: Future[list[E]]) -> list[E]:
        if self.dataset_timeout is None:
            return future.result()
        while True:
            try:
                return future.result(timeout=self.dataset_timeout)
            except FutureTimeoutError:
                warnings.warn(
                    f"MultiprocessIterator: a batch has been loading for more than "
                    f"{self.dataset_timeout} seconds; still waiting",
                    MultiprocessIterator.TimeoutWarning,
                    stacklevel=4,
                )

    def _shutdown(self, executor: Executor) -> None:
        from concurrent.futures import ProcessPoolExecutor

        if isinstance(executor, ProcessPoolExecutor):
            _terminate(executor)
        else:
            executor.shutdown(wait=False, cancel_futures=True)
