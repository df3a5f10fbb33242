"""Section 5.2, eq. 124: the gradient of a deep network as a product of matrices.

delta^1 = Sigma'(z^1) (w^2)^T Sigma'(z^2) ... (w^L)^T Sigma'(z^L) grad_a C, evaluated literally, checked
against backpropagation and finite differences, with the norms of its factors across the layers.

Run:  python problems/matrix_gradient.py
"""

import gradmath

if __name__ == "__main__":
    print(gradmath.solve("matrix-gradient").summary())
