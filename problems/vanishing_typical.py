"""Nielsen ch. 5, sec. 5.1: how small is w σ′(z) typically? Run: python problems/vanishing_typical.py"""

from gradmath.render import run_script

if __name__ == "__main__":
    run_script("vanishing-typical")
