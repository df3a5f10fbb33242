"""The solvers, one module per problem; the registry (:mod:`gradmath.registry`) imports them lazily.

- :mod:`.chain`: sigma', the chain of single neurons (eq. 114-122), the gradient ratio, the
  exploding and typical examples, the steeper-activation exercise, the seed texts' powers.
- :mod:`.weight_bound`, :mod:`.interval_width`, :mod:`.interval_width_max`: Problem 1 (eq. 123).
- :mod:`.identity_neuron`: Problem 2 (the identity neuron).
- :mod:`.matrix_gradient`: section 5.2, eq. 124 (the maths in :mod:`gradmath.matrix`).
- :mod:`.mnist_initial_norms`, :mod:`.mnist_training_speed`, :mod:`.mnist_depth_accuracy` (with
  :mod:`.mnist_common`): the MNIST experiments of section 5.1 (the numerics in :mod:`gradmath.experiments`).
- :mod:`.remedies` (with :mod:`.remedies_writeup`): the remedies of seed 004.
"""
