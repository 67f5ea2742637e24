"""fchain.computational_graph (DOT output) and the DumpGraph extension."""

from __future__ import annotations

import os
import re
from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.computational_graph import build_computational_graph
from fchain.serializers import load_npz, save_npz
from fchain.training import extensions, get_trigger
from tests.training.ext_helpers import ExtTrainer

NODE = re.compile(r'(\d+) \[((?:[a-z]+="(?:[^"\\]|\\.)*",?)+)\];')
EDGE = re.compile(r"(\d+) -> (\d+);")
ATTR = re.compile(r'([a-z]+)="((?:[^"\\]|\\.)*)"')


def parse_dot(text: str) -> tuple[str, dict[str, dict[str, str]], set[tuple[str, str]]]:
    """(rankdir, {node id: attributes}, {(head id, tail id)}); asserts the text is
    exactly a sequence of Chainer-style DOT statements."""
    match = re.fullmatch(r"digraph graphname\{rankdir=([A-Z]{2});(.*)\}", text, flags=re.S)
    assert match is not None, text
    body = match.group(2)
    nodes = {m.group(1): dict(ATTR.findall(m.group(2))) for m in NODE.finditer(body)}
    edges = {(m.group(1), m.group(2)) for m in EDGE.finditer(body)}
    leftover = EDGE.sub("", NODE.sub("", body))
    assert leftover == "", f"unparsed DOT text: {leftover!r}"
    for head, tail in edges:
        assert head in nodes and tail in nodes
    return match.group(1), nodes, edges


def labelled(nodes: dict[str, dict[str, str]]) -> dict[str, str]:
    labels = [attrs["label"] for attrs in nodes.values()]
    assert len(set(labels)) == len(labels), "test graphs use distinct labels"
    return {attrs["label"]: node_id for node_id, attrs in nodes.items()}


def test_graph_nodes_edges_and_labels() -> None:
    a = fchain.Variable(numpy.ones((2, 3), numpy.float32), name="a")
    b = fchain.Variable(numpy.ones((2, 3), numpy.float32), name="b")
    c = a * b
    c.name = "c"
    d = F.sum(c)
    _ = F.exp(a)  # a branch d does not reach: not drawn
    rankdir, nodes, edges = parse_dot(build_computational_graph([d]).dump())
    assert rankdir == "TB"
    ids = labelled(nodes)
    assert set(ids) == {"a: (2, 3), float32", "b: (2, 3), float32", "c: (2, 3), float32", "float32", "mul", "sum"}
    expected = {("a: (2, 3), float32", "mul"), ("b: (2, 3), float32", "mul"), ("mul", "c: (2, 3), float32"),
                ("c: (2, 3), float32", "sum"), ("sum", "float32")}
    assert edges == {(ids[h], ids[t]) for h, t in expected}
    assert nodes[ids["mul"]]["shape"] == "record" and nodes[ids["mul"]]["fillcolor"] == "#6495ED"
    assert nodes[ids["float32"]]["shape"] == "octagon" and nodes[ids["float32"]]["style"] == "filled"


def test_graph_options() -> None:
    a = fchain.Variable(numpy.ones(3, numpy.float32), name="a")
    h = F.exp(a)
    y = F.sum(h * h)  # h feeds mul twice: one edge
    graph = build_computational_graph([y], variable_style=None, function_style={"color": "red"},
                                      rankdir="LR", show_name=False)
    rankdir, nodes, edges = parse_dot(graph.dump())
    assert rankdir == "LR"
    # a, h and h*h (no names shown), y, and three function nodes; h -> mul once.
    assert sorted(n["label"] for n in nodes.values()) == ["(3), float32"] * 3 + ["exp", "float32", "mul", "sum"]
    assert len(edges) == 6
    for attrs in nodes.values():
        assert attrs["shape"] in ("oval", "box")  # no style given for variables
        assert ("color" in attrs) == (attrs["shape"] == "box")
    # Only function nodes, linked producer -> consumer.
    _, fnodes, fedges = parse_dot(build_computational_graph([y], remove_variable=True).dump())
    fids = labelled(fnodes)
    assert set(fids) == {"exp", "mul", "sum"}
    assert fedges == {(fids["exp"], fids["mul"]), (fids["mul"], fids["sum"])}
    with pytest.raises(ValueError, match="rankdir"):
        build_computational_graph([y], rankdir="XY")
    with pytest.raises(NotImplementedError, match="dot"):
        graph.dump("png")
    with pytest.raises(TypeError, match="Variables or Nodes"):
        build_computational_graph([numpy.ones(2)])  # type: ignore[list-item]  # the mistake under test


