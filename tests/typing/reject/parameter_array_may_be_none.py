# expect: union-attr
# expect-pyright: reportOptionalMemberAccess
import fchain.links as L

layer = L.Linear(None, 3)
print(layer.W.array.shape)  # None until the first call sizes the layer
