# expect: arg-type
# expect-pyright: reportArgumentType
from fchain import Variable

Variable([1.0, 2.0])
