"""The solver contract: the types every solver returns, and nothing else (no solver is imported here).

A :class:`Solution` is data: the problem's statement, the answer (a dict of named values, whose keys
are a public contract), the answer in words, the derivation (:class:`Step`), the checks
(:class:`Check`: two independent methods and a tolerance), the figures (:class:`Figure` specs that the
report draws), the findings for the report's summary (:class:`Finding`), the corrections of the source
texts (:class:`Correction`) and a :class:`Verdict`. All prose is rich text (:class:`~gradmath.text.Text`)
so it renders to Typst, Unicode and Markdown alike.

A check passes exactly when ``agreement <= tolerance`` (:attr:`Check.passed`): one rule, so that what
a check reports and whether it passes cannot drift apart.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .sources import Source
from .text import Text, as_text, tx

__all__ = [
    "Verdict",
    "Check",
    "Step",
    "Table",
    "AnswerLine",
    "Finding",
    "Correction",
    "Series",
    "Panel",
    "Figure",
    "Writeup",
    "Solution",
]


class Verdict(enum.StrEnum):
    """What became of a claim of the source texts.

    - ``confirmed``: the text's claim holds, measured;
    - ``corrected``: the text is wrong or imprecise, and we show the right value;
    - ``not reproduced``: our measurement disagrees and the setup does not explain it;
    - ``inconclusive``: the measurement cannot decide (for example too little data).
    """

    CONFIRMED = "confirmed"
    CORRECTED = "corrected"
    NOT_REPRODUCED = "not reproduced"
    INCONCLUSIVE = "inconclusive"


def _float(x: Any) -> float:
    return float(x) if x is not None else math.nan


@dataclass(frozen=True)
class Check:
    """One claim confirmed by two independent methods.

    Parameters
    ----------
    claim : Text
        What is claimed.
    methods : (Text, Text)
        The two independent methods compared.
    agreement : float
        The discrepancy measured between them (``detail`` says whether absolute or relative).
    tolerance : float
        The discrepancy allowed: small enough that a plausible mistake would exceed it.
    catches : Text
        The mistake this check would catch (a wrong sign, a dropped factor, an off-by-one layer, ...).
    detail : Text
        The two values and their difference, in words and figures.
    book, computed :
        The source text's value (if it prints one) and ours, for the summary.
    verdict : Verdict, optional
        Set when the check tests a claim of the source texts.
    """

    claim: Text
    methods: tuple[Text, Text]
    agreement: float
    tolerance: float
    catches: Text = field(default_factory=Text)
    detail: Text = field(default_factory=Text)
    book: Any = None
    computed: Any = None
    verdict: Verdict | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "claim", as_text(self.claim))
        object.__setattr__(self, "methods", tuple(as_text(m) for m in self.methods))
        object.__setattr__(self, "catches", as_text(self.catches))
        object.__setattr__(self, "detail", as_text(self.detail))
        object.__setattr__(self, "agreement", _float(self.agreement))
        object.__setattr__(self, "tolerance", _float(self.tolerance))
        if len(self.methods) != 2:
            raise ValueError(f"a check compares two methods, got {len(self.methods)}: {self.methods}")
        if self.verdict is not None:
            object.__setattr__(self, "verdict", Verdict(self.verdict))

    @property
    def passed(self) -> bool:
        """True exactly when the measured discrepancy is within the tolerance (NaN never passes)."""
        return bool(math.isfinite(self.agreement) and self.agreement <= self.tolerance)

    @classmethod
    def close(
        cls,
        claim: Any,
        ours: float,
        reference: float,
        methods: Sequence[Any],
        *,
        rtol: float = 0.0,
        atol: float = 0.0,
        catches: Any = "",
        **kw: Any,
    ) -> Check:
        """Two numbers agree: ``|ours - reference| <= atol + rtol |reference|``."""
        a, b = float(ours), float(reference)
        diff = abs(a - b)
        allowed = atol + rtol * abs(b)
        rel = diff / abs(b) if b else diff
        detail = kw.pop("detail", None)
        if detail is None:
            detail = tx("{}: {:.12}; {}: {:.12}; difference {:.2} (relative {:.2})", as_text(methods[0]), a,
                        as_text(methods[1]), b, diff, rel)  # fmt: skip
        return cls(claim, tuple(methods), diff, allowed, catches, detail, **kw)

    @classmethod
    def within_se(
        cls,
        claim: Any,
        estimate: float,
        se: float,
        exact: float,
        methods: Sequence[Any],
        *,
        n_se: float = 4.0,
        catches: Any = "",
        **kw: Any,
    ) -> Check:
        """A Monte Carlo estimate agrees with an exact value within ``n_se`` standard errors."""
        diff = abs(float(estimate) - float(exact))
        detail = kw.pop("detail", None)
        if detail is None:
            detail = tx("{}: {:.6} (standard error {:.2}); {}: {:.10}; difference {:.2} = {:.2} standard errors",
                        as_text(methods[0]), float(estimate), float(se), as_text(methods[1]), float(exact), diff,
                        diff / se if se else math.inf)  # fmt: skip
        return cls(claim, tuple(methods), diff, n_se * float(se), catches, detail, **kw)

    @classmethod
    def count(
        cls, claim: Any, mismatches: int, methods: Sequence[Any], *, catches: Any = "", **kw: Any
    ) -> Check:
        """Two methods give identical results item by item: passes when ``mismatches == 0``."""
        detail = kw.pop("detail", None)
        if detail is None:
            detail = tx("identical") if mismatches == 0 else tx("{} items differ", int(mismatches))
        return cls(claim, tuple(methods), float(mismatches), 0.0, catches, detail, **kw)


@dataclass(frozen=True)
class Table:
    """A small table: a header row and rows of cells (rich text)."""

    header: tuple[Text, ...]
    rows: tuple[tuple[Text, ...], ...]
    caption: Text = field(default_factory=Text)

    def __post_init__(self) -> None:
        header = tuple(as_text(h) for h in self.header)
        rows = tuple(tuple(as_text(c) for c in row) for row in self.rows)
        for i, row in enumerate(rows):
            if len(row) != len(header):
                raise ValueError(f"table row {i} has {len(row)} cells, the header {len(header)}")
        object.__setattr__(self, "header", header)
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "caption", as_text(self.caption))


@dataclass(frozen=True)
class Step:
    """One derivation step: a sentence, and optionally a displayed equation or a table.

    ``label`` names the equation for cross-references (``Ref(label, ...)``); ``tag`` is the source's
    own equation number (``"123"``) when the equation is one of the book's.
    """

    text: Text
    expr: Any = None
    label: str | None = None
    tag: str | None = None
    table: Table | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", as_text(self.text))


@dataclass(frozen=True)
class AnswerLine:
    """One line of the answer as a reader sees it: a label in words and maths, and the value."""

    label: Text
    value: Text | Table
    key: str | None = None  # the answer-dict key it presents, if any

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", as_text(self.label))
        if not isinstance(self.value, Table):
            object.__setattr__(self, "value", as_text(self.value))


@dataclass(frozen=True)
class Finding:
    """One row of the report's summary: a claim of a source text, its value there, ours, the verdict."""

    claim: Text
    source_value: Text
    ours: Text
    verdict: Verdict

    def __post_init__(self) -> None:
        for name in ("claim", "source_value", "ours"):
            object.__setattr__(self, name, as_text(getattr(self, name)))
        object.__setattr__(self, "verdict", Verdict(self.verdict))


