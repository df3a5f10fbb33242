"""Mini-batch stochastic gradient descent with L2 weight decay: the book's ``network2.SGD``.

:func:`sgd` trains a :class:`gradmath.Network` (it is also the method ``Network.train``): each epoch
shuffles the training data, splits it into mini-batches and applies ``Network.update_mini_batch`` to each,
which is the update of ch. 3 (L2 regularisation, mini-batch form)

    ``w <- (1 - eta lmbda / n) w - (eta / m) nabla_w``,   ``b <- b - (eta / m) nabla_b``,

with ``m`` the size of the batch and ``n`` that of the training set.

Like ``network2.SGD``, it evaluates nothing unless a monitor flag asks: with the default arguments an
epoch is one forward and one backward pass per mini-batch and nothing else. The flags are the book's four,
``monitor_evaluation_cost``, ``monitor_evaluation_accuracy``, ``monitor_training_cost`` and
``monitor_training_accuracy`` (each pair on the same data shares one forward pass per epoch), and
``monitor_gradients`` (the book's ``generate_gradient.py`` probe: one forward and backward pass over the
training data per epoch). What is free is always recorded: the mean cost ``C_x`` of the examples of each
epoch's mini-batches, from the forward passes the steps make anyway (:attr:`TrainingHistory.batch_cost`).

A run that diverges stops with a FloatingPointError naming ``eta`` and the epoch; the network keeps the
parameters of its last finite step, and no history with NaN in it is ever returned.

Examples
--------
>>> import numpy as np
>>> from gradmath import Network
>>> rng = np.random.default_rng(0)
>>> X = rng.random((40, 4))
>>> Y = (X[:, 0] > X[:, 1]).astype(int)
>>> history = Network([4, 5, 2], seed=0).train(X, Y, epochs=3, batch_size=10, eta=1.0)
>>> history.batch_cost.shape, history.training_accuracy is None
((3,), True)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .validate import boolean, integer, optional_callable, real

if TYPE_CHECKING:
    from .network import Network

__all__ = [
    "sgd",
    "TrainingHistory",
    "MiniBatchUpdate",
    "Evaluation",
    "StepRule",
    "rng_from_seed",
    "MONITOR_FLAGS",
]


def rng_from_seed(seed, name: str = "seed") -> np.random.Generator:
    """``np.random.default_rng(seed)`` for ``seed`` None, an integer >= 0 or a ``numpy.random.Generator``.

    Anything else (a negative integer, a float, a string, a bool) raises TypeError/ValueError naming
    ``name``; a Generator is returned as it is (it is used, not copied).
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    expected = f"{name} must be None, an integer >= 0 or a numpy.random.Generator"
    try:
        return np.random.default_rng(integer(seed, name, lo=0))
    except TypeError:
        raise TypeError(f"{expected}, got {type(seed).__name__} {seed!r}") from None
    except ValueError:
        raise ValueError(f"{expected}, got {seed!r}") from None


@dataclass(frozen=True)
class MiniBatchUpdate:
    """What ``Network.update_mini_batch`` used and saw, from the weights before its update.

    Attributes
    ----------
    bias_gradients : list of ndarray
        ``mean_x dC_x/db^l`` over the batch for each layer (unclipped): the book's ``delta^l`` probe.
    cost : float
        Mean of ``C_x`` over the batch, without the weight-decay term (from the forward pass of the step).
    """

    bias_gradients: list[np.ndarray]
    cost: float


@dataclass(frozen=True)
class Evaluation:
    """Cost and accuracy of a network on a data set, from one forward pass (``Network.evaluate``)."""

    cost: float
    accuracy: float


#: Each monitored field of :class:`TrainingHistory` and the flag of :func:`sgd` that asks for it.
MONITOR_FLAGS = {
    "training_cost": "monitor_training_cost",
    "training_accuracy": "monitor_training_accuracy",
    "evaluation_cost": "monitor_evaluation_cost",
    "evaluation_accuracy": "monitor_evaluation_accuracy",
    "gradient_norms": "monitor_gradients",
}


