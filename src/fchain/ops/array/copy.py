"""copy(x, dst): x copied onto device ``dst`` (``-1``/``'@numpy'``, ``N``/``'@cupy:N'``, a Device).

The result is always a new array, also when ``x`` already lives on ``dst``.
VJP: ``gy`` sent back to the device ``x`` came from.  Residuals: none (the source
and destination devices are parameters).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast as typing_cast

from fchain.core import backend
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.device import Device, get_device, get_device_from_array
from fchain.graph.variable import Variable
from fchain.ops._common import ARRAY_KINDS, Forwarded, Grads, Inputs, VariableLike
from fchain.types import Array, ArrayNamespace

__all__ = ["COPY", "CopyParams", "copy"]


@dataclass(frozen=True, slots=True)
class CopyParams:
    src: Device
    dst: Device


def _send(array: Array, src: Device, dst: Device) -> Array:
    moved = dst.send(array)
    # ``send`` hands an array that is already there back as it is; a copy is a copy.
    return moved.copy() if moved is array else moved


def _forward(xp: ArrayNamespace, inputs: Inputs, p: CopyParams) -> Forwarded:
    return (_send(inputs[0], p.src, p.dst),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: CopyParams) -> Grads:
    return (p.src.send(grads[0]),)


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: CopyParams) -> Grads:
    """Second order: moving devices is no namespace function, so the recorded rule
    is the copy op itself, back to the source device."""
    return (typing_cast(Array, copy(typing_cast(Variable, grads[0]), p.src)),)


def _sample(draw: Draw) -> Case:
    spelling = draw.choice(["device", "name", "legacy"])
    via_other = draw.boolean()

    def call(x: Variable) -> Variable:
        here = x.device
        on_gpu = backend.is_cupy_array(x.array)
        home: object = {"device": here, "name": here.name,
                        "legacy": 0 if on_gpu else -1}[spelling]
        if via_other:  # a round trip through the other device, where there is one
            other = "@numpy" if on_gpu else ("@cupy:0" if backend.gpu_available() else "@numpy")
            return copy(copy(x, other), home)
        return copy(x, home)

    return Case((draw.floats(draw.shape()),), call)


COPY: OpDef[CopyParams] = register(OpDef(
    "copy", _forward, _vjp, GradSpec(_sample), float_inputs=(), second_order_vjp=_vjp_recorded))


def copy(x: VariableLike, dst: object) -> Variable:
    """A copy of ``x`` on device ``dst``; the gradient flows back to x's device.

    ``dst`` is a device specifier as Chainer takes it: ``-1`` or ``'@numpy'`` for the
    CPU, ``N`` or ``'@cupy:N'`` for GPU ``N``, or a ``Device``.
    """
    data = x.array if isinstance(x, Variable) else x
    if not hasattr(data, "shape"):
        raise TypeError(f"copy: x must be {ARRAY_KINDS}, got {type(x).__name__}")
    try:
        target = get_device(dst)
    except ValueError as error:
        raise ValueError(f"copy: dst {dst!r} is not a device specifier ({error})") from None
    return apply(COPY, (x,), CopyParams(get_device_from_array(data), target))
