"""The numbers of the two blog posts (seeds 003, 004): 0.25^5, 0.6^15, 1.6^15, sigma'(5), ..."""

import gradmath

print(gradmath.solve("weight-powers").summary())
