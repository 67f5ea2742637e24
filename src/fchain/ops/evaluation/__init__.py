"""Ops of Chainer's ``evaluation`` category."""
