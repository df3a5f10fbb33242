"""Nielsen ch. 5, Problem 1(2): the interval of a with |w σ′(wa + b)| ≥ 1 and its width, eq. 123. Run: python problems/interval_width.py"""

from gradmath.render import run_script

if __name__ == "__main__":
    run_script("interval-width")
