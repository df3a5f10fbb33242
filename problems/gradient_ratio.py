"""Nielsen ch. 5, sec. 5.1: ∂C/∂b₁ is usually 16 times smaller than ∂C/∂b₃. Run: python problems/gradient_ratio.py"""

from gradmath.render import run_script

if __name__ == "__main__":
    run_script("gradient-ratio")
