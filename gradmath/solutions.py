"""The solver contract: :class:`Solution`, :class:`Check`, :class:`Step`, figure specs, and the registry.

Every problem and checkable claim of the source texts has a solver, a function returning a
:class:`Solution`. The registry :data:`PROBLEMS` maps each id (DESIGN.md) to its solver, in the
order the report prints them. Solvers live in :mod:`gradmath.solvers` and are imported lazily,
so ``import gradmath`` stays fast and the MNIST experiments load only when asked for.

Figures are *data*, not pictures: a solver describes what to plot (:class:`Figure`, made of
:class:`Panel` and :class:`Series`) and the report draws it. Solvers never import matplotlib and
never print.

Examples
--------
>>> import gradmath
>>> sol = gradmath.solve("sigmoid-prime-max")
>>> sol.answer["max"]
1/4
>>> sol.passed
True
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Check",
    "Step",
    "Series",
    "Panel",
    "Figure",
    "Solution",
    "PROBLEMS",
    "solve",
]


@dataclass(frozen=True)
class Check:
    """One claim verified by two independent methods.

    Parameters
    ----------
    claim : str
        What is claimed, in words ("max of sigma' is 1/4").
    passed : bool
        Whether the two methods agree within ``tolerance``.
    detail : str
        The agreement found, in words and figures.
    methods : tuple of str
        The two independent methods compared, e.g. ``("SymPy solve", "SciPy minimize_scalar")``.
    agreement : float or None
        The discrepancy measured between the methods (absolute or relative, as ``detail`` says).
    tolerance : float or None
        The discrepancy allowed.
    book : object
        The value printed in the source text, where it prints one (for the report's summary).
    computed : object
        Our value of the same quantity.
    """

    claim: str
    passed: bool
    detail: str = ""
    methods: tuple[str, ...] = ()
    agreement: float | None = None
    tolerance: float | None = None
    book: Any = None
    computed: Any = None

    def __post_init__(self) -> None:
        # numpy.bool_ is not bool: normalise so that JSON and `is True` behave.
        object.__setattr__(self, "passed", bool(self.passed))


@dataclass(frozen=True)
class Step:
    """One derivation step: a sentence and, optionally, a SymPy expression (or Eq) to display."""

    text: str
    expr: Any = None


@dataclass(frozen=True)
class Series:
    """One data series of a panel.

    ``kind`` is one of "line", "scatter", "errorbar" (uses ``yerr``), "bar" (``x`` are positions),
    "fill" (fills between ``y`` and ``y2``), "step", "hline" (``y`` is a scalar), "vline" (``x`` scalar),
    "point" (a single marked point ``(x, y)`` with its label as annotation).
    """

    x: Any
    y: Any
    label: str | None = None
    kind: str = "line"
    yerr: Any = None
    y2: Any = None
    style: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Panel:
    """One set of axes."""

    series: list[Series]
    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    xscale: str = "linear"
    yscale: str = "linear"
    xlim: tuple[float, float] | None = None
    ylim: tuple[float, float] | None = None
    legend: bool = True
    xticklabels: list[str] | None = None


@dataclass(frozen=True)
class Figure:
    """A figure: one or more panels side by side, with a caption for the report."""

    name: str
    caption: str
    panels: list[Panel]
    ncols: int | None = None
    width: float = 6.4
    height: float = 3.2


@dataclass
class Solution:
    """The worked solution of one problem or claim (DESIGN.md, "The solver contract").

    Attributes
    ----------
    id, title, source : str
        The registry id, a short title, and where the problem is posed ("Ch. 5, Problem 1(3)").
    statement : str
        The problem as posed.
    answer : dict
        Named results: SymPy expressions, floats, arrays. The keys in DESIGN.md are a contract.
    steps : list of Step
        The derivation, as sentences and SymPy expressions.
    checks : list of Check
        Each claim confirmed by two independent methods.
    figures : list of Figure
        What the report plots for this solution.
    params : dict
        The parameters the solver was called with (after defaults).
    elapsed : float
        Seconds the solver took.
    """

    id: str
    title: str
    source: str
    statement: str
    answer: dict[str, Any] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    elapsed: float = 0.0

    @property
    def passed(self) -> bool:
        """True when there is at least one check and every check passed."""
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def failed_checks(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def __repr__(self) -> str:
        keys = ", ".join(self.answer)
        n_ok = sum(c.passed for c in self.checks)
        return (
            f"Solution(id={self.id!r}, source={self.source!r}, answer keys=[{keys}], "
            f"checks={n_ok}/{len(self.checks)} passed)"
        )

    def summary(self) -> str:
        """A plain-text rendering: statement, answer and checks (what ``problems/`` scripts print)."""
        lines = [f"{self.title}  [{self.source}]", "", self.statement, "", "Derivation:"]
        for i, step in enumerate(self.steps, 1):
            lines.append(f"  {i}. {step.text}")
            if step.expr is not None:
                lines.append(f"       {step.expr}")
        lines += ["", "Answer:"]
        for key, value in self.answer.items():
            lines.append(f"  {key} = {_short(value)}")
        lines += ["", "Checks:"]
        for c in self.checks:
            mark = "PASS" if c.passed else "FAIL"
            methods = " vs ".join(c.methods)
            lines.append(f"  [{mark}] {c.claim}" + (f"  ({methods})" if methods else ""))
            if c.detail:
                lines.append(f"         {c.detail}")
        lines.append("")
        lines.append(f"All checks passed: {self.passed}   ({self.elapsed:.2f} s)")
        return "\n".join(lines)


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value) if not isinstance(value, str) else value
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- the registry -------------------------------------------------------------------------------
# id -> "module:function" inside gradmath.solvers; the order is the report's order (DESIGN.md).
_REGISTRY: dict[str, str] = {
    "sigmoid-prime-max": "chain:solve_sigmoid_prime_max",
    "chain-gradient": "chain:solve_chain_gradient",
    "gradient-ratio": "chain:solve_gradient_ratio",
    "exploding-example": "chain:solve_exploding_example",
    "vanishing-typical": "chain:solve_vanishing_typical",
    "weight-bound": "bounds:solve_weight_bound",
    "interval-width": "bounds:solve_interval_width",
    "interval-width-max": "bounds:solve_interval_width_max",
    "identity-neuron": "identity:solve_identity_neuron",
    "steeper-activation": "chain:solve_steeper_activation",
    "matrix-gradient": "matrix:solve_matrix_gradient",
    "weight-powers": "chain:solve_weight_powers",
    "mnist-initial-norms": "mnist:solve_mnist_initial_norms",
    "mnist-training-speed": "mnist:solve_mnist_training_speed",
    "mnist-depth-accuracy": "mnist:solve_mnist_depth_accuracy",
    "remedies": "mnist:solve_remedies",
}


class _Registry(Mapping[str, Callable[..., Solution]]):
    """Ordered, read-only ``{id: solver}``; solvers are imported on first access."""

    def __init__(self, table: dict[str, str]) -> None:
        self._table = table
        self._cache: dict[str, Callable[..., Solution]] = {}

    def __getitem__(self, key: str) -> Callable[..., Solution]:
        if key not in self._table:
            raise KeyError(key)
        if key not in self._cache:
            module, func = self._table[key].split(":")
            mod = importlib.import_module(f"gradmath.solvers.{module}")
            self._cache[key] = getattr(mod, func)
        return self._cache[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def __repr__(self) -> str:
        return f"PROBLEMS({list(self._table)})"


PROBLEMS: Mapping[str, Callable[..., Solution]] = _Registry(_REGISTRY)


def solve(id: str, **params: Any) -> Solution:
    """Solve the problem ``id`` (see :data:`PROBLEMS`) and return its :class:`Solution`.

    Raises
    ------
    ValueError
        For an unknown id; the message lists the known ids.
    TypeError
        For a parameter the solver does not take; the message names it and lists those it takes.
    """
    if not isinstance(id, str) or id not in _REGISTRY:
        known = ", ".join(_REGISTRY)
        raise ValueError(f"unknown problem id {id!r}; known ids: {known}")
    solver = PROBLEMS[id]
    accepted = accepted_params(id)
    for name in params:
        if name not in accepted:
            takes = ", ".join(accepted) if accepted else "no parameters"
            raise TypeError(f"solve({id!r}) got an unexpected parameter {name!r}; it takes: {takes}")
    return solver(**params)


def accepted_params(id: str) -> list[str]:
    """The keyword parameters the solver ``id`` accepts (e.g. ``["depth"]``)."""
    sig = inspect.signature(PROBLEMS[id])
    return [p.name for p in sig.parameters.values() if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)]
