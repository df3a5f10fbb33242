"""sigma' = sigma(1 - sigma) is at most 1/4, attained at z = 0 (ch. 5, sec. 5.1)."""

import gradmath

print(gradmath.solve("sigmoid-prime-max").summary())
