"""The sequence links of issue 13 against files and numbers of real Chainer 7.8.1
(``tests/fixtures/chainer/seq_links*``, written by ``make_golden_seq_links.py`` there,
whose docstring describes the cases, the protocols that call each link and the
files).

For every case: ``numpy.random.seed(0)`` makes fchain draw Chainer's initial
parameters (bit for bit: the LSTM's block-wise fill, the n-step links' weight
order, the Huffman tree's node numbering); Chainer's trained npz and HDF5 files load
into a fresh fchain link and give Chainer's test-mode outputs; fchain saves files
with exactly Chainer's keys, dtypes and shapes (npz) and datasets (HDF5), which
Chainer loads back (checked by hand: ``make_golden_seq_links.py --check``); and
Chainer's three training steps, replayed in fchain from the seeded initial state
(``NegativeSampling`` given Chainer's samples), end at Chainer's trained file.

Bit for bit where no GEMM is involved (``EmbedID``, ``CRF1d``, ``BlackOut``,
``NegativeSampling``, the explicit hierarchical softmax tree).  Elsewhere fchain's
products are summed in another order than Chainer's (numpy 2's OpenBLAS against
Chainer's numpy 1.26, batched ``matmul`` where Chainer loops, the fused n-step
engine): compared in ulps of each array's largest value
(``chainer_golden.scaled_ulps``).  Measured (2026-12-06): outputs within 2.5 such
ulps; training replays within 1 to 16 (the budgets below say which).
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
from fchain import Link, initializers, optimizers, serializers
from fchain.types import Array
from tests.fixtures.chainer import make_golden_seq_links as G
from tests.links.link_checks import state
from tests.ops.chainer_golden import differs
from tests.file_specs import h5_dataset_specs, npz_member_specs, without_fchain_keys

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "chainer"
CASES: list[dict[str, Any]] = json.loads((GOLDEN / "seq_links_cases.json").read_text())
NAMES = [case["name"] for case in CASES]

EXACT = {"embed_id", "embed_id_ignore", "negative_sampling", "negative_sampling_no_reduce", "black_out",
         "hierarchical_softmax_tree", "crf1d", "crf1d_time_major"}
"""Cases without a GEMM that differs: Chainer's bits in every output and replay."""

OUTPUT_ULPS = 4
"""Scaled ulps allowed for an output of the other cases (measured at most 2.5)."""

REPLAY_ULPS: dict[str, tuple[int, str]] = {
    "n_step": (32, "measured 16 (n_step_rnn_tanh's second-layer biases): three steps of every layer's "
                   "GEMMs summed in another order, through tanh and the gates, and a bias gradient that is a "
                   "sum over every step of the sequences"),
    "gated": (8, "measured 6 (GRU biases): the gated mix's gradient is rounded in another order "
                 "(fchain has no F.linear_interpolate yet: links/rnn/_interpolate.py) on top of the GEMMs"),
    "default": (4, "measured at most 2: the GEMMs of three steps"),
}
"""Training replays: scaled ulps allowed, by family, and why."""


def _replay_budget(case: dict[str, Any]) -> int | None:
    if case["name"] in EXACT:
        return None
    if case["protocol"] == "n_step":
        return REPLAY_ULPS["n_step"][0]
    if "GRU" in case["link"] or "MGU" in case["link"]:
        return REPLAY_ULPS["gated"][0]
    return REPLAY_ULPS["default"][0]


class _Fchain:
    """What the protocols need of a library, fchain's."""

    links = L
    functions = F
    initializers = initializers
    Variable = fchain.Variable
    using_config = staticmethod(fchain.using_config)
    no_backprop_mode = staticmethod(fchain.no_backprop_mode)

    @staticmethod
    def as_numpy(a: Any) -> Any:
        return a.array if isinstance(a, fchain.Variable) else a