@dataclass(frozen=True)
class Correction:
    """Where a source text is wrong or imprecise: its words, where, what holds instead, the evidence."""

    source: Source
    quote: Text
    holds: Text
    evidence: Text

    def __post_init__(self) -> None:
        object.__setattr__(self, "quote", as_text(self.quote))
        object.__setattr__(self, "holds", as_text(self.holds))
        object.__setattr__(self, "evidence", as_text(self.evidence))


# --- figures: data, drawn by the report -----------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One data series of a panel.

    ``kind`` is one of "line", "scatter", "errorbar" (uses ``yerr``), "bar" (``x`` are positions),
    "fill" (fills between ``y`` and ``y2``), "step", "hline" (``y`` is a scalar), "vline" (``x``
    scalar), "point" (one marked point ``(x, y)`` annotated with its label), "heatmap" (``x`` and ``y``
    1-d grids, ``y2`` the values, shape (len(y), len(x)); ``style["label"]`` names the colour bar),
    "contour" (the same grids and values, ``style["levels"]`` the contour levels). Labels are matplotlib
    mathtext (``"$\\sigma'(z)$"``).
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
    """One set of axes. ``integer_x`` asks for integer ticks (layers, epochs)."""

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
    integer_x: bool = False


@dataclass(frozen=True)
class Figure:
    """A figure: one or more panels side by side, with a caption (rich text) for the report."""

    name: str
    caption: Text
    panels: list[Panel]
    ncols: int | None = None
    width: float = 6.4
    height: float = 3.2

    def __post_init__(self) -> None:
        object.__setattr__(self, "caption", as_text(self.caption))


