"""Ops of Chainer's ``noise`` category."""
