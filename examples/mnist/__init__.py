"""Chainer's MNIST example, for fchain."""
