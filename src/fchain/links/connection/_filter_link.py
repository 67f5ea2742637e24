"""``FilterLink``: what the convolution links with one filter ``W`` and an optional
bias ``b`` of ``out_channels`` share (Convolution1D/2D/3D/ND, Deconvolution1D/2D/3D/ND,
DilatedConvolution2D).

The filter's shape depends on the input channels, which may be left to the first
batch (``in_channels=None``): the subclass says how the shape follows from them
(``_filter_shape``), this base registers the parameters with Chainer's defaults
(``W`` from ``LeCunNormal()``, ``b`` zero), and sizes ``W`` on the first call, on
the device the link lives on.
"""

from __future__ import annotations

from fchain.facade.link import Link
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.initializers import LeCunNormal, Zero
from fchain.initializers._base import InitializerLike
from fchain.initializers._resolve import as_initializer
from fchain.links.connection._conv_args import input_channels
from fchain.types import Array

__all__ = ["FilterLink"]


class FilterLink(Link):
    """Base of the links holding a filter ``W`` and (unless ``nobias``) a bias ``b``."""

    W: Parameter
    b: Parameter | None
    in_channels: int | None
    out_channels: int

    def _register(self, in_channels: int | None, out_channels: int, nobias: bool,
                  initialW: InitializerLike, initial_bias: InitializerLike) -> None:
        """Register ``W`` (initialized now when ``in_channels`` is known) and ``b``,
        in Chainer's order (``W`` draws first)."""
        cls = type(self).__name__
        self.in_channels = in_channels
        self.out_channels = out_channels
        with self.init_scope():
            self.W = Parameter(as_initializer(initialW, LeCunNormal, f"{cls}(initialW=...)"))
            if in_channels is not None:
                self._initialize_params(in_channels)
            if nobias:
                self.b = None
            else:
                self.b = Parameter(as_initializer(initial_bias, Zero, f"{cls}(initial_bias=...)"), out_channels)

    def _filter_shape(self, in_channels: int) -> tuple[int, ...]:
        """The shape of ``W`` for ``in_channels`` input channels."""
        raise NotImplementedError

    def _initialize_params(self, in_channels: int) -> None:
        """Allocate ``W`` for ``in_channels`` input channels on this link's device."""
        self._initialize_param(self.W, self._filter_shape(in_channels))

    def _sized_filter(self, x: Variable | Array, ndim: int | None) -> Parameter:
        """``W``, sized from ``x``'s channels first if it is still lazy."""
        W = self.W
        if W._data is None:
            self._initialize_params(input_channels(type(self).__name__, x, ndim))
        return W
