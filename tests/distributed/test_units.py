"""``fchain.distributed`` without MPI: the names ``fchainmn`` exports, the install
hint where MPI is missing, and the logic above the communicator (how datasets are
cut, replica sets, the evaluator's weighting, the gradient packing, the multi-node
optimizer's steps), checked in one process."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fchain
import fchain.distributed as mn
import fchain.links as L
import fchainmn
from fchain import optimizers
from fchain.distributed import _mpi
from fchain.distributed.communicators import NAMES, create_communicator
from fchain.distributed.datasets.scatter import _slices
from fchain.distributed.errors import MpiUnavailableError
from fchain.distributed.extensions.multi_node_evaluator import _Tally
from fchain.distributed.extensions.multi_node_snapshot import parse_replica_sets
from fchain.types import Array

from tests.distributed._fake import FakeCommunicator
from tests.distributed._launch import MPI_SKIP_REASON, ROOT
from tests.tutorial_mlp import MLP

CHAINERMN_TOP = ["CommunicatorBase", "DataSizeError", "MultiNodeChainList", "communicators",
                 "create_communicator", "create_multi_node_checkpointer",
                 "create_multi_node_evaluator", "create_multi_node_optimizer", "datasets",
                 "extensions", "functions", "global_except_hook", "iterators", "links",
                 "optimizers", "scatter_dataset", "scatter_index"]


def test_fchainmn_has_chainermn_names_as_the_objects_of_fchain_distributed() -> None:
    for name in CHAINERMN_TOP:
        assert hasattr(fchainmn, name), name
    for name in mn.__all__:
        value = getattr(fchainmn, name)
        if name not in {"communicators", "datasets", "errors", "extensions", "functions",
                        "global_except_hook", "iterators", "links", "optimizers"}:
            assert value is getattr(mn, name), name
    assert fchainmn.links.MultiNodeChainList is mn.links.MultiNodeChainList
    assert fchainmn.functions.send is mn.functions.send
    assert fchainmn.datasets.create_empty_dataset is mn.datasets.create_empty_dataset
    assert fchainmn.iterators.create_multi_node_iterator is mn.iterators.create_multi_node_iterator
    assert fchainmn.extensions.multi_node_snapshot is mn.extensions.multi_node_snapshot
    for module in (fchainmn.links, fchainmn.functions, fchainmn.datasets, fchainmn.iterators,
                   fchainmn.extensions, fchainmn.communicators, fchainmn.optimizers):
        for name in module.__all__:
            assert hasattr(module, name), (module.__name__, name)


def test_importing_fchainmn_does_not_load_mpi() -> None:
    """Neither the imports nor asking whether the multiprocess updater (NCCL) is
    possible load MPI: they work in processes that are not MPI ranks."""
    probe = ("import sys, fchainmn; "
             "from fchain.training.updaters import MultiprocessParallelUpdater as U; "
             "from fchain.distributed.communicators._nccl_probe import nccl_unavailable_reason; "
             "U.available(); nccl_unavailable_reason(); print('mpi4py.MPI' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


def test_without_mpi_create_communicator_says_how_to_install_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_mpi, "_load", lambda: None)
    monkeypatch.setattr(_mpi, "_REASON", "mpi4py cannot be imported (No module named 'mpi4py')")
    with pytest.raises(MpiUnavailableError, match="apt-get install openmpi-bin") as info:
        create_communicator("naive")
    assert isinstance(info.value, ImportError)
    assert "fchain[mpi]" in str(info.value) and "mpirun -np 2" in str(info.value)


def test_create_communicator_checks_its_arguments_before_loading_mpi() -> None:
    with pytest.raises(ValueError, match='Unrecognized communicator: "nccl"'):
        create_communicator("nccl")
    with pytest.raises(ValueError, match="allreduce_grad_dtype is only available"):
        create_communicator("naive", allreduce_grad_dtype=np.float16)
    with pytest.raises(ValueError, match="timeout"):
        create_communicator("naive", timeout=0)
    assert set(NAMES) >= {"naive", "flat", "hierarchical", "two_dimensional", "single_node",
                          "pure_nccl", "non_cuda_aware"}


@given(st.integers(0, 300), st.integers(1, 9))
def test_dataset_slices(n: int, size: int) -> None:
    exact = list(_slices(n, size, False))
    assert [b for b, _ in exact] == [0] + [e for _, e in exact[:-1]] and exact[-1][1] == n
    assert max(e - b for b, e in exact) - min(e - b for b, e in exact) <= 1
    equal = list(_slices(n, size, True))
    assert len({e - b for b, e in equal}) == 1
    assert all(0 <= b <= e <= n for b, e in equal)
    covered = set().union(*(range(b, e) for b, e in equal))
    assert covered == set(range(n))


def test_replica_sets_as_chainermn_documents_them() -> None:
    assert parse_replica_sets([0], 4) == [{0}, {1, 2, 3}]
    assert parse_replica_sets([0, 1], 4) == [{0}, {1}, {2, 3}]
    assert parse_replica_sets([[0, 1], [2, 3]], 4) == [{0, 1}, {2, 3}]
    assert parse_replica_sets([], 4) == [{0, 1, 2, 3}]
    assert parse_replica_sets([range(0, 8, 2)], 8) == [set(range(0, 8, 2)), set(range(1, 8, 2))]
    with pytest.raises(ValueError, match="two replica sets"):
        parse_replica_sets([[0, 1], [1]], 2)
    with pytest.raises(ValueError, match="not a rank"):
        parse_replica_sets([5], 2)


def test_evaluator_tally_weighs_each_rank_by_its_batches() -> None:
    # rank 0: 3 batches with mean 1.0; rank 1: 1 batch with mean 5.0; rank 2: none
    tally = _Tally({"loss": 3.0}, {"loss": 3.0}) + _Tally({"loss": 5.0}, {"loss": 1.0}) + _Tally({}, {})
    assert tally.means() == {"loss": 2.0}


def test_multi_node_evaluator_combines_the_ranks() -> None:
    comm = FakeCommunicator(size=2)
    comm.others = [_Tally({"validation/main/loss": 6.0}, {"validation/main/loss": 2.0})]
    model = L.Classifier(MLP(4, 3))
    x = np.random.default_rng(0).random((4, 5), dtype=np.float32)
    t = np.array([0, 1, 2, 0], np.int32)
    dataset = list(zip(x, t, strict=True))
    evaluator = fchain.training.extensions.Evaluator(
        fchain.iterators.SerialIterator(dataset, 2, repeat=False, shuffle=False), model)
    evaluator.name = "validation"
    local = evaluator()
    patched = mn.create_multi_node_evaluator(evaluator, comm)
    assert patched is evaluator
    combined = evaluator()
    assert comm.calls == ["allreduce_obj"]
    # two local batches with this rank's mean, two of the other rank with mean 3.0
    key = "validation/main/loss"
    assert combined[key] == pytest.approx((2 * local[key] + 6.0) / 4)
    assert "validation/main/accuracy" in combined


def _grads(model: fchain.Link) -> dict[str, Array]:
    return {n: np.array(p.grad) for n, p in model.namedparams() if p.grad is not None}


def test_multi_node_optimizer_broadcasts_then_recomputes_when_parameters_appear() -> None:
    comm = FakeCommunicator(size=2, grad_factor=3.0)
    model = L.Classifier(MLP(4, 3))  # lazily sized: initialized by the first forward
    optimizer = mn.create_multi_node_optimizer(optimizers.SGD(lr=0.0), comm).setup(model)
    calls = []

    def loss(x: Array, t: Array) -> fchain.Variable:
        calls.append(1)
        return model(x, t)

    x = np.ones((2, 5), np.float32)
    t = np.array([0, 1], np.int32)
    optimizer.update(loss, x, t)
    assert comm.calls == ["bcast_data", "multi_node_mean_grad"] and len(calls) == 2
    assert optimizer.t == 1  # the first step is an update (ChainerMN skips it)
    optimizer.update(loss, x, t)
    assert comm.calls[2:] == ["multi_node_mean_grad"] and len(calls) == 3
    # the mean the communicator made is what the actual optimizer saw
    model.cleargrads()
    model(x, t).backward()
    local = _grads(model)
    optimizer.update(loss, x, t)
    for name, grad in _grads(model).items():
        np.testing.assert_allclose(grad, 3.0 * local[name], rtol=1e-6)


def test_multi_node_optimizer_forwards_attributes_and_skips_without_a_loss() -> None:
    comm = FakeCommunicator()
    model = L.Classifier(MLP(4, 3))
    actual = optimizers.MomentumSGD(lr=0.5)
    optimizer = mn.create_multi_node_optimizer(actual, comm)
    optimizer.setup(model)
    assert optimizer.lr == 0.5 and optimizer.target is model
    optimizer.lr = 0.25
    assert actual.lr == 0.25
    model(np.ones((1, 5), np.float32), np.zeros(1, np.int32)).backward()
    optimizer.update()  # gradients made with parameters rank 0 had not broadcast yet
    assert comm.calls == ["bcast_data"] and actual.t == 0


def test_double_buffering_updates_with_the_previous_steps_gradients() -> None:
    class Pending:
        def __init__(self, model: fchain.Link, log: list[str]) -> None:
            self.grads = _grads(model)
            self.model, self.log = model, log

        def finish(self) -> None:
            self.log.append("finish")
            for name, param in self.model.namedparams():
                param.grad = self.grads[name]

    comm = FakeCommunicator()
    log: list[str] = []
    setattr(comm, "_start_mean_grad", lambda model, zero_fill: Pending(model, log))
    model = L.Classifier(MLP(4, 3))
    optimizer = mn.create_multi_node_optimizer(optimizers.SGD(lr=1.0), comm,
                                               double_buffering=True).setup(model)
    xs = [np.full((1, 5), v, np.float32) for v in (1.0, 2.0, 3.0)]
    t = np.zeros(1, np.int32)
    optimizer.update(model, xs[0], t)  # first: broadcast only
    assert comm.calls == ["bcast_data"] and optimizer.t == 0
    optimizer.update(model, xs[1], t)  # starts step 2's mean, nothing to apply yet
    assert log == [] and optimizer.t == 0
    before = {n: np.array(p.array) for n, p in model.namedparams()}
    model.cleargrads()
    model(xs[1], t).backward()
    step2 = _grads(model)
    optimizer.update(model, xs[2], t)  # applies step 2's gradients
    assert log == ["finish"] and optimizer.t == 1
    after = {n: np.array(p.array) for n, p in model.namedparams()}
    for name, value in after.items():
        np.testing.assert_allclose(value, before[name] - step2[name], rtol=1e-5, atol=1e-6)


_PROBE = ("import fchainmn, fchain.distributed._mpi as m; "
          "print(fchainmn.mpi_available()); print(m.unavailable_reason())")


def test_mpi_available_says_whether_mpi_loads() -> None:
    """In a child process (loading MPI initializes it, which the test process must not
    do): ``True`` where the MPI tests can run, and ``False`` with the reason and the
    install hint where mpi4py cannot be imported (a stand-in mpi4py that raises)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    if MPI_SKIP_REASON is None:
        out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                             env=env, timeout=120, check=True).stdout.split("\n")
        assert out[:2] == ["True", "None"], out
    with tempfile.TemporaryDirectory() as folder:
        os.makedirs(os.path.join(folder, "mpi4py"))
        with open(os.path.join(folder, "mpi4py", "__init__.py"), "w") as f:
            f.write("raise ImportError('no MPI here (a test stand-in)')\n")
        env["PYTHONPATH"] = os.pathsep.join([folder, env["PYTHONPATH"]])
        out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                             env=env, timeout=120, check=True).stdout.split("\n")
    assert out[0] == "False", out
    assert "no MPI here" in out[1] and "apt-get install openmpi-bin" in out[1], out
