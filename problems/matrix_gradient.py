"""Nielsen ch. 5, sec. 5.2, eq. 124: the gradient as a product of matrices. Run: python problems/matrix_gradient.py"""

from gradmath.render import run_script

if __name__ == "__main__":
    run_script("matrix-gradient")
