# expect: arg-type
import fchain.links as L

L.Linear("3", 2)
