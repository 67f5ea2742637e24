# expect: arg-type
# expect-pyright: reportArgumentType
import fchainmn
from fchain import optimizers

optimizer = fchainmn.create_multi_node_optimizer(optimizers.SGD(), "naive")
