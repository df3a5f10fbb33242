"""TRANSITIONAL: registers the solvers not yet ported to the role-split contract.

Each entry wraps an old-style ``solve_*`` function (``gradmath.solutions`` types) as a
:class:`~gradmath.registry.Problem`. Porting a problem removes its line here; when the table is empty
this module and ``gradmath.solutions`` are deleted.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import fields

from ..contract import Check, Figure, Panel, Series, Step, Verdict, Writeup
from ..registry import Param, Problem, problem
from ..sources import Source
from ..text import as_text

# id -> (module:function in gradmath.solvers, order, source key, where)
_LEGACY = {
}

_OPTIONS = ("quick", "seeds", "data", "progress")


def _old(path: str):
    module, func = path.split(":")
    return getattr(importlib.import_module(f"gradmath.solvers.{module}"), func)


def _figure(f) -> Figure:
    panels = [Panel(**{fl.name: getattr(p, fl.name) for fl in fields(p)}, integer_x=False) for p in f.panels]
    for p in panels:
        p.series[:] = [Series(**{fl.name: getattr(s, fl.name) for fl in fields(s)}) for s in p.series]
    return Figure(f.name, as_text(f.caption), panels, f.ncols, f.width, f.height)


def _check(c) -> Check:
    methods = tuple(c.methods)[:2] if len(c.methods) >= 2 else ("(method 1)", "(method 2)")
    agreement, tolerance = c.agreement, c.tolerance
    if agreement is None or tolerance is None or (agreement <= tolerance) != c.passed:
        agreement, tolerance = (0.0 if c.passed else 1.0), 0.0
    return Check(c.claim, methods, agreement, tolerance, detail=c.detail, book=c.book, computed=c.computed)


def _make(pid: str, path: str, order: float, key: str, where: str) -> None:
    fn = _old(path)
    sig = inspect.signature(fn)
    own = [p for p in sig.parameters.values() if p.name not in _OPTIONS]
    takes = {p.name for p in sig.parameters.values()}

    class Legacy(Problem):
        quick = "the old solver's quick configuration"
        params = tuple(Param(p.name, p.default, lambda v, n: v) for p in own)
        uses = frozenset(n for n in ("seeds", "data") if n in takes)

        def compute(self, options, **params):
            kw = dict(params)
            for name in _OPTIONS:
                value = getattr(options, name)
                if name in takes and value is not None and not (name == "quick" and not value):
                    kw[name] = value
            return fn(**kw)

        def answer(self, r):
            return r.answer

        def explain(self, r) -> Writeup:
            return Writeup(
                statement=as_text(r.statement),
                answer_text=as_text(""),
                steps=[Step(as_text(s.text), s.expr) for s in r.steps],
                answer_lines=[],
                findings=[],
                verdict=Verdict.INCONCLUSIVE,
                verdict_reason=as_text("not yet assessed (transitional solver)"),
            )

        def checks(self, r):
            return [_check(c) for c in r.checks]

        def figures(self, r):
            return [_figure(f) for f in r.figures]

        @staticmethod
        def title(r):
            return as_text(r.title)

    Legacy.__name__ = Legacy.__qualname__ = "Legacy_" + pid.replace("-", "_")
    problem(pid, source=Source(key, where), order=order)(Legacy)


for _pid, (_path, _order, _key, _where) in _LEGACY.items():
    _make(_pid, _path, _order, _key, _where)
