"""The graph layer: ``Variable``, applying an op, and the backward pass.

It sits on the pure core (``fchain.core``) and under the ops: a Variable wraps an
array and the immutable node that made it, ``apply`` runs an op's pure rule and
records that node, and ``backprop`` runs the core's traversal and writes the
gradients back.  Configuration (contextvars), devices and the random source live
here too, because every op call reads them.
"""
