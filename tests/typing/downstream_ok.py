"""A downstream program that ``mypy --strict`` must accept (checked by the main mypy run)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

import fchain
import fchain.functions as F
from fchain import Variable


def loss_of(x: Variable) -> Variable:
    y = F.relu(x) * 2.0 + F.exp(x) - 1.0
    return F.sum(y ** 2)


def main() -> float:
    x = Variable(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3))
    loss = loss_of(x)
    loss.backward()
    grad: npt.NDArray[np.float32] | None = x.grad
    if grad is None:
        raise RuntimeError("no gradient")
    with fchain.no_backprop_mode():
        y = x * x
    assert y.creator is None
    data: npt.NDArray[np.generic] = (x.T @ x).array
    return float(grad.sum()) + float(data.sum())


if __name__ == "__main__":
    print(main())
