"""HDF5: Chainer's group layout, gzip 4 on datasets with more than one element,
``Empty`` for ``None``, strings, strict loads, bad files, atomic saves, and a clear
error without h5py."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import numpy
import pytest

h5py = pytest.importorskip("h5py", reason="h5py is not installed (optional extra fchain[hdf5])")

from fchain import serializers
from fchain.errors import SerializationError, SerializationWarning
from fchain.serializers import hdf5 as hdf5_module
from fchain.serializers._common import FORMAT_VERSION, LoadError, MissingKeyError
from tests.serializers.objects import Optim, Rule, Tree, classifier_mlp, linear, same_snapshot


def _zeroed(tree: Tree) -> Tree:
    out = Tree({k: None if v is None else numpy.zeros_like(v) for k, v in tree.params.items()},
               {k: type(v)() for k, v in tree.persistents.items()},
               {k: _zeroed(c) for k, c in tree.children.items()})
    return out


def test_classifier_layout(tmp_path: Path) -> None:
    model = classifier_mlp(seed=0)
    model.persistents["counter"] = 7
    model.children["predictor"].params["lazy"] = None
    path = tmp_path / "m.h5"
    serializers.save_hdf5(path, model)
    datasets: dict[str, Any] = {}
    groups: list[str] = []
    with h5py.File(path, "r") as f:
        def visit(name: str, obj: object) -> None:
            if isinstance(obj, h5py.Dataset):
                datasets[name] = (obj.shape, obj.dtype, obj.compression, obj.compression_opts)
            else:
                groups.append(name)
        f.visititems(visit)
        assert int(f.attrs["__fchain_version__"]) == FORMAT_VERSION
        numpy.testing.assert_array_equal(f["predictor/l2/W"][()], model.children["predictor"].children["l2"].params["W"])
    assert sorted(groups) == ["predictor", "predictor/l1", "predictor/l2", "predictor/l3"]
    f32 = numpy.dtype(numpy.float32)
    assert datasets == {
        "counter": ((), numpy.dtype(numpy.int64), None, None),
        "predictor/lazy": (None, f32, None, None),  # h5py.Empty('f')
        "predictor/l1/W": ((5, 4), f32, "gzip", 4), "predictor/l1/b": ((5,), f32, "gzip", 4),
        "predictor/l2/W": ((5, 5), f32, "gzip", 4), "predictor/l2/b": ((5,), f32, "gzip", 4),
        "predictor/l3/W": ((3, 5), f32, "gzip", 4), "predictor/l3/b": ((3,), f32, "gzip", 4),
    }


def test_compression_level_and_size_one_arrays(tmp_path: Path) -> None:
    path = tmp_path / "c.h5"
    serializers.save_hdf5(path, Tree({"one": numpy.ones(1), "many": numpy.ones(10)}), compression=9)
    with h5py.File(path, "r") as f:
        assert (f["one"].compression, f["many"].compression, f["many"].compression_opts) == (None, "gzip", 9)
    serializers.save_hdf5(path, Tree({"many": numpy.ones(10)}), compression=None)
    with h5py.File(path, "r") as f:
        assert f["many"].compression is None


def test_optimizer_state_round_trip(tmp_path: Path) -> None:
    saved = Optim({"predictor/l1/W": Rule(t=5, state={"m": numpy.arange(3.0), "v": numpy.ones(3)})}, t=5, epoch=2)
    path = tmp_path / "opt.h5"
    serializers.save_hdf5(path, saved)
    fresh = Optim({"predictor/l1/W": Rule()})
    serializers.load_hdf5(path, fresh)
    state = fresh.rules["predictor/l1/W"].state
    assert (fresh.t, fresh.epoch, fresh.rules["predictor/l1/W"].t) == (5, 2, 5)
    assert state is not None
    numpy.testing.assert_array_equal(state["m"], [0.0, 1.0, 2.0])


def test_strings_round_trip(tmp_path: Path) -> None:
    """Chainer cannot store a str in HDF5 at all; fchain keeps it as UTF-8 text."""
    path = tmp_path / "s.h5"
    serializers.save_hdf5(path, Tree(persistents={"_log": '[{"loss": 0.5, "名": "é"}]'}))
    target = Tree(persistents={"_log": ""})
    serializers.load_hdf5(path, target)
    assert target.persistents["_log"] == '[{"loss": 0.5, "名": "é"}]'


def test_file_written_like_chainer_loads(tmp_path: Path) -> None:
    """No version attribute, Empty for a lazy W: what Chainer's save_hdf5 writes."""
    path = tmp_path / "chainer.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("W", data=h5py.Empty("f"))
        f.create_dataset("b", data=numpy.arange(3, dtype=numpy.float32), compression=4)
    target = Tree({"W": None, "b": numpy.zeros(3, numpy.float32)})
    serializers.load_hdf5(path, target)
    assert target.params["W"] is None
    numpy.testing.assert_array_equal(target.params["b"], [0.0, 1.0, 2.0])


