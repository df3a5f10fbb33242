"""One registry entry's result as the report holds it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Outcome"]


@dataclass
class Outcome:
    """A solved problem (``solution``) or the error its solver raised, and how it was obtained.

    ``elapsed`` is the solver's own run time (for a cached result: the time of the run that made it,
    on ``created``); ``facts`` holds what the reproducibility appendix reports (seeds, GFLOP/s);
    ``figures`` maps a figure's name to its file in the Typst root, ``files`` holds those files.
    """

    id: str
    solution: Any = None
    error: str | None = None
    elapsed: float = 0.0
    cpu: float = 0.0  # CPU seconds of the process that solved it (the solver and its figures)
    title: Any = ""
    cached: bool = False
    created: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    figure_errors: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.error is None and self.solution is not None and self.solution.passed
