"""Configuration: Chainer's keys, using_config scoping, thread isolation."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import fchain
from fchain import Variable


def test_defaults_match_chainer() -> None:
    assert fchain.config.train is True
    assert fchain.config.enable_backprop is True
    assert fchain.config.debug is False
    assert np.dtype(fchain.config.dtype) == np.float32


def test_using_config_is_scoped_and_restored_on_error() -> None:
    with pytest.raises(RuntimeError):
        with fchain.using_config("train", False):
            assert fchain.config.train is False
            raise RuntimeError("boom")
    assert fchain.config.train is True


def test_unknown_key_is_an_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match="no_such_key"):
        getattr(fchain.config, "no_such_key")


def test_user_keys_can_be_set_per_context() -> None:
    with fchain.using_config("my_flag", 3):
        assert getattr(fchain.config, "my_flag") == 3


def test_config_does_not_leak_between_threads() -> None:
    seen: dict[str, object] = {}
    ready = threading.Event()
    release = threading.Event()

    def other() -> None:
        ready.wait(5)
        seen["train"] = fchain.config.train
        x = Variable(np.ones(1, np.float32))
        seen["graph"] = (x * 2.0).creator is not None
        release.set()

    t = threading.Thread(target=other)
    t.start()
    with fchain.using_config("train", False), fchain.no_backprop_mode():
        ready.set()
        release.wait(5)
    t.join(5)
    assert seen == {"train": True, "graph": True}


def test_global_config_change_reaches_cached_contexts() -> None:
    x = Variable(np.ones(1, np.float32))
    assert (x * 2.0).creator is not None
    fchain.global_config.enable_backprop = False
    try:
        assert (x * 2.0).creator is None
    finally:
        fchain.global_config.enable_backprop = True
    assert (x * 2.0).creator is not None


def test_debug_mode_names_the_op_that_made_nan() -> None:
    x = Variable(np.array([-1.0], np.float32))
    with np.errstate(invalid="ignore"), fchain.using_config("debug", True):
        with pytest.raises(FloatingPointError, match="pow_constant"):
            _ = x ** 0.5
    with np.errstate(invalid="ignore"):
        assert np.isnan((x ** 0.5).array).all()


def test_debug_mode_checks_gradients_too() -> None:
    x = Variable(np.array([0.0], np.float32))
    y = x ** 0.5  # finite forward (0), infinite gradient at 0
    with np.errstate(divide="ignore"), fchain.using_config("debug", True):
        with pytest.raises(FloatingPointError, match="pow_constant: gradient"):
            y.backward()
