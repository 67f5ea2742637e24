"""DumpGraph: write the graph of a reported variable (the loss) as Graphviz DOT."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from typing import TYPE_CHECKING

from fchain.graph.config import config
from fchain.facade.serializer import AbstractSerializer, Serializer
from fchain.graph.variable import Variable
from fchain.training.extension import Extension

if TYPE_CHECKING:
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["DumpGraph", "dump_graph", "is_graphviz_available"]

_var_style: Mapping[str, str] = {"shape": "octagon", "fillcolor": "#E0E0E0", "style": "filled"}
_func_style: Mapping[str, str] = {"shape": "record", "fillcolor": "#6495ED", "style": "filled"}


def is_graphviz_available() -> bool:
    """True when Graphviz's ``dot`` command runs."""
    dot = shutil.which("dot")
    if dot is None:
        return False
    try:
        subprocess.run([dot, "-V"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return True


def _write_atomically(path: str, text: str) -> None:
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".tmp_" + os.path.basename(path) + "_", dir=folder)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)


class DumpGraph(Extension):
    """Writes the computational graph of ``trainer.observation[root_name]`` (e.g.
    ``'main/loss'``) to ``<out>/<filename>`` in DOT, once, at its first call (the
    first iteration); when Graphviz's ``dot`` is installed it also renders
    ``<out>/<filename without extension>.png`` (Chainer's ``DumpGraph``).

    Reported variables normally lose their graph; ``initialize`` turns on
    ``config.keep_graph_on_report`` so the first iteration's loss keeps it, and the
    flag is restored right after the dump.  Keep the default trigger.
    ``variable_style`` and ``function_style`` are DOT attributes for the two kinds
    of nodes (see ``fchain.computational_graph``).  ``out_name`` is accepted as an
    alias of ``filename``, as in Chainer.
    """

    default_name = "dump_graph"

    def __init__(self, root_name: str, filename: str = "cg.dot",
                 variable_style: Mapping[str, str] | None = None,
                 function_style: Mapping[str, str] | None = None, *, out_name: str | None = None) -> None:
        self._root_name = root_name
        self._filename = out_name if out_name is not None else filename
        self._variable_style = variable_style if variable_style is not None else _var_style
        self._function_style = function_style if function_style is not None else _func_style
        self._original_flag: bool | None = None
        self._flag_called = False
        self._flag_pending = False  # turned on by initialize, not yet restored
        self.trigger: TriggerLike = self._first_call

    def _first_call(self, trainer: Trainer) -> bool:
        if self._flag_called:
            return False
        self._flag_called = True
        return True

    def initialize(self, trainer: Trainer) -> None:
        if not self._flag_called:
            self._original_flag = bool(config.keep_graph_on_report)
            config.keep_graph_on_report = True
            self._flag_pending = True

    def __call__(self, trainer: Trainer) -> None:
        from fchain.computational_graph import build_computational_graph

        try:
            var = trainer.observation[self._root_name]
            if not isinstance(var, Variable):
                raise TypeError(f"DumpGraph: the observation {self._root_name!r} is not a Variable "
                                f"but {type(var).__name__}")
            dot = build_computational_graph([var], variable_style=self._variable_style,
                                            function_style=self._function_style).dump()
            path = os.path.join(trainer.out, self._filename)
            _write_atomically(path, dot)
            if is_graphviz_available():
                image = os.path.join(trainer.out, os.path.splitext(self._filename)[0] + ".png")
                subprocess.run(["dot", "-Tpng", path, "-o", image], check=True)
        finally:
            config.keep_graph_on_report = bool(self._original_flag)
            self._flag_pending = False

    def finalize(self) -> None:
        """Restore ``keep_graph_on_report`` if training ended before the dump."""
        if self._flag_pending:
            config.keep_graph_on_report = bool(self._original_flag)
            self._flag_pending = False

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Chainer's keys: ``_original_flag`` and ``_flag_called``."""
        if isinstance(serializer, Serializer):
            serializer("_original_flag", self._original_flag)
            serializer("_flag_called", self._flag_called)
            return
        raw = serializer("_original_flag", None)
        item = getattr(raw, "item", None)
        flag = item() if item is not None else raw
        self._original_flag = None if flag is None else bool(flag)
        self._flag_called = bool(serializer("_flag_called", self._flag_called))


dump_graph = DumpGraph
"""Chainer's older name of ``DumpGraph``."""
