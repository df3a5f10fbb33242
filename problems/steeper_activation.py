"""The Exercise of sec. 5.1: would an activation with a much larger derivative help? (No.)"""

import gradmath

print(gradmath.solve("steeper-activation").summary())
