"""``ConfigKey``: a user's configuration key, typed, sharing the value of
``using_config`` and Chainer-style ``config.<name>`` assignments."""

from __future__ import annotations

import threading

import pytest

import fchain
from fchain import ConfigKey

AUGMENT = ConfigKey("test_augment", True)


def test_default_until_set_and_scoped_using() -> None:
    assert AUGMENT.get() is True
    with AUGMENT.using(False):
        assert AUGMENT.get() is False
        assert getattr(fchain.config, "test_augment") is False
    assert AUGMENT.get() is True


def test_shares_the_value_of_using_config_and_set() -> None:
    with fchain.using_config("test_augment", False):
        assert AUGMENT.get() is False
    seen: list[bool] = []

    def other() -> None:
        AUGMENT.set(False)  # this thread's context only
        seen.append(AUGMENT.get())

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen == [False] and AUGMENT.get() is True


def test_set_global_and_type_check() -> None:
    key = ConfigKey("test_level", 1)
    try:
        key.set_global(3)
        assert key.get() == 3
        with fchain.using_config("test_level", "high"), pytest.raises(TypeError, match="test_level"):
            key.get()
    finally:
        delattr(fchain.global_config, "test_level")
    with pytest.raises(ValueError, match="identifier"):
        ConfigKey("not a name", 0)
