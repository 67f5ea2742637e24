"""``fchain.functions.math``: Chainer's module paths of its mathematical functions
(``chainer.functions.math.<module>.<function>``)."""
