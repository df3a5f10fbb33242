"""Nielsen ch. 5, eq. 114-122: ∂C/∂b₁ of a chain of single neurons. Run: python problems/chain_gradient.py"""

from gradmath.render import run_script

if __name__ == "__main__":
    run_script("chain-gradient")
