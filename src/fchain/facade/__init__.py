"""The stateful shell: Variable, links, optimizers, training, config and I/O.

This is the only layer that mutates anything; it calls the pure core and ops.
"""
