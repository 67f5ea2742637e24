# expect: arg-type
from fchain import Variable

Variable([1.0, 2.0])
