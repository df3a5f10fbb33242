"""Ch. 5, Problem 1(2): worked solution and checks."""

import gradmath

print(gradmath.solve("interval-width").summary())
