# expect: attr-defined
import fchain.links as L

bn = L.BatchNormalization(3)
print(bn.avg_mean.no_such_method())
