"""The seed tutorial's "前向/反向计算" section, literally (chainer -> fchain)."""

from __future__ import annotations

import numpy as np

from fchain import Variable


def test_tutorial_forward_backward_section() -> None:
    x_data = np.array([5], dtype=np.float32)
    x = Variable(x_data)
    y = x**2 - 2 * x + 1
    np.testing.assert_array_equal(y.data, np.array([16.0], dtype=np.float32))
    assert y.data.dtype == np.float32
    y.backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad, np.array([8.0], dtype=np.float32))

    z = 2 * x
    y = x**2 - z + 1
    y.backward(retain_grad=True)
    assert z.grad is not None
    np.testing.assert_array_equal(z.grad, np.array([-1.0], dtype=np.float32))

    z = 2 * x
    y = x**2 - z + 1
    y.backward()
    assert z.grad is None

    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = x**2 - 2 * x + 1
    y.grad = np.ones((2, 3), dtype=np.float32)
    y.backward()
    assert x.grad is not None
    np.testing.assert_array_equal(
        x.grad, np.array([[0.0, 2.0, 4.0], [6.0, 8.0, 10.0]], dtype=np.float32))
    assert x.grad.dtype == np.float32
