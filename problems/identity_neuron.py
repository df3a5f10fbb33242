"""Nielsen ch. 5, Problem 2: the identity neuron w₂σ(w₁x + b) ≈ x. Run: python problems/identity_neuron.py"""

from gradmath.render import run_script

if __name__ == "__main__":
    run_script("identity-neuron")
