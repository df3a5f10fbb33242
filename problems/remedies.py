"""Blog post 004: remedies for unstable gradients on the book's [784,30,30,30,30,10] network.

ReLU, leaky ReLU and tanh, Xavier and He initialisation, and gradient clipping against the sigmoid
baseline and an exploding setup (ReLU with N(0,1) weights): the last-to-first hidden-layer gradient
ratio at initialisation and after a short training, and which remedy fixes which problem.

Run:  python problems/remedies.py [--quick] [--seeds N] [--mnist PATH]
"""

import argparse

import gradmath

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds and 1 epoch")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--mnist", default=None, help="MNIST files for load_mnist(path) (default: embedded)")
    args = parser.parse_args()
    data = gradmath.load_mnist(args.mnist) if args.mnist else None
    print(gradmath.solve("remedies", quick=args.quick, seeds=args.seeds, data=data).summary())
