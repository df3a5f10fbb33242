"""Nielsen ch. 5, sec. 5.1, Exercise: would a steeper activation help? Run: python problems/steeper_activation.py"""

from gradmath.render import run_script

if __name__ == "__main__":
    run_script("steeper-activation")
