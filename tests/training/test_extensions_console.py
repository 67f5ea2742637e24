"""PrintReport and ProgressBar on a terminal, checked with a small cursor emulator;
PrintReport with a LogReport of its own; Evaluator's progress bar."""

from __future__ import annotations

import io
import re
from typing import Any

import numpy
import pytest

import fchain.functions as F
import fchain.links as L
from fchain import iterators, optimizers, training
from fchain.datasets import TupleDataset
from fchain.training import extensions
from tests.training.ext_helpers import ExtTrainer, regression_data

ESC = "\033"


class FakeTty(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Screen:
    """Replays text through the few codes the extensions use: newline, ``ESC[J``
    (erase from the cursor to the end of the screen) and ``ESC[nA`` (cursor up)."""

    def __init__(self) -> None:
        self.rows: list[str] = [""]
        self.row = 0
        self.col = 0

    def feed(self, text: str) -> None:
        for token in re.split(r"(\033\[\d*[A-Za-z]|\n)", text):
            if not token:
                continue
            if token == "\n":
                self.row += 1
                self.col = 0
                while len(self.rows) <= self.row:
                    self.rows.append("")
            elif token.startswith(ESC):
                code, arg = token[-1], token[2:-1]
                if code == "J":
                    self.rows[self.row] = self.rows[self.row][:self.col]
                    del self.rows[self.row + 1:]
                elif code == "A":
                    self.row = max(0, self.row - int(arg or "1"))
                else:
                    raise AssertionError(f"unexpected escape {token!r}")
            else:
                line = self.rows[self.row].ljust(self.col)
                self.rows[self.row] = line[:self.col] + token + line[self.col + len(token):]
                self.col += len(token)

    def text(self) -> list[str]:
        return [r.rstrip() for r in self.rows if r.strip()]


def _regression_run(out_dir: str, stream: io.StringIO, *, iterations: int,
                    log_report: Any = "LogReport", register_log: bool = True,
                    bar_interval: int = 1) -> training.Trainer:
    x, t = regression_data(8)
    model = L.Linear(1, 1)
    optimizer = optimizers.SGD(lr=0.1).setup(model)

    def loss_func(xb: Any, tb: Any) -> Any:
        loss = F.mean_squared_error(model(xb), tb)
        from fchain import report

        report({"loss": loss}, model)
        return loss

    iterator = iterators.SerialIterator(TupleDataset(x, t), 4, shuffle=False)
    updater = training.StandardUpdater(iterator, optimizer, loss_func=loss_func)
    trainer = training.Trainer(updater, (iterations, "iteration"), out=out_dir)
    if register_log:
        trainer.extend(extensions.LogReport(trigger=(2, "iteration"), log_name=None))
    trainer.extend(extensions.PrintReport(["iteration", "main/loss"], log_report=log_report,
                                          out=stream))
    trainer.extend(extensions.ProgressBar(update_interval=bar_interval, out=stream))
    trainer.run()
    return trainer


def test_progress_bar_does_not_overwrite_print_report_rows_on_a_terminal(tmp_path: Any) -> None:
    stream = FakeTty()
    trainer = _regression_run(str(tmp_path), stream, iterations=6)
    written = stream.getvalue()
    screen = Screen()
    screen.feed(written)
    rows = screen.text()
    log = trainer.get_extension("LogReport")
    assert isinstance(log, extensions.LogReport)
    assert [e["iteration"] for e in log.log] == [2, 4, 6]
    # Header, then one row per log entry, in order; the bar was erased at the end.
    assert rows[0].split() == ["iteration", "main/loss"]
    assert [int(r.split()[0]) for r in rows[1:]] == [2, 4, 6]
    assert len(rows) == 4
    assert not any("iter" in r and "epoch" in r for r in rows)
    # Each PrintReport row is preceded by ESC[J; each bar draw is ESC[J, 4 lines, ESC[4A.
    for entry in log.log:
        assert f"{ESC}[J{entry['iteration']:<10g}" in written
    assert written.count(f"{ESC}[4A") == 6
    assert written.endswith(f"{ESC}[J")


def test_while_training_the_bar_sits_below_the_rows(tmp_path: Any) -> None:
    """Replaying the output up to the last bar draw: every row printed so far is
    still on screen, above the four lines of the bar."""
    stream = FakeTty()
    _regression_run(str(tmp_path), stream, iterations=4)
    written = stream.getvalue()
    before_close = written[:written.rindex(f"{ESC}[J")]
    screen = Screen()
    screen.feed(before_close)
    rows = screen.text()
    assert [r.split()[0] for r in rows[:3]] == ["iteration", "2", "4"]
    assert rows[3].startswith("     total [") and rows[4].startswith("this epoch [")
    assert "4 iter, 2 epoch / 4 iterations" in rows[5]
    assert len(rows) == 7


def test_no_escape_codes_when_the_stream_is_not_a_terminal(tmp_path: Any) -> None:
    stream = io.StringIO()
    _regression_run(str(tmp_path), stream, iterations=4, bar_interval=2)
    written = stream.getvalue()
    assert ESC not in written
    lines = written.splitlines()
    assert lines[0].split() == ["iteration", "main/loss"]
    assert sum(line.lstrip().startswith("total [") for line in lines) == 2
    assert [line.split()[0] for line in lines if line[:1].isdigit()] == ["2", "4"]


def test_print_report_calls_a_log_report_of_its_own(tmp_path: Any) -> None:
    """Given a LogReport object that is not registered, PrintReport feeds it itself
    (as Chainer does) and prints its entries; the log keeps the mean loss."""
    stream = io.StringIO()
    own = extensions.LogReport(trigger=(2, "iteration"), log_name=None)
    _regression_run(str(tmp_path), stream, iterations=4, log_report=own, register_log=False)
    assert [e["iteration"] for e in own.log] == [2, 4]
    assert all(numpy.isfinite(e["main/loss"]) and e["main/loss"] > 0 for e in own.log)
    rows = [line.split() for line in stream.getvalue().splitlines() if line[:1].isdigit()]
    assert [r[0] for r in rows] == ["2", "4"]
    assert [float(r[1]) for r in rows] == pytest.approx([e["main/loss"] for e in own.log], rel=1e-5)


def test_print_report_rejects_a_log_report_of_the_wrong_type() -> None:
    trainer = ExtTrainer()
    report = extensions.PrintReport(["epoch"], log_report=object(), out=io.StringIO())  # type: ignore[arg-type]  # wrong on purpose
    with pytest.raises(TypeError, match="PrintReport: log_report must be a LogReport"):
        report(trainer.as_trainer())


# ------------------------------------------------------------------ Evaluator
def _evaluator(progress_bar: bool) -> extensions.Evaluator:
    x, t = regression_data(10)
    model = L.Linear(1, 1)

    def eval_func(xb: Any, tb: Any) -> None:
        from fchain import report

        report({"loss": F.mean_squared_error(model(xb), tb)}, model)

    it = iterators.SerialIterator(TupleDataset(x, t), 4, repeat=False, shuffle=False)
    return extensions.Evaluator(it, model, eval_func=eval_func, progress_bar=progress_bar)


def test_evaluator_progress_bar_prints_one_line_off_a_terminal(
        capsys: pytest.CaptureFixture[str]) -> None:
    result = _evaluator(True)()
    out = capsys.readouterr().out
    assert set(result) == {"main/loss"}  # not registered with a trainer: no name prefix
    assert out.splitlines() == [f"validation [{'#' * 50}] 100.00%", "         3 iterations"]
    _evaluator(False)()
    assert capsys.readouterr().out == ""


def test_evaluator_progress_bar_redraws_in_place_on_a_terminal(
        monkeypatch: pytest.MonkeyPatch) -> None:
    tty = FakeTty()
    monkeypatch.setattr("sys.stdout", tty)
    _evaluator(True)()
    written = tty.getvalue()
    assert written.count(f"{ESC}[2A") == 3  # one draw per batch of 4, 4, 2
    assert "] 40.00%" in written and "] 80.00%" in written and "] 100.00%" in written
    screen = Screen()
    screen.feed(written)
    assert screen.text() == []  # erased at the end
