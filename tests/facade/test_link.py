"""Link, Chain, ChainList and Sequential: Chainer's registration, names and behaviour."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Chain, ChainList, Link, Parameter, Sequential, Variable
from fchain.core.backend import to_numpy
from fchain.facade.serializer import Deserializer, Serializer
from fchain.types import Array
from tests.conftest import DEVICES
from tests.arrays import values


# ------------------------------------------------------------------ fixtures
class Inner(Chain):
    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(2, 3)
            self.p = Parameter(np.array([7.0], dtype=np.float32))


class Outer(Chain):
    counter: int  # persistents added by add_persistent, declared for mypy
    stats: Array

    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.z = Parameter(np.zeros((2, 2), dtype=np.float32))
            self.inner = Inner()
            self.blocks = ChainList(L.Linear(3, 3), L.Linear(3, 4))
            self.seq = Sequential(L.Linear(4, 2), F.relu, L.Linear(2, 2, nobias=True))
        self.add_persistent("counter", 0)
        self.add_persistent("stats", np.arange(3, dtype=np.float64))
        self.note = "not registered"


class _Rule:
    """A stand-in update rule: the optimizer sets ``Parameter.update_rule``."""

    def __init__(self) -> None:
        self.enabled = True

    def update(self, param: Variable) -> None:
        """Nothing to do: the tests only switch rules on and off."""


def _linear(layer: object) -> L.Linear:
    assert isinstance(layer, L.Linear)
    return layer


def _names(link: Link, **kw: bool) -> list[str]:
    return [name for name, _ in link.namedparams(**kw)]


# ----------------------------------------------------- registration, names
def test_init_scope_registers_parameters_and_children() -> None:
    class M(Chain):
        def __init__(self) -> None:
            super().__init__()
            self.outside = Parameter(np.zeros(1, np.float32))
            self.free = L.Linear(1, 1)
            with self.init_scope():
                self.w = Parameter(np.zeros(2, np.float32))
                self.child = L.Linear(2, 2)
                self.plain = 3

    m = M()
    assert _names(m) == ["/w", "/child/W", "/child/b"]
    assert m.w.name == "w" and m.child.name == "child"
    assert list(m.children()) == [m.child]
    assert m.within_init_scope is False
    assert m["child"] is m.child
    with pytest.raises(KeyError):
        m["free"]


def test_nested_names_follow_chainers_rules() -> None:
    m = Outer()
    # own parameters first, then children sorted by name; ChainList and Sequential
    # children are numbered, and Sequential numbers only its links.
    assert _names(m) == [
        "/z",
        "/blocks/0/W", "/blocks/0/b", "/blocks/1/W", "/blocks/1/b",
        "/inner/p", "/inner/l1/W", "/inner/l1/b",
        "/seq/0/W", "/seq/0/b", "/seq/1/W",
    ]
    assert [p.name for p in m.params()] == ["z", "W", "b", "W", "b", "p", "W", "b", "W", "b", "W"]
    assert [name for name, _ in m.namedlinks()] == [
        "/", "/blocks", "/blocks/0", "/blocks/1", "/inner", "/inner/l1", "/seq", "/seq/0", "/seq/1"]
    assert [name for name, _ in m.namedlinks(skipself=True)][0] == "/blocks"
    assert list(m.links(skipself=True)) == [link for _, link in m.namedlinks(skipself=True)]
    assert list(m.links())[0] is m
    assert [c.name for c in m.children()] == ["blocks", "inner", "seq"]
    assert [c.name for c in m.blocks.children()] == ["0", "1"]


def test_uninitialized_parameters_are_listed_unless_excluded() -> None:
    c = ChainList(L.Linear(None, 3), L.Linear(3, 2))
    assert _names(c) == ["/0/W", "/0/b", "/1/W", "/1/b"]
    assert _names(c, include_uninit=False) == ["/0/b", "/1/W", "/1/b"]


def test_count_params_warns_about_uninitialized_ones() -> None:
    assert Outer().count_params() == 4 + (6 + 3 + 1) + (9 + 3 + 12 + 4) + (8 + 2 + 4)
    lazy = ChainList(L.Linear(None, 3), L.Linear(3, 2))
    with pytest.warns(UserWarning, match="/0/W"):
        assert lazy.count_params() == 3 + 6 + 2


def test_registration_errors() -> None:
    class M(Chain):
        def __init__(self) -> None:
            super().__init__()
            with self.init_scope():
                self.l1 = L.Linear(1, 1)

    m = M()
    with pytest.raises(AttributeError, match="attribute exists"):
        with m.init_scope():
            m.l1 = L.Linear(2, 2)
    with pytest.raises(AttributeError, match="attribute exists"):
        with m.init_scope():
            m.params = L.Linear(2, 2)  # type: ignore[method-assign, assignment]  # the mistake under test
    with pytest.raises(AttributeError, match="attribute exists"):
        m.add_persistent("l1", 3)
    with pytest.raises(AttributeError, match="non-existent"):
        m.register_persistent("nope")
    c = ChainList[Link]()
    with pytest.raises(TypeError, match="ChainList"):
        with c.init_scope():
            c.x = L.Linear(1, 1)
    with pytest.raises(TypeError, match="only Links"):
        c.append(F.relu)  # type: ignore[arg-type]  # the mistake under test


def test_deleting_or_replacing_unregisters() -> None:
    m = Inner()
    del m.p
    assert _names(m) == ["/l1/W", "/l1/b"]
    m.l1 = None  # type: ignore[assignment]  # replacing a child by a non-link unregisters it
    assert _names(m) == []
    assert list(m.children()) == []


def test_add_param_is_deprecated_and_fills_nan() -> None:
    link = Link()
    with pytest.warns(DeprecationWarning):
        link.add_param("W", (2, 3))
    W = getattr(link, "W")
    assert isinstance(W, Parameter) and W.shape == (2, 3) and np.isnan(values(W)).all()
    assert W.dtype == np.float32
    with pytest.warns(DeprecationWarning):
        link.add_param("lazy")
    assert _names(link, include_uninit=False) == ["/W"]
    with pytest.warns(DeprecationWarning), pytest.raises(AttributeError):
        link.add_param("W")


def test_persistents_register_and_reregister() -> None:
    link = Link()
    link.add_persistent("count", 5)
    with link.init_scope():
        link.W = Parameter(np.ones(2, np.float32))
    link.register_persistent("W")  # a parameter becomes a persistent value
    assert _names(link) == []
    serialized: dict[str, Any] = {}
    _Writer(serialized).save(link)
    assert set(serialized) == {"count", "W"}


def test_deprecated_chain_kwargs_and_add_link() -> None:
    with pytest.warns(DeprecationWarning):
        c = Chain(a=L.Linear(1, 2))
    assert _names(c) == ["/a/W", "/a/b"]
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError, match="non-link"):
        c.add_link("b", 3)  # type: ignore[arg-type]  # the mistake under test


# --------------------------------------------------------------- calling
def test_call_dispatches_to_forward_or_call() -> None:
    class WithForward(Link):
        def forward(self, x: int, y: int = 1) -> int:
            return x * 10 + y

    class WithCall(Chain):
        def __call__(self, x: Variable) -> Variable:
            return -x

    assert WithForward()(3) == 31 and WithForward()(3, y=2) == 32
    np.testing.assert_array_equal(WithCall()(Variable(np.ones(2, np.float32))).array, [-1.0, -1.0])
    with pytest.raises(AttributeError, match="forward"):
        Link()(1)


# ------------------------------------------------------------- gradients
def _run_backward(m: Outer) -> None:
    x = Variable(np.ones((2, 2), dtype=np.float32))
    y = F.sum(m.seq(m.blocks[1](m.blocks[0](m.inner.l1(x)))) * m.inner.p) + F.sum(m.z)
    y.backward()


def test_cleargrads_zerograds_addgrads() -> None:
    a, b = Outer(), Outer()
    b.copyparams(a)
    _run_backward(a)
    _run_backward(b)
    grads = {name: p.grad.copy() for name, p in a.namedparams() if p.grad is not None}
    assert len(grads) == 11
    a.addgrads(b)
    for name, p in a.namedparams():
        assert p.grad is not None
        np.testing.assert_allclose(p.grad, 2 * grads[name], rtol=1e-6)
    a.cleargrads()
    assert all(p.grad is None for p in a.params())
    with pytest.warns(DeprecationWarning):
        a.zerograds()
    for p in a.params():
        assert p.grad is not None and p.grad.shape == p.shape and not p.grad.any()


# ----------------------------------------------------------------- copying
@pytest.mark.parametrize("mode", ["share", "copy", "init"])
def test_copy_modes(mode: str) -> None:
    fchain.initializers.set_random_seed(0)
    m = Outer()
    for p in m.params():
        p.update_rule = _Rule()
    _run_backward(m)
    c = m.copy(mode)  # type: ignore[arg-type]  # parametrized literal
    assert type(c) is Outer and c is not m
    assert _names(c) == _names(m)
    pairs = list(zip(m.namedparams(), c.namedparams()))
    for (name, p), (_, q) in pairs:
        assert q is not p
        assert q.update_rule is None or mode == "share"
        if mode == "share":
            assert q.array is p.array and q.grad is None
        else:
            assert q.array is not p.array
    for (_, p), (_, q) in pairs:
        if mode in ("share", "copy") or p.name in ("b", "p", "z"):  # deterministic initializers
            np.testing.assert_array_equal(q.array, p.array)
    if mode == "init":
        assert not np.array_equal(values(c.inner.l1.W), values(m.inner.l1.W))
    # the structure is rebuilt: children are new links with their names
    assert c.inner is not m.inner and c.inner.name == "inner"
    assert c.blocks[0] is not m.blocks[0] and c.blocks[1].name == "1"
    assert c.seq[0] is not m.seq[0]
    assert c.counter == 0 and c.note == "not registered"
    values(c.blocks[0].W)[...] = 5.0
    assert (values(m.blocks[0].W) == 5.0).all() == (mode == "share")
    if mode == "share":
        assert c.name is None


def test_copy_rejects_unknown_mode() -> None:
    with pytest.raises(ValueError, match="mode"):
        Outer().copy("deep")  # type: ignore[arg-type]  # the mistake under test


def test_copyparams_values_persistents_and_lazy_targets() -> None:
    src, dst = Outer(), Outer()
    src.counter = 9
    src.stats[...] = [4.0, 5.0, 6.0]
    stats_before = dst.stats
    dst.copyparams(src)
    for (_, p), (_, q) in zip(src.namedparams(), dst.namedparams()):
        np.testing.assert_array_equal(q.array, p.array)
        assert q.array is not p.array
    assert dst.counter == 9 and dst.stats is stats_before
    np.testing.assert_array_equal(dst.stats, [4.0, 5.0, 6.0])
    other = Outer()
    other.copyparams(src, copy_persistent=False)
    assert other.counter == 0
    lazy_src, lazy_dst = L.Linear(None, 2), L.Linear(None, 2)
    lazy_src(np.ones((1, 3), np.float32))
    lazy_dst.copyparams(lazy_src)
    np.testing.assert_array_equal(lazy_dst.W.array, lazy_src.W.array)
    with pytest.raises(AttributeError, match="Outer.copyparams: the source link has no parameter 'z'"):
        Outer().copyparams(Inner())
    with pytest.raises(AttributeError, match="ChainList.addgrads: the source link has no child link '0'"):
        ChainList(L.Linear(1, 1)).addgrads(ChainList())


def test_copyparams_initializes_an_uninitialized_source_and_copies_it() -> None:
    # Chainer's copydata: the lazy source is initialized with the target's shape by
    # its own initializer, and those values are copied over the target's.
    src = L.Linear(None, 2, initialW=fchain.initializers.Constant(3.0))
    dst = L.Linear(4, 2, initialW=fchain.initializers.Constant(-1.0), initial_bias=5.0)
    dst.copyparams(src)
    assert src.W.is_initialized and src.W.shape == (2, 4)
    np.testing.assert_array_equal(src.W.array, np.full((2, 4), 3.0, np.float32))
    np.testing.assert_array_equal(dst.W.array, np.full((2, 4), 3.0, np.float32))
    assert dst.b is not None
    np.testing.assert_array_equal(dst.b.array, np.zeros(2, np.float32))  # src.b's default
    assert dst.W.array is not src.W.array


def test_copyparams_between_two_uninitialized_links_leaves_both_lazy() -> None:
    src, dst = L.Linear(None, 2), L.Linear(None, 2)
    dst.copyparams(src)
    assert not src.W.is_initialized and not dst.W.is_initialized


def test_parameter_copydata_with_lazy_sides() -> None:
    target = Parameter(np.array([1.0, 2.0], np.float32))
    lazy_source = Parameter(fchain.initializers.Constant(7.0))
    target.copydata(lazy_source)
    np.testing.assert_array_equal(lazy_source.array, [7.0, 7.0])
    np.testing.assert_array_equal(target.array, [7.0, 7.0])

    lazy_target = Parameter(fchain.initializers.Constant(0.0))
    lazy_target.copydata(Parameter(np.array([[1.0, 2.0, 3.0]], np.float32)))
    assert lazy_target.shape == (1, 3)
    np.testing.assert_array_equal(lazy_target.array, [[1.0, 2.0, 3.0]])

    both_a, both_b = Parameter(), Parameter()
    both_a.copydata(both_b)
    assert both_a.array is None and both_b.array is None

    with pytest.raises(ValueError, match="Parameter.copydata: the source variable 'v' has no data"):
        Parameter(np.zeros(2, np.float32)).copydata(Variable(None, name="v"))
    not_a_variable: Any = np.zeros(2, np.float32)
    with pytest.raises(TypeError, match="expected a Variable, got ndarray"):
        target.copydata(not_a_variable)


def test_zerograd_on_an_uninitialized_parameter_gives_zeros_once_initialized() -> None:
    p = Parameter(fchain.initializers.Constant(2.0))
    p.zerograd()
    assert p.grad is None
    p.initialize((2, 3))
    assert p.grad is not None
    np.testing.assert_array_equal(p.grad, np.zeros((2, 3), np.float32))

    q = Parameter(fchain.initializers.Constant(2.0))
    q.zerograd()
    q.cleargrad()  # forgets the pending zero gradient, as Chainer drops its Zero initializer
    q.initialize((2,))
    assert q.grad is None

    r = Parameter(fchain.initializers.Constant(2.0))
    r.initialize((2,))
    assert r.grad is None


def test_link_zerograds_before_a_lazy_linear_runs() -> None:
    layer = L.Linear(None, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        layer.zerograds()
    layer(np.ones((1, 3), np.float32))
    assert layer.W.grad is not None
    np.testing.assert_array_equal(layer.W.grad, np.zeros((2, 3), np.float32))


def test_repeat() -> None:
    fchain.initializers.set_random_seed(1)
    block = L.Linear(3, 3)
    init = block.repeat(3)
    assert isinstance(init, Sequential) and len(init) == 3
    layers = [layer for layer in init if isinstance(layer, L.Linear)]
    assert len(layers) == 3 and all(layer is not block for layer in layers)
    assert not np.array_equal(values(layers[0].W), values(layers[1].W))
    shared = block.repeat(2, mode="share")
    assert all(isinstance(s, L.Linear) and s.W.array is block.W.array for s in shared)
    copied = block.repeat(2, mode="copy")
    assert all(isinstance(s, L.Linear) and s.W.array is not block.W.array
               and np.array_equal(values(s.W), values(block.W)) for s in copied)
    assert len(block.repeat(0)) == 0
    with pytest.raises(ValueError, match="mode"):
        block.repeat(2, mode="nope")  # type: ignore[arg-type]  # the mistake under test
    out = init(np.ones((1, 3), np.float32))
    expected = np.ones((1, 3), np.float32)
    for layer in layers:
        assert layer.b is not None
        expected = expected @ values(layer.W).T + values(layer.b)
    np.testing.assert_allclose(out.array, expected, rtol=1e-5)


# ------------------------------------------------------------------ updates
def test_enable_disable_update() -> None:
    m = Outer()
    assert m.update_enabled is False  # no rules yet
    for p in m.params():
        p.update_rule = _Rule()
    assert m.update_enabled
    m.inner.disable_update()
    assert all(not p.update_rule.enabled for p in m.inner.params())
    assert all(p.update_rule.enabled for p in m.blocks.params())
    assert m.update_enabled
    m.disable_update()
    assert not m.update_enabled
    m.enable_update()
    assert all(p.update_rule.enabled for p in m.params())


# --------------------------------------------------------------- ChainList
def test_chainlist_is_a_mutable_sequence_of_links() -> None:
    a, b, c = L.Linear(1, 1), L.Linear(1, 2), L.Linear(2, 2)
    cl = ChainList(a, b)
    assert len(cl) == 2 and cl[0] is a and cl[-1] is b and cl[0:1] == [a]
    cl.insert(0, c)
    assert [link.name for link in cl] == ["0", "1", "2"] and cl[0] is c
    del cl[0]
    assert list(cl) == [a, b] and b.name == "1"
    cl[1] = c
    assert cl[1] is c and c.name == "1"
    cl.add_link(b)
    assert _names(cl) == ["/0/W", "/0/b", "/1/W", "/1/b", "/2/W", "/2/b"]
    assert cl.pop() is b and len(cl) == 2
    assert a in cl and b not in cl


# --------------------------------------------------------------- Sequential
def test_sequential_forward_and_list_methods() -> None:
    l1, l2 = L.Linear(3, 4), L.Linear(4, 2)
    seq = Sequential(l1, F.relu, l2)
    x = np.arange(6, dtype=np.float32).reshape(2, 3) / 6
    assert l1.b is not None and l2.b is not None
    expected = np.maximum(x @ values(l1.W).T + values(l1.b), 0) @ values(l2.W).T + values(l2.b)
    np.testing.assert_allclose(seq(x).array, expected, rtol=1e-5)
    assert len(seq) == 3 and seq[1] is F.relu and [layer.name for layer in seq.children()] == ["0", "1"]
    assert seq.count_by_layer_type("Linear") == 2 and seq.count_by_layer_type("relu") == 1
    assert seq.index(F.relu) == 1 and seq.count(F.relu) == 1
    seq.remove_by_layer_type("relu")
    assert list(seq) == [l1, l2]
    seq.insert(1, F.relu)
    assert list(seq) == [l1, F.relu, l2]
    assert seq.pop(0) is l1 and l2.name == "0"
    seq.remove(F.relu)
    assert list(seq) == [l2]
    seq.clear()
    with pytest.raises(RuntimeError, match="no layers"):
        seq(x)
    with pytest.raises(IndexError):
        seq.insert(5, F.relu)
    with pytest.raises(TypeError, match="callable"):
        seq.append(3)  # type: ignore[arg-type]  # the mistake under test


def test_sequential_unpacks_tuples_between_layers() -> None:
    def split(x: Variable) -> tuple[Variable, Variable]:
        return x, x * 2.0

    def add(a: Variable, b: Variable) -> Variable:
        return a + b

    seq = Sequential(split, add)  # type: ignore[arg-type]  # split returns a tuple
    out = seq(Variable(np.array([1.0, 2.0], np.float32)))
    np.testing.assert_array_equal(out.array, [3.0, 6.0])


def test_sequential_flatten_add_copy_and_repr() -> None:
    inner = Sequential(L.Linear(2, 2), F.relu)
    outer = Sequential(inner, L.Linear(2, 1))
    flat = outer.flatten()
    assert len(flat) == 3 and flat[0] is inner[0] and flat[1] is F.relu
    joined = inner + Sequential(F.relu)
    assert len(joined) == 3 and joined[2] is F.relu and len(inner) == 2
    shared = flat.copy()
    assert isinstance(shared, Sequential) and shared[1] is F.relu
    first = shared[0]
    assert isinstance(first, L.Linear) and first is not flat[0]
    assert first.W.array is _linear(flat[0]).W.array
    text = repr(outer)
    assert text.splitlines()[0] == "Sequential("
    assert "(0): Sequential(" in text and "Linear(in_size=2, out_size=1, nobias=False)" in text


def test_chain_repr_lists_children() -> None:
    assert repr(Inner()) == "Inner(\n  (l1): Linear(in_size=2, out_size=3, nobias=False),\n)"


# ------------------------------------------------------------ serialization
class _Writer(Serializer):
    """An in-memory serializer with Chainer's path semantics."""

    def __init__(self, target: dict[str, Any], path: str = "") -> None:
        self.target, self.path = target, path

    def __getitem__(self, key: str) -> _Writer:
        return _Writer(self.target, self.path + key + "/")

    def __call__(self, key: str, value: Any) -> Any:
        self.target[self.path + key] = None if value is None else np.array(to_numpy(np.asarray(value)))
        return value


