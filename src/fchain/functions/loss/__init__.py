"""``fchain.functions.loss``: Chainer's module paths of its loss functions
(``chainer.functions.loss.<module>.<function>``)."""
