"""Computational graphs as Graphviz DOT text (Chainer's ``chainer.computational_graph``).

``build_computational_graph([loss])`` walks backward from the given variables
through each variable's creator node to that node's inputs, and returns a
``ComputationalGraph`` whose ``dump()`` is DOT text::

    g = fchain.computational_graph.build_computational_graph([loss])
    with open('graph.dot', 'w') as f:
        f.write(g.dump())
    # then: dot -Tpng graph.dot -o graph.png

Variables are drawn as octagons labelled ``name: (shape), dtype`` and function
nodes as boxes labelled with the op's name, with Chainer's default colours.
Inputs that were plain arrays (constants, not Variables) are not part of
fchain's graph and so are not drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from fchain.core.node import Node
from fchain.graph.variable import Variable

__all__ = ["ComputationalGraph", "DotNode", "build_computational_graph"]

_var_style: Mapping[str, str] = {"shape": "octagon", "fillcolor": "#E0E0E0", "style": "filled"}
_func_style: Mapping[str, str] = {"shape": "record", "fillcolor": "#6495ED", "style": "filled"}

GraphNode = Variable | Node
"""A node of the drawn graph: a variable or a function (op application) node."""


def _variable_label(var: Variable) -> str:
    """Chainer's ``VariableNode.label``: ``dtype`` for a scalar, else
    ``(d0, d1), dtype``; ``None`` when there is no data."""
    data = var.array
    if data is None:
        return "None"
    if data.ndim == 0:
        return str(data.dtype)
    return "({}), {}".format(", ".join(str(d) for d in data.shape), data.dtype)


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


class DotNode:
    """One node in DOT form: ``id [label="...",shape="...",...];``.

    ``attribute`` adds or overrides DOT attributes; ``show_name`` prefixes a named
    variable's label with its name.
    """

    id_: int

    def __init__(self, node: GraphNode, attribute: Mapping[str, str] | None = None,
                 show_name: bool = True) -> None:
        if not isinstance(node, (Variable, Node)):
            raise TypeError(f"DotNode: node must be a Variable or a Node, got {type(node).__name__}")
        self.node = node
        self.id_ = id(node)
        if isinstance(node, Variable):
            label = _variable_label(node)
            if show_name and node.name is not None:
                label = f"{node.name}: {label}"
            self.attribute: dict[str, str] = {"label": label, "shape": "oval"}
        else:
            self.attribute = {"label": node.label, "shape": "box"}
        if attribute is not None:
            self.attribute.update(attribute)

    @property
    def label(self) -> str:
        """The node's DOT statement."""
        attributes = ",".join(f'{k}="{_quote(str(v))}"' for k, v in self.attribute.items())
        return f"{self.id_} [{attributes}];"


