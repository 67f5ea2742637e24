# expect: arg-type
from fchain import optimizers

# The keyword signature comes from the optimizer's declared hyperparameters.
optimizers.Adam(alpha="fast")
