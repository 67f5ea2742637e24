"""``BatchRenormalization``: batch renormalization (Ioffe, 2017), a
``BatchNormalization`` whose training mode runs ``F.batch_renormalization``.

In training the batch statistics are corrected toward the running ones by ``r``
(clipped to ``[1 / rmax, rmax]``) and ``d`` (clipped to ``[-dmax, dmax]``), and the
running statistics are updated as in batch normalization (``finetune`` makes the
update a cumulative average, as there).  At test time it is
``F.fixed_batch_normalization`` with the running statistics.  Parameters and
persistent values are ``BatchNormalization``'s (Chainer's keys).  The
statistics are taken over axis 0 and the axes after ``size``'s (no ``axis``
argument, as in Chainer).

Differences from Chainer 7: ``initial_avg_mean`` and ``initial_avg_var`` initialize
the running mean and variance (Chainer passes them one position off to its parent,
so the first becomes ``axis`` and the second the mean's initializer).  ``gamma``
and ``beta`` are used as given when learned; when ``use_gamma``/``use_beta`` is
off, ones and zeros of x's dtype stand in, as in Chainer.
"""

from __future__ import annotations

from collections.abc import Sequence

from fchain.graph.config import config
from fchain.graph.variable import Variable
from fchain.initializers._base import InitializerLike
from fchain.links.normalization.batch_normalization import BatchNormalization
from fchain.ops._common import real_arg
from fchain.ops.normalization.batch_renormalization import batch_renormalization
from fchain.ops.normalization.fixed_batch_normalization import fixed_batch_normalization
from fchain.types import Array, DTypeLike

__all__ = ["BatchRenormalization"]


class BatchRenormalization(BatchNormalization):
    """Batch renormalization with running statistics.

    Args:
        size: the shape of the normalized-per-entry axes (an int for the channels).
        rmax: bound of the variance correction ``r`` (``1 / rmax <= r <= rmax``).
        dmax: bound of the mean correction ``d`` (``|d| <= dmax``).
        decay, eps, dtype, use_gamma, use_beta, initial_gamma, initial_beta,
        initial_avg_mean, initial_avg_var: as ``BatchNormalization``'s.
    """

    N: int

    rmax: float
    dmax: float
    r: Array | None
    d: Array | None

    def __init__(self, size: int | Sequence[int], rmax: float = 1, dmax: float = 0, decay: float = 0.9,
                 eps: float = 2e-5, dtype: DTypeLike | None = None, use_gamma: bool = True, use_beta: bool = True,
                 initial_gamma: InitializerLike = None, initial_beta: InitializerLike = None,
                 initial_avg_mean: InitializerLike = None, initial_avg_var: InitializerLike = None) -> None:
        if size is None:
            raise TypeError("BatchRenormalization: size is required")
        super().__init__(size, decay, eps, dtype, use_gamma, use_beta, initial_gamma, initial_beta,
                         initial_avg_mean=initial_avg_mean, initial_avg_var=initial_avg_var)
        self.rmax = real_arg("BatchRenormalization", "rmax", rmax)
        self.dmax = real_arg("BatchRenormalization", "dmax", dmax)
        self.r = None  # Chainer's attributes, never set by it either
        self.d = None

    def forward(self, x: Variable | Array, finetune: bool = False) -> Variable:
        """Renormalize ``x`` by the batch's statistics while ``config.train``
        (updating the running ones), else normalize by the running statistics."""
        mean, var = self.avg_mean, self.avg_var
        gamma, beta = self._affine(tuple(mean.shape), x.dtype)
        if config.train:
            if finetune:
                self.N += 1
                decay = 1.0 - 1.0 / self.N
            else:
                decay = self.decay
            update = True
            if config.in_recomputing:  # a recomputed forward must not count twice
                if finetune:
                    self.N -= 1
                update = False
            return batch_renormalization(x, gamma, beta, self.rmax, self.dmax, self.eps, mean, var, decay,
                                         update_statistics=update)
        return fixed_batch_normalization(x, gamma, beta, mean, var, self.eps)
