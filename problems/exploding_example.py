"""Nielsen ch. 5, sec. 5.1: an exploding gradient, every term w σ′(z) = 25. Run: python problems/exploding_example.py"""

from gradmath.render import run_script

if __name__ == "__main__":
    run_script("exploding-example")