@dataclass(frozen=True)
class TrainingHistory:
    """Per-epoch record of :func:`sgd` (``Network.train``); a field is None when it was not monitored.

    Attributes
    ----------
    batch_cost : ndarray, shape (epochs,)
        Mean of ``C_x`` over the examples of the epoch's mini-batches, each taken with the parameters
        before its batch's step (the cost the forward pass of the step sees; without the weight-decay
        term). Always recorded: it costs nothing.
    training_cost, evaluation_cost : ndarray, shape (epochs,) or None
        The book's ``total_cost`` (with the weight-decay term ``lmbda / (2 n) sum ||w||^2``, ``n`` the size
        of the data it is taken on) on the training data / on ``evaluation_data`` at the end of each epoch;
        recorded when ``monitor_training_cost`` / ``monitor_evaluation_cost``.
    training_accuracy, evaluation_accuracy : ndarray, shape (epochs,) or None
        Fraction classified correctly at the end of each epoch; recorded when ``monitor_training_accuracy``
        / ``monitor_evaluation_accuracy``.
    gradient_norms : ndarray, shape (epochs, num_layers - 1) or None
        ``||mean over the training data of dC_x/db^l||`` for each layer with biases, at the start of each
        epoch, before its updates (the book's ``generate_gradient.py``); recorded when ``monitor_gradients``.
    epochs, batch_size, eta, lmbda : the training parameters.
    """

    batch_cost: np.ndarray
    training_cost: np.ndarray | None = None
    training_accuracy: np.ndarray | None = None
    evaluation_cost: np.ndarray | None = None
    evaluation_accuracy: np.ndarray | None = None
    gradient_norms: np.ndarray | None = None
    epochs: int = 0
    batch_size: int = 0
    eta: float = 0.0
    lmbda: float = 0.0

    @property
    def cost(self) -> np.ndarray:
        """Deprecated (0.2): the training cost per epoch is :attr:`training_cost`, recorded on request."""
        return self._renamed("cost", "training_cost")

    @property
    def accuracy(self) -> np.ndarray:
        """Deprecated (0.2): the training accuracy per epoch is :attr:`training_accuracy`, recorded on request."""
        return self._renamed("accuracy", "training_accuracy")

    def _renamed(self, old: str, new: str) -> np.ndarray:
        warnings.warn(f"TrainingHistory.{old} is now TrainingHistory.{new}", DeprecationWarning, stacklevel=3)
        values = getattr(self, new)
        if values is None:
            raise AttributeError(
                f"TrainingHistory.{new} was not recorded: train with {MONITOR_FLAGS[new]}=True to record it "
                f"(TrainingHistory.batch_cost, the mean mini-batch cost of each epoch, is always there)"
            )
        return values

    def __repr__(self) -> str:
        parts = [
            f"epochs={self.epochs}, batch_size={self.batch_size}, eta={self.eta:g}, lmbda={self.lmbda:g}"
        ]
        for name in ("batch_cost", *MONITOR_FLAGS):
            values = getattr(self, name)
            if name != "gradient_norms" and values is not None and len(values):
                parts.append(f"final {name}={values[-1]:.4g}")
        if self.gradient_norms is not None:
            parts.append(f"gradient_norms: shape {self.gradient_norms.shape}")
        return f"TrainingHistory({', '.join(parts)})"


