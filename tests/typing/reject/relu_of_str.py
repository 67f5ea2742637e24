# expect: arg-type
# expect-pyright: reportArgumentType
import fchain.functions as F

F.relu("a")
