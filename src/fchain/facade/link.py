"""``Link``, ``Chain`` and ``ChainList``: parameters and sub-links in a tree.

Registration follows Chainer: inside ``with self.init_scope():`` assigning a
``Parameter`` to an attribute registers it as a parameter, and (in a ``Chain``)
assigning a ``Link`` registers it as a child.  Parameters and persistents are kept
in insertion-ordered name sets; traversal (``params``, ``namedparams``, ``links``,
``namedlinks``, ``children``, ``serialize``) visits each level in sorted name order,
as Chainer 7 does, except ``ChainList`` children, which keep their index order.
Paths are Chainer's: ``/l1/W``, ``/0/b``.

This module is their import path (``from fchain.facade.link import Chain, Link``).
Each concern has its own module, each a class on top of ``LinkTree`` (names,
traversal of parameters, the structure version: ``link_tree``): ``link_devices``
(device moves), ``link_registration`` (``init_scope`` and persistents),
``link_copy`` (``copy``, ``copyparams``) and ``link_serialization``; ``link_base``
assembles ``Link`` from them and adds calling, link traversal, gradients, update
switches, ``repeat`` and printing; ``chain``, ``chain_list`` and ``sequential``
build on it.

Typing a model
--------------
``model(x)`` is typed from ``forward``: a subclass that defines
``def forward(self, x: Variable) -> Variable`` makes ``model(x)`` a ``Variable``
and ``model("a")`` a mypy error; ``forward`` may return anything (a tuple, a
float).  A subclass may define ``__call__`` instead, as Chainer's tutorial does;
it is typed as written, but must return a ``Variable`` (mypy checks it against
``Link.__call__``): for other results define ``forward``.  A value whose static
type is just ``Link`` (for instance ``chain_list[0]``) is callable with any
arguments and is assumed to return a ``Variable``.  Attributes assigned in
``__init__`` keep the types mypy infers for them (``self.l1 = L.Linear(3, 2)`` is
a ``Linear``, and ``self.l1.W`` a ``Parameter``); declare persistents added with
``add_persistent`` in the class body (``counter: int``) to read them typed.
"""

from __future__ import annotations

from fchain.facade.chain import Chain as Chain
from fchain.facade.chain_list import ChainList as ChainList
from fchain.facade.link_base import Link as Link
from fchain.facade.link_copy import CopyMode as CopyMode

__all__ = ["Chain", "ChainList", "CopyMode", "Link"]