@functools.cache
def _golden() -> dict[str, Array]:
    with np.load(GOLDEN / "seq_links.npz", allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def _case(name: str) -> dict[str, Any]:
    return next(case for case in CASES if case["name"] == name)


def _file_arrays(path: Path) -> dict[str, Array]:
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def _compare(label: str, got: dict[str, Array], want: dict[str, Array], max_ulps: int | None) -> None:
    assert sorted(got) == sorted(want), label
    errors = [differs(f"{label} {key}", np.asarray(got[key]), want[key], max_ulps, scaled=True) for key in want]
    assert not any(errors), "\n".join(e for e in errors if e)


def _seeded(case: dict[str, Any]) -> Link:
    """The generator's initial state: numpy's global seed 0, the link, a test-mode
    call when it is sized lazily."""
    initializers.set_rng(None)  # draw from numpy's global generator, as Chainer
    link: Link = G.make(_Fchain, case)
    return link


def _replay_samples(link: Link, samples: Array) -> None:
    """Make a sampling link draw Chainer's recorded samples."""
    link.sampler.sample = lambda shape: samples.copy()  # type: ignore[attr-defined]  # only the sampling links are given samples


def test_the_cases_cover_every_link_of_the_issue() -> None:
    wanted = {"EmbedID", "LSTM", "StatelessLSTM", "StatefulGRU", "StatelessGRU", "GRU", "StatefulMGU",
              "StatelessMGU", "StatefulPeepholeLSTM", "NStepLSTM", "NStepBiLSTM", "NStepGRU", "NStepBiGRU",
              "NStepRNNTanh", "NStepRNNReLU", "NStepBiRNNTanh", "NStepBiRNNReLU", "NegativeSampling", "BlackOut",
              "BinaryHierarchicalSoftmax", "CRF1d"}
    assert {case["link"] for case in CASES} == wanted
    assert EXACT <= set(NAMES)
    for name in NAMES:
        assert (GOLDEN / "seq_links" / f"{name}.npz").exists() and (GOLDEN / "seq_links" / f"{name}.h5").exists()


@pytest.mark.parametrize("name", NAMES)
def test_the_inputs_are_the_generators(name: str) -> None:
    case = _case(name)
    inp = G.PROTOCOLS[case["protocol"]]["inputs"](case, "eval")
    np.testing.assert_array_equal(G.first_input(inp), _golden()[f"{name}/eval/first"])


def test_create_huffman_tree_gives_chainers_tree() -> None:
    for case in CASES:
        if "counts" in case:
            assert L.BinaryHierarchicalSoftmax.create_huffman_tree(dict(case["counts"])) == G.as_tuples(case["tree"])


@pytest.mark.parametrize("name", NAMES)
def test_numpy_seed_gives_chainers_initial_state(name: str) -> None:
    case = _case(name)
    want = {key: _golden()[f"{name}/init/{key}"] for key in case["keys"]}
    _compare("initial", state(_seeded(case)), want, None)


@pytest.mark.parametrize("fmt", ["npz", "h5"])
@pytest.mark.parametrize("name", NAMES)
def test_chainers_trained_file_loads_and_gives_chainers_outputs(name: str, fmt: str) -> None:
    case = _case(name)
    link = _seeded(case)
    path = GOLDEN / "seq_links" / f"{name}.{fmt}"
    if fmt == "npz":
        serializers.load_npz(path, link)
    else:
        pytest.importorskip("h5py")
        serializers.load_hdf5(path, link)
    _compare("loaded", state(link), _file_arrays(GOLDEN / "seq_links" / f"{name}.npz"), None)
    golden = _golden()
    if f"{name}/samples/eval" in golden:
        _replay_samples(link, golden[f"{name}/samples/eval"])
    ys, _ = G.evaluate(_Fchain, case, link)
    assert [list(y.shape) for y in ys] == case["outputs"]
    budget = None if name in EXACT else OUTPUT_ULPS
    errors = [differs(f"y{i}", y, golden[f"{name}/y{i}"], budget, scaled=True) for i, y in enumerate(ys)]
    assert not any(errors), "\n".join(e for e in errors if e)


@pytest.mark.parametrize("name", NAMES)
def test_fchain_files_have_chainers_keys_dtypes_and_shapes(tmp_path: Path, name: str) -> None:
    case = _case(name)
    link = _seeded(case)
    serializers.load_npz(GOLDEN / "seq_links" / f"{name}.npz", link)
    serializers.save_npz(tmp_path / "link.npz", link)
    want = without_fchain_keys(npz_member_specs(GOLDEN / "seq_links" / f"{name}.npz"))
    assert sorted(want) == case["keys"]
    assert without_fchain_keys(npz_member_specs(tmp_path / "link.npz")) == want
    serializers.save_hdf5(tmp_path / "link.h5", link)
    assert h5_dataset_specs(tmp_path / "link.h5") == h5_dataset_specs(GOLDEN / "seq_links" / f"{name}.h5")


@pytest.mark.parametrize("name", NAMES)
def test_training_replays_chainers_steps(name: str) -> None:
    """Chainer's training (``loss = sum_i sum(y_i * g_i)``, one ``SGD(lr=0.1)``
    step, three times) replayed in fchain from the seeded initial state ends at
    Chainer's trained file."""
    case = _case(name)
    link = _seeded(case)
    opt = optimizers.SGD(lr=G.LR).setup(link)
    golden = _golden()
    for step in range(G.STEPS):
        if f"{name}/samples/step{step}" in golden:
            _replay_samples(link, golden[f"{name}/samples/step{step}"])
        G.train_step(_Fchain, case, link, opt, step)
    _compare("trained", state(link), _file_arrays(GOLDEN / "seq_links" / f"{name}.npz"), _replay_budget(case))
