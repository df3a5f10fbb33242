"""The numbers of the two blog posts (0.25⁵, 0.6¹⁵, 1.6¹⁵, σ′(5), ...). Run: python problems/weight_powers.py"""

from gradmath.render import run_script

if __name__ == "__main__":
    run_script("weight-powers")
