"""Where downloaded data sets are cached (Chainer's ``chainer.dataset.download``).

The root is ``$FCHAIN_DATASET_ROOT``, else ``~/.fchain/dataset``; ``set_dataset_root``
changes it for the process.  Loaders keep Chainer's layout below the root
(``pfnet/chainer/mnist/train.npz``, ``pfnet/chainer/cifar/cifar-10.npz``, ...), so
pointing ``FCHAIN_DATASET_ROOT`` at an existing Chainer dataset root reuses its
caches.
"""

from __future__ import annotations

import os

__all__ = ["get_dataset_directory", "get_dataset_root", "set_dataset_root"]

_root: str | None = None


def get_dataset_root() -> str:
    """The folder under which data sets are cached."""
    if _root is not None:
        return _root
    env = os.environ.get("FCHAIN_DATASET_ROOT")
    if env:
        return env
    return os.path.join(os.path.expanduser("~"), ".fchain", "dataset")


def set_dataset_root(path: str | os.PathLike[str] | None) -> None:
    """Use ``path`` as the dataset root from now on (``None``: back to the default)."""
    global _root
    _root = None if path is None else os.fspath(path)


def get_dataset_directory(dataset_name: str, create_directory: bool = True) -> str:
    """``<root>/<dataset_name>``, created (with its parents) unless told not to."""
    if os.path.isabs(dataset_name) or ".." in dataset_name.replace("\\", "/").split("/"):
        raise ValueError(
            f"get_dataset_directory: dataset_name must be a relative path inside the "
            f"dataset root, got {dataset_name!r}"
        )
    path = os.path.join(get_dataset_root(), dataset_name)
    if create_directory:
        os.makedirs(path, exist_ok=True)
    return path
