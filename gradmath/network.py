"""A vectorised NumPy feedforward network with the semantics of the book's ``network2.py``.

The network is the one Nielsen trains in chapters 3 and 5: fully connected layers, weights of shape
``(n_out, n_in)``, the cross-entropy cost with a sigmoid output layer, L2 weight decay, and mini-batch
stochastic gradient descent. Unlike ``network2.py`` a mini-batch is one matrix: the examples are the
rows of ``X`` and no Python loop runs over examples anywhere (forward, backward or training).

Equations (ch. 2, with rows as examples):

- forward: ``z^l = a^{l-1} (w^l)^T + b^l``, ``a^l = f(z^l)`` (ch. 2, the vectorised feedforward);
- output error: ``delta^L = a^L - y`` for cross-entropy with sigmoid output (ch. 3, cross-entropy section),
  ``delta^L = (a^L - y) * f'(z^L)`` for the quadratic cost (BP1);
- backward: ``delta^l = (delta^{l+1} w^{l+1}) * f'(z^l)`` (BP2);
- gradients: ``dC/db^l = delta^l`` (BP3), ``dC/dw^l = (delta^l)^T a^{l-1}`` summed over the batch (BP4);
- update (ch. 3, L2 regularisation, mini-batch form): ``w <- (1 - eta lmbda / n) w - (eta / m) nabla_w``,
  ``b <- b - (eta / m) nabla_b``.

``weights[k]`` and ``biases[k]`` feed layer ``k + 1``, counting the input as layer 0 (section 5.1's
numbering, where ``b_1`` is the first hidden neuron; network2 numbers the input as layer 1, so its
``w^2`` is ``weights[0]``).

Hidden layers use ``activation``; the output layer uses ``output_activation`` (default ``"sigmoid"``,
so that with ``activation="sigmoid"`` every layer is sigmoid, exactly the book's network, and so that
the cross-entropy output error ``a - y`` holds for every choice of hidden activation).

Examples
--------
>>> import numpy as np
>>> net = Network([4, 3, 2], seed=0)
>>> X = np.random.default_rng(1).random((5, 4))
>>> net.feedforward(X).shape
(5, 2)
>>> [g.shape for g in net.bias_gradients(X, np.array([0, 1, 0, 1, 1]))]
[(3,), (2,)]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS, get_activation

__all__ = ["Network", "TrainingHistory", "COSTS", "INITS"]

COSTS = ("cross_entropy", "quadratic")
INITS = ("default", "large", "xavier", "he")


@dataclass
class TrainingHistory:
    """Per-epoch record of :meth:`Network.train`.

    Attributes
    ----------
    cost : ndarray, shape (epochs,)
        Total cost on the training data at the end of each epoch (the book's ``total_cost``,
        with the weight-decay term).
    accuracy : ndarray, shape (epochs,)
        Fraction of the training data classified correctly at the end of each epoch.
    evaluation_accuracy : ndarray, shape (epochs,) or None
        Fraction of ``evaluation_data`` classified correctly at the end of each epoch (None when
        no evaluation data was given).
    evaluation_cost : ndarray, shape (epochs,) or None
        Cost on ``evaluation_data`` at the end of each epoch.
    gradient_norms : ndarray, shape (epochs, num_layers - 1) or None
        ``||mean over the training data of dC_x/db^l||`` for each layer with biases, measured at the
        start of each epoch, before its updates (the book's ``generate_gradient.py``); None when
        ``monitor_gradients=False``.
    epochs, batch_size, eta, lmbda : the training parameters.
    """

    cost: np.ndarray
    accuracy: np.ndarray
    evaluation_accuracy: np.ndarray | None = None
    evaluation_cost: np.ndarray | None = None
    gradient_norms: np.ndarray | None = None
    epochs: int = 0
    batch_size: int = 0
    eta: float = 0.0
    lmbda: float = 0.0

    def __repr__(self) -> str:
        def last(a):
            return "None" if a is None or len(a) == 0 else f"{a[-1]:.4g}"

        return (
            f"TrainingHistory(epochs={self.epochs}, batch_size={self.batch_size}, eta={self.eta}, "
            f"lmbda={self.lmbda}, final cost={last(self.cost)}, final accuracy={last(self.accuracy)}, "
            f"final evaluation_accuracy={last(self.evaluation_accuracy)})"
        )


def _shape(a) -> str:
    return str(tuple(np.shape(a)))


class Network:
    """A fully connected feedforward network (the book's ``network2.Network``), vectorised over examples.

    Parameters
    ----------
    sizes : sequence of int
        Neurons per layer, input first, e.g. ``[784, 30, 10]``; at least two layers, each >= 1.
    seed : int, Generator or None
        Seed of ``np.random.default_rng`` for the initial weights and, when :meth:`train` gets no seed
        of its own, for the shuffling (so ``Network(sizes, seed=s)`` followed by ``train`` is reproducible).
    activation : {"sigmoid", "tanh", "relu", "leaky_relu"}
        Activation of the hidden layers.
    cost : {"cross_entropy", "quadratic"}
        ``"cross_entropy"``: ``C_x = -sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)]``, output error
        ``a - y`` (needs a sigmoid output layer); ``"quadratic"``: ``C_x = ||a - y||^2 / 2``, output error
        ``(a - y) * f'(z)``.
    init : {"default", "large", "xavier", "he"}
        ``"default"``: the book's weights ``N(0, 1) / sqrt(n_in)`` and biases ``N(0, 1)``;
        ``"large"``: weights and biases ``N(0, 1)`` (ch. 1's initialisation);
        ``"xavier"``: Glorot normal, weights with std ``sqrt(2 / (n_in + n_out))``, biases 0;
        ``"he"``: weights with std ``sqrt(2 / n_in)``, biases 0.
    output_activation : {"sigmoid", "tanh", "relu", "leaky_relu"}
        Activation of the output layer. Cross-entropy requires ``"sigmoid"``.

    Attributes
    ----------
    sizes : list of int
    num_layers : int
    weights : list of ndarray, shapes ``(sizes[l+1], sizes[l])``
    biases : list of ndarray, shapes ``(sizes[l+1],)``
    """

    def __init__(
        self,
        sizes: Sequence[int],
        seed: int | np.random.Generator | None = 0,
        activation: str = "sigmoid",
        cost: str = "cross_entropy",
        init: str = "default",
        *,
        output_activation: str = "sigmoid",
    ) -> None:
        sizes = list(sizes) if not isinstance(sizes, (str, bytes)) else None
        if (
            sizes is None
            or len(sizes) < 2
            or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1 for s in sizes)
        ):
            raise ValueError(
                f"sizes must be a sequence of at least two positive integers (input first), got {sizes!r}"
            )
        self.sizes = [int(s) for s in sizes]
        self.num_layers = len(self.sizes)
        self.activation = activation
        self._f, self._f_prime = get_activation(activation)
        try:
            self._f_out, self._f_out_prime = get_activation(output_activation)
        except ValueError:
            options = ", ".join(repr(k) for k in ACTIVATIONS)
            raise ValueError(
                f"unknown output_activation {output_activation!r}; choose one of {options}"
            ) from None
        self.output_activation = output_activation
        if cost not in COSTS:
            raise ValueError(f"unknown cost {cost!r}; choose one of {', '.join(map(repr, COSTS))}")
        if cost == "cross_entropy" and output_activation != "sigmoid":
            raise ValueError(
                f"cost='cross_entropy' needs output_activation='sigmoid' (its output error is a - y), "
                f"got output_activation={output_activation!r}; use cost='quadratic' for other outputs"
            )
        self.cost_name = cost
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; choose one of {', '.join(map(repr, INITS))}")
        self.init = init
        self._rng = np.random.default_rng(seed)
        self.seed = seed
        self._weights: list[np.ndarray] = []
        self._biases: list[np.ndarray] = []
        self._initialise(init)

    # --- parameters ---------------------------------------------------------------------------

    def _initialise(self, init: str) -> None:
        """Draw the initial parameters (book's order: all biases first, then all weights)."""
        rng = self._rng
        pairs = list(zip(self.sizes[:-1], self.sizes[1:], strict=True))
        if init in ("default", "large"):
            biases = [rng.standard_normal(n_out) for _, n_out in pairs]
        else:
            biases = [np.zeros(n_out) for _, n_out in pairs]
        if init == "default":
            weights = [rng.standard_normal((n_out, n_in)) / np.sqrt(n_in) for n_in, n_out in pairs]
        elif init == "large":
            weights = [rng.standard_normal((n_out, n_in)) for n_in, n_out in pairs]
        elif init == "xavier":
            weights = [
                rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / (n_in + n_out)) for n_in, n_out in pairs
            ]
        else:  # he
            weights = [rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in) for n_in, n_out in pairs]
        self._biases = biases
        self._weights = weights

    @property
    def weights(self) -> list[np.ndarray]:
        """Weight matrices ``w^l`` of shape ``(n_out, n_in)``; assignable (shapes are checked)."""
        return self._weights

    @weights.setter
    def weights(self, value) -> None:
        expected = [(o, i) for i, o in zip(self.sizes[:-1], self.sizes[1:], strict=True)]
        self._weights = self._checked_params("weights", value, expected)

    @property
    def biases(self) -> list[np.ndarray]:
        """Bias vectors ``b^l`` of shape ``(n_out,)``; assignable (shapes are checked)."""
        return self._biases

    @biases.setter
    def biases(self, value) -> None:
        self._biases = self._checked_params("biases", value, [(o,) for o in self.sizes[1:]])

    @staticmethod
    def _checked_params(name: str, value, expected: list[tuple]) -> list[np.ndarray]:
        arrays = [np.array(v, dtype=np.float64) for v in value]
        shapes = [a.shape for a in arrays]
        if shapes != expected:
            raise ValueError(f"{name} must have shapes {expected}, got {shapes}")
        for k, a in enumerate(arrays):
            if not np.isfinite(a).all():
                raise ValueError(f"{name}[{k}] contains NaN or inf")
        return arrays

    def __repr__(self) -> str:
        return (
            f"Network(sizes={self.sizes}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r}, cost={self.cost_name!r}, init={self.init!r})"
        )

    # --- input checks -------------------------------------------------------------------------

    def _check_X(self, X, name: str = "X", finite: bool = True) -> np.ndarray:
        X = np.asarray(X)
        if X.dtype.kind not in "biuf":
            raise ValueError(f"{name} must be a real numeric array, got dtype {X.dtype}")
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(
                f"{name} must have shape (n, {self.sizes[0]}) (one example per row), got shape {_shape(X)}"
                + ("; use X.reshape(1, -1) for a single example" if X.ndim == 1 else "")
            )
        if X.shape[0] == 0:
            raise ValueError(f"{name} must hold at least one example, got shape {_shape(X)}")
        # A sum is cheap and is non-finite whenever an entry is (or on overflow: then look closer).
        if finite and not np.isfinite(X.sum()) and not np.isfinite(X).all():
            bad = int(np.count_nonzero(~np.isfinite(X)))
            raise ValueError(f"{name} (shape {_shape(X)}) contains {bad} NaN or inf entries")
        return X

    def _check_XY(
        self, X, Y, xname: str = "X", yname: str = "Y", finite: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        X = self._check_X(X, xname, finite)
        Y = np.asarray(Y)
        if Y.ndim != 1:
            hint = " (integer labels, not one-hot: use Y.argmax(axis=1))" if Y.ndim == 2 else ""
            raise ValueError(f"{yname} must have shape (n,) of integer labels{hint}, got shape {_shape(Y)}")
        if Y.shape[0] != X.shape[0]:
            raise ValueError(
                f"{xname} and {yname} must hold the same number of examples: "
                f"{xname} has shape {_shape(X)}, {yname} has shape {_shape(Y)}"
            )
        if Y.dtype.kind == "f":
            if not np.isfinite(Y).all() or not np.array_equal(Y, np.round(Y)):
                raise ValueError(f"{yname} (shape {_shape(Y)}) must hold integer labels")
        elif Y.dtype.kind not in "iub":
            raise ValueError(f"{yname} must hold integer labels, got dtype {Y.dtype}")
        Y = Y.astype(np.intp)
        n_out = self.sizes[-1]
        lo, hi = int(Y.min()), int(Y.max())
        if lo < 0 or hi >= n_out:
            raise ValueError(
                f"{yname} labels must lie in 0..{n_out - 1} (the output layer has {n_out} neurons), "
                f"got labels from {lo} to {hi} (shape {_shape(Y)})"
            )
        return X, Y

    def _one_hot(self, Y: np.ndarray) -> np.ndarray:
        Yh = np.zeros((Y.shape[0], self.sizes[-1]))
        Yh[np.arange(Y.shape[0]), Y] = 1.0
        return Yh

    # --- forward and backward -----------------------------------------------------------------

    def _forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``zs[l]``, ``activations[l]`` for every layer; ``activations[0] = X``; rows are examples."""
        a = X
        zs: list[np.ndarray] = []
        activations = [X]
        last = len(self._weights) - 1
        for l, (w, b) in enumerate(zip(self._weights, self._biases, strict=True)):
            z = a @ w.T
            z += b
            a = self._f_out(z) if l == last else self._f(z)
            zs.append(z)
            activations.append(a)
        return zs, activations

    def _prime(self, l: int, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """``f'(z)`` of layer ``l`` (0-based over weight layers); for sigmoid from ``a`` = sigma(z)."""
        last = l == len(self._weights) - 1
        name = self.output_activation if last else self.activation
        if name == "sigmoid":
            return a * (1.0 - a)
        return (self._f_out_prime if last else self._f_prime)(z)

    def _deltas(self, zs, activations, Yh: np.ndarray) -> list[np.ndarray]:
        """Backpropagated errors ``delta^l`` (one row per example) for every weight layer (BP1, BP2).

        The input layer has no delta, so ``delta^1 (w^1)`` is never formed.
        """
        L = len(self._weights)
        aL = activations[-1]
        if self.cost_name == "cross_entropy":
            delta = aL - Yh
        else:
            delta = (aL - Yh) * self._prime(L - 1, zs[-1], aL)
        deltas = [delta]
        for l in range(L - 2, -1, -1):
            delta = (delta @ self._weights[l + 1]) * self._prime(l, zs[l], activations[l + 1])
            deltas.append(delta)
        deltas.reverse()
        return deltas

    def forward(self, X) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Weighted inputs and activations of every layer.

        Returns
        -------
        zs : list of ndarray
            ``zs[l]`` has shape ``(n, sizes[l+1])``: ``z^{l+1} = a^l (w^{l+1})^T + b^{l+1}``.
        activations : list of ndarray
            ``activations[0]`` is ``X``; ``activations[l]`` has shape ``(n, sizes[l])``.
        """
        return self._forward(self._check_X(X))

    def feedforward(self, X) -> np.ndarray:
        """The output activations ``a^L``, shape ``(n, sizes[-1])`` (the book's ``feedforward``)."""
        return self._forward(self._check_X(X))[1][-1]

    def backprop(self, X, Y) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Gradients of the cost, SUMMED over the examples (the book's ``backprop`` over a batch).

        Returns
        -------
        nabla_b : list of ndarray, shapes ``(sizes[l+1],)``
            ``sum_x dC_x/db^l`` (BP3).
        nabla_w : list of ndarray, shapes ``(sizes[l+1], sizes[l])``
            ``sum_x dC_x/dw^l = sum_x delta^l_x (a^{l-1}_x)^T`` (BP4).
        """
        X, Y = self._check_XY(X, Y)
        zs, activations = self._forward(X)
        deltas = self._deltas(zs, activations, self._one_hot(Y))
        nabla_b = [d.sum(axis=0) for d in deltas]
        nabla_w = [d.T @ a for d, a in zip(deltas, activations[:-1], strict=True)]
        return nabla_b, nabla_w

    def bias_gradients(self, X, Y) -> list[np.ndarray]:
        """Per layer, the mean over the examples of ``dC_x/db^l``: the book's ``delta^l`` (ch. 5, sec. 5.1).

        Returns a list with one array of shape ``(sizes[l],)`` for each layer ``l = 1 .. L`` (hidden layers
        and the output layer); the book's plots use the hidden layers, ``[:-1]``.
        """
        X, Y = self._check_XY(X, Y)
        zs, activations = self._forward(X)
        return [d.mean(axis=0) for d in self._deltas(zs, activations, self._one_hot(Y))]

    # --- cost and accuracy --------------------------------------------------------------------

    def _cost_from(self, zL: np.ndarray, aL: np.ndarray, Yh: np.ndarray) -> float:
        """Mean over examples of C_x (without regularisation)."""
        if self.cost_name == "cross_entropy":
            # -[y ln sigma(z) + (1 - y) ln(1 - sigma(z))] = softplus(z) - y z, stable for every z.
            per = np.logaddexp(0.0, zL) - Yh * zL
        else:
            per = 0.5 * (aL - Yh) ** 2
        return float(per.sum() / zL.shape[0])

    def cost(self, X, Y, lmbda: float = 0.0) -> float:
        """The book's ``total_cost``: mean of C_x over the examples plus ``lmbda / (2 n) sum ||w||^2``.

        ``n = len(X)``. For cross-entropy, ``C_x = -sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)]``
        (ch. 3, the cross-entropy cost), computed from ``z`` as ``softplus(z) - y z`` so that it stays
        finite when ``a`` saturates.
        """
        lmbda = self._check_nonneg("lmbda", lmbda)
        X, Y = self._check_XY(X, Y)
        zs, activations = self._forward(X)
        c = self._cost_from(zs[-1], activations[-1], self._one_hot(Y))
        if lmbda:
            c += 0.5 * (lmbda / X.shape[0]) * sum(float(np.vdot(w, w)) for w in self._weights)
        return c

    def accuracy(self, X, Y) -> float:
        """Fraction of examples whose largest output activation is at the label."""
        X, Y = self._check_XY(X, Y)
        return float(np.mean(self._forward(X)[1][-1].argmax(axis=1) == Y))

    # --- training -----------------------------------------------------------------------------

    @staticmethod
    def _check_nonneg(name: str, value, positive: bool = False) -> float:
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a real number, got {value!r}") from None
        if not np.isfinite(v) or v < 0 or (positive and v == 0):
            rng = "> 0" if positive else ">= 0"
            raise ValueError(f"{name} must be finite and {rng}, got {value!r}")
        return v

    def _step(
        self,
        X: np.ndarray,
        Yh: np.ndarray,
        eta: float,
        lmbda: float,
        n: int,
        clip_value: float | None,
        clip_norm: float | None,
        verify: bool = False,
    ) -> list[np.ndarray]:
        """One gradient-descent step on the batch ``X``; returns the batch-mean bias gradients.

        The batch-mean gradients ``nabla / m`` are clipped (elementwise to ``[-clip_value, clip_value]``,
        then rescaled so that their global norm over all layers is at most ``clip_norm``) before the update
        ``w <- (1 - eta lmbda / n) w - eta g_w``, ``b <- b - eta g_b``. The returned bias gradients are the
        unclipped means.

        With ``verify``, the new parameters are checked to be finite before they are stored; a NaN or inf
        in ``X`` always makes them non-finite (it reaches every delta of its row, or the weight gradient
        of layer 1), so ``X`` need not be scanned beforehand.
        """
        m = X.shape[0]
        zs, activations = self._forward(X)
        deltas = self._deltas(zs, activations, Yh)
        mean = np.full(m, 1.0 / m)
        g_b = [mean @ d for d in deltas]  # mean over the rows, as one matrix-vector product
        probe = g_b
        nabla_w = [d.T @ a for d, a in zip(deltas, activations[:-1], strict=True)]  # sums over the batch
        eta_w = eta / m  # (eta / m) nabla_w, without forming nabla_w / m
        if clip_value is not None or clip_norm is not None:
            g_w = [g / m for g in nabla_w]
            if clip_value is not None:
                g_b = [np.clip(g, -clip_value, clip_value) for g in g_b]
                g_w = [np.clip(g, -clip_value, clip_value) for g in g_w]
            if clip_norm is not None:
                total = np.sqrt(sum(float(np.vdot(g, g)) for g in g_b + g_w))
                if total > clip_norm:
                    scale = clip_norm / total
                    g_b = [g * scale for g in g_b]
                    g_w = [g * scale for g in g_w]
            nabla_w, eta_w = g_w, eta
        decay = 1.0 - eta * lmbda / n
        weights = [decay * w - eta_w * g for w, g in zip(self._weights, nabla_w, strict=True)]
        biases = [b - eta * g for b, g in zip(self._biases, g_b, strict=True)]
        if verify and not np.isfinite(sum(float(p.sum()) for p in weights + biases)):
            self._check_X(X)  # raises the ValueError naming X if the input is to blame
            if not all(np.isfinite(p).all() for p in weights + biases):
                raise FloatingPointError(
                    f"the gradient step diverged (eta={eta}): the new parameters are not finite; "
                    "lower eta or use clip_norm/clip_value"
                )
        self._weights = weights
        self._biases = biases
        return probe

    def gradient_step(
        self,
        X,
        Y,
        eta: float,
        lmbda: float = 0.0,
        n: int | None = None,
        *,
        clip_value: float | None = None,
        clip_norm: float | None = None,
    ) -> list[np.ndarray]:
        """One gradient-descent step on the batch ``(X, Y)``, returning the bias gradients it used.

        The probe of the book's ``generate_gradient.py`` (the mean over the images of ``dC_x/db^l``) and a
        full-batch step see the same weights and the same images, so one forward and one backward pass
        serve both: this returns ``[mean_x dC_x/db^l for each layer]`` computed with the weights *before*
        the update, which is ``w <- (1 - eta lmbda / n) w - (eta / m) nabla_w``,
        ``b <- b - (eta / m) nabla_b`` with ``m = len(X)`` and ``n`` the training-set size (default ``m``).
        """
        eta = self._check_nonneg("eta", eta, positive=True)
        lmbda = self._check_nonneg("lmbda", lmbda)
        X, Y = self._check_XY(X, Y, finite=False)  # finiteness is verified on the result instead
        if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1):
            raise ValueError(f"n (the training-set size) must be an integer >= 1, got {n!r}")
        n = X.shape[0] if n is None else int(n)
        clip_value, clip_norm = self._check_clip(clip_value, clip_norm)
        with np.errstate(invalid="ignore", over="ignore"):  # a non-finite result raises below instead
            return self._step(X, self._one_hot(Y), eta, lmbda, n, clip_value, clip_norm, verify=True)

    def _check_clip(self, clip_value, clip_norm) -> tuple[float | None, float | None]:
        if clip_value is not None:
            clip_value = self._check_nonneg("clip_value", clip_value, positive=True)
        if clip_norm is not None:
            clip_norm = self._check_nonneg("clip_norm", clip_norm, positive=True)
        return clip_value, clip_norm

    def train(
        self,
        X,
        Y,
        epochs: int,
        batch_size: int,
        eta: float,
        lmbda: float = 0.0,
        *,
        evaluation_data: tuple | None = None,
        seed: int | np.random.Generator | None = None,
        clip_value: float | None = None,
        clip_norm: float | None = None,
        monitor_gradients: bool = True,
        callback: Callable[[int, Network], object] | None = None,
    ) -> TrainingHistory:
        """Mini-batch stochastic gradient descent with L2 weight decay (the book's ``network2.SGD``).

        Each epoch shuffles the training data with ``np.random.default_rng(seed)`` (or the network's own
        generator when ``seed`` is None), splits it into mini-batches of ``batch_size`` (the last one may be
        smaller) and applies to each batch of size m the update (ch. 3, L2 regularisation)
        ``w <- (1 - eta lmbda / n) w - (eta / m) nabla_w``, ``b <- b - (eta / m) nabla_b``,
        with ``n = len(X)``.

        Parameters
        ----------
        X : array, shape (n, sizes[0])
        Y : array of int, shape (n,)
        epochs, batch_size : int >= 1
        eta : float > 0
            Learning rate.
        lmbda : float >= 0
            Regularisation parameter (weight decay ``eta lmbda / n`` per step).
        evaluation_data : (X_eval, Y_eval), optional
            Accuracy and cost on these are recorded after each epoch.
        seed : int, Generator or None
            Seed of the shuffling.
        clip_value, clip_norm : float > 0, optional
            Clip the mini-batch mean gradient elementwise to ``[-clip_value, clip_value]`` and/or rescale it
            so that its global norm (over all weights and biases) is at most ``clip_norm``.
        monitor_gradients : bool
            Record the norm of the mean bias gradient of every layer on the whole training data at the start
            of each epoch (costs one extra forward and backward pass per epoch).
        callback : callable(epoch, network), optional
            Called after each epoch.

        Returns
        -------
        TrainingHistory

        Raises
        ------
        FloatingPointError
            When the parameters stop being finite (training diverged: lower ``eta`` or clip).
        """
        X, Y = self._check_XY(X, Y)
        for name, v in (("epochs", epochs), ("batch_size", batch_size)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
        eta = self._check_nonneg("eta", eta, positive=True)
        lmbda = self._check_nonneg("lmbda", lmbda)
        clip_value, clip_norm = self._check_clip(clip_value, clip_norm)
        if evaluation_data is not None:
            try:
                Xe, Ye = evaluation_data
            except (TypeError, ValueError):
                raise ValueError("evaluation_data must be a pair (X_eval, Y_eval)") from None
            Xe, Ye = self._check_XY(Xe, Ye, "evaluation_data[0]", "evaluation_data[1]")
            Yeh = self._one_hot(Ye)
        rng = self._rng if seed is None else np.random.default_rng(seed)
        n = X.shape[0]
        Yh = self._one_hot(Y)
        epochs, batch_size = int(epochs), int(batch_size)
        cost = np.empty(epochs)
        acc = np.empty(epochs)
        ev_acc = np.empty(epochs) if evaluation_data is not None else None
        ev_cost = np.empty(epochs) if evaluation_data is not None else None
        L = len(self._weights)
        norms = np.empty((epochs, L)) if monitor_gradients else None
        for epoch in range(epochs):
            if monitor_gradients:
                zs, acts = self._forward(X)
                for l, d in enumerate(self._deltas(zs, acts, Yh)):
                    norms[epoch, l] = np.linalg.norm(d.mean(axis=0))
            perm = rng.permutation(n)
            for k in range(0, n, batch_size):
                idx = perm[k : k + batch_size]  # gather each batch: no copy of the whole training set
                self._step(X[idx], Yh[idx], eta, lmbda, n, clip_value, clip_norm)
            if not all(np.isfinite(w).all() for w in self._weights):
                raise FloatingPointError(
                    f"training diverged in epoch {epoch}: the weights are no longer finite "
                    f"(eta={eta}); lower eta or use clip_norm/clip_value"
                )
            zs, acts = self._forward(X)
            reg = 0.5 * (lmbda / n) * sum(float(np.vdot(w, w)) for w in self._weights)
            cost[epoch] = self._cost_from(zs[-1], acts[-1], Yh) + reg
            acc[epoch] = np.mean(acts[-1].argmax(axis=1) == Y)
            if evaluation_data is not None:
                zs, acts = self._forward(Xe)
                # the book's total_cost divides the decay term by the size of the data it is given
                ev_cost[epoch] = self._cost_from(zs[-1], acts[-1], Yeh) + reg * n / Xe.shape[0]
                ev_acc[epoch] = np.mean(acts[-1].argmax(axis=1) == Ye)
            if callback is not None:
                callback(epoch, self)
        return TrainingHistory(
            cost=cost,
            accuracy=acc,
            evaluation_accuracy=ev_acc,
            evaluation_cost=ev_cost,
            gradient_norms=norms,
            epochs=epochs,
            batch_size=batch_size,
            eta=eta,
            lmbda=lmbda,
        )
