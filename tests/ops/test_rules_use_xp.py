"""Rules must reach arrays only through ``xp``: no ``numpy``/``cupy`` inside ``fchain/ops``.

Static types cannot catch this (CuPy arrays are typed as numpy arrays), and a direct
numpy call would silently break GPU execution and double backprop.
"""

from __future__ import annotations

import ast
import pathlib

import fchain.ops

OPS_DIR = pathlib.Path(fchain.ops.__path__[0])
ALLOWED_IMPORTS = {"numpy": {"generic", "ndarray"}}  # type checks only (numpy scalars; the fast paths' `type(x) is ndarray`)


def test_no_numpy_or_cupy_calls_in_ops() -> None:
    offences: list[str] = []
    for path in sorted(OPS_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in ("numpy", "cupy", "cupyx"):
                        offences.append(f"{path.name}:{node.lineno}: import {alias.name}")
            elif isinstance(node, ast.ImportFrom) and node.module:
                root = node.module.split(".")[0]
                if root in ("cupy", "cupyx"):
                    offences.append(f"{path.name}:{node.lineno}: from {node.module} import ...")
                if root == "numpy":
                    names = {a.name for a in node.names}
                    if not names <= ALLOWED_IMPORTS["numpy"]:
                        offences.append(f"{path.name}:{node.lineno}: from numpy import {sorted(names)}")
    assert not offences, "ops must use xp, not numpy/cupy directly:\n" + "\n".join(offences)
