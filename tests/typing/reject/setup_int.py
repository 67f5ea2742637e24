# expect: arg-type
from fchain import optimizers

optimizer = optimizers.SGD()
optimizer.setup(42)
