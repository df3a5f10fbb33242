"""Section 5.1: validation accuracy with 1, 2, 3 and 4 hidden layers (book: 96.48, 96.90, 96.57, 96.53 %).

30 epochs, mini-batch 10, eta = 0.1, weight decay per image as the book's lmbda = 5.0 on 50,000 images.
The embedded data has 4,000 training images, so the accuracies are lower; pass --mnist PATH (the four
IDX .gz files, mnist.pkl.gz or mnist.npz) for the book's 50,000 / 10,000 split.

Run:  python problems/mnist_depth_accuracy.py [--quick] [--seeds N] [--mnist PATH]
"""

import argparse

import gradmath

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 epochs and 2 seeds")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--mnist", default=None, help="MNIST files for load_mnist(path) (default: embedded)")
    args = parser.parse_args()
    data = gradmath.load_mnist(args.mnist) if args.mnist else None
    print(gradmath.solve("mnist-depth-accuracy", quick=args.quick, seeds=args.seeds, data=data).summary())
