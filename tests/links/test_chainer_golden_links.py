"""The links of issue 12 against files and numbers of real Chainer 7.8.1
(``tests/fixtures/chainer/links*``, written by ``make_golden_links.py`` there, whose
docstring describes the cases and the files).

For every case: ``numpy.random.seed(0)`` makes fchain draw Chainer's initial
parameters; Chainer's trained npz and HDF5 files load into a fresh fchain link and
give Chainer's outputs in test and in training mode (and, after the training-mode
call, Chainer's running statistics); fchain saves files with exactly Chainer's keys,
dtypes and shapes (npz) and datasets (HDF5); and Chainer's three training steps,
replayed in fchain from the seeded initial state, end at Chainer's trained state.

Bit for bit, except where a link computes a GEMM (the convolutions, ``Linear`` in
``Maxout``, ``Bilinear``): fchain sums the same products in another order (im2col
and batched ``matmul`` against Chainer's ``tensordot``), so those are compared in
ulps of each array's largest value (``chainer_golden.scaled_ulps``), as
``tests/ops/test_chainer_golden_conv_pool.py`` compares the functions.  Measured
(2026-12-06): outputs and running statistics within 2 such ulps, training replays
within 3, except the InceptionBN replays (below).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Link, Variable, initializers, optimizers, serializers
from fchain.types import Array
from tests.fixtures.chainer.make_golden_links import LR, STEPS, as_tuples, draw, eval_inputs, step_inputs
from tests.links.link_checks import state
from tests.ops.chainer_golden import differs
from tests.file_specs import h5_dataset_specs, npz_member_specs, without_fchain_keys

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "chainer"
CASES: list[dict[str, Any]] = json.loads((GOLDEN / "links_cases.json").read_text())
NAMES = [case["name"] for case in CASES]

EXACT = {"batch_normalization", "batch_normalization_axis_decay", "batch_normalization_finetune",
         "batch_renormalization", "layer_normalization", "group_normalization", "prelu", "swish", "bias", "scale"}
"""Cases without a GEMM: fchain follows Chainer's order of operations, bit for bit."""

GEMM_ULPS = 4
"""Scaled ulps allowed for a case with a GEMM (measured at most 2 for outputs and
running statistics, 3 for the training replays)."""

REPLAY_ULPS: dict[str, tuple[int, str]] = {
    "inception_bn": (2048, "measured 864 (proj33n/gamma, 8e-5 relative): the convolutions' rounding "
                           "differences pass through five batch normalizations and ReLU masks per step, for "
                           "three steps; proj33n normalizes a single channel"),
    "inception_bn_avg_stride": (64, "measured 16: as inception_bn, with fewer paths"),
}
"""Training replays allowed more than ``GEMM_ULPS`` (scaled), and why."""


