"""The normalization links: BatchNormalization's three modes against the formulas
(training with ``decay``, fine-tuning as a cumulative average counted by ``N``,
test with the running statistics), ``axis``, ``use_gamma``/``use_beta``, dtypes and
initializers; BatchRenormalization, LayerNormalization and GroupNormalization
against the functions they wrap; lazy sizes, devices, copies and files.

Chainer's own numbers for these links are in ``test_chainer_golden_links.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Link, Variable, initializers
from fchain.errors import ShapeError, UninitializedError
from fchain.types import Array
from tests.arrays import values
from tests.conftest import DEVICES
from tests.links.link_checks import assert_copies, assert_device_move, assert_round_trip

BN_KEYS = ["N", "avg_mean", "avg_var", "beta", "gamma"]


def _x(shape: tuple[int, ...], seed: int = 0, loc: float = 0.0) -> Array:
    rng = np.random.default_rng(seed)
    return (loc + 2.0 * rng.standard_normal(shape)).astype(np.float32)


def _batch_stats(x: Array, axes: tuple[int, ...]) -> tuple[Array, Array]:
    """float64 batch mean and unbiased variance over ``axes``."""
    x64 = x.astype(np.float64)
    m = int(np.prod([x.shape[a] for a in axes]))
    return x64.mean(axis=axes), x64.var(axis=axes) * m / (m - 1)


# ------------------------------------------------------------- BatchNormalization


def test_batch_normalization_defaults_are_chainers() -> None:
    bn = L.BatchNormalization(3)
    assert [n for n, _ in bn.namedparams()] == ["/beta", "/gamma"]
    assert bn.gamma is not None and bn.beta is not None
    np.testing.assert_array_equal(values(bn.gamma), np.ones(3, np.float32))
    np.testing.assert_array_equal(values(bn.beta), np.zeros(3, np.float32))
    np.testing.assert_array_equal(bn.avg_mean, np.zeros(3, np.float32))
    np.testing.assert_array_equal(bn.avg_var, np.ones(3, np.float32))
    assert bn.N == 0 and type(bn.N) is int
    assert bn.decay == 0.9 and bn.eps == 2e-5 and bn.axis is None
    assert bn.avg_mean.dtype == bn.avg_var.dtype == values(bn.gamma).dtype == np.float32
    assert repr(bn) == "BatchNormalization(size=3, decay=0.9, eps=2e-05, dtype=float32, use_gamma=True, use_beta=True)"
    with pytest.raises(RuntimeError, match="size or axis"):
        L.BatchNormalization()


def test_training_mode_is_batch_normalization_and_moves_the_statistics_by_decay() -> None:
    bn = L.BatchNormalization(3, decay=0.7, eps=1e-3)
    assert bn.gamma is not None and bn.beta is not None
    values(bn.gamma)[...] = [0.5, 1.5, 2.0]
    values(bn.beta)[...] = [0.1, -0.2, 0.3]
    expected_mean, expected_var = np.zeros(3), np.ones(3)
    for step in range(3):
        x = _x((4, 3, 2, 2), seed=step, loc=step)
        y = bn(x)
        want = F.batch_normalization(x, values(bn.gamma), values(bn.beta), eps=1e-3)
        np.testing.assert_array_equal(y.array, want.array)  # the link calls the function
        mean, var = _batch_stats(x, (0, 2, 3))
        expected_mean = 0.7 * expected_mean + 0.3 * mean
        expected_var = 0.7 * expected_var + 0.3 * var
        np.testing.assert_allclose(bn.avg_mean, expected_mean, rtol=1e-5, err_msg=f"step {step}")
        np.testing.assert_allclose(bn.avg_var, expected_var, rtol=1e-5, err_msg=f"step {step}")
    assert bn.N == 0  # training mode does not count batches


def test_test_mode_normalizes_by_the_running_statistics_and_leaves_them() -> None:
    bn = L.BatchNormalization(3, eps=1e-3)
    bn(_x((5, 3, 2), seed=1, loc=1.0))  # move the statistics away from 0 and 1
    mean, var = bn.avg_mean.copy(), bn.avg_var.copy()
    x = _x((2, 3, 2), seed=2)
    with fchain.using_config("train", False):
        y = bn(x)
    np.testing.assert_array_equal(bn.avg_mean, mean)
    np.testing.assert_array_equal(bn.avg_var, var)
    assert bn.gamma is not None and bn.beta is not None
    np.testing.assert_array_equal(
        y.array, F.fixed_batch_normalization(x, values(bn.gamma), values(bn.beta), mean, var, 1e-3).array)
    formula = (x - mean[None, :, None]) / np.sqrt(var[None, :, None] + 1e-3)
    np.testing.assert_allclose(y.array, formula, rtol=1e-5, atol=1e-6)


def test_finetuning_averages_the_batches_since_start_finetuning() -> None:
    bn = L.BatchNormalization(2, decay=0.9)
    bn(_x((6, 2), seed=9, loc=3.0))  # some training first: fine-tuning forgets it
    batches = [_x((5, 2), seed=s, loc=s) for s in range(4)]
    for i, x in enumerate(batches):
        bn(x, finetune=True)
        assert bn.N == i + 1
    stats = [_batch_stats(x, (0,)) for x in batches]
    np.testing.assert_allclose(bn.avg_mean, np.mean([m for m, _ in stats], axis=0), rtol=1e-5)
    np.testing.assert_allclose(bn.avg_var, np.mean([v for _, v in stats], axis=0), rtol=1e-5)
    bn.start_finetuning()
    assert bn.N == 0
    bn(batches[0], finetune=True)  # N = 1: decay 0, the statistics are this batch's
    np.testing.assert_allclose(bn.avg_mean, stats[0][0], rtol=1e-5)
    np.testing.assert_allclose(bn.avg_var, stats[0][1], rtol=1e-5)
    with fchain.using_config("train", False):
        bn(batches[1], finetune=True)  # test mode: no count
    assert bn.N == 1


def test_recomputed_forward_leaves_the_statistics_and_the_count() -> None:
    bn = L.BatchNormalization(2)
    x = _x((4, 2), seed=3, loc=2.0)
    with fchain.using_config("in_recomputing", True):
        y = bn(x, finetune=True)
    assert bn.N == 0
    np.testing.assert_array_equal(bn.avg_mean, np.zeros(2, np.float32))
    np.testing.assert_array_equal(y.array, L.BatchNormalization(2)(x).array)


def test_without_gamma_and_beta() -> None:
    bn = L.BatchNormalization(3, use_gamma=False, use_beta=False)
    assert bn.gamma is None and bn.beta is None and list(bn.namedparams()) == []
    x = _x((4, 3), loc=1.0)
    plain = L.BatchNormalization(3)
    np.testing.assert_array_equal(bn(x).array, plain(x).array)
    np.testing.assert_array_equal(bn.avg_mean, plain.avg_mean)
    with fchain.using_config("train", False):
        np.testing.assert_array_equal(bn(x).array, plain(x).array)
    assert "use_gamma=False, use_beta=False" in repr(bn)


def test_axis_and_lazy_sizes() -> None:
    x = _x((4, 3, 2, 5))
    lazy = L.BatchNormalization(axis=(0, 2, 3))
    with pytest.raises(UninitializedError, match="avg_mean"):
        lazy.avg_mean
    assert lazy.gamma is not None and not lazy.gamma.is_initialized
    y = lazy(x)
    assert lazy.avg_mean.shape == (3,) and values(lazy.gamma).shape == (3,)
    sized = L.BatchNormalization(3)
    np.testing.assert_array_equal(y.array, sized(x).array)
    np.testing.assert_array_equal(lazy.avg_var, sized.avg_var)
    per_pixel = L.BatchNormalization(axis=0)
    y0 = per_pixel(x)
    assert per_pixel.avg_mean.shape == (3, 2, 5) and per_pixel.axis == (0,)
    np.testing.assert_array_equal(y0.array, L.BatchNormalization((3, 2, 5))(x).array)
    last = L.BatchNormalization(axis=(0, 1, 2))
    last(x)
    assert last.avg_mean.shape == (5,)
    np.testing.assert_array_equal(
        last(x).array, F.batch_normalization(x, np.ones(5, np.float32), np.zeros(5, np.float32), axis=(0, 1, 2)).array)


def test_dtypes() -> None:
    wide = L.BatchNormalization(3, dtype=np.float64)
    assert wide.avg_mean.dtype == wide.avg_var.dtype == np.float64
    assert wide.gamma is not None and values(wide.gamma).dtype == np.float64
    with fchain.using_config("dtype", fchain.mixed16):
        half = L.BatchNormalization(3)
    assert half.avg_mean.dtype == np.float32  # Chainer's high precision for mixed16
    assert half.gamma is not None and values(half.gamma).dtype == np.float32
    y = half(_x((4, 3)).astype(np.float16))
    assert y.dtype == np.float16


def test_initializers_are_applied_in_the_links_dtype_without_changing_the_callers() -> None:
    gamma_init = initializers.Constant(2.0, dtype=np.float16)
    bn = L.BatchNormalization(2, initial_gamma=gamma_init, initial_beta=-1.0,
                              initial_avg_mean=np.array([0.5, 1.5], np.float32), initial_avg_var=4.0)
    assert gamma_init.dtype == np.float16  # Chainer would have set it to float32
    assert bn.gamma is not None and bn.beta is not None
    np.testing.assert_array_equal(values(bn.gamma), np.array([2.0, 2.0], np.float32))
    np.testing.assert_array_equal(values(bn.beta), [-1.0, -1.0])
    np.testing.assert_array_equal(bn.avg_mean, [0.5, 1.5])
    np.testing.assert_array_equal(bn.avg_var, [4.0, 4.0])
    lazy = L.BatchNormalization(axis=0, initial_avg_var=3.0)
    lazy(_x((2, 2)))
    np.testing.assert_allclose(lazy.avg_var, 0.9 * 3.0 + 0.1 * _batch_stats(_x((2, 2)), (0,))[1], rtol=1e-5)


def test_gradients_reach_gamma_and_beta() -> None:
    bn = L.BatchNormalization(3)
    x = Variable(_x((4, 3, 2)))
    F.sum(bn(x) * _x((4, 3, 2), seed=5)).backward()
    assert bn.gamma is not None and bn.beta is not None
    assert bn.gamma.grad is not None and bn.beta.grad is not None and x.grad is not None
    np.testing.assert_allclose(bn.beta.grad, _x((4, 3, 2), seed=5).sum(axis=(0, 2)), rtol=1e-5)


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="size"):
        L.BatchNormalization("3")  # type: ignore[arg-type]  # the mistake under test
    with pytest.raises(TypeError, match="axis"):
        L.BatchNormalization(axis="0")  # type: ignore[arg-type]  # the mistake under test
    with pytest.raises(TypeError, match="decay"):
        L.BatchNormalization(3, decay="0.9")  # type: ignore[arg-type]  # the mistake under test


# ----------------------------------------------------------- BatchRenormalization


def test_batch_renormalization_trains_as_the_function_and_tests_with_the_statistics() -> None:
    brn = L.BatchRenormalization(3, rmax=1.5, dmax=0.5, decay=0.8)
    assert [n for n, _ in brn.namedparams()] == ["/beta", "/gamma"] and brn.rmax == 1.5 and brn.dmax == 0.5
    assert brn.r is None and brn.d is None
    mean, var = brn.avg_mean.copy(), brn.avg_var.copy()
    for step in range(2):
        x = _x((4, 3, 2), seed=step, loc=1.0 + step)
        y = brn(x)
        want = F.batch_renormalization(x, np.ones(3, np.float32), np.zeros(3, np.float32), 1.5, 0.5, 2e-5, mean,
                                       var, 0.8, update_statistics=True)
        np.testing.assert_array_equal(y.array, want.array)
        np.testing.assert_array_equal(brn.avg_mean, mean)  # the function updated the copies the same way
        np.testing.assert_array_equal(brn.avg_var, var)
    assert not np.allclose(mean, 0.0)
    x = _x((2, 3, 2), seed=7)
    with fchain.using_config("train", False):
        y = brn(x)
    np.testing.assert_array_equal(
        y.array, F.fixed_batch_normalization(x, np.ones(3, np.float32), np.zeros(3, np.float32), mean, var).array)
    brn.start_finetuning()
    brn(x, finetune=True)
    assert brn.N == 1
    np.testing.assert_allclose(brn.avg_mean, _batch_stats(x, (0, 2))[0], rtol=1e-6)


def test_batch_renormalization_initial_statistics_and_options() -> None:
    brn = L.BatchRenormalization(2, initial_avg_mean=1.0, initial_avg_var=2.0, use_beta=False)
    np.testing.assert_array_equal(brn.avg_mean, [1.0, 1.0])
    np.testing.assert_array_equal(brn.avg_var, [2.0, 2.0])
    assert brn.beta is None and [n for n, _ in brn.namedparams()] == ["/gamma"]


# ------------------------------------------------------- Layer / Group normalization


def test_layer_normalization() -> None:
    ln = L.LayerNormalization()
    assert ln.eps == 1e-6 and not ln.gamma.is_initialized
    x = _x((3, 4, 2)).reshape(3, 8)
    y = ln(x)
    assert values(ln.gamma).shape == values(ln.beta).shape == (8,)
    values(ln.gamma)[...] = np.linspace(0.5, 2.0, 8)
    values(ln.beta)[...] = np.linspace(-1.0, 1.0, 8)
    y = ln(x)
    np.testing.assert_array_equal(y.array, F.layer_normalization(x, values(ln.gamma), values(ln.beta), 1e-6).array)
    sized = L.LayerNormalization(8, eps=0.1, initial_gamma=2.0, initial_beta=1.0)
    np.testing.assert_array_equal(values(sized.gamma), np.full(8, 2.0, np.float32))
    np.testing.assert_array_equal(
        sized(x).array, F.layer_normalization(x, np.full(8, 2.0, np.float32), np.ones(8, np.float32), 0.1).array)


def test_group_normalization() -> None:
    gn = L.GroupNormalization(2)
    assert gn.groups == 2 and gn.eps == 1e-5
    x = _x((2, 4, 3, 3))
    gn(x)
    assert values(gn.gamma).shape == (4,)
    values(gn.gamma)[...] = [0.5, 1.0, 1.5, 2.0]
    y = gn(x)
    np.testing.assert_array_equal(
        y.array, F.group_normalization(x, 2, values(gn.gamma), np.zeros(4, np.float32), 1e-5).array)
    with fchain.using_config("dtype", fchain.mixed16):
        half = L.GroupNormalization(2, 4)
    assert values(half.gamma).dtype == values(half.beta).dtype == np.float32
    with pytest.raises(ShapeError, match="GroupNormalization"):
        L.GroupNormalization(2)(np.ones(4, np.float32))


# ---------------------------------------------- files, copies, devices (all four)

Make = Callable[[], Link]
TABLE: list[tuple[str, Make, Make, tuple[int, ...], list[str]]] = [
    # (id, sized link, lazily sized link (the load target), input shape, file keys)
    ("batch_normalization", lambda: L.BatchNormalization(3), lambda: L.BatchNormalization(axis=(0, 2)),
     (4, 3, 2), BN_KEYS),
    ("batch_normalization-no-affine", lambda: L.BatchNormalization(3, use_gamma=False, use_beta=False),
     lambda: L.BatchNormalization(axis=(0, 2), use_gamma=False, use_beta=False), (4, 3, 2),
     ["N", "avg_mean", "avg_var"]),
    ("batch_renormalization", lambda: L.BatchRenormalization(3, rmax=2.0, dmax=1.0),
     lambda: L.BatchRenormalization(3, rmax=2.0, dmax=1.0), (4, 3, 2), BN_KEYS),
    ("layer_normalization", lambda: L.LayerNormalization(6), lambda: L.LayerNormalization(), (4, 6),
     ["beta", "gamma"]),
    ("group_normalization", lambda: L.GroupNormalization(3, 6), lambda: L.GroupNormalization(3), (2, 6, 2),
     ["beta", "gamma"]),
]
TABLE_IDS = [row[0] for row in TABLE]


@pytest.mark.parametrize(("name", "make", "lazy", "shape", "keys"), TABLE, ids=TABLE_IDS)
def test_files_round_trip(tmp_path: Path, name: str, make: Make, lazy: Make, shape: tuple[int, ...],
                          keys: list[str]) -> None:
    x = _x(shape, loc=1.0)
    assert_round_trip(tmp_path, make, lazy, lambda link: link(x), keys)


@pytest.mark.parametrize(("name", "make", "lazy", "shape", "keys"), TABLE, ids=TABLE_IDS)
def test_copies(name: str, make: Make, lazy: Make, shape: tuple[int, ...], keys: list[str]) -> None:
    x = _x(shape, loc=1.0)
    assert_copies(make, lambda link: link(x))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("name", "make", "lazy", "shape", "keys"), TABLE, ids=TABLE_IDS)
def test_lazy_link_on_a_device_sizes_itself_there(device: str, name: str, make: Make, lazy: Make,
                                                  shape: tuple[int, ...], keys: list[str]) -> None:
    assert_device_move(device, lazy, make, [_x(shape, loc=1.0)])


@pytest.mark.parametrize("device", DEVICES)
def test_batch_normalization_statistics_move_with_the_link(device: str) -> None:
    target = fchain.get_device(device)
    bn = L.BatchNormalization(3).to_device(device)
    assert fchain.backend.get_device_from_array(bn.avg_mean) == target
    bn(target.send(_x((4, 3), loc=2.0)))
    assert fchain.backend.get_device_from_array(bn.avg_var) == target
    bn.to_cpu()
    assert isinstance(bn.avg_mean, np.ndarray) and bn.avg_mean[0] != 0


def test_loaded_count_is_an_int_and_a_lazy_link_gets_the_statistics(tmp_path: Path) -> None:
    bn = L.BatchNormalization(2)
    bn(_x((3, 2), loc=1.0), finetune=True)
    bn(_x((3, 2), seed=1), finetune=True)
    fchain.serializers.save_npz(tmp_path / "bn.npz", bn)
    lazy = L.BatchNormalization(axis=0)
    fchain.serializers.load_npz(tmp_path / "bn.npz", lazy)
    assert lazy.N == 2 and type(lazy.N) is int
    np.testing.assert_array_equal(lazy.avg_mean, bn.avg_mean)
    assert lazy.gamma is not None and lazy.gamma.is_initialized
