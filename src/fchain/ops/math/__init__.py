"""Ops of Chainer's ``math`` category."""