def test_strict_problems_reported_together_and_nothing_changed(tmp_path: Path) -> None:
    path = tmp_path / "m.h5"
    saved = classifier_mlp(seed=1)
    saved.persistents["extra"] = 1
    serializers.save_hdf5(path, saved)
    target = classifier_mlp(seed=2, n_in=3)
    target.persistents["absent"] = 0
    before = target.snapshot()
    with pytest.raises(MissingKeyError) as info:
        serializers.load_hdf5(path, target)
    assert set(info.value.problems) == {  # an extra key is no problem by default, as in Chainer
        "missing key 'absent'",
        "'predictor/l1/W': shape (5, 4) in the file, (5, 3) in the target",
    }
    with pytest.raises(MissingKeyError) as info:
        serializers.load_hdf5(path, target, unexpected_keys="error")
    assert set(info.value.problems) == {
        "missing key 'absent'",
        "'predictor/l1/W': shape (5, 4) in the file, (5, 3) in the target",
        "unexpected key 'extra' (the target never asked for it; unexpected_keys='error')",
    }
    assert same_snapshot(target.snapshot(), before)
    with pytest.warns(SerializationWarning, match="ignored 1 key .*: 'extra'"):
        serializers.load_hdf5(path, target, strict=False, ignore_names="predictor/l1/W")
    numpy.testing.assert_array_equal(target.children["predictor"].children["l2"].params["W"],
                                     saved.children["predictor"].children["l2"].params["W"])


def test_deserializer_on_a_subgroup_non_strict(tmp_path: Path) -> None:
    """Chainer's recipe for prefixes: HDF5Deserializer(h5file['prefix'], strict=False)."""
    path = tmp_path / "snap.h5"
    serializers.save_hdf5(path, Tree(children={"updater": Tree(children={"model:main": linear(2, 2, seed=3)})}))
    target = Tree({"W": numpy.zeros((2, 2), numpy.float32), "b": numpy.zeros(2, numpy.float32),
                   "gone": numpy.full(1, 4.0)})
    with h5py.File(path, "r") as f:
        serializers.HDF5Deserializer(f["updater/model:main"], strict=False).load(target)
    numpy.testing.assert_array_equal(target.params["W"], linear(2, 2, seed=3).params["W"])
    numpy.testing.assert_array_equal(target.params["gone"], [4.0])
    other = _zeroed(linear(2, 2, seed=0))
    serializers.load_hdf5(path, other, path="updater/model:main")
    numpy.testing.assert_array_equal(other.params["b"], linear(2, 2, seed=3).params["b"])


def test_hdf5_serializer_directly(tmp_path: Path) -> None:
    path = tmp_path / "direct.h5"
    with h5py.File(path, "w") as f:
        s = serializers.HDF5Serializer(f)
        s["/a/"]["b"]("x", numpy.ones(4))
        assert s("/y", 2) == 2
    with h5py.File(path, "r") as f:
        assert sorted(f.keys()) == ["a", "y"]
        numpy.testing.assert_array_equal(f["a/b/x"][()], numpy.ones(4))


def test_not_an_hdf5_file(tmp_path: Path) -> None:
    path = tmp_path / "junk.h5"
    path.write_bytes(b"\x00garbage" * 100)
    with pytest.raises(SerializationError, match="not a readable HDF5 file"):
        serializers.load_hdf5(path, Tree())


def test_truncated_hdf5_file(tmp_path: Path) -> None:
    path = tmp_path / "t.h5"
    serializers.save_hdf5(path, classifier_mlp(seed=1))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    model = _zeroed(classifier_mlp(seed=1))
    before = model.snapshot()
    with pytest.raises(SerializationError, match="truncated"):
        serializers.load_hdf5(path, model)
    assert same_snapshot(model.snapshot(), before)


