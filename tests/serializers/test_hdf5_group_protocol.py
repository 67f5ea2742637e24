"""``HDF5Group``: h5py's File and Group satisfy the protocol the HDF5 serializers
take (statically: mypy checks the assignments below against the local h5py stubs),
and a serializer built on a group typed by it writes Chainer's layout."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from fchain.serializers import HDF5Deserializer, HDF5Group, HDF5Serializer

h5py = pytest.importorskip("h5py", reason="h5py is not installed (it is in the test extra)")


def test_file_and_group_are_hdf5_groups(tmp_path: pathlib.Path) -> None:
    with h5py.File(str(tmp_path / "a.h5"), "w") as f:
        root: HDF5Group = f
        sub: HDF5Group = f.require_group("sub")
        HDF5Serializer(root)["x"]("w", np.arange(3, dtype=np.float32))
        HDF5Serializer(sub)("n", 5)
    with h5py.File(str(tmp_path / "a.h5"), "r") as f:
        np.testing.assert_array_equal(f["x/w"][()], [0.0, 1.0, 2.0])
        assert int(f["sub/n"][()]) == 5
        loaded = HDF5Deserializer(f)["x"]("w", np.zeros(3, np.float32))
        np.testing.assert_array_equal(loaded, [0.0, 1.0, 2.0])
