"""The local CuPy stubs (``stubs/cupy``, ``stubs/cupyx``) against the installed CuPy.

mypy trusts the stubs; this test keeps them honest: every module attribute, class
and class member they declare must exist on the real module.  Reading the stubs is
checked on the CPU too, so a stub the parser cannot read fails here, not on the
GPU machine.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from tests.conftest import requires_gpu

STUBS = Path(__file__).resolve().parents[2] / "stubs"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(STUBS).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def declared_names() -> list[tuple[str, str]]:
    """``(module, dotted name)`` for every public name the CuPy stubs declare:
    ``('cupy', 'asarray')``, ``('cupy.cuda', 'Device.use')``, ..."""
    found: list[tuple[str, str]] = []
    for path in sorted([*STUBS.glob("cupy/**/*.pyi"), *STUBS.glob("cupyx/**/*.pyi")]):
        module = _module_name(path)
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                found.append((module, node.name))
                if isinstance(node, ast.ClassDef):
                    for item in node.body:
                        if isinstance(item, ast.FunctionDef) and not (
                                item.name.startswith("_") and item.name not in ("__call__", "__enter__")):
                            found.append((module, f"{node.name}.{item.name}"))
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                found.append((module, node.target.id))
            elif isinstance(node, ast.Assign):
                found.extend((module, t.id) for t in node.targets if isinstance(t, ast.Name))
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(module):
                found.extend((module, alias.asname or alias.name) for alias in node.names
                             if alias.asname is not None)  # explicit re-exports: ``import x as x``
    return found


NAMES = declared_names()


def test_the_stubs_declare_what_fchain_calls() -> None:
    names = set(NAMES)
    for expected in [("cupy", "asarray"), ("cupy", "asnumpy"), ("cupy", "ndarray.get"),
                     ("cupy", "ElementwiseKernel"), ("cupy", "add"), ("cupy", "ufunc.at"),
                     ("cupy.cuda", "Device"), ("cupy.cuda", "Device.use"),
                     ("cupy.cuda.runtime", "getDeviceCount"), ("cupy.random", "default_rng"),
                     ("cupy.random", "Generator.random"), ("cupyx", "scatter_add")]:
        assert expected in names, f"{expected} missing from the stubs"


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize(("module", "name"), NAMES, ids=[f"{m}.{n}" for m, n in NAMES])
def test_stub_name_exists_on_cupy(module: str, name: str) -> None:
    obj: object = importlib.import_module(module)
    for part in name.split("."):
        assert hasattr(obj, part), f"stubs declare {module}.{name}, but the installed CuPy has no {part!r}"
        obj = getattr(obj, part)