class _Monitor:
    """The measurements the flags ask for, taken epoch by epoch; nothing is computed that is not asked."""

    def __init__(self, net: Network, data: tuple, evaluation: tuple | None, wanted: set, rule: StepRule):
        self.net, self.data, self.evaluation, self.rule = net, data, evaluation, rule
        self.values: dict[str, list] = {field: [] for field in MONITOR_FLAGS if field in wanted}

    def _diverged(self, what: str) -> FloatingPointError:
        return FloatingPointError(
            f"training diverged (eta={self.rule.eta:g}, lmbda={self.rule.lmbda:g}): {what}; the network "
            "keeps the parameters of its last step; lower eta or use clip_norm/clip_value"
        )

    def start_epoch(self, epoch: int) -> None:
        if "gradient_norms" in self.values:
            with np.errstate(over="ignore", invalid="ignore"):  # a non-finite norm raises below instead
                norms = [np.linalg.norm(g) for g in self.net.bias_gradients(*self.data, check_input=False)]
            if not np.all(np.isfinite(norms)):
                raise self._diverged(f"the gradient norms at the start of epoch {epoch} are {norms}")
            self.values["gradient_norms"].append(norms)

    def end_epoch(self, epoch: int) -> None:
        for where, data in (("training", self.data), ("evaluation", self.evaluation)):
            cost, accuracy = self.values.get(f"{where}_cost"), self.values.get(f"{where}_accuracy")
            if cost is None and accuracy is None:
                continue
            with np.errstate(over="ignore", invalid="ignore"):  # a non-finite cost raises below instead
                result = self.net.evaluate(*data, self.rule.lmbda, check_input=False)  # one pass for both
            if cost is not None:
                if not np.isfinite(result.cost):
                    raise self._diverged(f"the {where} cost at the end of epoch {epoch} is {result.cost}")
                cost.append(result.cost)
            if accuracy is not None:
                accuracy.append(result.accuracy)

    def fields(self) -> dict[str, np.ndarray | None]:
        return {
            field: np.array(self.values[field], dtype=np.float64) if field in self.values else None
            for field in MONITOR_FLAGS
        }


def _checked(net: Network, X, Y, evaluation_data, flags: dict) -> tuple[tuple, tuple | None, set]:
    """The training and evaluation data checked against ``net``; the flags checked; the fields they ask."""
    data = net.check_data(X, Y)
    wanted = {field for field, flag in MONITOR_FLAGS.items() if boolean(flags[flag], flag)}
    asks = [MONITOR_FLAGS[f] + "=True" for f in ("evaluation_cost", "evaluation_accuracy") if f in wanted]
    if evaluation_data is None:
        if asks:
            raise ValueError(f"{' and '.join(asks)} needs evaluation_data=(X_eval, Y_eval)")
        return data, None, wanted
    if not asks:
        raise ValueError(
            "evaluation_data is given but nothing is measured on it: pass monitor_evaluation_accuracy=True "
            "and/or monitor_evaluation_cost=True (or leave evaluation_data out)"
        )
    if isinstance(evaluation_data, (str, bytes)) or not hasattr(evaluation_data, "__len__"):
        raise TypeError(
            f"evaluation_data must be a pair (X_eval, Y_eval), got {type(evaluation_data).__name__}"
        )
    if len(evaluation_data) != 2:
        raise ValueError(f"evaluation_data must be a pair (X_eval, Y_eval), got {len(evaluation_data)} items")
    return data, net.check_data(*evaluation_data, "evaluation_data[0]", "evaluation_data[1]"), wanted


@dataclass(frozen=True)
class StepRule:
    """The update's parameters, checked once for all the steps of a run."""

    eta: float
    lmbda: float
    clip_value: float | None
    clip_norm: float | None

    @classmethod
    def checked(cls, eta, lmbda, clip_value, clip_norm) -> StepRule:
        def positive_or_none(value, name):
            return None if value is None else real(value, name, lo=0, lo_open=True)

        return cls(
            eta=real(eta, "eta", lo=0, lo_open=True),
            lmbda=real(lmbda, "lmbda", lo=0),
            clip_value=positive_or_none(clip_value, "clip_value"),
            clip_norm=positive_or_none(clip_norm, "clip_norm"),
        )


