"""fchain's pytest plugin, hypothesis profiles, and the device parameter shared by tests.

The plugin (``fchain.testing.pytest_plugin``) gives the ``gpu`` and ``slow`` markers
(a ``gpu`` test is skipped with a reason where CuPy sees no device) and the
``device`` fixture; it is named here so the suite works from a source checkout,
and an installed fchain's entry point registers the same module once.

Profiles (``fchain.testing.profiles``, registered here without a prefix): ``ci``
(the default: derandomized, no database, no deadline), ``dev`` (more examples,
database on) and ``gpu`` (no deadline, no shrinking; ``FCHAIN_GPU_EXAMPLES`` sets
its example count, 10 by default).  Choose with ``HYPOTHESIS_PROFILE``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from fchain.initializers import get_rng, set_rng
from fchain.testing.devices import GPU_SKIP_REASON, have_gpu
from fchain.testing.profiles import register_profiles

pytest_plugins = ["fchain.testing.pytest_plugin"]

register_profiles(prefix="")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

HAVE_GPU = have_gpu()

requires_gpu = pytest.mark.skipif(not HAVE_GPU, reason=GPU_SKIP_REASON)

DEVICES = [
    pytest.param("@numpy", id="cpu"),
    pytest.param("@cupy:0", id="gpu", marks=[pytest.mark.gpu, requires_gpu]),
]


@pytest.fixture(autouse=True)
def _restore_initializer_rng() -> Iterator[None]:
    """Tests that seed the initializers (``set_random_seed``) must not change the
    models later tests build: the installed random source is put back afterwards."""
    saved = get_rng()
    try:
        yield
    finally:
        set_rng(saved)
