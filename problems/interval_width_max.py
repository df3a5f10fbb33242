"""Nielsen ch. 5, Problem 1(3): eq. 123 is greatest at |w| ≈ 6.894, width ≈ 0.4477. Run: python problems/interval_width_max.py"""

from gradmath.render import run_script

if __name__ == "__main__":
    run_script("interval-width-max")
