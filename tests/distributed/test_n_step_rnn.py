"""``create_multi_node_n_step_rnn`` on real 2-rank MPI jobs: an encoder on rank 0
passes its states to a decoder on rank 1, and the gradients on both ranks are those
of the whole model in one process.  Written against the n-step RNN interface:
checked with a small link implementing it, with an LSTM link over fchain's
``F.n_step_lstm``, and with ``L.NStepLSTM``."""

from __future__ import annotations

import pathlib
from typing import Any

import numpy as np
import pytest

import fchain

from tests.distributed._common import grads_of, load
from tests.distributed._launch import requires_mpi, run_job
from tests.distributed.jobs.n_step_rnn import links, loss_of, sequences

pytestmark = requires_mpi

KINDS = [
    pytest.param("fake", id="n-step-interface"),
    pytest.param("f_lstm", id="F.n_step_lstm"),
    pytest.param("lstm", id="NStepLSTM"),
]


@pytest.mark.parametrize("kind", KINDS)
def test_encoder_and_decoder_on_two_ranks(tmp_path: pathlib.Path, kind: str) -> None:
    run_job("n_step_rnn.py", 2, "--out", str(tmp_path), "--link", kind).check()
    encoder, decoder = links(kind)
    source, target = sequences()
    enc: Any = encoder  # an n-step RNN link: called with its states first
    dec: Any = decoder
    hx, cx, _ = enc(None, None, [fchain.Variable(x) for x in source])
    hy, _, ys = dec(hx, cx, [fchain.Variable(x) for x in target])
    loss = loss_of(hy, ys)
    loss.backward()
    np.testing.assert_allclose(load(str(tmp_path), "loss")["loss"], loss.array, rtol=1e-5)
    for rank, link in ((0, encoder), (1, decoder)):
        got = load(str(tmp_path), f"grads_rank{rank}")
        want = {"/actual_rnn" + path: grad for path, grad in grads_of(link).items()}
        assert set(got) == set(want) and want, (rank, sorted(got), sorted(want))
        for path, grad in want.items():
            np.testing.assert_allclose(got[path], grad, rtol=1e-4, atol=1e-6, err_msg=f"{rank} {path}")
