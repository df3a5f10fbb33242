"""Mini-batch SGD for the book's family of networks ``[n_in, w, ..., w, n_out]``, many at once.

The experiments of sec. 5.1 train networks of 1 to 4 hidden layers of 30 sigmoid neurons, over several
seeds. :class:`StackedSGD` trains ``groups`` groups of networks (a group: the depths of one seed, which
share their mini-batches; different groups have their own mini-batches) together, level by level, so
that each NumPy call serves every network that has that layer:

- per group, the first layers are stacked into one ``(sum of widths, n_in)`` matrix: the large products
  of a step (``x W1^T`` and the rank-m weight update) are one BLAS call per group;
- the hidden-to-hidden layers at depth l of all networks deep enough to have one, in every group, are
  one stack of ``(w, w)`` matrices multiplied by one batched ``np.matmul``; the output layers too.

At mini-batch 10 the arithmetic of a step is small and the cost of a NumPy call dominates, so training
the seeds of a worker process together costs much less than training them one after the other. Every
operation acts on one network (one BLAS call per matrix, elementwise otherwise), so a network's result
does not depend on the others it is trained with: bit for bit, whatever the grouping.

The update is network2's (ch. 3, eq. 93-94), exactly as :meth:`Network.gradient_step`:
w <- (1 - eta lmbda / n) w - (eta / m) sum_x dC_x/dw, b <- b - (eta / m) sum_x dC_x/db, with
delta^L = a^L - y (cross-entropy, sigmoid output) and delta^l = ((w^{l+1})^T delta^{l+1}) * sigma'(z^l),
sigma' = a (1 - a). Backpropagation is linear in delta, so the factor eta/m is applied once to delta^L.

Input columns that are zero in every training image (MNIST's blank border) contribute nothing to z^1
and receive no gradient, only the decay; with ``active`` (a boolean mask of the input columns) the
products skip them and their weights are decayed lazily, by one scalar.

Examples
--------
>>> import numpy as np
>>> from gradmath.network import Network
>>> nets = [Network([20, 8, 10], seed=0), Network([20, 8, 8, 10], seed=0)]
>>> trainer = StackedSGD(nets)
>>> X = np.random.default_rng(1).random((30, 20)); Y = np.eye(10)[np.arange(30) % 10]
>>> _ = trainer.step(trainer.restrict(X), Y, eta=0.1, decay=1.0)
>>> [len(w) for w, _ in (trainer.weights_of(k) for k in range(2))]
[2, 3]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.linalg.blas import dgemm
from scipy.special import expit

__all__ = ["StackedSGD"]


def _sigma_prime_times(delta: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``delta * a * (1 - a)`` in place: the sigmoid's derivative from its output (BP2)."""
    delta *= a
    delta *= 1.0 - a
    return delta


def _family(networks: Sequence, groups: int) -> tuple[int, int, int, list[int]]:
    """(n_in, w, n_out, depths of a group) of networks ``[n_in, w, ..., w, n_out]`` in equal groups."""
    if not networks:
        raise ValueError("networks must hold at least one Network")
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1 or len(networks) % groups:
        raise ValueError(f"groups must be a positive integer dividing {len(networks)}, got {groups!r}")
    shapes = {(net.sizes[0], net.sizes[1], net.sizes[-1]) for net in networks}
    uniform = all(set(net.sizes[1:-1]) == {net.sizes[1]} for net in networks)
    if len(shapes) != 1 or not uniform:
        raise ValueError(
            "StackedSGD trains networks [n_in, w, ..., w, n_out] of one input width n_in, one hidden width w "
            f"and one output width; got sizes {[net.sizes for net in networks]}"
        )
    k = len(networks) // groups
    depths = [[net.num_layers - 2 for net in networks[g * k : (g + 1) * k]] for g in range(groups)]
    if any(d != depths[0] for d in depths):
        raise ValueError(f"every group must hold the same depths in the same order, got {depths}")
    return (*shapes.pop(), depths[0])


