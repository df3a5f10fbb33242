"""The exploding gradient: w_j = 100, b_j = -100 a_(j-1), every term 25 (ch. 5, sec. 5.1).

Usage: python problems/exploding_example.py [--depth N] [--a0 A]
"""

import argparse

import gradmath

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--depth", type=int, default=4, help="number of neurons n >= 2 (default 4)")
parser.add_argument("--a0", type=float, default=0.25, help="input activation in (0, 1) (default 0.25)")
args = parser.parse_args()
try:
    sol = gradmath.solve("exploding-example", depth=args.depth, a0=args.a0)
except (TypeError, ValueError) as exc:
    parser.error(str(exc))
print(sol.summary())
