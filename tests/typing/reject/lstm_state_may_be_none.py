# expect: union-attr
# expect-pyright: reportOptionalMemberAccess
import numpy as np

import fchain.links as L

lstm = L.LSTM(3, 2)
lstm(np.zeros((1, 3), np.float32))
lstm.h.shape  # the state is None until the first step (and after reset_state)
