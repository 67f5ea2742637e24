"""npz: Chainer's key layout byte by byte, ``path=``, ``ignore_names=``, strictness,
bad files (corrupt, truncated, mis-shaped, pickle-carrying) rejected with the target
unchanged, the format version key, ``None`` members both ways, and atomic saves."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy
import pytest

from fchain import serializers
from fchain.errors import SerializationError, SerializationWarning
from fchain.serializers import npz as npz_module
from fchain.serializers._common import FORMAT_VERSION, LoadError, MissingKeyError
from tests.serializers.objects import Optim, Rule, Tree, classifier_mlp, linear, same_snapshot

# Chainer's keys for Classifier(MLP(5, 3)) on 4 inputs, written out by hand from the
# format notes: '/'-joined paths, no leading slash, one '<key>.npy' member each.
CLASSIFIER_KEYS = {
    "predictor/l1/W": (5, 4), "predictor/l1/b": (5,),
    "predictor/l2/W": (5, 5), "predictor/l2/b": (5,),
    "predictor/l3/W": (3, 5), "predictor/l3/b": (3,),
}


def _save(obj: Any, path: Path, compression: bool = True) -> Path:
    serializers.save_npz(str(path), obj, compression=compression)
    return path


def _zero_classifier() -> Tree:
    model = classifier_mlp(seed=99)
    for child in model.children["predictor"].children.values():
        for name, p in child.params.items():
            assert p is not None
            child.params[name] = numpy.zeros_like(p)
    return model


# --------------------------------------------------------------------- layout


@pytest.mark.parametrize("compression", [True, False])
def test_classifier_layout_key_by_key(tmp_path: Path, compression: bool) -> None:
    model = classifier_mlp(seed=0)
    path = _save(model, tmp_path / "my.model", compression)
    assert os.listdir(tmp_path) == ["my.model"]  # no '.npz' appended, no temp file left
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        expected = sorted([k + ".npy" for k in CLASSIFIER_KEYS] + ["__fchain_version__.npy"])
        assert names == expected
        want = zipfile.ZIP_DEFLATED if compression else zipfile.ZIP_STORED
        assert {i.compress_type for i in infos} == {want}
    # numpy alone, with pickles forbidden, reads every member (Chainer's reader is numpy)
    with numpy.load(path, allow_pickle=False) as f:
        for key, shape in CLASSIFIER_KEYS.items():
            layer = model.children["predictor"].children[key.split("/")[1]]
            expected_array = layer.params[key.split("/")[2]]
            assert f[key].shape == shape
            assert f[key].dtype == numpy.float32
            numpy.testing.assert_array_equal(f[key], expected_array)
        version = f["__fchain_version__"]
        assert version.shape == () and version.dtype.kind == "U"
        assert int(str(version)) == FORMAT_VERSION


def test_optimizer_state_layout(tmp_path: Path) -> None:
    optim = Optim({"predictor/l1/W": Rule(t=3, state={"m": numpy.ones(2), "v": numpy.zeros(2)}),
                   "predictor/l1/b": Rule(t=3, state={"m": numpy.ones(1), "v": numpy.ones(1)})}, t=3, epoch=1)
    path = _save(optim, tmp_path / "my.state")
    with numpy.load(path, allow_pickle=False) as f:
        assert sorted(f.files) == sorted([
            "__fchain_version__", "t", "epoch",
            "predictor/l1/W/t", "predictor/l1/W/m", "predictor/l1/W/v",
            "predictor/l1/b/t", "predictor/l1/b/m", "predictor/l1/b/v",
        ])
        assert f["t"].dtype == numpy.int64 and f["t"].shape == ()


def test_python_scalars_become_0d_arrays_of_chainers_dtypes() -> None:
    tree = Tree(persistents={"i": 3, "f": 0.5, "b": True, "s": "hello"})
    buffer = io.BytesIO()
    serializers.save_npz(buffer, tree)
    buffer.seek(0)
    with numpy.load(buffer, allow_pickle=False) as f:
        assert (f["i"].dtype, f["f"].dtype, f["b"].dtype) == (numpy.int64, numpy.float64, numpy.bool_)
        assert f["s"].dtype.kind == "U" and str(f["s"]) == "hello"
        assert all(f[k].shape == () for k in "ifbs")


def test_same_state_gives_same_bytes() -> None:
    a, b = io.BytesIO(), io.BytesIO()
    serializers.save_npz(a, classifier_mlp(seed=1))
    serializers.save_npz(b, classifier_mlp(seed=1))
    assert a.getvalue() == b.getvalue()


def test_save_dict_as_is(tmp_path: Path) -> None:
    path = tmp_path / "d.npz"
    serializers.save_npz(path, {"a/b": numpy.arange(3), "c": numpy.float32(2.0)})
    with numpy.load(path, allow_pickle=False) as f:
        assert sorted(f.files) == ["__fchain_version__", "a/b", "c"]
        numpy.testing.assert_array_equal(f["a/b"], numpy.arange(3))


def test_dictionary_serializer_keys_and_values() -> None:
    s = serializers.DictionarySerializer()
    assert s("/x", 1) == 1  # returns the value; the leading slash is dropped
    child = s["/a/"]["b"]
    arr = numpy.ones(2)
    assert child("W", arr) is arr
    child("lazy", None)
    assert sorted(s.target) == ["a/b/W", "a/b/lazy", "x"]
    assert s.target["x"].dtype == numpy.int64
    lazy = s.target["a/b/lazy"]
    assert lazy.dtype == object and lazy.shape == () and lazy[()] is None


def test_objects_that_would_need_pickling_are_refused() -> None:
    s = serializers.DictionarySerializer()
    with pytest.raises(SerializationError, match=r"'cfg'.*never pickles"):
        s("cfg", {"a": 1})


# --------------------------------------------------------------------- None


def test_lazy_param_is_stored_so_numpy1_style_readers_get_none(tmp_path: Path) -> None:
    tree = Tree({"W": None, "b": numpy.ones(2, numpy.float32)})
    path = _save(tree, tmp_path / "lazy.npz")
    # Chainer's reader: numpy.load with allow_pickle=True, then `value[()] is None`.
    with numpy.load(path, allow_pickle=True) as f:
        assert f["W"].dtype == object and f["W"][()] is None
    raw = zipfile.ZipFile(path).read("W.npy")
    assert b"numpy.core.multiarray" in raw and b"numpy._core" not in raw  # numpy 1.x can import it
    target = Tree({"W": None, "b": numpy.zeros(2, numpy.float32)})
    serializers.load_npz(path, target)
    assert target.params["W"] is None
    numpy.testing.assert_array_equal(target.params["b"], numpy.ones(2))


def test_none_written_by_numpy_itself_is_read_as_none(tmp_path: Path) -> None:
    path = tmp_path / "chainer_like.npz"
    numpy.savez(path, W=numpy.asarray(None), b=numpy.arange(2.0), allow_pickle=True)
    target = Tree({"W": None, "b": numpy.zeros(2)})
    serializers.load_npz(path, target)
    assert target.params["W"] is None
    numpy.testing.assert_array_equal(target.params["b"], [0.0, 1.0])


def test_lazy_param_is_initialized_from_file(tmp_path: Path) -> None:
    path = _save(linear(3, 2, seed=4), tmp_path / "l.npz")
    target = Tree({"W": None, "b": None})
    serializers.load_npz(path, target)
    expected = linear(3, 2, seed=4)
    assert target.params["W"] is not None and target.params["W"].shape == (2, 3)
    numpy.testing.assert_array_equal(target.params["W"], expected.params["W"])


def test_stored_none_into_initialized_param_keeps_it(tmp_path: Path) -> None:
    path = _save(Tree({"W": None}), tmp_path / "n.npz")
    target = Tree({"W": numpy.full(2, 7.0)})
    serializers.load_npz(path, target)
    numpy.testing.assert_array_equal(target.params["W"], [7.0, 7.0])


# --------------------------------------------------------------------- path / ignore / strict


def test_path_extracts_a_submodel(tmp_path: Path) -> None:
    snapshot = Tree(persistents={"iteration": 8}, children={
        "updater": Tree(children={"model:main": classifier_mlp(seed=3)})})
    path = _save(snapshot, tmp_path / "snapshot_iter_8")
    for prefix in ("updater/model:main/", "updater/model:main"):
        model = _zero_classifier()
        serializers.load_npz(path, model, path=prefix)
        assert same_snapshot(model.snapshot(), classifier_mlp(seed=3).snapshot())


def test_ignore_names_string_callable_and_list(tmp_path: Path) -> None:
    path = _save(classifier_mlp(seed=5), tmp_path / "m.npz")
    source = classifier_mlp(seed=5).children["predictor"].children
    for ignore in ("predictor/l1/W", lambda k: k == "predictor/l1/W", ["nothing", "predictor/l1/W"]):
        model = _zero_classifier()
        serializers.load_npz(path, model, ignore_names=ignore)
        layers = model.children["predictor"].children
        numpy.testing.assert_array_equal(layers["l1"].params["W"], numpy.zeros((5, 4)))  # left alone
        numpy.testing.assert_array_equal(layers["l1"].params["b"], source["l1"].params["b"])


def test_ignored_key_may_be_missing_and_ignored_extra_is_not_unexpected(tmp_path: Path) -> None:
    path = _save(Tree({"a": numpy.ones(1), "extra": numpy.ones(1)}), tmp_path / "x.npz")
    target = Tree({"a": numpy.zeros(1), "absent": numpy.zeros(1)})
    serializers.load_npz(path, target, ignore_names=["absent", "extra"])
    numpy.testing.assert_array_equal(target.params["a"], [1.0])


def test_bad_ignore_names_item(tmp_path: Path) -> None:
    path = _save(Tree({"a": numpy.ones(1)}), tmp_path / "x.npz")
    with pytest.raises(TypeError, match="ignore_names"):
        serializers.load_npz(path, Tree({"a": numpy.zeros(1)}), ignore_names=[3])  # type: ignore[list-item]  # the wrong call under test


def test_strict_false_skips_missing_and_extra_keys(tmp_path: Path) -> None:
    path = _save(Tree({"a": numpy.ones(2), "extra": numpy.ones(1)}), tmp_path / "x.npz")
    target = Tree({"a": numpy.zeros(2), "missing": numpy.full(1, 5.0)})
    with pytest.warns(SerializationWarning, match="ignored 1 key .*: 'extra'"):
        serializers.load_npz(path, target, strict=False)
    numpy.testing.assert_array_equal(target.params["a"], [1.0, 1.0])
    numpy.testing.assert_array_equal(target.params["missing"], [5.0])


def test_strict_false_still_rejects_a_shape_mismatch(tmp_path: Path) -> None:
    path = _save(Tree({"a": numpy.ones(2)}), tmp_path / "x.npz")
    target = Tree({"a": numpy.zeros(3)})
    with pytest.raises(LoadError, match=r"'a': shape \(2,\) in the file, \(3,\) in the target"):
        serializers.load_npz(path, target, strict=False)


def test_strict_load_reports_every_problem_and_changes_nothing(tmp_path: Path) -> None:
    saved = classifier_mlp(seed=1)
    saved.children["predictor"].children["l4"] = linear(3, 3, seed=9)  # unexpected in the target
    saved.persistents["count"] = 2.5
    path = _save(saved, tmp_path / "m.npz")

    target = classifier_mlp(seed=2, n_units=6)  # l1, l2 and l3/W mis-shaped
    target.children["predictor"].children["l0"] = linear(2, 2, seed=3)  # missing from the file
    target.persistents["count"] = 0  # float in the file cannot go into an int safely
    before = target.snapshot()
    with pytest.raises(MissingKeyError) as info:
        serializers.load_npz(path, target, unexpected_keys="error")
    err = info.value
    assert isinstance(err, KeyError) and isinstance(err, SerializationError)
    problems = "\n".join(err.problems)
    for text in ("missing key 'predictor/l0/W'", "missing key 'predictor/l0/b'",
                 "unexpected key 'predictor/l4/W'", "unexpected key 'predictor/l4/b'",
                 "'predictor/l1/W': shape (5, 4) in the file, (6, 4) in the target",
                 "'predictor/l3/W': shape (3, 5) in the file, (3, 6) in the target",
                 "'count': the file's float64 cannot be cast safely to the target's int"):
        assert text in problems
    assert len(err.problems) == 2 + 2 + 5 + 1
    assert "nothing was changed" in str(err)
    assert same_snapshot(target.snapshot(), before)
    with pytest.raises(MissingKeyError) as info:  # by default the extra keys are no problem
        serializers.load_npz(path, target)
    assert len(info.value.problems) == 2 + 5 + 1
    assert "unexpected" not in str(info.value)
    assert same_snapshot(target.snapshot(), before)


def test_dtype_rules_follow_chainer(tmp_path: Path) -> None:
    path = _save(Tree({"w": numpy.ones(2, numpy.float32)}, {"n": 3, "flag": True}), tmp_path / "x.npz")
    half = Tree({"w": numpy.zeros(2, numpy.float16)}, {"n": 0.0, "flag": False})
    serializers.load_npz(path, half)  # same-kind array cast; int64 file into a float target
    assert half.params["w"] is not None and half.params["w"].dtype == numpy.float16
    assert half.persistents["n"] == 3.0 and type(half.persistents["n"]) is float
    assert half.persistents["flag"] is True
    ints = Tree({"w": numpy.zeros(2, numpy.int32)}, {"n": False, "flag": False})
    with pytest.raises(LoadError) as info:
        serializers.load_npz(path, ints)
    assert "'w': the file's float32 cannot be cast to the target's int32" in info.value.problems
    assert "'n': the file's int64 cannot be cast safely to the target's bool" in info.value.problems


def test_scalar_target_refuses_an_array(tmp_path: Path) -> None:
    path = _save(Tree({"n": numpy.arange(3)}), tmp_path / "x.npz")
    with pytest.raises(LoadError, match=r"'n': the target is a int scalar but the file holds"):
        serializers.load_npz(path, Tree(persistents={"n": 0}))


def test_disabled_rule_tolerates_missing_state_enabled_does_not(tmp_path: Path) -> None:
    path = _save(Optim({}, t=4, epoch=2), tmp_path / "opt.npz")
    frozen = Optim({"w": Rule(enabled=False)})
    with pytest.raises(MissingKeyError) as info:  # 't' of the rule is asked for unconditionally
        serializers.load_npz(path, frozen)
    assert info.value.problems == ("missing key 'w/t'",)

    path = _save({"t": numpy.asarray(4), "epoch": numpy.asarray(2), "w/t": numpy.asarray(1)}, tmp_path / "o2.npz")
    frozen = Optim({"w": Rule(enabled=False)})
    serializers.load_npz(path, frozen)
    assert (frozen.t, frozen.epoch, frozen.rules["w"].t, frozen.rules["w"].state) == (4, 2, 1, None)
    active = Optim({"w": Rule(enabled=True), "u": Rule(enabled=True)})
    with pytest.raises(MissingKeyError) as info:
        serializers.load_npz(path, active)
    assert set(info.value.problems) == {"missing key 'w/m'", "missing key 'u/t'", "missing key 'u/m'"}
    assert active.t == 0 and active.rules["w"].t == 0


def test_fresh_rule_state_loads_without_false_unexpected_keys(tmp_path: Path) -> None:
    saved = Optim({"p": Rule(t=2, state={"m": numpy.full(3, 1.0), "v": numpy.full(3, 2.0)})}, t=2)
    path = _save(saved, tmp_path / "opt.npz")
    fresh = Optim({"p": Rule()})
    serializers.load_npz(path, fresh)
    state = fresh.rules["p"].state
    assert state is not None and fresh.rules["p"].t == 2
    numpy.testing.assert_array_equal(state["v"], numpy.full(3, 2.0))


def test_lazy_param_does_not_hide_unexpected_keys_elsewhere(tmp_path: Path) -> None:
    path = _save(Tree({"W": numpy.ones(2)}, children={"child": Tree({"x": numpy.ones(1)})}), tmp_path / "m.npz")
    target = Tree({"W": None})
    with pytest.raises(LoadError) as info:
        serializers.load_npz(path, target, unexpected_keys="error")
    assert info.value.problems == ("unexpected key 'child/x' (the target never asked for it; "
                                   "unexpected_keys='error')",)
    assert target.params["W"] is None


def test_npz_deserializer_over_numpy_load(tmp_path: Path) -> None:
    """Chainer's own spelling: NpzDeserializer(numpy.load(file)).load(obj), even with a
    None member, which numpy itself refuses without allow_pickle."""
    path = _save(Tree({"W": None, "b": numpy.ones(2)}), tmp_path / "m.npz")
    with numpy.load(path) as npz:
        target = Tree({"W": None, "b": numpy.zeros(2)})
        serializers.NpzDeserializer(npz).load(target)
    assert target.params["W"] is None
    numpy.testing.assert_array_equal(target.params["b"], [1.0, 1.0])


def test_direct_serialize_raises_keyerror_on_the_first_missing_key(tmp_path: Path) -> None:
    path = _save(Tree({"a": numpy.ones(1)}), tmp_path / "m.npz")
    with numpy.load(path) as npz:
        with pytest.raises(KeyError, match="'b' is not in the file"):
            Tree({"b": numpy.zeros(1)}).serialize(serializers.NpzDeserializer(npz))


# --------------------------------------------------------------------- bad files


def _assert_rejected(path: Path, match: str) -> None:
    model = _zero_classifier()
    before = model.snapshot()
    with pytest.raises(SerializationError, match=match):
        serializers.load_npz(path, model)
    assert same_snapshot(model.snapshot(), before)


def test_not_an_npz_file(tmp_path: Path) -> None:
    path = tmp_path / "junk.npz"
    path.write_bytes(b"this is not a zip archive" * 10)
    _assert_rejected(path, "not a readable npz file")


def test_truncated_file(tmp_path: Path) -> None:
    path = _save(classifier_mlp(seed=1), tmp_path / "t.npz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    _assert_rejected(path, "truncated or corrupt")


@pytest.mark.parametrize("compression", [True, False])
def test_corrupt_member_late_in_the_file(tmp_path: Path, compression: bool) -> None:
    """The damaged member is read after others that fit: nothing may be written yet."""
    path = _save(classifier_mlp(seed=1), tmp_path / "c.npz", compression)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("predictor/l3/b.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)  # member data
    for i in range(start + info.compress_size - 8, start + info.compress_size):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    _assert_rejected(path, r"'predictor/l3/b' is corrupt or truncated")


def test_wrong_shape_file(tmp_path: Path) -> None:
    path = _save(classifier_mlp(seed=1, n_in=7), tmp_path / "w.npz")
    _assert_rejected(path, r"'predictor/l1/W': shape \(5, 7\) in the file, \(5, 4\) in the target")


_BOOM: list[str] = []


def _boom() -> str:
    _BOOM.append("unpickled!")
    return "boom"


class _Payload:
    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return (_boom, ())


def test_pickle_carrying_file_is_refused_and_never_run(tmp_path: Path) -> None:
    path = tmp_path / "evil.npz"
    members: dict[str, Any] = {
        "predictor/l1/" + k: v for k, v in _zero_classifier().children["predictor"].children["l1"].params.items()
    }
    members["evil"] = numpy.array([_Payload()], dtype=object)
    numpy.savez(path, allow_pickle=True, **members)
    model = Tree(persistents={"evil": 0}, children={"predictor": Tree(children={"l1": linear(4, 5, 0)})})
    before = model.snapshot()
    with pytest.raises(SerializationError, match="'evil' holds a pickled Python object; fchain never unpickles"):
        serializers.load_npz(path, model)
    assert _BOOM == []
    assert same_snapshot(model.snapshot(), before)


def test_pickled_zero_d_object_other_than_none_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "obj.npz"
    numpy.savez(path, s=numpy.asarray("text", dtype=object), allow_pickle=True)
    with pytest.raises(SerializationError, match="pickled"):
        serializers.load_npz(path, Tree(persistents={"s": ""}))


# --------------------------------------------------------------------- version key


def test_file_without_version_key_loads(tmp_path: Path) -> None:
    path = tmp_path / "chainer.npz"
    members: dict[str, Any] = {k: numpy.full(s, 1.5, numpy.float32) for k, s in CLASSIFIER_KEYS.items()}
    numpy.savez_compressed(path, **members)
    model = _zero_classifier()
    serializers.load_npz(path, model)
    numpy.testing.assert_array_equal(model.children["predictor"].children["l2"].params["W"], numpy.full((5, 5), 1.5))


def test_newer_format_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.npz"
    numpy.savez(path, a=numpy.ones(1), __fchain_version__=numpy.asarray(str(FORMAT_VERSION + 1)))
    with pytest.raises(SerializationError, match=f"format version {FORMAT_VERSION + 1}"):
        serializers.load_npz(path, Tree({"a": numpy.zeros(1)}))


# --------------------------------------------------------------------- atomic save


def test_crash_mid_save_keeps_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _save(classifier_mlp(seed=1), tmp_path / "snapshot")
    previous = path.read_bytes()
    calls: list[str] = []
    real = npz_module._write_member

    def crashing(zf: zipfile.ZipFile, key: str, array: Any, compress_type: int) -> None:
        calls.append(key)
        if len(calls) == 3:
            raise OSError("disk full (simulated)")
        real(zf, key, array, compress_type)

    monkeypatch.setattr(npz_module, "_write_member", crashing)
    with pytest.raises(OSError, match="simulated"):
        serializers.save_npz(str(path), classifier_mlp(seed=2))
    assert len(calls) == 3
    assert path.read_bytes() == previous
    assert os.listdir(tmp_path) == ["snapshot"]


def test_crash_mid_first_save_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crashing(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(npz_module, "_write_member", crashing)
    with pytest.raises(KeyboardInterrupt):
        serializers.save_npz(tmp_path / "new.npz", classifier_mlp(seed=2))
    assert os.listdir(tmp_path) == []


def test_saved_file_gets_normal_permissions(tmp_path: Path) -> None:
    path = _save(Tree({"a": numpy.ones(1)}), tmp_path / "p.npz")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_save_to_file_object() -> None:
    buffer = io.BytesIO()
    serializers.save_npz(buffer, Tree({"a": numpy.arange(3.0)}))
    buffer.seek(0)
    target = Tree({"a": numpy.zeros(3)})
    serializers.load_npz(buffer, target)
    numpy.testing.assert_array_equal(target.params["a"], [0.0, 1.0, 2.0])


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        serializers.load_npz(tmp_path / "nope.npz", Tree())


# --------------------------------------------------------------------- error texts


def _corrupt_member(path: Path, member: str) -> None:
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + info.compress_size - 8, start + info.compress_size):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("compression", [True, False])
def test_corrupt_member_is_not_reported_as_a_pickle(tmp_path: Path, compression: bool) -> None:
    path = _save(classifier_mlp(seed=1), tmp_path / "c.npz", compression)
    _corrupt_member(path, "predictor/l2/W.npy")
    with pytest.raises(LoadError) as info:
        serializers.load_npz(path, _zero_classifier())
    (problem,) = info.value.problems
    assert "'predictor/l2/W' is corrupt or truncated" in problem
    assert "pickle" not in problem
    assert problem.count("load_npz(") == 1  # the place is said once, not nested twice


def test_npz_deserializer_over_numpy_load_names_the_file(tmp_path: Path) -> None:
    path = _save(classifier_mlp(seed=1), tmp_path / "named.npz", compression=False)
    _corrupt_member(path, "predictor/l1/b.npy")
    with numpy.load(path) as npz:
        with pytest.raises(LoadError) as info:
            serializers.NpzDeserializer(npz).load(_zero_classifier())
    message = str(info.value)
    assert message.startswith(f"NpzDeserializer({str(path)!r}): cannot load into Tree: 1 problem")
    assert "'predictor/l1/b' is corrupt or truncated" in message and "pickle" not in message


class _Wrapped(dict[str, Any]):
    """A user's mapping that hands out numpy's own lazily-loaded members."""

    def __init__(self, npz: Any) -> None:
        super().__init__()
        self._npz = npz
        for key in npz.files:
            self[key] = None

    def __getitem__(self, key: str) -> Any:
        return self._npz[key]


def test_numpys_pickle_refusal_through_a_plain_mapping_says_pickled(tmp_path: Path) -> None:
    path = tmp_path / "obj.npz"
    numpy.savez(path, s=numpy.asarray("text", dtype=object), allow_pickle=True)
    with numpy.load(path) as npz:
        with pytest.raises(LoadError) as info:
            serializers.NpzDeserializer(_Wrapped(npz)).load(Tree(persistents={"s": ""}))
    (problem,) = info.value.problems
    assert "'s' holds a pickled Python object; fchain never unpickles" in problem
    assert "allow_pickle" in problem  # numpy's own words follow


def test_non_array_value_in_a_mapping_is_not_called_a_pickle() -> None:
    ragged: dict[str, Any] = {"W": [[1.0, 2.0], [3.0]]}
    with pytest.raises(LoadError) as info:
        serializers.NpzDeserializer(ragged).load(Tree({"W": numpy.zeros((2, 2))}))
    (problem,) = info.value.problems
    assert "'W' is not an array (numpy cannot convert it)" in problem
    assert "pickle" not in problem
