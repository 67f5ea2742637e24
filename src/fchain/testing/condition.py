"""``retry``, ``repeat`` and ``repeat_with_success_at_least``: Chainer's decorators
for tests whose outcome depends on chance.

``@retry(n)`` passes when one of up to ``n`` runs passes (for a statistical test
that fails on a small fraction of seeds); ``@repeat(n)`` passes only when ``n``
runs in a row pass; ``@repeat_with_success_at_least(n, k)`` runs up to ``n`` times
and passes once ``k`` runs have passed, failing as soon as that cannot happen.

They decorate plain test functions and test methods alike.  A skip (pytest's, or
``unittest.SkipTest``) ends the test as skipped at once.  For a method, each run
after the first starts from a fresh setup: the instance's ``teardown_method`` and
then ``setup_method`` are called between runs when it has them (pytest fixtures
are not recreated).  On failure the error of the first failing run is raised,
with a note counting the runs that failed and passed.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

__all__ = ["repeat", "repeat_with_success_at_least", "retry"]

PS = ParamSpec("PS")
R = TypeVar("R")


def _is_skip(error: BaseException) -> bool:
    unittest = sys.modules.get("unittest")
    return unittest is not None and isinstance(error, unittest.SkipTest)


def _fresh_setup(args: tuple[object, ...], function: Callable[..., object]) -> None:
    """Between runs of a method: the instance's teardown_method, then setup_method."""
    if not args:
        return
    instance = args[0]
    name = getattr(function, "__name__", "")
    if getattr(type(instance), name, None) is None:
        return  # a plain function whose first argument is not its instance
    for hook in ("teardown_method", "setup_method"):
        method = getattr(instance, hook, None)
        if callable(method):
            method(getattr(instance, name))


def repeat_with_success_at_least(times: int, min_success: int) -> Callable[[Callable[PS, R]], Callable[PS, None]]:
    """Run up to ``times`` times; pass once ``min_success`` runs have passed."""
    if not 0 < min_success <= times:
        raise ValueError(f"repeat_with_success_at_least: need 0 < min_success <= times, "
                         f"got times={times}, min_success={min_success}")

    def decorate(function: Callable[PS, R]) -> Callable[PS, None]:
        @functools.wraps(function)
        def run(*args: PS.args, **kwargs: PS.kwargs) -> None:
            passed = failed = 0
            first: Exception | None = None
            for attempt in range(times):
                if attempt:
                    _fresh_setup(args, function)
                try:
                    function(*args, **kwargs)
                except Exception as error:
                    if _is_skip(error):
                        raise
                    failed += 1
                    first = first if first is not None else error
                else:
                    passed += 1
                if passed >= min_success:
                    return
                if failed > times - min_success:
                    break
            assert first is not None
            first.add_note(f"{failed} of {passed + failed} runs failed, {passed} passed; "
                           f"{min_success} of up to {times} had to pass (the first failure is shown)")
            raise first
        return run
    return decorate


def repeat(times: int) -> Callable[[Callable[PS, R]], Callable[PS, None]]:
    """Pass only when ``times`` runs in a row pass."""
    return repeat_with_success_at_least(times, times)


def retry(times: int) -> Callable[[Callable[PS, R]], Callable[PS, None]]:
    """Pass when one of up to ``times`` runs passes."""
    return repeat_with_success_at_least(times, 1)
