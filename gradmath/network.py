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

Training (the book's ``network2.SGD``) lives in :mod:`gradmath.training`; :meth:`Network.train` calls it.

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

from collections.abc import Sequence

import numpy as np

from .activations import ACTIVATIONS, get_activation
from .training import Evaluation, MiniBatchUpdate, StepRule, rng_from_seed, sgd
from .validate import choice, integer, integer_sequence, real

__all__ = ["Network", "COSTS", "INITS", "MAX_LAYER_SIZE", "MAX_PARAMETERS"]

COSTS = ("cross_entropy", "quadratic")
INITS = ("default", "large", "xavier", "he")

#: Largest number of neurons in one layer (``sizes[l]``).
MAX_LAYER_SIZE = 1_000_000
#: Largest number of weights and biases in all: 400 MB of float64. At the limit the initial draw takes about
#: 1 s, and a training step, which holds the parameters, their gradients and the updated parameters at once,
#: about 2 s and 1.7 GB. ``Network([10**6, 10**6])`` would need 8 TB and is refused before any allocation.
MAX_PARAMETERS = 50_000_000


def _shape(a) -> str:
    return str(tuple(np.shape(a)))


def _megabytes(count: int) -> str:
    return f"{8 * count / 1e6:,.0f} MB"


def _check_sizes(sizes) -> list[int]:
    """``sizes`` validated: at least two layers of 1 .. MAX_LAYER_SIZE neurons, at most MAX_PARAMETERS."""
    what = (
        f"at least 2 positive integers (neurons per layer, input first, e.g. [784, 30, 10]), "
        f"each at most MAX_LAYER_SIZE = {MAX_LAYER_SIZE:,}"
    )
    try:
        sizes = list(integer_sequence(sizes, "sizes", min_len=2, lo=1, hi=MAX_LAYER_SIZE))
    except (TypeError, ValueError) as e:
        raise type(e)(f"{e}; expected {what}") from None
    count = sum(i * o + o for i, o in zip(sizes[:-1], sizes[1:], strict=True))
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"sizes {sizes} need {count:,} weights and biases ({_megabytes(count)} as float64); the limit is "
            f"MAX_PARAMETERS = {MAX_PARAMETERS:,} ({_megabytes(MAX_PARAMETERS)}): use smaller layers"
        )
    return sizes


