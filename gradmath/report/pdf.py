"""Typst source and its files to a PDF: the one step a rebuild from the cache still runs, so it imports
only Typst (not SymPy, the solvers or the document builder)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["compile_pdf", "typst_root"]


@contextmanager
def typst_root(source: str, files: dict[str, bytes]) -> Iterator[str]:
    """A temporary folder holding ``main.typ`` (the ``source``), the extra ``files`` (name -> bytes) and
    the bibliography ``refs.bib``; yields the path of ``main.typ`` (its folder is Typst's root)."""
    from gradmath.sources import bibtex

    with tempfile.TemporaryDirectory(prefix="gradmath-report-") as root:
        for name, data in {**files, "refs.bib": bibtex().encode()}.items():
            with open(os.path.join(root, name), "wb") as fh:
                fh.write(data)
        main = os.path.join(root, "main.typ")
        with open(main, "w", encoding="utf-8") as fh:
            fh.write(source)
        yield main


def compile_pdf(source: str, files: dict[str, bytes], warnings: list[str] | None = None) -> bytes:
    """Compile Typst ``source`` with extra ``files`` (name -> bytes) and the bibliography (see
    :func:`typst_root`); return the PDF. Typst's warnings (markup it ignores, say) are appended to
    ``warnings`` when a list is given, one line each."""
    import typst

    with typst_root(source, files) as main:
        pdf, found = typst.compile_with_warnings(main, root=os.path.dirname(main))
    if warnings is not None:
        warnings += [_warning_line(w) for w in found]
    return pdf


def _warning_line(w) -> str:
    """One of Typst's warnings as a line: its message, its hints and the source it points at."""
    text = " ".join(str(getattr(w, "message", w)).split())
    hints = "; ".join(" ".join(str(h).split()) for h in (getattr(w, "hints", None) or []))
    at = [ln.split("│", 1)[1].strip() for ln in str(getattr(w, "diagnostic", "")).splitlines()
          if "│" in ln and ln.split("│", 1)[0].strip().isdigit()]  # fmt: skip
    return text + (f" ({hints})" if hints else "") + (f" at: {at[0][:100]}" if at else "")
