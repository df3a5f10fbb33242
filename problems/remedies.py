"""Blog post 004: ReLU, leaky ReLU, Xavier, He and clipping on the book's deep network, against theory.

Run: python problems/remedies.py [--quick] [--seeds N] [--mnist PATH]
"""

from gradmath.render import run_script

if __name__ == "__main__":
    run_script("remedies")
