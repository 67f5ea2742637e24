# expect: union-attr
# expect-pyright: reportOptionalMemberAccess
import numpy as np

from fchain import Variable

x = Variable(np.ones(3, dtype=np.float32))
(x * x).backward()
print(x.grad.sum())
