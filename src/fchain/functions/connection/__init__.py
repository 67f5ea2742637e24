"""``fchain.functions.connection``: Chainer's module paths of its functions with parameters (connections)
(``chainer.functions.connection.<module>.<function>``)."""
