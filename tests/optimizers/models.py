"""Links built from named arrays, for optimizer tests."""

from __future__ import annotations

from collections.abc import Mapping

from fchain import Chain, Link, Parameter
from fchain.types import Array


def make_link(arrays: Mapping[str, Array]) -> Chain:
    """A Chain whose parameters are copies of ``arrays``, at paths such as ``'l1/W'``
    (intermediate Chains are created as needed)."""
    root = Chain()
    for path, array in arrays.items():
        *parents, leaf = path.split("/")
        node: Link = root
        for part in parents:
            child = node.__dict__.get(part)
            if child is None:
                child = Chain()
                with node.init_scope():
                    setattr(node, part, child)
            assert isinstance(child, Link)
            node = child
        with node.init_scope():
            setattr(node, leaf, Parameter(array.copy()))
    return root


def param(link: Link, path: str) -> Parameter:
    """The parameter at ``path`` (``'l1/W'``)."""
    found = dict(link.namedparams())
    return found["/" + path.strip("/")]
