"""Nielsen ch. 5, Problem 1(1): |w σ′(wa + b)| ≥ 1 needs |w| ≥ 4. Run: python problems/weight_bound.py"""

from gradmath.render import run_script

if __name__ == "__main__":
    run_script("weight-bound")
