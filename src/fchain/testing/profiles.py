"""fchain's hypothesis profiles, for any suite.

* ``ci``: derandomized (the same examples on every run, so a red build is
  reproducible), no example database, no deadline (a first call compiles or
  allocates), 50 examples, failing blobs printed.
* ``dev``: random examples with the database on (new examples each run, known
  failures replayed first), 60 examples, no deadline.
* ``gpu``: like ``ci`` with fewer examples (``FCHAIN_GPU_EXAMPLES``, 10 by default)
  and no shrinking: on a GPU every new shape compiles new kernels, so shrinking
  one failure could take the whole run; the failing example is reported as drawn.

``register_profiles(prefix)`` registers them under ``prefix + name``: the pytest
plugin registers ``fchain-ci``, ``fchain-dev`` and ``fchain-gpu`` (choose one with
hypothesis' ``--hypothesis-profile=fchain-ci``); fchain's own suite registers them
unprefixed.  Registering a profile again replaces it (no error), and nothing here
loads a profile: that stays the suite's choice.
"""

from __future__ import annotations

import os

__all__ = ["PROFILE_NAMES", "register_profiles"]

PROFILE_NAMES = ("ci", "dev", "gpu")


def register_profiles(prefix: str = "fchain-") -> tuple[str, ...]:
    """Register the three profiles under ``prefix``; returns their full names."""
    from hypothesis import HealthCheck, Phase, settings

    quiet = [HealthCheck.too_slow, HealthCheck.data_too_large]
    settings.register_profile(prefix + "ci", derandomize=True, database=None, deadline=None, print_blob=True,
                              max_examples=50, suppress_health_check=quiet)
    settings.register_profile(prefix + "dev", deadline=None, max_examples=60, suppress_health_check=quiet)
    settings.register_profile(prefix + "gpu", derandomize=True, database=None, deadline=None, print_blob=True,
                              max_examples=int(os.environ.get("FCHAIN_GPU_EXAMPLES", "10")),
                              phases=(Phase.explicit, Phase.reuse, Phase.generate), suppress_health_check=quiet)
    return tuple(prefix + name for name in PROFILE_NAMES)
