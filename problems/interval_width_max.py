"""Ch. 5, Problem 1(3): worked solution and checks."""

import gradmath

print(gradmath.solve("interval-width-max").summary())
