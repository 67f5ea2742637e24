"""``fchain.functions.evaluation``: Chainer's module paths of its evaluation metrics
(``chainer.functions.evaluation.<module>.<function>``)."""