def test_newer_format_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.h5"
    with h5py.File(path, "w") as f:
        f.attrs["__fchain_version__"] = FORMAT_VERSION + 1
    with pytest.raises(SerializationError, match="upgrade fchain"):
        serializers.load_hdf5(path, Tree())


def test_wrong_scalar_type_is_a_load_error(tmp_path: Path) -> None:
    path = tmp_path / "x.h5"
    serializers.save_hdf5(path, Tree(persistents={"n": 1.5}))
    with pytest.raises(LoadError, match="cannot be cast safely"):
        serializers.load_hdf5(path, Tree(persistents={"n": 0}))


def test_crash_mid_save_keeps_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.h5"
    serializers.save_hdf5(path, classifier_mlp(seed=1))
    previous = path.read_bytes()
    real = hdf5_module.HDF5Serializer.__call__
    calls: list[str] = []

    def crashing(self: hdf5_module.HDF5Serializer, key: str, value: Any) -> Any:
        calls.append(key)
        if len(calls) == 4:
            raise OSError("disk full (simulated)")
        return real(self, key, value)

    monkeypatch.setattr(hdf5_module.HDF5Serializer, "__call__", crashing)
    with pytest.raises(OSError, match="simulated"):
        serializers.save_hdf5(path, classifier_mlp(seed=2))
    assert path.read_bytes() == previous
    assert os.listdir(tmp_path) == ["m.h5"]


def test_clear_error_without_h5py(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match=r"save_hdf5 needs h5py.*pip install h5py"):
        serializers.save_hdf5(tmp_path / "x.h5", Tree())
    with pytest.raises(ImportError, match="load_hdf5 needs h5py"):
        serializers.load_hdf5(tmp_path / "x.h5", Tree())
    assert os.listdir(tmp_path) == []


# --------------------------------------------------------------------- error texts


def _damage_dataset(path: Path, key: str) -> None:
    with h5py.File(path, "r") as f:
        ds = f[key]
        assert ds.chunks is not None  # gzip-compressed, one chunk
        offset = ds.id.get_chunk_info(0).byte_offset
        size = ds.id.get_storage_size()
    data = bytearray(path.read_bytes())
    for i in range(offset + 4, offset + size - 4):
        data[i] = 0x55
    path.write_bytes(bytes(data))


def test_unreadable_dataset_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "damaged.h5"
    serializers.save_hdf5(path, classifier_mlp(seed=1, n_in=40))
    _damage_dataset(path, "predictor/l1/W")
    model = _zeroed(classifier_mlp(seed=1, n_in=40))
    before = model.snapshot()
    with pytest.raises(LoadError) as info:
        serializers.load_hdf5(path, model)
    (problem,) = info.value.problems
    assert problem.startswith(f"load_hdf5({str(path)!r}): 'predictor/l1/W' is unreadable")
    assert "HDF5Deserializer('/')" not in str(info.value)
    assert same_snapshot(model.snapshot(), before)


def test_hdf5_deserializer_names_the_file_and_the_group(tmp_path: Path) -> None:
    path = tmp_path / "grouped.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("top/extra", data=numpy.zeros(2, numpy.float32))
        f.create_dataset("top/W", data=numpy.zeros(3, numpy.float32))
    with h5py.File(path, "r") as f:
        with pytest.raises(LoadError) as info:  # W: (3,) in the file, (4,) in the target
            serializers.HDF5Deserializer(f["top"], strict=False).load(Tree({"W": numpy.ones(4, numpy.float32)}))
        assert str(info.value).startswith(
            f"HDF5Deserializer({str(path)!r}, group '/top'): cannot load into Tree")
        with pytest.raises(LoadError) as info:
            serializers.HDF5Deserializer(f, unexpected_keys="error").load(
                Tree(children={"top": Tree({"W": numpy.ones(3, numpy.float32)})}))
        assert str(info.value).startswith(f"HDF5Deserializer({str(path)!r}): cannot load into Tree")
        assert "unexpected key 'top/extra'" in str(info.value)
        with pytest.warns(SerializationWarning, match=r"HDF5Deserializer\('.*'\): loaded Tree but ignored 1 key"):
            serializers.HDF5Deserializer(f).load(Tree(children={"top": Tree({"W": numpy.ones(3, numpy.float32)})}))
