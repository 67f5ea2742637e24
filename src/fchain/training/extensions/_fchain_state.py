"""State Chainer does not save but a faithful resume needs, kept under ``__fchain__``.

Chainer's ``MicroAverage``, ``PlotReport`` and ``ParameterStatistics`` do not save
their internal triggers, so after a resume they fire at the first call instead of
where an uninterrupted run would.  fchain saves those triggers under
``__fchain__/<name>``: Chainer ignores the extra keys, and a snapshot without them
(one Chainer wrote) loads as in Chainer.
"""

from __future__ import annotations

from fchain.facade.serializer import AbstractSerializer, Serializer

__all__ = ["serialize_extra"]


def serialize_extra(serializer: AbstractSerializer, name: str, target: object) -> None:
    """Save or load ``target`` (anything with ``serialize``) under ``__fchain__/name``;
    loading from a file without those keys leaves ``target`` as it is."""
    serialize = getattr(target, "serialize", None)
    if serialize is None:
        return
    child = serializer["__fchain__"][name]
    if isinstance(serializer, Serializer):
        serialize(child)
        return
    from fchain.training.triggers.interval import IntervalTrigger

    try:
        if isinstance(target, IntervalTrigger):
            # No guessing here: a snapshot without these keys loads as in Chainer.
            target._serialize_state(child, guess_missing=False)
        else:
            serialize(child)
    except KeyError:  # a snapshot Chainer wrote: no fchain keys
        pass
