"""Nielsen ch. 5, sec. 5.1: the speed ‖δˡ‖ of each hidden layer at initialisation, over seeds, beside the book.

Run: python problems/mnist_initial_norms.py [--quick] [--seeds N] [--mnist PATH]
"""

from gradmath.render import run_script

if __name__ == "__main__":
    run_script("mnist-initial-norms")
