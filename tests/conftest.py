"""Hypothesis profiles, the ``gpu`` marker and the device parameter shared by tests.

Profiles: ``ci`` (derandomized, no database, no deadline; the default under CI),
``dev`` (more examples, database on) and ``gpu`` (no deadline: a first CuPy kernel
compile takes up to a second; ``FCHAIN_GPU_EXAMPLES`` sets its example count, 10 by
default).  Choose with ``HYPOTHESIS_PROFILE``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, Phase, settings

from fchain.core.backend import gpu_available
from fchain.initializers import get_rng, set_rng

settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True, max_examples=50,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev", deadline=None, max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "gpu", derandomize=True, database=None, deadline=None, print_blob=True,
    max_examples=int(os.environ.get("FCHAIN_GPU_EXAMPLES", "10")),  # fewer to fit a short GPU lease
    # no shrinking: on a GPU every new shape compiles new kernels, so shrinking one
    # failure could eat the whole run; the failing example is reported as drawn
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

GPU_SKIP_REASON = "no GPU: CuPy is not installed or sees no CUDA device"
HAVE_GPU = gpu_available()

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
