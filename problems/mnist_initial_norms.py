"""Section 5.1: the speed of learning ||delta^l|| of each hidden layer just after initialisation.

[784,30,30,10], [784,30,30,30,10] and [784,30,30,30,30,10] on 1,000 training images, mean and std over
20 seeds beside the book's 0.07, 0.31 / 0.012, 0.060, 0.283 / 0.003, 0.017, 0.070, 0.285.

Run:  python problems/mnist_initial_norms.py [--quick] [--seeds N] [--mnist PATH]
"""

import argparse

import gradmath

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 seeds instead of 20")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--mnist", default=None, help="MNIST files for load_mnist(path) (default: embedded)")
    args = parser.parse_args()
    data = gradmath.load_mnist(args.mnist) if args.mnist else None
    print(gradmath.solve("mnist-initial-norms", quick=args.quick, seeds=args.seeds, data=data).summary())
