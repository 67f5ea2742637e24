"""Round trips over hypothesis-generated nested objects: npz (deflated and stored) and
HDF5 give back every parameter (dtype, shape, values), every persistent (type and
value), and leave stored ``None`` parameters uninitialized."""

from __future__ import annotations

import io
import os
import tempfile
from typing import Any, Literal

import numpy
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fchain import serializers
from tests.serializers.objects import Tree, same_snapshot

_NAMES = st.text(alphabet="abcWXY_01", min_size=1, max_size=3)
_DTYPES = st.sampled_from(["float16", "float32", "float64", "int32", "int64", "bool"])


@st.composite
def _param(draw: st.DrawFn) -> numpy.ndarray[Any, Any] | None:
    if draw(st.integers(0, 5)) == 0:
        return None  # an uninitialized lazy parameter
    dtype = numpy.dtype(draw(_DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    elements = None
    if dtype.kind == "f":
        width: Literal[16, 32, 64] = 16 if dtype.itemsize == 2 else 32 if dtype.itemsize == 4 else 64
        elements = st.floats(-1e3, 1e3, width=width)
    array: numpy.ndarray[Any, Any] = draw(hnp.arrays(dtype, shape, elements=elements))
    return array


_PERSISTENT = st.one_of(
    st.integers(-(2**62), 2**62),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=8),
)


@st.composite
def _tree(draw: st.DrawFn, depth: int = 0) -> Tree:
    names = draw(st.lists(_NAMES, unique=True, max_size=6))
    tree = Tree()
    for name in names:
        kind = draw(st.sampled_from(["param", "persistent", "child"] if depth < 2 else ["param", "persistent"]))
        if kind == "param":
            tree.params[name] = draw(_param())
        elif kind == "persistent":
            tree.persistents[name] = draw(_PERSISTENT)
        else:
            tree.children[name] = draw(_tree(depth + 1))
    return tree


def _blank_like(tree: Tree, lazy: list[bool]) -> Tree:
    """Same structure, other contents: zero-filled arrays (some made lazy), persistents
    reset to a neutral value of the same type."""
    out = Tree()
    for name, p in tree.params.items():
        if p is None:
            out.params[name] = None
        else:
            make_lazy = lazy.pop() if lazy else False
            out.params[name] = None if make_lazy else numpy.zeros_like(p)
    for name, v in tree.persistents.items():
        out.persistents[name] = type(v)()
    for name, child in tree.children.items():
        out.children[name] = _blank_like(child, lazy)
    return out


@given(tree=_tree(), lazy=st.lists(st.booleans(), max_size=10), compression=st.booleans())
def test_npz_round_trip(tree: Tree, lazy: list[bool], compression: bool) -> None:
    buffer = io.BytesIO()
    serializers.save_npz(buffer, tree, compression=compression)
    target = _blank_like(tree, lazy)
    buffer.seek(0)
    serializers.load_npz(buffer, target)
    assert same_snapshot(tree.snapshot(), target.snapshot())


@given(tree=_tree(), lazy=st.lists(st.booleans(), max_size=10))
def test_hdf5_round_trip(tree: Tree, lazy: list[bool]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.h5")
        serializers.save_hdf5(path, tree)
        target = _blank_like(tree, lazy)
        serializers.load_hdf5(path, target)
        assert same_snapshot(tree.snapshot(), target.snapshot())
        assert os.listdir(folder) == ["model.h5"]


@given(tree=_tree())
def test_dictionary_serializer_feeds_npz_deserializer(tree: Tree) -> None:
    """The in-memory pair: what DictionarySerializer collects, NpzDeserializer reads."""
    collected = serializers.DictionarySerializer()
    collected.save(tree)
    target = _blank_like(tree, [])
    serializers.NpzDeserializer(collected.target).load(target)
    assert same_snapshot(tree.snapshot(), target.snapshot())
