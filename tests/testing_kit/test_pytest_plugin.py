"""fchain's pytest plugin, as an installed fchain loads it: through the ``pytest11``
entry point that pyproject declares (a scratch distribution holding that entry
point is put on the path of a pytest run in a subprocess)."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap
import tomllib

import pytest

import fchain
from fchain.testing.devices import GPU_SKIP_REASON, have_gpu

ROOT = pathlib.Path(__file__).resolve().parents[2]
SRC = pathlib.Path(fchain.__file__).resolve().parents[1]

USER_TESTS = textwrap.dedent('''
    import pytest
    from hypothesis import settings

    from fchain.backend import Device


    @pytest.mark.gpu
    def test_on_the_gpu() -> None:
        import cupy  # noqa: F401


    @pytest.mark.slow
    def test_slow() -> None:
        pass


    def test_device(device: Device) -> None:
        assert device.name in ("@numpy", "@cupy:0")


    def test_profile() -> None:
        assert settings.default.derandomize and settings.default.max_examples == 50
''')


def _entry_point() -> tuple[str, str]:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["pytest11"]
    ((name, value),) = declared.items()
    return name, value


def _run(tmp_path: pathlib.Path, installed: bool, conftest: bool) -> subprocess.CompletedProcess[str]:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "pytest.ini").write_text("[pytest]\n")
    (suite / "test_user.py").write_text(USER_TESTS)
    if conftest:
        (suite / "conftest.py").write_text('pytest_plugins = ["fchain.testing.pytest_plugin"]\n')
    paths = [str(SRC)]
    blocked: list[str] = []
    if installed:
        name, value = _entry_point()
        info = tmp_path / "site" / "fchain_kit_probe-0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fchain-kit-probe\nVersion: 0\n")
        (info / "entry_points.txt").write_text(f"[pytest11]\n{name} = {value}\n")
        paths.insert(0, str(info.parent))
    else:
        # fchain installed in this environment (``pip install -e .``, as CI does)
        # declares the entry point too: block it, so the control has no plugin.
        blocked = ["-p", f"no:{_entry_point()[0]}"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *blocked, "--strict-markers", "-rs",
         "--hypothesis-profile=fchain-ci", "--fchain-skip-slow", str(suite)],
        cwd=suite, env=env, capture_output=True, text=True, timeout=120)


def test_the_entry_point_is_named_after_its_module() -> None:
    name, value = _entry_point()
    assert name == value == "fchain.testing.pytest_plugin"


@pytest.mark.parametrize("conftest", [False, True], ids=["no-conftest", "conftest-lists-it-too"])
def test_an_installed_fchain_gives_markers_fixture_and_profiles(tmp_path: pathlib.Path, conftest: bool) -> None:
    result = _run(tmp_path, installed=True, conftest=conftest)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "slow test (--fchain-skip-slow)" in out
    if have_gpu():
        assert "4 passed, 1 skipped" in out, out
    else:
        assert GPU_SKIP_REASON in out and "2 passed, 3 skipped" in out, out


def test_without_the_plugin_the_same_suite_fails(tmp_path: pathlib.Path) -> None:
    """The control: no entry point, no conftest, so none of it exists."""
    result = _run(tmp_path, installed=False, conftest=False)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "fchain-skip-slow" in out or "'gpu' not found" in out, out
