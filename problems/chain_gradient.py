"""dC/db_1 for a chain of single neurons (ch. 5, eq. 114-122), derived and checked at any depth.

Usage: python problems/chain_gradient.py [--depth N] [--seed S]
"""

import argparse

import gradmath

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--depth", type=int, default=4, help="number of neurons n >= 1 (default 4)")
parser.add_argument("--seed", type=int, default=0, help="seed of the random parameters for the numeric check")
args = parser.parse_args()
try:
    sol = gradmath.solve("chain-gradient", depth=args.depth, seed=args.seed)
except (TypeError, ValueError) as exc:
    parser.error(str(exc))
print(sol.summary())
