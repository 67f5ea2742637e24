"""Ops of Chainer's ``rnn`` category: the LSTM units and the stacked recurrences."""