class StackedSGD:
    """Mini-batch SGD for sigmoid cross-entropy networks ``[n_in, w x h, n_out]`` in groups.

    Parameters
    ----------
    networks : sequence of Network
        The starting weights and biases (copied), group by group: ``networks[g * K : (g + 1) * K]`` is group
        g, and every group holds the same depths in the same order. All networks have the same input,
        hidden and output widths; sigmoid layers and cross-entropy (the book's network2).
    active : array of bool, shape (n_in,), optional
        The input columns that may be nonzero in the images given to :meth:`step` (default: all);
        :meth:`step` then takes ``x[..., active]``, see :meth:`restrict`.
    groups : int
        The number of groups (default 1: every network shares the mini-batches).
    """

    def __init__(self, networks: Sequence, active=None, *, groups: int = 1) -> None:
        n_in, self.width, self.n_out, self.depths = _family(networks, groups)
        G, K, w = groups, len(self.depths), self.width
        self.groups = G
        # deepest first: the networks that have hidden level l are then the first count[l] of each group
        self.order = sorted(range(K), key=lambda k: -self.depths[k])
        nets = [[networks[g * K + k] for k in self.order] for g in range(G)]
        self.count = {l: sum(d >= l for d in self.depths) for l in range(1, max(self.depths) + 1)}
        self.active = np.ones(n_in, dtype=bool) if active is None else np.asarray(active, dtype=bool)
        if self.active.shape != (n_in,):
            raise ValueError(f"active must be a boolean mask of shape ({n_in},), got {self.active.shape}")
        W1 = np.array([np.concatenate([net.weights[0] for net in group]) for group in nets], dtype=float)
        # each group's (K w, n_active) slice Fortran-ordered: dgemm updates it in place, and its transpose
        # (for the forward pass) is C-contiguous
        self.W1 = np.empty((G, int(self.active.sum()), K * w)).transpose(0, 2, 1)
        self.W1[...] = W1[:, :, self.active]
        self._W1_idle = W1[:, :, ~self.active].copy()
        self._idle_scale = 1.0
        self.b1 = np.array([np.concatenate([net.biases[0] for net in group]) for group in nets], dtype=float)
        levels = range(2, max(self.depths) + 1)
        self.H = {
            l: np.array([[n.weights[l - 1] for n in g[: self.count[l]]] for g in nets], float) for l in levels
        }
        self.Hb = {
            l: np.array([[n.biases[l - 1] for n in g[: self.count[l]]] for g in nets], float) for l in levels
        }
        self.O = np.array([[net.weights[-1] for net in group] for group in nets], dtype=float)
        self.Ob = np.array([[net.biases[-1] for net in group] for group in nets], dtype=float)
        self._ones = np.ones(0)

    @property
    def levels(self) -> int:
        """The largest depth (number of hidden layers) among the networks."""
        return max(self.depths)

    def restrict(self, X: np.ndarray) -> np.ndarray:
        """``X[..., active]`` as a C-contiguous float array: the input :meth:`step` expects."""
        return np.ascontiguousarray(X[..., self.active], dtype=float)

    def first_layer(self) -> np.ndarray:
        """The stacked first-layer weights over all input columns, shape (groups, sum of widths, n_in)."""
        full = np.empty(self.W1.shape[:2] + (len(self.active),))
        full[:, :, self.active] = self.W1
        full[:, :, ~self.active] = self._W1_idle * self._idle_scale
        return full

    def _where(self, k: int) -> tuple[int, int]:
        """(group, position in the group's stack) of network ``k`` in the order given."""
        g, j = divmod(k, len(self.depths))
        return g, self.order.index(j)

    def weights_of(self, k: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Weights and biases of network ``k`` (in the order given), in the Network layout (copies)."""
        g, i = self._where(k)
        rows = slice(i * self.width, (i + 1) * self.width)
        weights = [np.ascontiguousarray(self.first_layer()[g, rows])]
        biases = [self.b1[g, rows].copy()]
        for l in range(2, self.depths[k % len(self.depths)] + 1):
            weights.append(self.H[l][g, i].copy())
            biases.append(self.Hb[l][g, i].copy())
        return weights + [self.O[g, i].copy()], biases + [self.Ob[g, i].copy()]

    def _forward(self, x: np.ndarray, W1: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """Activations per hidden level (stacks (G, count[l], m, w)), the last hidden and output stacks."""
        m, K, w = x.shape[-2], len(self.depths), self.width
        a1 = np.matmul(x, W1.transpose(0, 2, 1))
        a1 += self.b1[:, None, :]
        expit(a1, out=a1)
        acts = [a1.reshape(a1.shape[0], m, K, w).transpose(0, 2, 1, 3)]  # a view: (G, K, m, w)
        last = [acts[0][:, self.count.get(2, 0) :]]
        for l in range(2, self.levels + 1):
            z = np.matmul(acts[-1][:, : self.count[l]], self.H[l].transpose(0, 1, 3, 2))
            z += self.Hb[l][:, :, None, :]
            acts.append(expit(z, out=z))
            last.append(z[:, self.count.get(l + 1, 0) :])
        a_last = np.concatenate(last[::-1], axis=1) if len(last) > 1 else last[0]
        z = np.matmul(a_last, self.O.transpose(0, 1, 3, 2))
        z += self.Ob[:, :, None, :]
        return acts, a_last, expit(z, out=z)

    def step(self, x: np.ndarray, Y: np.ndarray, eta: float, decay: float, probe: bool = False):
        """One mini-batch update of every network; ``decay`` = 1 - eta lmbda / n.

        ``x`` (restricted images) and ``Y`` (one-hot labels) are (m, ...) for a batch every group shares, or
        (groups, m, ...) for one batch per group. With ``probe=True``, also return, per network (in the
        order given), the per-layer mean bias gradients (1/m) sum_x dC_x/db^l before the update (the book's
        delta^l, from the same pass: first hidden layer first, output layer last); else None.
        """
        x = x if x.ndim == 3 else x[None]
        m = x.shape[1]
        if len(self._ones) != m:
            self._ones = np.ones(m)
        ones = self._ones
        acts, a_last, out = self._forward(x, self.W1)
        delta = out - (Y[:, None] if Y.ndim == 3 else Y)
        delta *= eta / m  # (eta / m) delta^L: every delta below carries the factor
        nabla_out = ones @ delta
        grads = {"out": nabla_out} if probe else None
        self.Ob -= nabla_out
        from_out = np.matmul(delta, self.O)  # with the output weights before their update
        self.O *= decay
        self.O -= np.matmul(delta.transpose(0, 1, 3, 2), a_last)
        from_out = _sigma_prime_times(from_out, a_last)
        below = None  # delta of level l for the networks deeper than l, from level l + 1
        for l in range(self.levels, 1, -1):
            c, c_next = self.count[l], self.count.get(l + 1, 0)
            tail = from_out[:, c_next:c]  # the networks whose last hidden layer is level l
            d = tail if below is None else np.concatenate([below, tail], axis=1) if c > c_next else below
            nabla_b = ones @ d
            if probe:
                grads[l] = nabla_b
            self.Hb[l] -= nabla_b
            below = np.matmul(d, self.H[l])  # with the weights before their update
            self.H[l] *= decay
            self.H[l] -= np.matmul(d.transpose(0, 1, 3, 2), acts[l - 2][:, :c])
            below = _sigma_prime_times(below, acts[l - 2][:, :c])
        self._first_layer_step(x, from_out, below, decay, grads)
        return self._probes(grads, eta) if probe else None

    def _first_layer_step(self, x, from_out, below, decay, grads) -> None:
        """Update the stacked first layers from the level-1 deltas (deep networks from ``below``)."""
        G, K, m, w = self.groups, len(self.depths), x.shape[1], self.width
        c2 = self.count.get(2, 0)
        d1 = from_out if below is None else np.concatenate([below, from_out[:, c2:]], axis=1)
        delta1 = d1.transpose(0, 2, 1, 3).reshape(G, m, K * w)
        nabla_b1 = self._ones @ delta1
        if grads is not None:
            grads[1] = nabla_b1
        self.b1 -= nabla_b1
        for g in range(G):
            xg = x[g] if len(x) == G else x[0]
            dgemm(-1.0, delta1[g].T, xg.T, beta=decay, c=self.W1[g], trans_b=1, overwrite_c=1)
        self._idle_scale *= decay

    def _probes(self, grads: dict, eta: float) -> list[list[np.ndarray]]:
        """Per network (in the order given): the mean bias gradient of every layer, first layer first."""
        w, out = self.width, []
        for k in range(self.groups * len(self.depths)):
            g, i = self._where(k)
            depth = self.depths[k % len(self.depths)]
            layers = [grads[1][g, i * w : (i + 1) * w]] + [grads[l][g, i] for l in range(2, depth + 1)]
            out.append([v / eta for v in layers + [grads["out"][g, i]]])
        return out

    def predict(self, X: np.ndarray) -> list[np.ndarray]:
        """Predicted labels of every network (in the order given) on X (all input columns)."""
        labels = self._forward(np.asarray(X, dtype=float)[None], self.first_layer())[2].argmax(axis=3)
        return [labels[self._where(k)] for k in range(self.groups * len(self.depths))]

    def epoch(self, X: np.ndarray, Y: np.ndarray, order: np.ndarray, batch_size: int, eta, decay) -> None:
        """One epoch: the mini-batches ``X[order[..., i : i + batch_size]]`` in turn (X restricted, Y
        one-hot); ``order`` is (n,) for a batch order every group shares or (groups, n) for one per group."""
        for i in range(0, order.shape[-1], batch_size):
            idx = order[..., i : i + batch_size]
            self.step(X[idx], Y[idx], eta, decay)
