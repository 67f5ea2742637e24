# expect: misc
# expect-pyright: reportAttributeAccessIssue
import numpy as np

import fchain.links as L
from fchain import iterators, optimizers, training

# Adam's learning rate is alpha; its lr is a read-only property (as in Chainer), so
# decaying it through the updater's typed optimizer is an error, not a crash.
data = [(np.zeros(3, np.float32), np.int32(0))]
model = L.Classifier(L.Linear(3, 2))
updater = training.StandardUpdater(iterators.SerialIterator(data, 1), optimizers.Adam().setup(model))
updater.get_optimizer("main").lr *= 0.99
