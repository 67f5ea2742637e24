# expect: call-arg
# expect-pyright: reportCallIssue
from fchain import optimizers

# Adam's learning rate is alpha; lr is an unknown keyword, as in Chainer.
optimizers.Adam(lr=0.01)
