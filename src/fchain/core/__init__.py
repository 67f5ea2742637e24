"""The functional core: immutable graph nodes, pure rules, pure traversal.

Nothing in this package keeps state between calls or imports ``fchain.facade``.
"""