class _Reader(Deserializer):
    """Returns stored values; fills arrays in place, as Chainer's deserializers do."""

    def __init__(self, source: dict[str, Any], path: str = "") -> None:
        self.source, self.path = source, path

    def __getitem__(self, key: str) -> _Reader:
        return _Reader(self.source, self.path + key + "/")

    def __call__(self, key: str, value: Any) -> Any:
        stored = self.source[self.path + key]
        if stored is None:
            return None
        if value is None:
            return stored
        if isinstance(value, np.ndarray):
            value[...] = stored
            return value
        return type(value)(stored.item())


def test_serialize_writes_chainers_keys() -> None:
    m = Outer()
    saved: dict[str, Any] = {}
    _Writer(saved).save(m)
    assert set(saved) == {
        "z", "counter", "stats",
        "inner/p", "inner/l1/W", "inner/l1/b",
        "blocks/0/W", "blocks/0/b", "blocks/1/W", "blocks/1/b",
        "seq/0/W", "seq/0/b", "seq/1/W",
    }
    np.testing.assert_array_equal(saved["inner/l1/W"], m.inner.l1.W.array)


def test_serialize_round_trip_initializes_lazy_parameters() -> None:
    src = Sequential(L.Linear(None, 3), L.Linear(None, 2))
    src(np.ones((1, 5), np.float32))
    _linear(src[0]).add_persistent("steps", 4)
    saved: dict[str, Any] = {}
    _Writer(saved).save(src)
    dst = Sequential(L.Linear(None, 3), L.Linear(None, 2))
    _linear(dst[0]).add_persistent("steps", 0)
    _Reader(saved).load(dst)
    for (_, p), (_, q) in zip(src.namedparams(), dst.namedparams()):
        assert q.shape == p.shape and q.dtype == p.dtype
        np.testing.assert_array_equal(q.array, p.array)
    assert getattr(dst[0], "steps") == 4
    # an uninitialized parameter is written as None and stays uninitialized on load
    fresh: dict[str, Any] = {}
    _Writer(fresh).save(L.Linear(None, 2))
    assert fresh["W"] is None
    target = L.Linear(None, 2)
    _Reader(fresh).load(target)
    assert not target.W.is_initialized


