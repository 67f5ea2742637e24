"""``BatchNormalization``: batch normalization with running statistics, around
``F.batch_normalization`` (training) and ``F.fixed_batch_normalization`` (test).

Parameters ``gamma`` (scale, default 1) and ``beta`` (shift, default 0), unless
``use_gamma=False`` / ``use_beta=False``; persistent values ``avg_mean`` (default
0), ``avg_var`` (default 1) and ``N`` (an int, the batches seen in fine-tuning):
Chainer's names, so Chainer's files load (``bn/gamma``, ``bn/beta``,
``bn/avg_mean``, ``bn/avg_var``, ``bn/N``).  All four arrays have the shape of
the axes that are not normalized over and the "high precision" dtype
(``get_dtype(dtype, map_mixed16=float32)``).

Modes, chosen by ``fchain.config.train`` and ``finetune``:

- training (``config.train`` and not ``finetune``): normalize by the batch's
  statistics and move the running ones toward them,
  ``avg = decay * avg + (1 - decay) * batch`` (the variance made unbiased);
- fine-tuning (``config.train`` and ``finetune=True``): ``N += 1`` and the same
  update with ``decay = 1 - 1 / N``, so the running statistics become the plain
  average over the batches since ``start_finetuning()``;
- test (``config.train`` False): normalize by ``avg_mean`` and ``avg_var``.

``BatchNormalization(size)`` sizes everything now; ``BatchNormalization(axis=...)``
(no size) sizes everything from the first batch, on the link's device.

``avg_mean`` and ``avg_var`` are typed as arrays; reading one before a lazily
sized link has seen its first batch raises ``UninitializedError`` (Chainer gives
``None``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy

from fchain.errors import UninitializedError
from fchain.facade.link import Link
from fchain.facade.serializer import AbstractSerializer
from fchain.graph.config import config, get_dtype
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.initializers import One, Zero, generate_array
from fchain.initializers._base import InitializerLike
from fchain.initializers._resolve import as_initializer
from fchain.links.normalization._typed_initializer import with_dtype
from fchain.ops._common import describe, int_arg, is_integer, real_arg
from fchain.ops.normalization.batch_normalization import batch_normalization
from fchain.ops.normalization.fixed_batch_normalization import fixed_batch_normalization
from fchain.types import Array, DTypeLike

__all__ = ["BatchNormalization"]


def _ints(cls: str, what: str, value: object) -> tuple[int, ...]:
    """An int or a sequence of ints, as a tuple; else a ``TypeError`` naming ``what``."""
    if is_integer(value):
        return (int_arg(cls, what, value),)
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)) and all(is_integer(n) for n in value):
        return tuple(int_arg(cls, what, n) for n in value)
    raise TypeError(f"{cls}: {what} must be an int, a tuple of ints or None, got {describe(value)}")


class BatchNormalization(Link):
    """Batch normalization over the batch (and by default spatial) axes.

    Args:
        size: the shape of the normalized-per-entry axes (an int for the channels),
            or ``None`` with ``axis`` given to take it from the first batch.
        decay: weight of the old running statistics in training mode.
        eps: added to the variance.
        dtype: dtype of the parameters and statistics (default ``config.dtype``;
            float32 under ``mixed16``).
        use_gamma, use_beta: learn a scale / a shift (else 1 / 0).
        initial_gamma, initial_beta: initializers (default 1 and 0).
        axis: the axes the statistics are taken over (an int or an ascending
            tuple); ``None``: axis 0 and every axis after ``size``'s.
        initial_avg_mean, initial_avg_var: initializers of the running statistics
            (default 0 and 1).
    """

    gamma: Parameter | None = None
    beta: Parameter | None = None
    N: int
    decay: float
    eps: float
    axis: tuple[int, ...] | None

    def __init__(self, size: int | Sequence[int] | None = None, decay: float = 0.9, eps: float = 2e-5,
                 dtype: DTypeLike | None = None, use_gamma: bool = True, use_beta: bool = True,
                 initial_gamma: InitializerLike = None, initial_beta: InitializerLike = None,
                 axis: int | Sequence[int] | None = None, initial_avg_mean: InitializerLike = None,
                 initial_avg_var: InitializerLike = None) -> None:
        super().__init__()
        cls = type(self).__name__
        if size is None and axis is None:
            raise RuntimeError(f"{cls}: size or axis is required")
        shape = None if size is None else _ints(cls, "size", size)
        if shape is not None and any(n < 0 for n in shape):
            raise ValueError(f"{cls}: size must not be negative, got {size!r}")
        self.decay = real_arg(cls, "decay", decay)
        self.eps = real_arg(cls, "eps", eps)
        self.axis = None if axis is None else _ints(cls, "axis", axis)
        self._highprec_dtype: numpy.dtype[Any] = get_dtype(dtype, map_mixed16=numpy.float32)
        self._initial_avg_mean = as_initializer(initial_avg_mean, Zero, f"{cls}(initial_avg_mean=...)")
        self._initial_avg_var = as_initializer(initial_avg_var, One, f"{cls}(initial_avg_var=...)")
        self.add_persistent("N", 0)
        with self.init_scope():
            if use_gamma:
                self.gamma = Parameter(with_dtype(as_initializer(initial_gamma, One, f"{cls}(initial_gamma=...)"),
                                                  self._highprec_dtype))
            if use_beta:
                self.beta = Parameter(with_dtype(as_initializer(initial_beta, Zero, f"{cls}(initial_beta=...)"),
                                                 self._highprec_dtype))
        self.add_persistent("avg_mean", None)
        self.add_persistent("avg_var", None)
        if shape is not None:
            self._initialize_params(shape)

    # The running statistics live in the instance dict (where Link's serialization
    # and device moves find persistent values); these properties type them.
    @property
    def avg_mean(self) -> Array:
        """The running (population) mean; ``UninitializedError`` before a lazily
        sized link has seen a batch."""
        return self._statistic("avg_mean")

    @avg_mean.setter
    def avg_mean(self, value: Array) -> None:
        self.__dict__["avg_mean"] = value

    @property
    def avg_var(self) -> Array:
        """The running (population) variance; ``UninitializedError`` before a lazily
        sized link has seen a batch."""
        return self._statistic("avg_var")

    @avg_var.setter
    def avg_var(self, value: Array) -> None:
        self.__dict__["avg_var"] = value

    def _statistic(self, name: str) -> Array:
        value: Array | None = self.__dict__.get(name)
        if value is None:
            raise UninitializedError(
                f"{type(self).__name__}.{name} is not initialized yet: the link was made without a size "
                "and takes its shape from the first batch")
        return value

    def _initialize_params(self, shape: tuple[int, ...]) -> None:
        """Allocate the running statistics and the parameters with ``shape`` on this
        link's device."""
        d = self.__dict__
        dtype = self._highprec_dtype
        d["avg_mean"] = self.device.send(generate_array(self._initial_avg_mean, shape, numpy, dtype=dtype))
        d["avg_var"] = self.device.send(generate_array(self._initial_avg_var, shape, numpy, dtype=dtype))
        for param in (self.gamma, self.beta):
            if param is not None:
                self._initialize_param(param, shape)

    def _affine(self, shape: tuple[int, ...], dtype: DTypeLike) -> tuple[Variable | Array, Variable | Array]:
        """``gamma`` and ``beta``, or ones and zeros of ``shape`` and ``dtype`` on the
        link's device for the ones not learned."""
        gamma: Variable | Array = self.gamma if self.gamma is not None else self.device.send(
            numpy.ones(shape, dtype=dtype))
        beta: Variable | Array = self.beta if self.beta is not None else self.device.send(
            numpy.zeros(shape, dtype=dtype))
        return gamma, beta

    def forward(self, x: Variable | Array, finetune: bool = False) -> Variable:
        """Normalize ``x``: by the batch's statistics while ``config.train`` (updating
        the running ones; with ``finetune``, as a cumulative average), else by the
        running statistics."""
        d = self.__dict__
        if d["avg_mean"] is None:
            ndim = len(x.shape)
            axes = {a % ndim for a in self.axis or ()}
            self._initialize_params(tuple(int(n) for i, n in enumerate(x.shape) if i not in axes))
        mean: Array = d["avg_mean"]
        var: Array = d["avg_var"]
        gamma, beta = self._affine(tuple(mean.shape), self._highprec_dtype)
        if config.train:
            if finetune:
                self.N += 1
                decay = 1.0 - 1.0 / self.N
            else:
                decay = self.decay
            if config.in_recomputing:  # a recomputed forward must not count twice
                if finetune:
                    self.N -= 1
                return batch_normalization(x, gamma, beta, eps=self.eps, axis=self.axis)
            return batch_normalization(x, gamma, beta, eps=self.eps, running_mean=mean, running_var=var,
                                       decay=decay, axis=self.axis)
        return fixed_batch_normalization(x, gamma, beta, mean, var, self.eps, axis=self.axis)

    def start_finetuning(self) -> None:
        """Reset the batch count ``N``: the next fine-tuning batches average afresh
        (only needed before fine-tuning a second time)."""
        self.N = 0

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Chainer's keys (``gamma``, ``beta``, ``avg_mean``, ``avg_var``, ``N``); a
        lazily sized link loading statistics puts them on its device."""
        super().serialize(serializer)
        d = self.__dict__
        for name in ("avg_mean", "avg_var"):
            value = d[name]
            if value is not None:
                d[name] = self.device.send(value)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        mean = self.__dict__["avg_mean"]
        yield "size", None if mean is None else (mean.shape[0] if mean.ndim else ())
        yield "decay", self.decay
        yield "eps", self.eps
        yield "dtype", self._highprec_dtype
        yield "use_gamma", self.gamma is not None
        yield "use_beta", self.beta is not None
