"""The registry of problems: ``@problem(...)``, :data:`PROBLEMS`, :func:`solve` and :class:`RunOptions`.

Each problem lives in its own module under :mod:`gradmath.solvers` as a subclass of :class:`Problem`
registered with the :func:`problem` decorator, which gives its id (the only place the id is written),
where the source poses it, and its place in the report (``order``). The registry imports the solver
modules the first time it is asked for a problem, so ``import gradmath`` stays light.

A problem is split by role::

    @problem("my-problem", source=Source("nielsen", "Problem 1(1)"), order=60)
    class WeightBound(Problem):
        quick = "nothing changes: analytic"          # what --quick changes, in one line
        params = (Param.integer("grid", 76, lo=3, hi=10_000),)

        def compute(self, options, grid): ...        # -> a frozen dataclass of values, no prose
        def answer(self, r): ...                     # -> the answer dict (its keys are a contract)
        def explain(self, r): ...                    # -> Writeup: statement, steps, findings, verdict
        def checks(self, r): ...                     # -> list of Check (two methods each)
        def figures(self, r): ...                    # -> list of Figure specs

Run options (``quick``, ``seeds``, ``data``, ``progress``) travel as one validated :class:`RunOptions`;
a solver's own parameters are declared as :class:`Param` and validated once, before ``compute``.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, ClassVar

from . import validate
from .contract import Check, Figure, Solution, Writeup
from .sources import Source

__all__ = ["RunOptions", "Param", "Problem", "problem", "PROBLEMS", "solve", "problem_class", "MIN_SEEDS"]

#: The fewest seeds a statistic over seeds accepts: the spread is a standard deviation with ddof=1.
MIN_SEEDS = 2

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class RunOptions:
    """How to run a solver: scaled down (``quick``), over how many ``seeds``, on which MNIST ``data``,
    reporting ``progress(fraction, message)``. Validated once, here.

    ``seeds=None`` lets each solver use its default; ``data=None`` means the embedded MNIST subset.
    """

    quick: bool = False
    seeds: int | None = None
    data: Any = None
    progress: Progress | None = None

    def __post_init__(self) -> None:
        validate.boolean(self.quick, "quick")
        if self.seeds is not None:
            validate.integer(self.seeds, "seeds", MIN_SEEDS, 1000, why_hi="a thousand seeds is already hours")
        validate.optional_callable(self.progress, "progress")
        if self.data is not None:
            from .datasets import MnistData

            if not isinstance(self.data, MnistData):
                raise TypeError(
                    f"data must be an MnistData from gradmath.load_mnist(...), got {type(self.data).__name__}"
                )

    def report(self, fraction: float, message: str = "") -> None:
        """Tell ``progress`` (if any) how far the run is, ``fraction`` in [0, 1]."""
        if self.progress is not None:
            self.progress(min(max(float(fraction), 0.0), 1.0), message)

    def sub(self, lo: float, hi: float) -> RunOptions:
        """The same options with progress mapped into ``[lo, hi]`` of the caller's range."""
        if self.progress is None:
            return self
        outer = self.progress
        return replace(self, progress=lambda f, m="": outer(lo + (hi - lo) * f, m))


def parse_ints(text: str) -> tuple[int, ...]:
    """``"30,30,10"`` -> ``(30, 30, 10)``: a sequence parameter given on a command line."""
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"expected integers separated by commas, got {text!r}") from None


