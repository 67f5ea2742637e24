"""Higher-order gradients as a user types them: ``fchain.grad`` with
``enable_double_backprop``, a gradient penalty on a link's input, ``backward`` on
a gradient, and ``grad_var``.

Checked by ``mypy --strict`` and ``pyright --strict``; run by
``test_downstream_programs.py``.
"""

from __future__ import annotations

import numpy as np

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Variable


def main() -> tuple[float, float]:
    x = Variable(np.linspace(0.0, 1.0, 6, dtype=np.float32).reshape(2, 3))
    y = F.sum(x ** 3)
    (gx,) = fchain.grad([y], [x], enable_double_backprop=True)
    assert gx is not None
    z = F.sum(gx * gx)
    z.backward()
    second = x.grad
    assert second is not None

    critic = L.Linear(3, 1)
    sample = Variable(np.ones((4, 3), dtype=np.float32))
    score = F.sum(critic(sample))
    (g,) = fchain.grad([score], [sample], enable_double_backprop=True)
    assert g is not None
    penalty = F.mean((F.sqrt(F.sum(g * g, axis=1)) - 1.0) ** 2)
    critic.cleargrads()
    penalty.backward()
    W_grad = critic.W.grad_var
    assert W_grad is not None
    return float(second.sum()), float(W_grad.array.sum())


if __name__ == "__main__":
    print(main())
