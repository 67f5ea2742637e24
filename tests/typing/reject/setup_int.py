# expect: type-var
# expect-pyright: reportArgumentType
from fchain import optimizers

optimizer = optimizers.SGD()
optimizer.setup(42)
