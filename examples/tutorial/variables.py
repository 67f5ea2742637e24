"""The seed tutorial's "Forward/Backward Computation" section, with chainer -> fchain."""

from __future__ import annotations

import numpy as np

from fchain import Variable


def main() -> None:
    x_data = np.array([5], dtype=np.float32)
    x = Variable(x_data)
    y = x**2 - 2 * x + 1
    print("y.data =", repr(y.data))
    y.backward()
    print("x.grad =", repr(x.grad))

    z = 2 * x
    y = x**2 - z + 1
    y.backward(retain_grad=True)
    print("z.grad =", repr(z.grad))

    z = 2 * x
    y = x**2 - z + 1
    y.backward()
    print("z.grad is None:", z.grad is None)

    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = x**2 - 2 * x + 1
    y.grad = np.ones((2, 3), dtype=np.float32)
    y.backward()
    print("x.grad =", repr(x.grad))


if __name__ == "__main__":
    main()
