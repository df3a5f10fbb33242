"""Section 5.1: the speed of learning of each hidden layer over 500 epochs (the book's generate_gradient.py).

1,000 images, full-batch gradient descent, eta = 0.1, lmbda = 5.0; ||delta^l|| of every hidden layer each
epoch for 2, 3 and 4 hidden layers, and the final last-to-first ratio (book: about 100 for four layers).

Run:  python problems/mnist_training_speed.py [--quick] [--mnist PATH]
"""

import argparse

import gradmath

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="150 epochs instead of 500")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--mnist", default=None, help="MNIST files for load_mnist(path) (default: embedded)")
    args = parser.parse_args()
    data = gradmath.load_mnist(args.mnist) if args.mnist else None
    print(gradmath.solve("mnist-training-speed", quick=args.quick, seeds=args.seeds, data=data).summary())
