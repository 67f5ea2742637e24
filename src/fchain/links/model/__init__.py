"""Links of Chainer's ``model`` category."""
