"""What a saved file holds, read without loading its data: the golden-file tests
compare fchain's files with Chainer's key by key, dtype by dtype, shape by shape."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy
import pytest
from numpy.lib import format as npy_format

__all__ = ["h5_dataset_specs", "npz_member_specs", "without_fchain_keys"]


def npz_member_specs(path: Path) -> dict[str, tuple[numpy.dtype[Any], tuple[int, ...]]]:
    """Key -> (dtype, shape) of every npz member, from the .npy headers alone (so a
    pickled ``None`` member is described, never loaded)."""
    out: dict[str, tuple[numpy.dtype[Any], tuple[int, ...]]] = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            with zf.open(name) as fp:
                version = npy_format.read_magic(fp)
                read = npy_format.read_array_header_1_0 if version == (1, 0) else npy_format.read_array_header_2_0
                shape, _, dtype = read(fp)
            out[name.removesuffix(".npy")] = (numpy.dtype(dtype), tuple(shape))
    return out


def without_fchain_keys(specs: dict[str, Any]) -> dict[str, Any]:
    """``specs`` without fchain's own metadata keys (``__fchain_version__``), which
    Chainer's files do not have."""
    return {key: value for key, value in specs.items()
            if not any(part.startswith("__fchain") for part in key.split("/"))}


def h5_dataset_specs(path: Path) -> dict[str, tuple[Any, ...]]:
    """Name -> (dtype, shape, compression, compression options) of every HDF5 dataset
    (skips the test where h5py is not installed)."""
    h5py = pytest.importorskip("h5py")
    out: dict[str, tuple[Any, ...]] = {}
    with h5py.File(path, "r") as f:
        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Dataset):
                out[name] = (obj.dtype, obj.shape, obj.compression, obj.compression_opts)
        f.visititems(visit)
    return out