class Network:
    """A fully connected feedforward network (the book's ``network2.Network``), vectorised over examples.

    Parameters
    ----------
    sizes : sequence of int
        Neurons per layer, input first, e.g. ``[784, 30, 10]``; at least two layers, each from 1 to
        :data:`MAX_LAYER_SIZE` (10**6), with at most :data:`MAX_PARAMETERS` (5 * 10**7) weights and biases
        in all (400 MB); larger networks are refused before anything is allocated.
    seed : int >= 0, Generator or None
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
    rng : numpy.random.Generator
        Drew the initial parameters; shuffles in :meth:`train` when it gets no seed of its own.
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
        self.sizes = _check_sizes(sizes)
        self.num_layers = len(self.sizes)
        names = tuple(ACTIVATIONS)
        self.activation = choice(activation, "activation", names)
        self.output_activation = choice(output_activation, "output_activation", names)
        self._f, self._f_prime = get_activation(activation)
        self._f_out, self._f_out_prime = get_activation(output_activation)
        self.cost_name = choice(cost, "cost", COSTS)
        if cost == "cross_entropy" and output_activation != "sigmoid":
            raise ValueError(
                f"cost='cross_entropy' needs output_activation='sigmoid' (its output error is a - y), "
                f"got output_activation={output_activation!r}; use cost='quadratic' for other outputs"
            )
        self.init = choice(init, "init", INITS)
        self.rng = rng_from_seed(seed)
        self.seed = seed
        self._weights: list[np.ndarray] = []
        self._biases: list[np.ndarray] = []
        self._initialise(init)

    # --- parameters ---------------------------------------------------------------------------

    def _initialise(self, init: str) -> None:
        """Draw the initial parameters (book's order: all biases first, then all weights)."""
        rng = self.rng
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

    def check_data(
        self, X, Y, xname: str = "X", yname: str = "Y", *, finite: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """``X`` as float64 of shape ``(n, sizes[0])`` and ``Y`` as ``n`` integer labels in ``0 .. sizes[-1]-1``.

        The checks every public method runs on its data (ValueError naming ``xname`` or ``yname``); a
        trainer runs them once and then passes ``check_input=False`` to the methods it calls per batch.
        """
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
        X, Y = self.check_data(X, Y)
        zs, activations = self._forward(X)
        deltas = self._deltas(zs, activations, self._one_hot(Y))
        nabla_b = [d.sum(axis=0) for d in deltas]
        nabla_w = [d.T @ a for d, a in zip(deltas, activations[:-1], strict=True)]
        return nabla_b, nabla_w

    def bias_gradients(self, X, Y, *, check_input: bool = True) -> list[np.ndarray]:
        """Per layer, the mean over the examples of ``dC_x/db^l``: the book's ``delta^l`` (ch. 5, sec. 5.1).

        Returns a list with one array of shape ``(sizes[l],)`` for each layer ``l = 1 .. L`` (hidden layers
        and the output layer); the book's plots use the hidden layers, ``[:-1]``. ``check_input=False``
        skips :meth:`check_data` for data that has passed it already.
        """
        if check_input:
            X, Y = self.check_data(X, Y)
        zs, activations = self._forward(X)
        return [d.mean(axis=0) for d in self._deltas(zs, activations, self._one_hot(Y))]

    # --- cost and accuracy --------------------------------------------------------------------

    def _cost_from(self, zL: np.ndarray, aL: np.ndarray, Yh: np.ndarray) -> float:
        """Mean over examples of C_x (without regularisation); non-finite whenever ``zL`` is."""
        if self.cost_name == "cross_entropy":
            # -[y ln sigma(z) + (1 - y) ln(1 - sigma(z))] = softplus(z) - y z, stable for every finite z.
            per = np.logaddexp(0.0, zL) - Yh * zL
        else:
            per = 0.5 * (aL - Yh) ** 2
        return float(per.sum() / zL.shape[0])

    def _decay_term(self, lmbda: float, n: int) -> float:
        """``lmbda / (2 n) sum_w ||w||^2``; exactly 0 for ``lmbda = 0`` (even when ``||w||^2`` overflows)."""
        if lmbda == 0:
            return 0.0
        return 0.5 * (lmbda / n) * sum(float(np.vdot(w, w)) for w in self._weights)

    def evaluate(self, X, Y, lmbda: float = 0.0, *, check_input: bool = True) -> Evaluation:
        """:meth:`cost` and :meth:`accuracy` on ``(X, Y)`` from one forward pass."""
        if check_input:
            lmbda = real(lmbda, "lmbda", lo=0)
            X, Y = self.check_data(X, Y)
        zs, activations = self._forward(X)
        cost = self._cost_from(zs[-1], activations[-1], self._one_hot(Y)) + self._decay_term(lmbda, len(X))
        return Evaluation(cost=cost, accuracy=float(np.mean(activations[-1].argmax(axis=1) == Y)))

    def cost(self, X, Y, lmbda: float = 0.0) -> float:
        """The book's ``total_cost``: mean of C_x over the examples plus ``lmbda / (2 n) sum ||w||^2``.

        ``n = len(X)``. For cross-entropy, ``C_x = -sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)]``
        (ch. 3, the cross-entropy cost), computed from ``z`` as ``softplus(z) - y z`` so that it stays
        finite when ``a`` saturates.
        """
        return self.evaluate(X, Y, lmbda).cost

    def accuracy(self, X, Y) -> float:
        """Fraction of examples whose largest output activation is at the label."""
        X, Y = self.check_data(X, Y)
        return float(np.mean(self._forward(X)[1][-1].argmax(axis=1) == Y))

    # --- one step of gradient descent -----------------------------------------------------------

    def _clipped(self, g_b, nabla_w, m: int, clip_value, clip_norm) -> tuple[list, list]:
        """Batch-mean gradients ``g_b``, ``nabla_w / m`` clipped elementwise, then to a global norm."""
        g_w = [g / m for g in nabla_w]
        if clip_value is not None:
            g_b = [np.clip(g, -clip_value, clip_value) for g in g_b]
            g_w = [np.clip(g, -clip_value, clip_value) for g in g_w]
        if clip_norm is not None:
            total = np.sqrt(sum(float(np.vdot(g, g)) for g in g_b + g_w))
            if total > clip_norm:
                g_b = [g * (clip_norm / total) for g in g_b]
                g_w = [g * (clip_norm / total) for g in g_w]
        return g_b, g_w

    def _step(self, X, Y, eta, lmbda, n, clip_value, clip_norm) -> MiniBatchUpdate:
        """The update of :meth:`update_mini_batch` on checked arguments; commits only finite parameters."""
        m = X.shape[0]
        Yh = self._one_hot(Y)
        zs, activations = self._forward(X)
        cost = self._cost_from(zs[-1], activations[-1], Yh)  # free: the forward pass of the step
        deltas = self._deltas(zs, activations, Yh)
        g_b = [np.full(m, 1.0 / m) @ d for d in deltas]  # mean over the rows, one matrix-vector product
        probe = g_b
        nabla_w = [d.T @ a for d, a in zip(deltas, activations[:-1], strict=True)]  # sums over the batch
        eta_w = eta / m  # (eta / m) nabla_w, without forming nabla_w / m
        if clip_value is not None or clip_norm is not None:
            g_b, nabla_w = self._clipped(g_b, nabla_w, m, clip_value, clip_norm)
            eta_w = eta
        decay = 1.0 - eta * lmbda / n
        weights = [decay * w - eta_w * g for w, g in zip(self._weights, nabla_w, strict=True)]
        biases = [b - eta * g for b, g in zip(self._biases, g_b, strict=True)]
        finite_cost = bool(np.isfinite(cost))
        # A sum of squares is non-finite whenever an entry is (or when it overflows: then look closer).
        if not (finite_cost and np.isfinite(sum(np.vdot(p, p) for p in weights + biases))):
            self._check_X(X)  # a NaN or inf in X reaches the cost: name X if it is to blame
            if not finite_cost or not all(np.isfinite(p).all() for p in weights + biases):
                what = (
                    "the updated parameters would not be" if finite_cost else "the cost of the batch is not"
                )
                raise FloatingPointError(
                    f"the gradient step diverged (eta={eta:g}, lmbda={lmbda:g}): {what} finite; "
                    "the parameters are left as they were before this step; lower eta or use clip_norm/clip_value"
                )
        self._weights = weights
        self._biases = biases
        return MiniBatchUpdate(bias_gradients=probe, cost=cost)

    def update_mini_batch(
        self,
        X,
        Y,
        eta: float,
        lmbda: float = 0.0,
        n: int | None = None,
        *,
        clip_value: float | None = None,
        clip_norm: float | None = None,
        check_input: bool = True,
    ) -> MiniBatchUpdate:
        """One gradient-descent step on the batch ``(X, Y)`` (the book's ``update_mini_batch``).

        With ``m = len(X)`` and ``n`` the training-set size (default ``m``), the update is (ch. 3, L2
        regularisation) ``w <- (1 - eta lmbda / n) w - (eta / m) nabla_w``, ``b <- b - (eta / m) nabla_b``.
        The batch-mean gradients are first clipped elementwise to ``[-clip_value, clip_value]``, then
        rescaled so that their global norm over all layers is at most ``clip_norm`` (when given).

        Returns the bias gradients (unclipped) and the mean cost ``C_x`` of the batch, both from the forward
        and backward pass of the step, i.e. with the parameters before the update.

        Raises FloatingPointError naming ``eta`` when the cost of the batch or the updated parameters are
        not finite, and then leaves the parameters as they were. ``check_input=False`` skips the checks of
        ``X`` and ``Y`` (:meth:`check_data`), ``eta``, ``lmbda``, ``n`` and the clips, for a trainer that
        has checked them once (:func:`gradmath.training.sgd`).
        """
        if check_input:
            rule = StepRule.checked(eta, lmbda, clip_value, clip_norm)
            eta, lmbda, clip_value, clip_norm = rule.eta, rule.lmbda, rule.clip_value, rule.clip_norm
            X, Y = self.check_data(X, Y, finite=False)  # finiteness is verified on the result instead
            if n is not None:
                n = integer(n, "n (the training-set size)", lo=1)
        with np.errstate(invalid="ignore", over="ignore"):  # a non-finite result raises in _step instead
            return self._step(X, Y, eta, lmbda, X.shape[0] if n is None else n, clip_value, clip_norm)

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
        the update, which is :meth:`update_mini_batch`'s (``n`` is the training-set size, default ``len(X)``).
        """
        return self.update_mini_batch(
            X, Y, eta, lmbda, n, clip_value=clip_value, clip_norm=clip_norm
        ).bias_gradients

    # --- training -----------------------------------------------------------------------------

    #: The book's ``network2.SGD`` as a method: ``net.train(X, Y, ...)`` is ``sgd(net, X, Y, ...)``.
    train = sgd
