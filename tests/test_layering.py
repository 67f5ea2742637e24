"""The layers import downwards only, and nothing imports in a circle.

    types, array_module, errors  <-  core  <-  graph  <-  ops  <-  functions  <-  facade

``core`` is pure (nodes, op definitions, the traversal, update math); ``graph`` is
Variable, applying an op and the backward pass; ``ops`` are the op files;
``functions`` is ``fchain.functions`` and the two modules through which it
installs Variable's operators and the second-order namespace; everything else
(links, optimizers, training, serializers, datasets, the ``fchain`` package
itself) is the facade.  The import graph is read from the source (every import
statement, those inside functions and ``TYPE_CHECKING`` blocks included); parent
packages, which Python imports implicitly, are not edges.
"""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys
import textwrap

import pytest

import fchain

SRC = pathlib.Path(fchain.__file__).parent
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("types, errors", ("fchain.types", "fchain.array_module", "fchain.errors")),
    ("core", ("fchain.core",)),
    ("graph", ("fchain.graph",)),
    ("ops", ("fchain.ops",)),
    ("functions", ("fchain.functions", "fchain._variable_methods", "fchain._second_order")),
]
FACADE = len(LAYERS)


def _modules() -> dict[str, pathlib.Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def layer_of(module: str) -> int:
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return FACADE


def _in_type_checking(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports(module: str) -> list[tuple[str, int, bool]]:
    """``(imported fchain module, line, only for type checking)`` for each import."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(), filename=str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        for target in targets:
            if target in MODULES and target != module:
                found.append((target, node.lineno, _in_type_checking(node, parents)))
    return found


def test_the_layers_name_existing_packages() -> None:
    for _, prefixes in LAYERS:
        for prefix in prefixes:
            assert prefix in MODULES, f"layer entry {prefix} is not a module of fchain"


def test_no_import_goes_up_a_layer() -> None:
    upward = []
    for module in sorted(MODULES):
        for target, line, _ in imports(module):
            if layer_of(target) > layer_of(module):
                upward.append(f"{module}:{line} imports {target} "
                              f"({LAYERS[layer_of(module)][0] if layer_of(module) < FACADE else 'facade'} "
                              f"-> {LAYERS[layer_of(target)][0] if layer_of(target) < FACADE else 'facade'})")
    assert not upward, "imports that go up a layer:\n" + "\n".join(upward)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles() -> None:
    """Run-time imports form no cycle (type-only references may point both ways
    inside a layer: a Trainer and its extensions name each other's types)."""
    edges = {m: {t for t, _, typing_only in imports(m) if not typing_only} for m in MODULES}
    cycles = _cycles(edges)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


_PROBE = textwrap.dedent("""
    import sys, types
    package = types.ModuleType("fchain")
    package.__path__ = [{src!r}]
    sys.modules["fchain"] = package  # a bare package: fchain/__init__ does not run
    import importlib
    for name in {modules!r}:
        importlib.import_module(name)
    print(" ".join(sorted(m for m in sys.modules if m.startswith("fchain."))))
""")


@pytest.mark.parametrize("rank", range(len(LAYERS) - 1))
def test_importing_a_layer_loads_nothing_above_it(rank: int) -> None:
    """``import fchain.core`` (and each layer up to the ops) run alone, without the
    package's ``__init__``, load only modules of that layer and below."""
    wanted = sorted(m for m in MODULES if layer_of(m) == rank)
    probe = _PROBE.format(src=str(SRC), modules=wanted)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    loaded = out.split()
    assert set(wanted) <= set(loaded)
    above = [m for m in loaded if layer_of(m) > rank]
    assert not above, f"importing the {LAYERS[rank][0]} layer loaded {above}"
