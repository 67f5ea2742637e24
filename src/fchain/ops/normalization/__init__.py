"""Ops of Chainer's ``normalization`` category."""