def test_graph_stops_at_unchained_variables_and_starts_from_nodes() -> None:
    a = fchain.Variable(numpy.ones(3, numpy.float32))
    h = F.exp(a)
    y = F.sum(h)
    h.unchain()
    _, nodes, _ = parse_dot(build_computational_graph([y]).dump())
    assert sorted(n["label"] for n in nodes.values()) == ["(3), float32", "float32", "sum"]
    assert y.creator is not None
    _, nodes, edges = parse_dot(build_computational_graph([y.creator]).dump())
    assert sorted(n["label"] for n in nodes.values()) == ["(3), float32", "sum"] and len(edges) == 1


def test_dump_graph_writes_the_dot_file_once_and_restores_the_flag(tmp_path: Any) -> None:
    out = str(tmp_path)
    trainer = ExtTrainer(out=out)
    ext = extensions.DumpGraph("main/loss", filename="graph.dot")
    assert ext.default_name == "dump_graph" and extensions.dump_graph is extensions.DumpGraph
    trigger = get_trigger(ext.trigger)
    ext.initialize(trainer.as_trainer())
    assert fchain.config.keep_graph_on_report is True
    try:
        x = fchain.Variable(numpy.ones((2, 2), numpy.float32), name="x")
        trainer.observation = {"main/loss": F.sum(F.exp(x))}
        trainer.step()
        assert trigger(trainer.as_trainer())
        ext(trainer.as_trainer())
        assert fchain.config.keep_graph_on_report is False
        trainer.step()
        assert not trigger(trainer.as_trainer())
    finally:
        del fchain.config.keep_graph_on_report
    with open(os.path.join(out, "graph.dot")) as f:
        _, nodes, edges = parse_dot(f.read())
    assert sorted(n["label"] for n in nodes.values()) == ["(2, 2), float32", "exp", "float32", "sum",
                                                          "x: (2, 2), float32"]
    assert len(edges) == 4
    assert [name for name in os.listdir(out) if name.startswith(".tmp")] == []


def test_dump_graph_rejects_a_non_variable_root(tmp_path: Any) -> None:
    trainer = ExtTrainer(out=str(tmp_path))
    ext = extensions.DumpGraph("main/loss")
    trainer.observation = {"main/loss": 1.0}
    with pytest.raises(TypeError, match="DumpGraph: the observation 'main/loss' is not a Variable"):
        ext(trainer.as_trainer())


def test_dump_graph_snapshot_keys_and_resume(tmp_path: Any) -> None:
    trainer = ExtTrainer(out=str(tmp_path))
    ext = extensions.DumpGraph("main/loss")
    ext.initialize(trainer.as_trainer())
    try:
        trainer.observation = {"main/loss": F.sum(fchain.Variable(numpy.ones(2, numpy.float32)))}
        assert get_trigger(ext.trigger)(trainer.as_trainer())
        ext(trainer.as_trainer())
    finally:
        del fchain.config.keep_graph_on_report
    path = os.path.join(str(tmp_path), "ext.npz")
    save_npz(path, ext)
    with numpy.load(path) as stored:
        assert {k for k in stored.files if not k.startswith("__fchain")} == {"_original_flag", "_flag_called"}
    resumed = extensions.DumpGraph("main/loss")
    load_npz(path, resumed)
    resumed.initialize(trainer.as_trainer())
    assert fchain.config.keep_graph_on_report is False  # already dumped: the flag stays off
    assert not get_trigger(resumed.trigger)(trainer.as_trainer())


def test_dump_graph_in_a_training_run(tmp_path: Any) -> None:
    """A real run: the Classifier's reported loss keeps its graph at iteration 1."""
    import fchain.links as L
    from fchain import iterators, optimizers, training
    from fchain.datasets import TupleDataset

    x = numpy.random.default_rng(0).standard_normal((6, 2)).astype(numpy.float32)
    t = numpy.array([0, 1, 2, 0, 1, 2], numpy.int32)
    model = L.Classifier(L.Linear(2, 3))
    optimizer = optimizers.SGD()
    optimizer.setup(model)
    iterator = iterators.SerialIterator(TupleDataset(x, t), 3)
    updater = training.StandardUpdater(iterator, optimizer)
    trainer = training.Trainer(updater, (2, "iteration"), out=str(tmp_path))
    trainer.extend(extensions.DumpGraph("main/loss"))
    trainer.run()
    with open(os.path.join(str(tmp_path), "cg.dot")) as f:
        _, nodes, _ = parse_dot(f.read())
    labels = sorted(n["label"] for n in nodes.values())
    assert "softmax_cross_entropy" in labels and "linear" in labels
    # Parameters are drawn; the input batch was a plain array (a constant): not drawn.
    assert {"W: (3, 2), float32", "b: (3), float32", "(3, 3), float32"} <= set(labels)
    assert fchain.config.keep_graph_on_report is False
