"""The report: ``python -m gradmath.report`` writes one typeset PDF of every result.

Modules: :mod:`gradmath.printing.typst` (SymPy to Typst math, shared with rich text), :mod:`.figures` (Figure specs to SVG),
:mod:`.document` (the Typst source and its compilation), :mod:`.results` (JSON), ``__main__`` (CLI).
Imports are lazy so that ``import gradmath.report`` stays light.
"""

from __future__ import annotations

__all__ = ["main", "typst_math"]


def main(argv=None) -> int:
    """Run the report command (see ``python -m gradmath.report --help``); return its exit status."""
    from .__main__ import main as _main

    return _main(argv)


def typst_math(expr, **settings) -> str:
    """Typst math source for a SymPy expression (see :mod:`gradmath.printing.typst`)."""
    from gradmath.printing.typst import typst_math as _tm

    return _tm(expr, **settings)
