r"""Rich text with inline maths: one model, three renderings (Typst, Unicode, Markdown with LaTeX).

Every piece of prose a solver writes (title, statement, step, check claim, caption, answer label,
correction) is a :class:`Text`: a sequence of parts, each plain text, inline maths (a SymPy
expression), a number (with its uncertainty), a citation or a cross-reference. :func:`tx` builds one
from a ``str.format`` template, so that the source reads like the sentence it prints::

    w, z = sympy.symbols("w z")
    tx("so {} forces {}", sympy.Ge(sympy.Abs(w) / 4, 1), sympy.Ge(sympy.Abs(w), 4))

renders as ``so |w|/4 ≥ 1 forces |w| ≥ 4`` in a terminal, with ``$...$`` maths in Typst and in
Markdown. The placeholders take:

- a SymPy object: inline maths;
- a :class:`Num` (or a float, which becomes ``Num(value)``; ``{:.4}`` sets four significant digits);
- an ``int``: the integer as maths;
- a :class:`Text` or :class:`Cite` or :class:`Ref`: spliced in;
- a ``str``: plain text, never interpreted as markup.

:func:`display` makes a displayed equation (its own line; SymPy's pretty printer in the terminal).

Examples
--------
>>> import sympy as sp
>>> w = sp.Symbol("w")
>>> t = tx("the factor needs {}", sp.Ge(sp.Abs(w), 4))
>>> str(t)
'the factor needs |w| ≥ 4'
>>> t.typst()
'the factor needs $abs(w) >= 4$'
>>> t.markdown()
'the factor needs $\\left|{w}\\right| \\geq 4$'
>>> str(tx("P = {}", Num(0.811712, err=0.000298)))
'P = 0.81171 ± 0.00030'
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from .printing import numfmt
from .printing.latex import latex_math, latex_number
from .printing.typst import typst_math, typst_number, typst_string
from .printing.unicode import MINUS, superscript, unicode_display, unicode_math, unicode_number

__all__ = ["Text", "Math", "Num", "Cite", "Ref", "Code", "tx", "display", "as_text", "join"]


@dataclass(frozen=True)
class Math:
    """Maths: a SymPy expression or relation, inline or displayed."""

    expr: Any
    display: bool = False


@dataclass(frozen=True)
class Num:
    """A number as a reader should see it.

    Parameters
    ----------
    value : float
    sig : int
        Significant digits when there is no uncertainty (default 6).
    err : float, optional
        Its standard uncertainty (standard error, or a standard deviation: say which in the text);
        the digits shown follow it (see :mod:`gradmath.printing.numfmt`).
    percent : bool
        Show ``value`` (a fraction) as a percentage.
    """

    value: float
    sig: int = 6
    err: float | None = None
    percent: bool = False

    def _scaled(self) -> tuple[float, float | None, str]:
        k = 100.0 if self.percent else 1.0
        return self.value * k, None if self.err is None else self.err * k, " %" if self.percent else ""

    def parts(self) -> tuple[str, str | None, int | None, str]:
        """(mantissa, error or None, exponent or None, unit suffix)."""
        v, e, unit = self._scaled()
        if e is not None and math.isfinite(e) and e > 0:
            u = numfmt.with_uncertainty(v, e)
            return u.mantissa, u.error, u.exponent, unit
        d = numfmt.decimal(v, self.sig)
        return d.mantissa, None, d.exponent, unit

    def typst(self) -> str:
        mant, err, exp, unit = self.parts()
        if err is None and not unit:
            return "$" + typst_number(self._scaled()[0], self.sig) + "$"
        body = mant if err is None else f"{mant} plus.minus {err}"
        if exp is not None:
            body = f"({body}) times 10^({exp})"
        return f"${body}$" + (PERCENT_TYPST if unit else "")

    def unicode(self) -> str:
        mant, err, exp, unit = self.parts()
        if err is None and not unit:
            return unicode_number(self._scaled()[0], self.sig)
        body = mant.replace("-", MINUS) if err is None else f"{mant.replace('-', MINUS)} ± {err}"
        if exp is not None:
            body = f"({body}) × 10{superscript(str(exp))}"
        return body + unit

    def latex(self) -> str:
        mant, err, exp, unit = self.parts()
        if err is None and not unit:
            return latex_number(self._scaled()[0], self.sig)
        body = mant if err is None else f"{mant} \\pm {err}"
        if exp is not None:
            body = f"({body}) \\times 10^{{{exp}}}"
        return body + (r"\,\%" if unit else "")


@dataclass(frozen=True)
class Cite:
    """A citation of an entry of :mod:`gradmath.sources` (``key``), optionally with a place in it."""

    key: str
    where: str = ""

    def label(self) -> str:
        from .sources import SOURCES

        entry = SOURCES.get(self.key)
        short = entry.short if entry is not None else self.key
        return f"{short}, {self.where}" if self.where else short


@dataclass(frozen=True)
class Ref:
    """A cross-reference, with the words shown where there is no report to point into (terminal,
    notebook, or a report without the target).

    ``label`` is a ``Figure.name`` or ``Step.label`` of the same solution (the report looks in the
    solution's own section first), or another problem's id (its section)."""

    label: str
    words: str


@dataclass(frozen=True)
class Code:
    """A command or code fragment, shown verbatim in a monospace font (never hyphenated, no smart
    dashes: ``--mnist`` stays two hyphens)."""

    text: str


Part = str | Math | Num | Cite | Ref | Code

PERCENT_TYPST = "#h(0.2em)\\%"
_TYPST_SPECIAL = re.compile(r"([\\#$*_\[\]<>@=\-+/~`])")
_MD_SPECIAL = re.compile(r"([\\`*_$\[\]<>#|~])")


_TYPST_ELLIPSIS = re.compile(r"(?<=\.)\.")  # "..." is Typst's shorthand for "…"
_TYPST_ENUM = re.compile(r"^(\s*\d+)\.")  # "1. x" opening a paragraph is an enumeration item


def _typst_plain(s: str) -> str:
    """Plain text as Typst markup that shows every character as it is: markup characters escaped, and the
    shorthands that are made of ordinary characters ("...", "1." opening a paragraph) broken up."""
    s = " ".join(s.split("\n"))
    s = _TYPST_SPECIAL.sub(r"\\\1", s)
    s = _TYPST_ELLIPSIS.sub(r"\\.", s)
    return _TYPST_ENUM.sub(r"\1\\.", s)


class Text:
    """Rich text: a tuple of parts (plain ``str``, :class:`Math`, :class:`Num`, :class:`Cite`,
    :class:`Ref`). Immutable; ``+`` concatenates; ``str()`` is the Unicode rendering."""

    __slots__ = ("parts",)

    def __init__(self, parts: Iterable[Part] = ()) -> None:
        merged: list[Part] = []
        for p in parts:
            if isinstance(p, str) and merged and isinstance(merged[-1], str):
                merged[-1] = merged[-1] + p
            elif not (isinstance(p, str) and p == ""):
                merged.append(p)
        object.__setattr__(self, "parts", tuple(merged))

    def __setattr__(self, name, value):  # pragma: no cover - immutability guard
        raise AttributeError("Text is immutable")

    def __reduce__(self):
        return (Text, (self.parts,))

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __add__(self, other: Any) -> Text:
        return Text(self.parts + as_text(other).parts)

    def __radd__(self, other: Any) -> Text:
        return Text(as_text(other).parts + self.parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and self.parts == other.parts

    def __hash__(self) -> int:
        return hash(self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def __str__(self) -> str:
        return self.unicode()

    def __repr__(self) -> str:
        return f"Text({self.unicode()!r})"

    @property
    def has_display(self) -> bool:
        return any(isinstance(p, Math) and p.display for p in self.parts)

    # --- renderings -----------------------------------------------------------------------------
    def typst(self) -> str:
        """Typst markup: plain text escaped, maths in ``$...$`` (``$ ... $`` on its own for displays)."""
        out = []
        for p in self.parts:
            if isinstance(p, str):
                out.append(_typst_plain(p))
            elif isinstance(p, Math):
                src = typst_math(p.expr)
                out.append(f"\n$ {src} $\n" if p.display else f"${src}$")
            elif isinstance(p, Num):
                out.append(p.typst())
            elif isinstance(p, Cite):
                out.append(
                    f"#cite(<{p.key}>" + (f", supplement: [{_typst_plain(p.where)}])" if p.where else ")")
                )
            elif isinstance(p, Ref):
                out.append(f"@{p.label}")
            elif isinstance(p, Code):
                out.append(f"#box(raw({typst_string(p.text)}))")
        return "".join(out)

    def unicode(self) -> str:
        """Plain Unicode for a terminal: inline maths on the line, displays pretty-printed and indented."""
        out = []
        for p in self.parts:
            if isinstance(p, str):
                out.append(p)
            elif isinstance(p, Math):
                if p.display:
                    body = unicode_display(p.expr)
                    out.append("\n\n" + "\n".join("    " + line for line in body.splitlines()) + "\n\n")
                else:
                    out.append(unicode_math(p.expr))
            elif isinstance(p, Num):
                out.append(p.unicode())
            elif isinstance(p, Cite):
                out.append(f"[{p.label()}]")
            elif isinstance(p, Ref):
                out.append(p.words)
            elif isinstance(p, Code):
                out.append(p.text)
        return "".join(out)

    def markdown(self) -> str:
        """Markdown with LaTeX maths (``$...$`` inline, ``$$...$$`` displayed), for Jupyter."""
        out = []
        for p in self.parts:
            if isinstance(p, str):
                out.append(_MD_SPECIAL.sub(r"\\\1", p))
            elif isinstance(p, Math):
                src = latex_math(p.expr)
                out.append(f"\n\n$$\n{src}\n$$\n\n" if p.display else f"${src}$")
            elif isinstance(p, Num):
                out.append(f"${p.latex()}$")
            elif isinstance(p, Cite):
                out.append("[" + _MD_SPECIAL.sub(r"\\\1", p.label()) + "]")
            elif isinstance(p, Ref):
                out.append(_MD_SPECIAL.sub(r"\\\1", p.words))
            elif isinstance(p, Code):
                fence = "``" if "`" in p.text else "`"
                out.append(f"{fence}{p.text}{fence}")
        return "".join(out)

    def plain(self) -> str:
        """The Unicode rendering on one line (displays included inline), e.g. for a JSON field."""
        return " ".join(
            Text(Math(p.expr) if isinstance(p, Math) else p for p in self.parts).unicode().split()
        )


def _part(value: Any, spec: str = "") -> list[Part]:
    if isinstance(value, Text):
        return list(value.parts)
    if isinstance(value, (Math, Num, Cite, Ref, Code)):
        return [value]
    if isinstance(value, str):
        return [value]
    if isinstance(value, (bool, np.bool_)):
        return ["yes" if value else "no"]
    if isinstance(value, (int, np.integer)):
        return [Math(sympy.Integer(int(value)))]
    if isinstance(value, (float, np.floating)):
        sig = int(spec.strip(".gf")) if spec.strip(".gf").isdigit() else 6
        return [Num(float(value), sig=sig)]
    if isinstance(value, sympy.Basic) or hasattr(value, "_sympy_"):
        return [Math(value)]
    if isinstance(value, (tuple, list)) and all(isinstance(v, sympy.Basic) for v in value):
        return [Math(sympy.Tuple(*value))]
    raise TypeError(f"cannot put a {type(value).__name__} into rich text: {value!r}")


def tx(template: str = "", *args: Any, **kwargs: Any) -> Text:
    """Rich text from a ``str.format``-style template whose placeholders take maths and numbers."""
    parts: list[Part] = []
    auto = 0
    for literal, field, spec, _conv in string.Formatter().parse(template):
        if literal:
            parts.append(literal)
        if field is None:
            continue
        if field == "":
            value = args[auto]
            auto += 1
        elif field.isdigit():
            value = args[int(field)]
        else:
            value = kwargs[field]
        parts.extend(_part(value, spec or ""))
    return Text(parts)


def display(expr: Any) -> Text:
    """A displayed equation as rich text."""
    return Text([Math(expr, display=True)])


def as_text(value: Any) -> Text:
    """``value`` as :class:`Text`: Text unchanged, a str as plain text, maths/numbers as one part."""
    if isinstance(value, Text):
        return value
    if value is None:
        return Text()
    return Text(_part(value))


def join(items: Iterable[Any], sep: str = ", ") -> Text:
    """Rich texts (or values) joined by a plain separator."""
    out = Text()
    for i, item in enumerate(items):
        out = out + (sep if i else "") + as_text(item)
    return out