@functools.cache
def _golden() -> dict[str, Array]:
    with np.load(GOLDEN / "links.npz", allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def _case(name: str) -> dict[str, Any]:
    return next(case for case in CASES if case["name"] == name)


def _build(case: dict[str, Any]) -> Link:
    link: Link = getattr(L, case["link"])(*as_tuples(case["args"]), **as_tuples(case["kwargs"]))
    return link


def _allowed(name: str) -> int | None:
    return None if name in EXACT else GEMM_ULPS


def _file_arrays(path: Path) -> dict[str, Array]:
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def _compare(label: str, got: dict[str, Array], want: dict[str, Array], max_ulps: int | None) -> None:
    assert sorted(got) == sorted(want), label
    errors = [differs(f"{label} {key}", np.asarray(got[key]), want[key], max_ulps, scaled=True) for key in want]
    assert not any(errors), "\n".join(e for e in errors if e)


def test_the_cases_cover_every_link_of_the_issue() -> None:
    wanted = {"Convolution1D", "Convolution2D", "Convolution3D", "ConvolutionND", "Deconvolution1D",
              "Deconvolution2D", "Deconvolution3D", "DeconvolutionND", "DilatedConvolution2D",
              "DepthwiseConvolution2D", "LocalConvolution2D", "MLPConvolution2D", "Inception", "InceptionBN",
              "BatchNormalization", "BatchRenormalization", "LayerNormalization", "GroupNormalization", "PReLU",
              "Maxout", "Swish", "Bias", "Scale", "Bilinear"}
    assert {case["link"] for case in CASES} == wanted
    assert EXACT <= set(NAMES) and set(REPLAY_ULPS) <= set(NAMES)
    for name in NAMES:
        assert (GOLDEN / "links" / f"{name}.npz").exists() and (GOLDEN / "links" / f"{name}.h5").exists()


@pytest.mark.parametrize("name", NAMES)
def test_the_inputs_are_the_generators(name: str) -> None:
    """The test draws the inputs as the generator did (its first evaluation input
    is stored to prove it)."""
    np.testing.assert_array_equal(eval_inputs(_case(name))[0], _golden()[f"{name}/eval/x0"])


def _seeded(case: dict[str, Any]) -> Link:
    """The generator's initial state: numpy's global seed 0, the link, one test-mode
    call (sizing lazy parameters)."""
    initializers.set_rng(None)  # draw from numpy's global generator, as Chainer
    np.random.seed(0)
    link = _build(case)
    with fchain.using_config("train", False), fchain.no_backprop_mode():
        link(*step_inputs(case, 0))
    return link


@pytest.mark.parametrize("name", NAMES)
def test_numpy_seed_gives_chainers_initial_state(name: str) -> None:
    case = _case(name)
    want = {key: _golden()[f"{name}/init/{key}"] for key in case["keys"]}
    _compare("initial", state(_seeded(case)), want, None)


@pytest.mark.parametrize("fmt", ["npz", "h5"])
@pytest.mark.parametrize("name", NAMES)
def test_chainers_trained_file_loads_and_gives_chainers_outputs(name: str, fmt: str) -> None:
    case = _case(name)
    link = _build(case)
    path = GOLDEN / "links" / f"{name}.{fmt}"
    if fmt == "npz":
        serializers.load_npz(path, link)
    else:
        pytest.importorskip("h5py")
        serializers.load_hdf5(path, link)
    trained = _file_arrays(GOLDEN / "links" / f"{name}.npz")
    _compare("loaded", state(link), trained, None)
    xs = eval_inputs(case)
    golden = _golden()
    with fchain.using_config("train", False):
        y_test = link(*xs)
    error = differs("y_test", y_test.array, golden[f"{name}/y_test"], _allowed(name), scaled=True)
    assert error is None, error
    y_train = link(*xs)
    want_train = golden.get(f"{name}/y_train", golden[f"{name}/y_test"])
    error = differs("y_train", y_train.array, want_train, _allowed(name), scaled=True)
    assert error is None, error
    after = state(link)
    want_after = {key: golden[f"{name}/after/{key}"] if key in case["after"] else trained[key] for key in trained}
    _compare("after the training-mode call", after, want_after, _allowed(name))


@pytest.mark.parametrize("name", NAMES)
def test_fchain_files_have_chainers_keys_dtypes_and_shapes(tmp_path: Path, name: str) -> None:
    case = _case(name)
    link = _build(case)
    serializers.load_npz(GOLDEN / "links" / f"{name}.npz", link)
    serializers.save_npz(tmp_path / "link.npz", link)
    want = without_fchain_keys(npz_member_specs(GOLDEN / "links" / f"{name}.npz"))
    assert sorted(want) == case["keys"]
    assert without_fchain_keys(npz_member_specs(tmp_path / "link.npz")) == want
    serializers.save_hdf5(tmp_path / "link.h5", link)
    assert h5_dataset_specs(tmp_path / "link.h5") == h5_dataset_specs(GOLDEN / "links" / f"{name}.h5")


@pytest.mark.parametrize("name", NAMES)
def test_training_replays_chainers_steps(name: str) -> None:
    """Chainer's training (``loss = sum(y * g)``, one ``SGD(lr=0.1)`` step, three
    times; batch normalization's statistics move, or average under ``finetune``)
    replayed in fchain from the seeded initial state ends at Chainer's trained file."""
    case = _case(name)
    link = _seeded(case)
    opt = optimizers.SGD(lr=LR).setup(link)
    for step in range(STEPS):
        y = link(*(Variable(x) for x in step_inputs(case, step)), **case["call"])
        loss = F.sum(y * draw(name, f"step{step}/g", y.shape))
        link.cleargrads()
        loss.backward()
        opt.update()
    budget = REPLAY_ULPS[name][0] if name in REPLAY_ULPS else _allowed(name)
    _compare("trained", state(link), _file_arrays(GOLDEN / "links" / f"{name}.npz"), budget)
