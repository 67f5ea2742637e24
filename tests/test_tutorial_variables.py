"""The seed tutorial's "前向/反向计算" section, literally (chainer -> fchain)."""

from __future__ import annotations

import numpy as np

from fchain import Variable


def printed(value: object) -> str:
    """What the tutorial's notebook shows for ``value``, without the spacing that
    changed between numpy 1 (``array([ 16.], ...)``) and numpy 2."""
    return "".join(repr(value).split())


def test_tutorial_forward_backward_section() -> None:
    x_data = np.array([5], dtype=np.float32)
    x = Variable(x_data)
    y = x**2 - 2 * x + 1
    assert printed(y.data) == "array([16.],dtype=float32)"  # the notebook's `array([ 16.], dtype=float32)`
    assert y.data.dtype == np.float32
    y.backward()
    assert x.grad is not None
    assert printed(x.grad) == "array([8.],dtype=float32)"

    z = 2 * x
    y = x**2 - z + 1
    y.backward(retain_grad=True)
    assert z.grad is not None
    assert printed(z.grad) == "array([-1.],dtype=float32)"

    z = 2 * x
    y = x**2 - z + 1
    y.backward()
    assert z.grad is None

    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = x**2 - 2 * x + 1
    y.grad = np.ones((2, 3), dtype=np.float32)
    y.backward()
    assert x.grad is not None
    assert printed(x.grad) == "array([[0.,2.,4.],[6.,8.,10.]],dtype=float32)"
    assert x.grad.dtype == np.float32
