"""The mutation run of ``tests/ops/mutants.py`` keeps working: on ``mul`` every
mutation changes a gradient and is killed; ``add``'s swapped gradients, an
equivalent mutant, survive; a mutation that changes nothing is not counted."""

from __future__ import annotations

import pytest

from fchain.core.registry import all_ops
from tests.ops.mutants import MUTATIONS, killed, main


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_every_mutation_of_mul_is_killed(name: str) -> None:
    assert killed(all_ops()["mul"], MUTATIONS[name]) is True


def test_an_equivalent_mutant_survives_and_an_inapplicable_one_is_not_counted() -> None:
    assert killed(all_ops()["add"], MUTATIONS["swap"], seeds=8) is False
    assert killed(all_ops()["exp"], MUTATIONS["swap"]) is None


def test_main_reports_counts(capsys: pytest.CaptureFixture[str]) -> None:
    main(["mul", "exp"])
    out = capsys.readouterr().out
    assert out.startswith("2 ops, 10 mutants, 10 killed, 0 survived"), out
