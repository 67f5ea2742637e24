"""``Classifier``: a predictor plus a loss and an accuracy, reported to the reporter.

``Classifier(predictor)`` called as ``model(x, t)`` computes
``y = predictor(x)``, ``loss = lossfun(y, t)`` and (when ``compute_accuracy``)
``accuracy = accfun(y, t)``, keeps them as ``model.y``, ``model.loss`` and
``model.accuracy``, reports ``{'loss': ...}`` and ``{'accuracy': ...}`` with the
classifier as observer (``main/loss`` under a Trainer) and returns the loss.

``label_key`` picks the label among the arguments: an int indexes the positional
arguments (default ``-1``, the last), a str names a keyword argument; the others
go to the predictor.

The class is generic in its predictor: ``Classifier(MLP())`` is a
``Classifier[MLP]`` whose ``predictor`` is an ``MLP``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeAlias, TypeVar

from fchain.facade.link import Chain, Link
from fchain.facade.reporter import report
from fchain.graph.variable import Variable
from fchain.ops.evaluation.accuracy import accuracy
from fchain.ops.loss.softmax_cross_entropy import softmax_cross_entropy
from fchain.types import Array

__all__ = ["Classifier", "LossFunction"]

LossFunction: TypeAlias = Callable[[Variable, Variable | Array], Variable]
"""``f(y, t) -> Variable``: the signature of ``lossfun`` and ``accfun``."""

if TYPE_CHECKING:
    from typing_extensions import TypeVar as _TypeVarWithDefault

    _PredictorT = _TypeVarWithDefault("_PredictorT", bound=Link, default=Link)
else:
    _PredictorT = TypeVar("_PredictorT", bound=Link)


class Classifier(Chain, Generic[_PredictorT]):
    """A classifier around ``predictor`` with a loss and an accuracy.

    Args:
        predictor: the link that maps inputs to class scores.
        lossfun: ``f(y, t)``, default ``F.softmax_cross_entropy``.
        accfun: ``f(y, t)``, default ``F.accuracy``.
        label_key: position (int) or keyword (str) of the label argument.
    """

    compute_accuracy: bool = True
    predictor: _PredictorT

    def __init__(self, predictor: _PredictorT, lossfun: LossFunction = softmax_cross_entropy,
                 accfun: LossFunction = accuracy, label_key: int | str = -1) -> None:
        if isinstance(label_key, bool) or not isinstance(label_key, (int, str)):
            raise TypeError(f"Classifier: label_key must be an int or a str, got {type(label_key).__name__}")
        super().__init__()
        self.lossfun = lossfun
        self.accfun = accfun
        self.y: Variable | None = None
        self.loss: Variable | None = None
        self.accuracy: Variable | None = None
        self.label_key = label_key
        with self.init_scope():
            self.predictor = predictor

    def forward(self, *args: Variable | Array, **kwargs: Variable | Array) -> Variable:
        """Predict, compute and report the loss (and accuracy); return the loss."""
        d = self.__dict__
        label_key = self.label_key
        if label_key == -1 and args and type(label_key) is int:  # the default: the last argument
            t = args[-1]
            args = args[:-1]
        elif isinstance(label_key, int):
            n = len(args)
            if not -n <= label_key < n:
                raise ValueError(f"Classifier: label key {label_key} is out of bounds for {n} arguments")
            t = args[label_key]
            index = label_key % n
            args = args[:index] + args[index + 1:]
        else:
            if self.label_key not in kwargs:
                raise ValueError(f"Classifier: label key {self.label_key!r} is not found in the keyword arguments")
            t = kwargs.pop(self.label_key)
        # y, loss and accuracy are plain attributes (never parameters or links):
        # written straight into the instance dict, skipping Link.__setattr__'s
        # registration checks on this per-iteration path.
        d["y"] = d["loss"] = d["accuracy"] = None
        y = d["y"] = self.predictor(*args, **kwargs)
        loss = d["loss"] = self.lossfun(y, t)
        report({"loss": loss}, self)
        if self.compute_accuracy:
            accuracy = d["accuracy"] = self.accfun(y, t)
            report({"accuracy": accuracy}, self)
        return loss
