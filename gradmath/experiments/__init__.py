"""Numeric experiments on real MNIST digits: the speed of learning layer by layer (ch. 5, sec. 5.1).

One module per experiment, each returning a frozen dataclass with named fields; the seeds of every
experiment are independent runs and go through :func:`gradmath.parallel.map_seeds` (both cores, or a
Dask cluster). The "speed of learning" of hidden layer l is the book's ``||delta^l||``: the Euclidean
norm of the mean over the training images of dC_x/db^l.

- :mod:`.protocol`: the book's printed values, layer sizes, data helpers, size limits, arithmetic counts.
- :mod:`.initial`: ``||delta^l||`` just after initialisation, and the per-neuron bar picture.
- :mod:`.speed`: ``||delta^l||`` every epoch of full-batch gradient descent (500 epochs).
- :mod:`.depth`: validation accuracy of 1 to 4 hidden layers, every epoch of 30 of SGD.
- :mod:`.remedy`: blog 004's activations, initialisations and clipping against the sigmoid baseline,
  and their mean-field predictions (:mod:`gradmath.meanfield`).

The networks are :class:`gradmath.Network` instances (the book's network2 semantics); training with
several depths at once uses :class:`gradmath.stacked_sgd.StackedSGD`.

Examples
--------
>>> from gradmath import load_mnist
>>> from gradmath.experiments import initial_norms
>>> data = load_mnist()
>>> r = initial_norms(data.train.X[:1000], data.train.y[:1000], seeds=3, n_jobs=1)
>>> sorted(r.mean)
[2, 3, 4]
"""

from .depth import DepthAccuracy, depth_accuracy
from .initial import InitialNorms, NeuronGradients, initial_norms, neuron_gradients
from .protocol import (
    BOOK_DEPTH_ACCURACY,
    BOOK_FIRST_TO_LAST_SLOWDOWN,
    BOOK_INITIAL_NORMS,
    book_images,
    is_book_scale,
    lmbda_per_image,
    network_sizes,
    sgd_flops,
)
from .remedy import REMEDY_SETUPS, RemediesResult, RemedyPrediction, RemedyResult, compare_remedies, predict
from .speed import TrainingSpeed, training_speed

__all__ = [
    "BOOK_INITIAL_NORMS",
    "BOOK_DEPTH_ACCURACY",
    "BOOK_FIRST_TO_LAST_SLOWDOWN",
    "network_sizes",
    "book_images",
    "is_book_scale",
    "lmbda_per_image",
    "sgd_flops",
    "InitialNorms",
    "initial_norms",
    "NeuronGradients",
    "neuron_gradients",
    "TrainingSpeed",
    "training_speed",
    "DepthAccuracy",
    "depth_accuracy",
    "RemedyResult",
    "RemediesResult",
    "REMEDY_SETUPS",
    "compare_remedies",
    "RemedyPrediction",
    "predict",
]
