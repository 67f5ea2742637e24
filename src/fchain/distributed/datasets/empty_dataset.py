"""``create_empty_dataset``: a stand-in dataset for ranks whose model takes no input."""

from __future__ import annotations

from collections.abc import Sized

__all__ = ["create_empty_dataset"]


def create_empty_dataset(dataset: Sized) -> list[tuple[()]]:
    """``len(dataset)`` empty examples: a rank whose model part only receives from
    other ranks (``MultiNodeChainList``) iterates it in step with the rank that has
    the data, and its loss function is called with no arguments."""
    return [()] * len(dataset)
