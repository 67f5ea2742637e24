"""``tests/downstream_kit`` is written as a user would: it imports fchain's public
names only (what fchain's documented modules export), so that what it shows works
for a suite outside fchain's tree.  (That it passes ``mypy --strict`` is checked by
the main mypy run, which covers ``tests/``.)"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pathlib

import pytest

KIT = pathlib.Path(__file__).resolve().parents[1] / "downstream_kit"

INTERNAL = ("fchain.core", "fchain.graph", "fchain.ops", "fchain.facade")
"""fchain's layers below the public modules (``fchain``, ``fchain.functions``,
``fchain.links``, ``fchain.testing``, ...), which a user does not import."""


def _imports(path: pathlib.Path) -> list[tuple[str, str | None, int]]:
    """``(module, name or None, line)`` for every import of ``path``."""
    found: list[tuple[str, str | None, int]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, None, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            found.extend((node.module, alias.name, node.lineno) for alias in node.names)
    return found


def _violations(path: pathlib.Path) -> list[str]:
    bad = []
    for module, name, line in _imports(path):
        where = f"{path.name}:{line}: {module}{'' if name is None else '.' + name}"
        if module.startswith("tests.") and not module.startswith("tests.downstream_kit"):
            bad.append(f"{where} (fchain's own test helpers)")
        if module != "fchain" and not module.startswith("fchain."):
            continue
        parts = module.split(".") + ([] if name is None else [name])
        if any(part.startswith("_") for part in parts):
            bad.append(f"{where} (a private name)")
        elif module.startswith(INTERNAL):
            bad.append(f"{where} (an internal layer)")
        elif name is not None:
            parent = importlib.import_module(module)
            exported = getattr(parent, "__all__", None)
            submodule = hasattr(parent, "__path__") and importlib.util.find_spec(f"{module}.{name}") is not None
            if exported is not None and name not in exported and not submodule:
                bad.append(f"{where} (not in {module}.__all__)")
    return bad


@pytest.mark.parametrize("path", sorted(KIT.glob("*.py")), ids=lambda p: p.name)
def test_the_downstream_kit_imports_public_names_only(path: pathlib.Path) -> None:
    assert _violations(path) == []


def test_the_check_sees_a_private_import(tmp_path: pathlib.Path) -> None:
    """The control: the three kinds of import the kit must not make are found."""
    probe = tmp_path / "probe.py"
    probe.write_text("from fchain.core.op import OpDef\nfrom fchain.testing.op_check import _nodes\n"
                     "from tests.arrays import values\nfrom fchain.testing import check_op\n")
    found = _violations(probe)
    assert len(found) == 3, found
    assert "internal layer" in found[0] and "private" in found[1] and "test helpers" in found[2]
