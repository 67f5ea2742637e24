# expect: arg-type
# expect-pyright: reportArgumentType
from fchain.optimizers.adam import AdamRule

AdamRule(None, amsgrad="yes")
