# expect: arg-type
# expect-pyright: reportArgumentType
from fchain import optimizers

# The keyword signature comes from the optimizer's declared hyperparameters.
optimizers.Adam(alpha="fast")
