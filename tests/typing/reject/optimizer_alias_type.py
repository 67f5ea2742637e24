# expect: assignment
from fchain import optimizers

opt = optimizers.MomentumSGD()
opt.momentum = "high"
