"""Ops of Chainer's ``pooling`` category."""
