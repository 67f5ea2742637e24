"""Chainer's seq2seq example, for fchain."""