def test_npz_round_trip_of_a_lazy_model(tmp_path: Any) -> None:
    from fchain import serializers

    model = L.Classifier(Sequential(L.Linear(None, 4), F.relu, L.Linear(4, 2)))
    model.predictor(np.ones((2, 3), np.float32))
    serializers.save_npz(str(tmp_path / "m.npz"), model)
    with np.load(str(tmp_path / "m.npz")) as f:
        keys = {k for k in f.files if not k.startswith("__")}
    assert keys == {"predictor/0/W", "predictor/0/b", "predictor/1/W", "predictor/1/b"}
    fresh = L.Classifier(Sequential(L.Linear(None, 4), F.relu, L.Linear(4, 2)))
    serializers.load_npz(str(tmp_path / "m.npz"), fresh)
    for (_, p), (_, q) in zip(model.namedparams(), fresh.namedparams()):
        np.testing.assert_array_equal(q.array, p.array)


# ------------------------------------------------------------------ devices
@pytest.mark.parametrize("device", DEVICES)
def test_to_device_moves_params_grads_persistents_and_lazy_init(device: str) -> None:
    m = Outer()
    _run_backward(m)
    lazy = L.Linear(None, 2)
    with m.init_scope():
        m.lazy = lazy
    assert m.to_device(device) is m
    target = fchain.get_device(device)
    assert m.device == target and m.inner.l1.device == target and _linear(m.seq[0]).device == target
    for name, p in m.namedparams(include_uninit=False):
        assert fchain.get_device(device) == p.device
        if not name.startswith("/lazy"):
            assert p.grad is not None and type(p.grad) is type(p.array)
    assert type(m.stats) is type(m.z.array)
    assert m.xp is target.xp
    y = lazy(target.send(np.ones((2, 5), np.float32)))
    assert lazy.W.shape == (2, 5) and lazy.W.device == target and y.device == target
    m.to_cpu()
    assert isinstance(m.stats, np.ndarray) and isinstance(lazy.W.array, np.ndarray)