class ComputationalGraph:
    """Nodes (variables and function nodes) and edges ``(head, tail)`` of a graph.

    ``rankdir`` is the layout direction (``'TB'``, ``'BT'``, ``'LR'`` or ``'RL'``);
    ``remove_variable`` draws only the function nodes, with an edge from each to
    the nodes that consumed its outputs; ``show_name`` shows variables' names.
    """

    nodes: list[GraphNode]
    edges: list[tuple[GraphNode, GraphNode]]

    def __init__(self, nodes: Sequence[GraphNode], edges: Sequence[tuple[GraphNode, GraphNode]],
                 variable_style: Mapping[str, str] | None = _var_style,
                 function_style: Mapping[str, str] | None = _func_style, rankdir: str = "TB",
                 remove_variable: bool = False, show_name: bool = True) -> None:
        if rankdir not in ("TB", "BT", "LR", "RL"):
            raise ValueError(f"ComputationalGraph: rankdir must be 'TB', 'BT', 'LR' or 'RL', got {rankdir!r}")
        self.nodes = list(nodes)
        self.edges = list(edges)
        self.variable_style = variable_style
        self.function_style = function_style
        self.rankdir = rankdir
        self.remove_variable = remove_variable
        self.show_name = show_name

    def _function_edges(self) -> list[tuple[Node, Node]]:
        """Edges between function nodes: creator of a variable -> its consumer."""
        present = {id(n) for n in self.nodes}
        result: list[tuple[Node, Node]] = []
        seen: set[tuple[int, int]] = set()
        for head, tail in self.edges:
            if isinstance(head, Variable) and isinstance(tail, Node):
                creator = head.creator
                if creator is None or id(creator) not in present:
                    continue
                key = (id(creator), id(tail))
                if key not in seen:
                    seen.add(key)
                    result.append((creator, tail))
        return result

    def _to_dot(self) -> str:
        parts = [f"digraph graphname{{rankdir={self.rankdir};"]
        for node in self.nodes:
            if isinstance(node, Variable):
                if not self.remove_variable:
                    parts.append(DotNode(node, self.variable_style, self.show_name).label)
            else:
                parts.append(DotNode(node, self.function_style, self.show_name).label)
        edges: Iterable[tuple[GraphNode, GraphNode]]
        edges = self._function_edges() if self.remove_variable else self.edges
        drawn: set[tuple[int, int]] = set()
        for head, tail in edges:
            if isinstance(head, Variable) == isinstance(tail, Variable) and not self.remove_variable:
                raise TypeError("ComputationalGraph: each edge must join a Variable and a Node")
            edge = (id(head), id(tail))
            if edge in drawn:
                continue
            drawn.add(edge)
            parts.append(f"{edge[0]} -> {edge[1]};")
        parts.append("}")
        return "".join(parts)

    def dump(self, format: str = "dot") -> str:  # noqa: A002 - Chainer's argument name
        """The graph as text; ``format`` must be ``'dot'`` (Graphviz DOT)."""
        if format == "dot":
            return self._to_dot()
        raise NotImplementedError(f"ComputationalGraph.dump: only format='dot' is supported, got {format!r}")


def build_computational_graph(
        outputs: Iterable[GraphNode], remove_split: bool = True,
        variable_style: Mapping[str, str] | None = _var_style,
        function_style: Mapping[str, str] | None = _func_style, rankdir: str = "TB",
        remove_variable: bool = False, show_name: bool = True) -> ComputationalGraph:
    """The graph of the variables and function nodes backward-reachable from
    ``outputs`` (Variables or Nodes).

    The walk stops at leaves and at variables whose graph was cut
    (``unchain_backward``).  ``remove_split`` must be ``True`` (it is kept for
    Chainer compatibility).  The other arguments are ``ComputationalGraph``'s.
    """
    if not remove_split:
        raise ValueError("build_computational_graph: remove_split=False is not supported")
    nodes: list[GraphNode] = []
    node_ids: set[int] = set()
    edges: list[tuple[GraphNode, GraphNode]] = []
    edge_ids: set[tuple[int, int]] = set()

    def add_node(node: GraphNode) -> bool:
        if id(node) in node_ids:
            return False
        node_ids.add(id(node))
        nodes.append(node)
        return True

    def add_edge(head: GraphNode, tail: GraphNode) -> None:
        key = (id(head), id(tail))
        if key not in edge_ids:
            edge_ids.add(key)
            edges.append((head, tail))

    stack: list[GraphNode] = []
    for output in outputs:
        if not isinstance(output, (Variable, Node)):
            raise TypeError(f"build_computational_graph: outputs must be Variables or Nodes, "
                            f"got {type(output).__name__}")
        if add_node(output):
            stack.append(output)
    while stack:
        current = stack.pop()
        if isinstance(current, Variable):
            creator = current.creator
            if creator is not None:
                add_edge(creator, current)
                if add_node(creator):
                    stack.append(creator)
        else:
            for var in current.inputs:
                if not isinstance(var, Variable):
                    continue
                add_edge(var, current)
                if add_node(var):
                    stack.append(var)
    return ComputationalGraph(nodes, edges, variable_style, function_style, rankdir,
                              remove_variable, show_name)
