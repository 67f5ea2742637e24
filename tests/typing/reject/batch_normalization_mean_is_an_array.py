# expect: attr-defined
# expect-pyright: reportAttributeAccessIssue
import fchain.links as L

bn = L.BatchNormalization(3)
print(bn.avg_mean.no_such_method())
