# expect: assignment
# expect-pyright: reportAttributeAccessIssue
from fchain import optimizers

opt = optimizers.MomentumSGD()
opt.momentum = "high"
