# expect: arg-type
import fchain.functions as F

F.relu("a")