@dataclass(frozen=True)
class Param:
    """A solver parameter: its name, default, the validator that checks a value once, and how a
    command-line string becomes a value (``problems/`` scripts; the validator still checks it).

    ``quick`` is the default of a quick run (``RunOptions(quick=True)``, ``--quick``), if it has its
    own; a value the caller gives is used in either mode."""

    name: str
    default: Any
    check: Callable[[Any, str], Any]
    doc: str = ""
    parse: Callable[[str], Any] = str
    quick: Any = None

    def default_for(self, quick: bool) -> Any:
        """The default of a quick run or of a full one."""
        return self.quick if quick and self.quick is not None else self.default

    @classmethod
    def integer(cls, name: str, default: int, lo: int | None = None, hi: int | None = None, doc: str = "",
                why_hi: str = "", quick: int | None = None) -> Param:  # fmt: skip
        """An integer parameter in ``[lo, hi]`` (``hi`` is the documented limit; ``why_hi`` says why)."""
        return cls(name, default, lambda v, n: validate.integer(v, n, lo, hi, why_hi=why_hi), doc, int, quick)

    @classmethod
    def real(cls, name: str, default: float, lo: float | None = None, hi: float | None = None, doc: str = "",
             **kw: Any) -> Param:  # fmt: skip
        """A real parameter in the given range (``lo_open``/``hi_open`` as in :func:`validate.real`)."""
        return cls(name, default, lambda v, n: validate.real(v, n, lo, hi, **kw), doc, float)

    @classmethod
    def sizes(cls, name: str, default: tuple[int, ...], lo: int = 1, hi: int | None = None,
              max_len: int | None = None, doc: str = "") -> Param:  # fmt: skip
        """A sequence of integers (layer sizes)."""
        return cls(name, default, lambda v, n: validate.integer_sequence(v, n, min_len=2, max_len=max_len,
                                                                          lo=lo, hi=hi), doc, parse_ints)  # fmt: skip


class Problem:
    """Base of every solver: subclasses define ``compute``, ``answer``, ``explain``, ``checks``,
    ``figures`` and are registered with :func:`problem`."""

    id: ClassVar[str]
    source: ClassVar[Source]
    order: ClassVar[float]
    title: ClassVar[Any] = ""
    #: what ``quick=True`` changes, in one line
    quick: ClassVar[str] = "nothing: already fast"
    #: the solver's own parameters
    params: ClassVar[tuple[Param, ...]] = ()
    #: which run options the solver uses besides ``quick`` and ``progress`` ("seeds", "data")
    uses: ClassVar[frozenset[str]] = frozenset()
    #: the most seeds a solver that uses ``seeds`` accepts, and why
    max_seeds: ClassVar[tuple[int, str]] = (1000, "a thousand seeds is already hours")

    def compute(self, options: RunOptions, **params: Any) -> Any:
        raise NotImplementedError

    def answer(self, result: Any) -> dict[str, Any]:
        raise NotImplementedError

    def explain(self, result: Any) -> Writeup:
        raise NotImplementedError

    def checks(self, result: Any) -> list[Check]:
        raise NotImplementedError

    def figures(self, result: Any) -> list[Figure]:
        return []

    # --- the one way to run a solver ----------------------------------------------------------
    @classmethod
    def validated(cls, params: Mapping[str, Any], quick: bool = False) -> dict[str, Any]:
        """The parameters with defaults (those of a quick run if ``quick``) filled in, each validated;
        unknown names are refused."""
        known = {p.name: p for p in cls.params}
        for name in params:
            if name not in known:
                takes = ", ".join(known) if known else "no parameters of its own"
                raise TypeError(
                    f"solve({cls.id!r}) got an unexpected parameter {name!r}{validate.suggest(name, known)}; "
                    f"it takes: {takes} (and the run options quick, progress"
                    + "".join(f", {u}" for u in sorted(cls.uses))
                    + ")"
                )
        return {p.name: p.check(params.get(p.name, p.default_for(quick)), p.name) for p in cls.params}

    @classmethod
    def checked_options(cls, options: RunOptions) -> RunOptions:
        """``options``, its ``seeds`` checked against :attr:`max_seeds` (ValueError naming the limit)."""
        if options.seeds is not None and "seeds" in cls.uses:
            hi, why = cls.max_seeds
            validate.integer(options.seeds, "seeds", MIN_SEEDS, hi, why_hi=why)
        return options

    @classmethod
    def run(cls, options: RunOptions | None = None, **params: Any) -> Solution:
        """Validate, compute, then write up, check and draw: the :class:`Solution`."""
        options = cls.checked_options(options if options is not None else RunOptions())
        values = cls.validated(params, options.quick)
        self = cls()
        t0 = time.perf_counter()
        result = self.compute(options, **values)
        w = self.explain(result)
        sol = Solution(
            id=cls.id, title=w_title(cls, result), source=cls.source, statement=w.statement,
            answer=self.answer(result), answer_text=w.answer_text, answer_lines=list(w.answer_lines),
            steps=list(w.steps), checks=list(self.checks(result)), figures=list(self.figures(result)),
            findings=list(w.findings), corrections=list(w.corrections), verdict=w.verdict,
            verdict_reason=w.verdict_reason, result=result, params=values, options=options,
        )  # fmt: skip
        sol.elapsed = time.perf_counter() - t0
        return sol


