"""``fchainmn.global_except_hook``: ``fchain.distributed.global_except_hook`` under ChainerMN's name."""

from __future__ import annotations

from fchain.distributed.global_except_hook import add_hook as add_hook
from fchain.distributed.global_except_hook import remove_hook as remove_hook
from fchain.distributed.global_except_hook import _add_hook_if_enabled as _add_hook_if_enabled

__all__ = ["add_hook", "remove_hook"]
