"""Nielsen ch. 5, sec. 5.1: the speed of each hidden layer over 500 epochs; "roughly 100 times slower".

Run: python problems/mnist_training_speed.py [--quick] [--seeds N] [--mnist PATH]
"""

from gradmath.render import run_script

if __name__ == "__main__":
    run_script("mnist-training-speed")
