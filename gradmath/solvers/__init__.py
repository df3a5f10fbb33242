"""The solvers, one module per area; the registry in :mod:`gradmath.solutions` imports them lazily.

- :mod:`.chain`: sigma', the chain of single neurons (eq. 114-122), the gradient ratio, the
  exploding and typical examples, the steeper-activation exercise, the seed texts' powers.
- :mod:`.weight_bound`, :mod:`.interval_width`, :mod:`.interval_width_max`: Problem 1 (eq. 123).
- :mod:`.identity_neuron`: Problem 2 (the identity neuron).
- :mod:`.matrix_gradient`: section 5.2, eq. 124 (the maths in :mod:`gradmath.matrix`).
- :mod:`.mnist`: the MNIST experiments of section 5.1 and the remedies of seed 004.
"""
