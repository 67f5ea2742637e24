# expect: arg-type
# expect-pyright: reportArgumentType
import fchain.functions as F
import fchain.links as L
from fchain import Chain, Variable


class MLP(Chain):
    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(3, 2)

    def forward(self, x: Variable) -> Variable:
        return F.relu(self.l1(x))


MLP()("not a variable")
