"""``fchain.functions.activation``: Chainer's module paths of its activation functions
(``chainer.functions.activation.<module>.<function>``)."""
