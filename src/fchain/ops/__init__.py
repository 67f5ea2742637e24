"""One file per op, grouped by Chainer's categories.  Importing ``fchain.functions`` imports them all."""
