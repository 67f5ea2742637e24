"""``fchain.functions.noise``: Chainer's module paths of its noise injections
(``chainer.functions.noise.<module>.<function>``)."""