@pytest.mark.parametrize("device", DEVICES)
def test_links_added_to_a_moved_chain_follow_it(device: str) -> None:
    class Holder(Chain):
        l: L.Linear
        p: Parameter

    m = Holder()
    m.to_device(device)
    with m.init_scope():
        m.l = L.Linear(2, 2)
        m.p = Parameter(np.zeros(2, np.float32))
    target = fchain.get_device(device)
    assert m.l.W.device == target and m.p.device == target
    seq = Sequential().to_device(device)
    seq.append(L.Linear(2, 2))
    assert _linear(seq[0]).W.device == target


def test_no_warnings_on_normal_use() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = Outer()
        m.copy("init")
        m.count_params()
        list(m.namedparams())


def test_cleargrads_follows_every_change_of_the_tree() -> None:
    # cleargrads keeps its parameter list between calls; each way of changing which
    # parameters a link holds must be seen by the next call.
    def grads_set(link: Link) -> list[bool]:
        return [p.grad is not None for p in link.params()]

    def fill(link: Link) -> None:
        for p in link.params():
            if p.array is not None:
                p.grad = np.ones_like(p.array)

    class Holder(Chain):
        a: L.Linear
        b: L.Linear

    outer = Holder()
    with outer.init_scope():
        outer.a = L.Linear(2, 2)
    outer.cleargrads()
    outer.a.W = Parameter(np.zeros((2, 2), np.float32))  # replaced outside init_scope
    fill(outer)
    outer.cleargrads()
    assert grads_set(outer) == [False, False]
    outer.a = L.Linear(3, 3)  # a registered child replaced outside init_scope
    fill(outer)
    outer.cleargrads()
    assert grads_set(outer) == [False, False]
    with outer.init_scope():
        outer.b = L.Linear(1, 1)
    fill(outer)
    outer.cleargrads()
    assert grads_set(outer) == [False] * 4
    copy = outer.copy("copy")
    fill(outer)
    copy.cleargrads()
    assert grads_set(outer) == [True] * 4, "a copy's cleargrads must not clear the original"


