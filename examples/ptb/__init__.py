"""Chainer's PTB language model example, for fchain."""
