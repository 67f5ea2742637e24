"""fchain's pytest plugin, loaded by pytest wherever fchain is installed (entry point
``pytest11``, named ``fchain.testing.pytest_plugin``; disable it with ``-p
no:fchain.testing.pytest_plugin``).

It gives a suite:

* the markers ``gpu`` (``@pytest.mark.gpu``, or ``gpu(n)`` for n GPUs) and ``slow``,
  declared so ``--strict-markers`` accepts them; a ``gpu`` test is skipped with a
  reason where CuPy sees no (or too few) CUDA devices, and ``--fchain-skip-slow``
  skips ``slow`` tests with a reason;
* a ``device`` fixture (an fchain ``Device``), parametrized over the CPU and GPU
  0, the GPU case marked ``gpu`` (so skipped, with its reason, without one):
  ``FunctionTestCase`` and the link test cases run each test on it;
* hypothesis profiles ``fchain-ci``, ``fchain-dev``, ``fchain-gpu``
  (``fchain.testing.profiles``), registered when hypothesis is installed and
  loaded only when asked (``--hypothesis-profile=fchain-ci``).

A suite that also names this module in ``pytest_plugins`` (as fchain's own does,
to work from a source checkout) loads it once: pytest finds it already registered
under that name.
"""

from __future__ import annotations

import pytest

from fchain.graph.device import Device, get_device
from fchain.testing.attr import gpu_skip_reason
from fchain.testing.devices import ALL_DEVICES

__all__ = ["device", "pytest_addoption", "pytest_collection_modifyitems", "pytest_configure"]

try:
    from fchain.testing.profiles import register_profiles

    register_profiles("fchain-")
except ImportError:  # hypothesis is not installed: no profiles to offer
    pass

MARKERS = (
    "gpu(n=1): needs CuPy and n CUDA devices (skipped with a reason elsewhere)",
    "slow: takes more than a few seconds (skipped with --fchain-skip-slow)",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("fchain").addoption(
        "--fchain-skip-slow", action="store_true", default=False, help="skip tests marked slow")


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_slow = bool(config.getoption("--fchain-skip-slow"))
    reasons: dict[int, str | None] = {}
    for item in items:
        marker = item.get_closest_marker("gpu")
        if marker is not None:
            needed = int(marker.args[0]) if marker.args else 1
            if needed not in reasons:
                reasons[needed] = gpu_skip_reason(needed)
            reason = reasons[needed]
            if reason is not None:
                item.add_marker(pytest.mark.skip(reason=reason))
        if skip_slow and item.get_closest_marker("slow") is not None:
            item.add_marker(pytest.mark.skip(reason="slow test (--fchain-skip-slow)"))


@pytest.fixture(params=[pytest.param(spec, id="cpu" if spec == "@numpy" else "gpu",
                                     marks=[] if spec == "@numpy" else [pytest.mark.gpu])
                        for spec in ALL_DEVICES])
def device(request: pytest.FixtureRequest) -> Device:
    """The device a test runs on: the CPU, then GPU 0 (skipped without one)."""
    spec: str = request.param
    return get_device(spec)
