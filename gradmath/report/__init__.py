"""The report: ``python -m gradmath.report`` (or ``gradmath-report``) writes one typeset PDF of every result.

Modules: :mod:`.cli` (the command and its exit statuses), :mod:`.outputs` (checked, atomic writes),
:mod:`.runner` and :mod:`.worker` (parallel solvers), :mod:`.cache` (results kept between runs),
:mod:`.serial` (pickles that keep SymPy's unevaluated forms), :mod:`.figures` (Figure specs to SVG),
:mod:`.document`, :mod:`.sections`, :mod:`.appendices`, :mod:`.reproducibility` and :mod:`.markup`
(the Typst source), :mod:`.pdf` (Typst to PDF), :mod:`.typeset` (the document kept between runs),
:mod:`.results` (JSON), :mod:`.meta` and :mod:`.environment` (what the run was).
Imports are lazy so that ``import gradmath.report`` stays light.
"""

from __future__ import annotations

__all__ = ["main", "typst_math"]


def main(argv=None, **kw) -> int:
    """Run the report command (see ``python -m gradmath.report --help``); return its exit status."""
    from .cli import main as _main

    return _main(argv, **kw)


def typst_math(expr, **settings) -> str:
    """Typst math source for a SymPy expression (see :mod:`gradmath.printing.typst`)."""
    from gradmath.printing.typst import typst_math as _tm

    return _tm(expr, **settings)