def sgd(
    net: Network,
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
    monitor_evaluation_cost: bool = False,
    monitor_evaluation_accuracy: bool = False,
    monitor_training_cost: bool = False,
    monitor_training_accuracy: bool = False,
    monitor_gradients: bool = False,
    callback: Callable[[int, Network], object] | None = None,
) -> TrainingHistory:
    """Mini-batch stochastic gradient descent with L2 weight decay (the book's ``network2.SGD``).

    Each epoch shuffles ``(X, Y)`` with ``np.random.default_rng(seed)``, splits it into mini-batches of ``batch_size`` (the last may be smaller) and applies
    ``net.update_mini_batch(batch, eta, lmbda, n)`` to each, ``n = len(X)``; when one batch holds all the
    data, the shuffle would only reorder sums and is skipped. ``net.train(...)`` is ``sgd(net, ...)``.

    Parameters
    ----------
    X, Y : array of shape (n, sizes[0]); integer labels of shape (n,)
    epochs, batch_size : int >= 1
    eta, lmbda : float
        Learning rate (> 0) and regularisation parameter (>= 0: weight decay ``eta lmbda / n`` per step).
    evaluation_data : (X_eval, Y_eval), optional
        The data of the two evaluation flags (needed by them, refused without them).
    seed : None, int >= 0 or numpy.random.Generator
        Seed of the shuffling (default: ``net.rng``).
    clip_value, clip_norm : float > 0, optional
        Clip each mini-batch mean gradient elementwise to ``[-clip_value, clip_value]``, then rescale it so
        that its global norm (over all weights and biases) is at most ``clip_norm``.
    monitor_evaluation_cost, monitor_evaluation_accuracy, monitor_training_cost, monitor_training_accuracy : bool
        The book's flags: record the cost / accuracy on ``evaluation_data`` / on ``(X, Y)`` at the end of
        each epoch (one forward pass over that data per epoch for the cost and the accuracy together).
    monitor_gradients : bool
        Record the norm of the mean bias gradient of each layer on ``(X, Y)`` at the start of each epoch
        (one forward and one backward pass over the training data per epoch).
    callback : callable(epoch, net), optional
        Called after each epoch.

    Returns
    -------
    TrainingHistory
        ``batch_cost`` always, the monitored fields, None for the others. A step's cost or parameters, or a
        monitored cost, that are not finite raise FloatingPointError naming ``eta`` and the epoch instead;
        the network then keeps the parameters it had before the failing step.
    """
    epochs, batch_size = integer(epochs, "epochs", lo=1), integer(batch_size, "batch_size", lo=1)
    rule = StepRule.checked(eta, lmbda, clip_value, clip_norm)
    callback = optional_callable(callback, "callback")
    rng = net.rng if seed is None else rng_from_seed(seed)
    flags = {
        "monitor_training_cost": monitor_training_cost,
        "monitor_training_accuracy": monitor_training_accuracy,
        "monitor_evaluation_cost": monitor_evaluation_cost,
        "monitor_evaluation_accuracy": monitor_evaluation_accuracy,
        "monitor_gradients": monitor_gradients,
    }
    (X, Y), evaluation, wanted = _checked(net, X, Y, evaluation_data, flags)
    monitor = _Monitor(net, (X, Y), evaluation, wanted, rule)
    batch_cost = []
    for epoch in range(epochs):
        monitor.start_epoch(epoch)
        batch_cost.append(_epoch(net, X, Y, batch_size, rule, rng, epoch))
        monitor.end_epoch(epoch)
        if callback is not None:
            callback(epoch, net)
    settings = {"epochs": epochs, "batch_size": batch_size, "eta": rule.eta, "lmbda": rule.lmbda}
    return TrainingHistory(np.array(batch_cost), **monitor.fields(), **settings)


def _epoch(
    net: Network, X, Y, batch_size: int, rule: StepRule, rng: np.random.Generator, epoch: int
) -> float:
    """One epoch of updates; returns the mean over the examples of the cost each batch's step saw."""
    n = X.shape[0]
    batches = [(X, Y)] if batch_size >= n else _shuffled_batches(X, Y, batch_size, rng)
    total = 0.0
    for k, (Xb, Yb) in enumerate(batches):
        try:
            step = net.update_mini_batch(
                Xb,
                Yb,
                rule.eta,
                rule.lmbda,
                n,
                clip_value=rule.clip_value,
                clip_norm=rule.clip_norm,
                check_input=False,
            )
        except FloatingPointError as e:
            raise FloatingPointError(f"training diverged in epoch {epoch}, mini-batch {k}: {e}") from None
        total += step.cost * Xb.shape[0]
    return total / n


def _shuffled_batches(X: np.ndarray, Y: np.ndarray, batch_size: int, rng: np.random.Generator):
    """The mini-batches of one epoch, gathered one at a time (no shuffled copy of the whole data)."""
    perm = rng.permutation(X.shape[0])
    for k in range(0, X.shape[0], batch_size):
        idx = perm[k : k + batch_size]
        yield X[idx], Y[idx]
