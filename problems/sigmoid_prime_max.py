"""Nielsen ch. 5, sec. 5.1: σ′ has its maximum 1/4 at 0. Run: python problems/sigmoid_prime_max.py"""

from gradmath.render import run_script

if __name__ == "__main__":
    run_script("sigmoid-prime-max")
