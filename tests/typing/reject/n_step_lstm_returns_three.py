# expect: misc
# expect-pyright: reportAssignmentType
import numpy as np

import fchain.links as L

hy, ys = L.NStepLSTM(1, 3, 2, 0.0)(None, None, [np.zeros((2, 3), np.float32)])
