# expect: arg-type
import fchainmn
from fchain import optimizers

optimizer = fchainmn.create_multi_node_optimizer(optimizers.SGD(), "naive")
