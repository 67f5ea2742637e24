"""Ops of Chainer's ``array`` category."""
