"""Ops of Chainer's ``activation`` category."""
