"""Ch. 5, Problem 1(1): worked solution and checks."""

import gradmath

print(gradmath.solve("weight-bound").summary())
