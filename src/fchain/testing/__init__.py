"""fchain.testing: the tools fchain tests itself with, for your ops, links and models."""

from fchain.testing.op_check import check_op as check_op

__all__ = ["check_op"]