# --- the written-up solution ----------------------------------------------------------------------


@dataclass(frozen=True)
class Writeup:
    """What a solver's ``explain`` returns: everything a reader reads, built from the typed result."""

    statement: Text
    answer_text: Text
    steps: list[Step]
    answer_lines: list[AnswerLine]
    findings: list[Finding]
    verdict: Verdict
    verdict_reason: Text
    corrections: list[Correction] = field(default_factory=list)


@dataclass
class Solution:
    """The worked solution of one problem or claim.

    Attributes
    ----------
    id : str
        The registry id (``gradmath.PROBLEMS``).
    title : Text
    source : Source
        Where the problem is posed.
    statement : Text
        The problem as posed.
    answer : dict
        Named results (SymPy expressions, floats, arrays). Its keys are a public contract.
    answer_text : Text
        The answer in one or two sentences.
    answer_lines : list of AnswerLine
        The answer as labelled lines (what the report and the terminal show).
    steps : list of Step
        The derivation.
    checks : list of Check
        Each confirmed by two independent methods.
    figures : list of Figure
    findings : list of Finding
        The rows of the report's summary.
    corrections : list of Correction
        Where a source text is wrong or imprecise.
    verdict : Verdict
        What became of the source's claim; ``verdict_reason`` says why.
    result : object
        The typed result of the solver's ``compute`` (a frozen dataclass).
    params : dict
        The solver's parameters after defaults.
    elapsed : float
        Seconds the solver took.
    """

    id: str
    title: Text
    source: Source
    statement: Text
    answer: dict[str, Any]
    answer_text: Text
    answer_lines: list[AnswerLine]
    steps: list[Step]
    checks: list[Check]
    figures: list[Figure]
    findings: list[Finding]
    corrections: list[Correction]
    verdict: Verdict
    verdict_reason: Text
    result: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    options: Any = None
    elapsed: float = 0.0

    @property
    def passed(self) -> bool:
        """True when there is at least one check and no check failed."""
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def failed_checks(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def __repr__(self) -> str:
        n_ok = sum(c.passed for c in self.checks)
        return (
            f"Solution(id={self.id!r}, source={str(self.source)!r}, verdict={self.verdict.value!r}, "
            f"answer keys=[{', '.join(self.answer)}], checks={n_ok}/{len(self.checks)} passed)"
        )

    def to_unicode(self, width: int = 100) -> str:
        """The worked solution as plain Unicode text (what the ``problems/`` scripts print)."""
        from .render import solution_unicode

        return solution_unicode(self, width)

    def _repr_markdown_(self) -> str:
        """The worked solution as Markdown with ``$...$`` maths (Jupyter shows it in a cell)."""
        from .render import solution_markdown

        return solution_markdown(self)
