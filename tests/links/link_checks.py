"""Checks every link of issue 12 goes through, whatever its family: the file round
trip (npz and HDF5, into a fresh and possibly lazily sized link), ``copy`` in its
three modes and the move to a device.

Each takes factories rather than links, so the target of a load is always a new,
untouched link (a lazy one where the link can be lazy) and the comparison is with
what the original computed.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

import fchain
from fchain import Link, Variable, serializers
from fchain.core.backend import to_numpy
from fchain.types import Array
from tests.arrays import values

__all__ = ["assert_copies", "assert_device_move", "assert_round_trip", "npz_keys", "state"]

Call = Callable[[Link], Variable]
"""Runs a link on the check's fixed input(s)."""


def state(link: Link) -> dict[str, Array]:
    """Copies of every value ``link``'s tree serializes (parameters and persistent
    values), on the host, keyed by Chainer's path (``conv1n/avg_mean``)."""
    collected = serializers.DictionarySerializer()
    collected.save(link)
    return {key: np.array(value, copy=True) for key, value in collected.target.items()}


def npz_keys(path: Path) -> list[str]:
    """The keys of an npz file, fchain's own metadata left out."""
    with zipfile.ZipFile(path) as zf:
        names = [n.removesuffix(".npy") for n in zf.namelist()]
    return sorted(n for n in names if not any(p.startswith("__fchain") for p in n.split("/")))


def assert_round_trip(tmp_path: Path, make: Callable[[], Link], make_target: Callable[[], Link], call: Call,
                      keys: Sequence[str]) -> None:
    """``make()`` run once (so lazy parts are sized and running statistics move),
    saved to npz and HDF5 with exactly ``keys``, each loaded into ``make_target()``:
    the same state and, in test mode, the same output bit for bit."""
    source = make()
    call(source)
    with fchain.using_config("train", False):
        want = call(source).array
    for fmt in ("npz", "h5"):
        path = tmp_path / f"link.{fmt}"
        if fmt == "npz":
            serializers.save_npz(path, source)
            assert npz_keys(path) == sorted(keys)
        else:
            serializers.save_hdf5(path, source)
        target = make_target()
        if fmt == "npz":
            serializers.load_npz(path, target)
        else:
            serializers.load_hdf5(path, target)
        got_state, want_state = state(target), state(source)
        assert sorted(got_state) == sorted(want_state) == sorted(keys), fmt
        for key, value in want_state.items():
            np.testing.assert_array_equal(got_state[key], value, err_msg=f"{fmt}: {key}")
            assert got_state[key].dtype == value.dtype, f"{fmt}: {key}"
        with fchain.using_config("train", False):
            np.testing.assert_array_equal(call(target).array, want, err_msg=fmt)


def assert_copies(make: Callable[[], Link], call: Call) -> None:
    """``copy('share')`` shares the parameter arrays, ``copy('copy')`` has equal but
    separate ones, ``copy('init')`` re-draws them (same shapes); all three compute
    what the original does until it changes."""
    link = make()
    call(link)
    params = dict(link.namedparams())
    shared, copied, fresh = link.copy("share"), link.copy("copy"), link.copy("init")
    for name, param in shared.namedparams():
        assert param.array is params[name].array, name
    for name, param in copied.namedparams():
        assert param.array is not params[name].array, name
        np.testing.assert_array_equal(to_numpy(values(param)), to_numpy(values(params[name])), err_msg=name)
    for name, param in fresh.namedparams():
        assert param.shape == params[name].shape, name
    with fchain.using_config("train", False):
        want = to_numpy(call(link).array)
        np.testing.assert_array_equal(to_numpy(call(shared).array), want)
        np.testing.assert_array_equal(to_numpy(call(copied).array), want)


def assert_device_move(device: str, make_lazy: Callable[[], Link], make_host: Callable[[], Link],
                       inputs: Sequence[Array], seed: int = 5, rtol: float = 1e-5) -> None:
    """A lazily sized link moved to ``device`` before its first call sizes itself
    there, drawing what a host link built with the sizes draws (same seed), and
    computes what the host link computes."""
    target = fchain.get_device(device)
    fchain.initializers.set_random_seed(seed)
    link = make_lazy().to_device(device)
    y = link(*(target.send(x) for x in inputs))
    assert y.device == target
    for name, param in link.namedparams():
        assert param.device == target, name
    fchain.initializers.set_random_seed(seed)
    host = make_host()
    y_host = host(*inputs)
    got, want = state(link), state(host)
    assert sorted(got) == sorted(want)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=rtol, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(to_numpy(y.array), to_numpy(y_host.array), rtol=rtol, atol=1e-6)
