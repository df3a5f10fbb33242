"""Ch. 5, Problem 2: the identity neuron. Usage: python problems/identity_neuron.py [--w1 0.1]"""

import argparse

import gradmath

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--w1", type=float, default=0.1, help="the small input weight w1 (> 0)")
args = parser.parse_args()
print(gradmath.solve("identity-neuron", w1=args.w1).summary())
