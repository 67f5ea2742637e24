"""Ops of Chainer's ``loss`` category."""
