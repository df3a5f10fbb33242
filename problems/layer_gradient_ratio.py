"""From the chain to the layer: the book's five-fold gradient ratio per layer, predicted by mean-field theory.

Run: python problems/layer_gradient_ratio.py [--quick] [--seeds N] [--mnist PATH]
"""

from gradmath.render import run_script

if __name__ == "__main__":
    run_script("layer-gradient-ratio")
