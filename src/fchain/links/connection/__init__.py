"""Links of Chainer's ``connection`` category."""
