"""What the MPI jobs and the tests that check them share: the tutorial MLP, the data,
and how each rank's results are written (``.npz`` files in a folder the test gives)."""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

import fchain
from fchain.types import Array

from tests.tutorial_mlp import MLP

__all__ = ["MLP", "load", "make_data", "params_of", "save"]

F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]


def make_data(n: int, seed: int = 0, n_in: int = 784) -> tuple[F32, I32]:
    """Random inputs in [0, 1) and labels 0..9 (MNIST's dtypes)."""
    rng = np.random.default_rng(seed)
    return rng.random((n, n_in), dtype=np.float32), rng.integers(0, 10, size=n).astype(np.int32)


def params_of(link: fchain.Link) -> dict[str, Array]:
    """Every parameter's array by path."""
    return {path: np.array(p.array) for path, p in link.namedparams() if p.array is not None}


def grads_of(link: fchain.Link) -> dict[str, Array]:
    """Every gradient by path."""
    return {path: np.array(p.grad) for path, p in link.namedparams() if p.grad is not None}


def save(folder: str, name: str, arrays: Mapping[str, Array]) -> None:
    """Write ``arrays`` as ``<folder>/<name>.npz`` (``/`` in keys kept)."""
    from fchain.serializers import save_npz

    save_npz(os.path.join(folder, name + ".npz"), {k.replace("/", "|"): v for k, v in arrays.items()},
             compression=False)


def load(folder: str, name: str) -> dict[str, Array]:
    with np.load(os.path.join(folder, name + ".npz")) as f:
        return {k.replace("|", "/"): f[k] for k in f.files if not k.startswith("__")}
