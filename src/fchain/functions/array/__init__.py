"""``fchain.functions.array``: Chainer's module paths of its array manipulations
(``chainer.functions.array.<module>.<function>``)."""
