"""Chainer's CIFAR-10/100 example, for fchain."""
