"""``LinkCopying``: copies of a link tree (``copy``) and copying values between two
trees of the same structure (``copyparams``).

Copy modes, as in Chainer: ``'share'`` makes new link objects whose parameters share
the arrays (not the gradients) with the original; ``'copy'`` is a deep copy;
``'init'`` a deep copy whose initialized parameters are drawn again from their
initializers.  Update rules are never copied, and devices are shared, never copied.
A copy is in no tree; its own children are its children (``LinkTree.__setstate__``).
"""

from __future__ import annotations

import copy as _copy
from typing import Literal, Self, cast

from fchain.facade.link_devices import LinkDevices, is_array
from fchain.facade.link_tree import LinkTree, child_of, param_of

__all__ = ["COPY_MODES", "CopyMode", "LinkCopying", "check_copy_mode"]

CopyMode = Literal["share", "copy", "init"]
COPY_MODES = ("share", "copy", "init")


def check_copy_mode(mode: object, where: str) -> None:
    """Raise unless ``mode`` is one of ``COPY_MODES``."""
    if mode not in COPY_MODES:
        raise ValueError(f"{where}: mode must be 'init', 'copy' or 'share', got {mode!r}")


class LinkCopying(LinkDevices):
    """A link tree that can be copied (see the module docstring)."""

    def copy(self, mode: CopyMode = "share") -> Self:
        """A copy of the link tree made in ``mode`` (``'share'``, ``'copy'`` or
        ``'init'``; see the module docstring).  The copy's parameters have no update
        rules."""
        check_copy_mode(mode, f"{type(self).__name__}.copy")
        if mode == "share":
            return self._copy_share()
        memo: dict[int, object] = {}
        for param in self.params():
            if param.update_rule is not None:
                memo[id(param.update_rule)] = None
        for link in self._subtree():
            device = cast(LinkDevices, link)._device
            memo[id(device)] = device
        ret = _copy.deepcopy(self, memo)
        for param in ret.params():
            param.update_rule = None
        if mode == "init":
            for link in ret._subtree():
                for _, param in link._own_params():
                    if param.is_initialized:
                        cast(LinkDevices, link)._initialize_param(param, param.shape)
        return ret

    def _copy_share(self) -> Self:
        """The ``'share'`` copy of this link alone; links with children extend it."""
        ret = self._detached_copy()
        d = ret.__dict__
        d["_params"] = dict(self._params)
        d["_persistent"] = dict(self._persistent)
        d["name"] = None
        for name in ret._params:
            shared = _copy.copy(d[name])
            shared.cleargrad()
            d[name] = shared
        return ret

    def copyparams(self, link: LinkTree, copy_persistent: bool = True) -> None:
        """Copy the parameter values (not gradients) of ``link``, which has the same
        structure, into this link's arrays, across devices; persistents too unless
        ``copy_persistent=False``.

        Lazy parameters follow Chainer's ``copydata``: an uninitialized parameter
        here is initialized with the source's shape; an uninitialized source
        parameter is initialized (on the source link's device, by its own
        initializer) with this one's shape and then copied; a pair of uninitialized
        parameters is left alone."""
        where = f"{type(self).__name__}.copyparams"
        if not isinstance(link, LinkDevices):
            raise TypeError(f"{where}: expected a Link, got {type(link).__name__}")
        src = link.__dict__
        dst = self.__dict__
        for name, param in self._own_params():
            other = param_of(link, name, where)
            if not other.is_initialized:
                if not param.is_initialized:
                    continue
                link._initialize_param(other, param.shape)
            elif not param.is_initialized:
                self._initialize_param(param, other.shape)
            param.copydata(other)
        if copy_persistent:
            for name in self._persistent:
                if name not in src:
                    raise AttributeError(f"{where}: the source link has no persistent {name!r}")
                value = src[name]
                mine = dst[name]
                if is_array(mine) and is_array(value):
                    mine[...] = self._device.send(value)
                else:
                    dst[name] = _copy.deepcopy(value)
        others = dict(link._child_items())
        for cname, child in self._child_items():
            cast(LinkCopying, child).copyparams(child_of(others, cname, where), copy_persistent)
