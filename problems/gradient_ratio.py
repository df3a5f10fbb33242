"""dC/db_1 / dC/db_3: at most 1/16 when |w_j| <= 1, and its typical size (ch. 5, sec. 5.1)."""

import gradmath

print(gradmath.solve("gradient-ratio").summary())