def w_title(cls: type[Problem], result: Any):
    """The title: the class attribute, or ``title(result)`` when the class defines it as a method."""
    from .text import as_text

    t = cls.title
    return as_text(t(result) if callable(t) else t)


# --- registration ---------------------------------------------------------------------------------

_CLASSES: dict[str, type[Problem]] = {}
_DISCOVERED = False


def problem(
    id: str, *, source: Source, order: float, title: Any = ""
) -> Callable[[type[Problem]], type[Problem]]:
    """Register a :class:`Problem` subclass under ``id``, posed at ``source``, at ``order`` in the report."""

    def register(cls: type[Problem]) -> type[Problem]:
        if id in _CLASSES and _CLASSES[id] is not cls:
            raise ValueError(
                f"problem id {id!r} registered twice: {_CLASSES[id].__module__} and {cls.__module__}"
            )
        if not isinstance(source, Source):
            raise TypeError(f"source must be a gradmath.sources.Source, got {source!r}")
        cls.id, cls.source, cls.order = id, source, order
        if title:
            cls.title = title
        _CLASSES[id] = cls
        return cls

    return register


def _discover() -> None:
    """Import every module of :mod:`gradmath.solvers` (each registers its problems)."""
    global _DISCOVERED
    if _DISCOVERED:
        return
    from . import solvers

    for mod in pkgutil.iter_modules(solvers.__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{solvers.__name__}.{mod.name}")
    _DISCOVERED = True


def _ordered_ids() -> list[str]:
    _discover()
    return sorted(_CLASSES, key=lambda i: (_CLASSES[i].order, i))


def problem_class(id: str) -> type[Problem]:
    """The registered :class:`Problem` subclass for ``id`` (a near miss is suggested)."""
    _discover()
    if not isinstance(id, str) or id not in _CLASSES:
        raise ValueError(
            f"unknown problem id {id!r}{validate.suggest(str(id), _CLASSES)}; known ids: {', '.join(_ordered_ids())}"
        )
    return _CLASSES[id]


class _Registry(Mapping[str, Callable[..., Solution]]):
    """Ordered, read-only ``{id: solver}``: ``PROBLEMS[id](**params)`` returns the Solution."""

    def __getitem__(self, key: str) -> Callable[..., Solution]:
        _discover()
        if key not in _CLASSES:
            raise KeyError(key)
        return lambda **params: solve(key, **params)

    def __iter__(self) -> Iterator[str]:
        return iter(_ordered_ids())

    def __len__(self) -> int:
        _discover()
        return len(_CLASSES)

    def __repr__(self) -> str:
        return f"PROBLEMS({_ordered_ids()})"


PROBLEMS: Mapping[str, Callable[..., Solution]] = _Registry()

_OPTION_NAMES = tuple(f.name for f in fields(RunOptions))


def solve(id: str, *, options: RunOptions | None = None, **params: Any) -> Solution:
    """Solve the problem ``id`` (see :data:`PROBLEMS`) and return its :class:`Solution`.

    Run options may be given one by one (``quick=True``, ``seeds=5``, ``data=load_mnist(path)``,
    ``progress=callback``) or as one ``options=RunOptions(...)``; the rest are the solver's own
    parameters (``solve(problem_id, depth=10)``).

    Raises
    ------
    ValueError
        For an unknown id (the message suggests the nearest ids) or a parameter out of range.
    TypeError
        For a parameter the solver does not take, or of the wrong type.
    """
    cls = problem_class(id)
    given = {k: params.pop(k) for k in _OPTION_NAMES if k in params}
    if options is not None and given:
        raise TypeError(
            f"give the run options either as options=RunOptions(...) or one by one, not both: {given}"
        )
    for name in given:
        if name in ("seeds", "data") and name not in cls.uses:
            raise TypeError(f"solve({id!r}) does not use {name!r}: it runs no MNIST experiment over seeds")
    opts = options if options is not None else RunOptions(**given)
    return cls.run(opts, **params)
