# expect: arg-type
# expect-pyright: reportArgumentType
import fchain.links as L

L.Linear("3", 2)
