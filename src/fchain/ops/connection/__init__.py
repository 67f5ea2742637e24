"""Ops of Chainer's ``connection`` category."""
