"""How small |w sigma'(z)| is under N(0,1) weights and biases; how fast dC/db_1 decays (sec. 5.1)."""

import gradmath

print(gradmath.solve("vanishing-typical").summary())
