"""Programs with one deliberate mistake each must be rejected by ``mypy --strict``.

Each file in ``reject/`` starts with ``# expect: <error-code>``; one mypy run checks
them all, and every file must produce an error with its code.  The second line,
``# expect-pyright: <rule>``, is pyright's expectation (``test_pyright.py``).
"""

from __future__ import annotations

import os
import pathlib
import re

import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent.parent
REJECT = sorted((HERE / "reject").glob("*.py"))


def _mypy_available() -> bool:
    try:
        import mypy  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _mypy_available(), reason="mypy is not installed (it is a dev extra)")
def test_each_reject_program_fails_with_its_expected_code() -> None:
    assert REJECT, "no reject programs found"
    cmd = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "mypy.ini"),
           "--no-error-summary", "--show-error-codes", *map(str, REJECT)]
    # This checkout's fchain, also where the interpreter has another one installed.
    env = dict(os.environ, MYPYPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("MYPYPATH", "")]))
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    output = done.stdout + done.stderr
    for path in REJECT:
        first = path.read_text().splitlines()[0]
        match = re.match(r"# expect: ([a-z-]+)", first)
        assert match, f"{path.name} must start with '# expect: <code>'"
        code = match.group(1)
        lines = [ln for ln in output.splitlines() if path.name in ln and "error:" in ln]
        assert lines, f"mypy accepted {path.name}, which must be rejected:\n{output}"
        assert any(f"[{code}]" in ln for ln in lines), (
            f"{path.name}: expected a [{code}] error, got:\n" + "\n".join(lines))
    
