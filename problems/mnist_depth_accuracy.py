"""Nielsen ch. 5, sec. 5.1: validation accuracy of 1 to 4 hidden layers (book: 96.48, 96.90, 96.57, 96.53 %).

The embedded data cannot decide the book's claim; pass --mnist PATH (the four IDX files) for its 50,000 / 10,000.
Run: python problems/mnist_depth_accuracy.py [--quick] [--seeds N] [--mnist PATH]
"""

from gradmath.render import run_script

if __name__ == "__main__":
    run_script("mnist-depth-accuracy")