def test_register_persistent_over_a_parameter_is_seen_by_cleargrads_and_optimizers() -> None:
    # Both cleargrads and an optimizer keep their parameter lists until the tree
    # changes; a parameter that register_persistent turns into a persistent value
    # must drop out of both.
    import fchain.optimizers as O

    class Pair(Link):
        a: Parameter
        b: Parameter

    link = Pair()
    with link.init_scope():
        link.a = Parameter(np.ones(2, np.float32))
        link.b = Parameter(np.ones(2, np.float32))
    optimizer = O.SGD(lr=1.0)
    optimizer.setup(link)
    link.cleargrads()
    for p in link.params():
        p.grad = np.ones(2, np.float32)
    optimizer.update()  # both lists are now cached
    link.register_persistent("b")
    b = link.b
    assert [name for name, _ in link.namedparams()] == ["/a"]
    b.grad = np.full(2, 5.0, np.float32)
    link.cleargrads()
    assert b.grad is not None, "cleargrads must no longer touch a persistent value"
    a = link.a
    a.grad = np.ones(2, np.float32)
    optimizer.update()
    np.testing.assert_array_equal(to_numpy(values(b)), [0.0, 0.0])  # only the first update
    np.testing.assert_array_equal(to_numpy(values(a)), [-1.0, -1.0])
