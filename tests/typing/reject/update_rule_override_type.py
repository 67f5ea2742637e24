# expect: arg-type
from fchain.optimizers.adam import AdamRule

AdamRule(None, amsgrad="yes")
