"""A downstream CNN block in Chainer 7's idiom with the normalization functions,
which ``mypy --strict`` must accept (checked by the main mypy run) and which runs
(``test_downstream_programs.py``): batch normalization with running statistics kept
as plain arrays, as ``L.BatchNormalization`` keeps them, in training and at test
time, then the other normalizations."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

import fchain
import fchain.functions as F
from fchain import Parameter, Variable


class BatchNormState:
    """What a batch normalization layer holds: parameters and running statistics."""

    def __init__(self, channels: int) -> None:
        self.gamma = Parameter(np.ones(channels, dtype=np.float32))
        self.beta = Parameter(np.zeros(channels, dtype=np.float32))
        self.avg_mean: npt.NDArray[np.float32] = np.zeros(channels, dtype=np.float32)
        self.avg_var: npt.NDArray[np.float32] = np.ones(channels, dtype=np.float32)

    def __call__(self, x: Variable) -> Variable:
        if fchain.config.train:
            return F.batch_normalization(x, self.gamma, self.beta, eps=2e-5, running_mean=self.avg_mean,
                                         running_var=self.avg_var, decay=0.9)
        return F.fixed_batch_normalization(x, self.gamma, self.beta, self.avg_mean, self.avg_var)


def main() -> float:
    rng = np.random.default_rng(0)
    x = Variable(rng.standard_normal((4, 3, 5, 5)).astype(np.float32))
    bn = BatchNormState(3)
    h = F.relu(bn(x))
    F.sum(h).backward()
    with fchain.using_config("train", False):
        test_time = bn(x)
    y = F.local_response_normalization(h, n=3) + F.group_normalization(h, 3, bn.gamma, bn.beta)
    z = F.layer_normalization(F.reshape(y, (4, 75)), np.ones(75, np.float32), np.zeros(75, np.float32))
    w = F.normalize(z, axis=1) + F.batch_renormalization(
        z, np.ones(75, np.float32), np.zeros(75, np.float32), 3.0, 1.0,
        running_mean=np.zeros(75, np.float32), running_var=np.ones(75, np.float32))
    grad = bn.gamma.grad
    assert grad is not None
    return float(bn.avg_mean.sum()) + float(test_time.array.sum()) + float(F.sum(w).array) + float(grad.sum())


if __name__ == "__main__":
    print(main())
