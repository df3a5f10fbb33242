"""Typst markup for the pieces of a solution: rich text, displayed equations, tables, answer values.

Rich text renders itself (:meth:`gradmath.text.Text.typst`); this module adds what only the report
knows: which labels exist (a :class:`~gradmath.text.Ref` to a figure, equation or section that is not
in this report prints its words instead of breaking the build), which bibliography keys exist, and
the "safe" mode used when Typst rejects the maths (every formula as plain Unicode).

Labels in the report: a section is labelled with its problem id, a figure ``fig:<Figure.name>``, a
numbered equation with its ``Step.label``. Invalid label characters become ``-``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradmath.printing.typst import typst_math, typst_string
from gradmath.text import Cite, Math, Num, Ref, Text, as_text, tx

__all__ = [
    "Context",
    "Markup",
    "label",
    "plain",
    "table",
    "value_text",
    "value_markup",
    "humanize",
    "figure_label",
    "within",
    "WITHIN_HEADER",
    "cell",
    "cell_math",
]

_LABEL_BAD = re.compile(r"[^\w:.\-]")
MAX_MATH_CHARS = 1500
#: a table breaks across pages only between pieces of at least this many rows
CHUNK_ROWS = 3
#: a piece of a table is kept shorter than this many lines (estimated), so it never outgrows a page
PIECE_LINES = 30


def label(s: str) -> str:
    """``s`` as a valid Typst label name (``-`` for anything else; never ending on ``.`` or ``:``)."""
    out = _LABEL_BAD.sub("-", str(s)).rstrip(".:") or "x"
    return out if out[0].isalpha() else "l" + out


def figure_label(name: str) -> str:
    return label(f"fig:{name}")


def plain(s: str) -> str:
    """Plain text as Typst markup (a string literal: nothing in it is read as markup)."""
    return "#" + typst_string(" ".join(str(s).split()))


@dataclass
class Context:
    """What the document knows while it renders: the labels and bibliography keys that exist."""

    labels: set[str] = field(default_factory=set)
    cite_keys: set[str] = field(default_factory=set)
    owner: dict[str, str] = field(default_factory=dict)  # figure label -> the section that carries it
    safe: bool = False  # maths as plain Unicode (the fallback when Typst rejects a formula)
    section: str | None = None  # the section being written: its own labels are found first
    _memo: dict = field(default_factory=dict, repr=False)

    def fig_label(self, pid: str, name: str) -> str:
        """A figure's label: ``fig:<name>``, or ``<id>:fig:<name>`` when another section has that name."""
        plain_label = figure_label(name)
        return plain_label if self.owner.setdefault(plain_label, pid) == pid else label(f"{pid}:fig:{name}")

    def eq_label(self, pid: str, name: str) -> str:
        """An equation's label, scoped to its section (``<id>:<Step.label>``): solvers may reuse names."""
        return label(f"{pid}:{name}")

    def resolve(self, ref: Ref) -> str | None:
        """The Typst label a Ref points to (its own section's equations and figures first), or None
        (the report then prints its words)."""
        cands = [figure_label(ref.label), label(ref.label)]  # a figure's name before a section id
        if self.section is not None:
            cands = [self.eq_label(self.section, ref.label), label(f"{self.section}:fig:{ref.label}"),
                     label(f"{self.section}:{ref.label}")] + cands  # fmt: skip
        for cand in cands:
            if cand in self.labels:
                return cand
        return None

    def rich(self, value: Any) -> str:
        """Rich text (or a str, number, SymPy object) as Typst markup."""
        out = []
        for p in as_text(value).parts:
            if isinstance(p, Ref):
                target = self.resolve(p)
                out.append(f"#ref(<{target}>);" if target else Text([p.words]).typst())
            elif isinstance(p, Cite):
                out.append(self.cite(p))
            elif isinstance(p, Math) and self.safe:
                out.append(plain(Text([Math(p.expr)]).unicode()))
            elif isinstance(p, Math) and p.display:
                out.append("\n" + self.display(p.expr) + "\n")
            elif isinstance(p, Math):
                src = self.math(p.expr)
                too_long = f"(a formula of {len(src)} characters, too long to typeset)"
                out.append(f"${src}$" if len(src) <= MAX_MATH_CHARS else plain(too_long))
            else:
                out.append(Text([p]).typst())
        return "".join(out)

    def math(self, expr: Any) -> str:
        """Typst math source of ``expr``, printed once per document (formulas recur: titles, tables)."""
        try:
            return self._memo[expr]
        except KeyError:
            src = self._memo[expr] = typst_math(expr)
            return src
        except TypeError:  # unhashable
            return typst_math(expr)

    def lead(self, value: Any) -> str:
        """A paragraph that introduces what follows (a table): kept on the same page as it."""
        return f"#block(sticky: true)[{self.rich(value)}]\n"

    def cite(self, c: Cite) -> str:
        if c.key not in self.cite_keys:
            return Text([c.label()]).typst()
        sup = f", supplement: [{Text([c.where]).typst()}]" if c.where else ""
        return f"#cite(<{c.key}>{sup});"

    def display(self, expr: Any, number: str | None = None, lab: str | None = None) -> str:
        """A displayed equation: scaled down a little if too wide, else broken across lines; numbered
        ``number`` (such as ``"(3.1)"`` or the book's ``"(123)"``) and labelled ``lab`` (a label made by
        :meth:`eq_label`) if given."""
        if self.safe:
            return "#block(inset: (left: 1.5em))[" + plain(Text([Math(expr)]).unicode()) + "]"
        src = self.math(expr)
        if len(src) > MAX_MATH_CHARS:
            return "#block(inset: (left: 1.5em))[" + plain(
                f"(The expression is too long to display: {len(src)} characters of Typst math.)"
            ) + "]"  # fmt: skip
        if number is None:
            return f"#fitted([$ {src} $], [${src}$])"
        tail = f" <{lab}>" if lab else ""
        eq = f"#math.equation(block: true, numbering: _ => {typst_string(number)}, supplement: [Equation])[${src}$]"
        return f"#fitted([{eq}{tail}], none)"


def humanize(key: Any) -> str:
    """An answer key in words: ``p_below_quarter`` reads ``p below quarter``."""
    return " ".join(str(key).replace("_", " ").split())


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def value_text(v: Any, sig: int = 6) -> Text | None:
    """A scalar answer value as rich text (None for containers: see :func:`value_markup`)."""
    import sympy

    if v is None:
        return tx("—")
    if isinstance(v, (bool, np.bool_)):
        return tx("yes" if v else "no")
    if isinstance(v, (int, np.integer)):
        return tx("{}", sympy.Integer(int(v))) if abs(int(v)) < 10**15 else tx("{}", Num(float(v), sig=sig))
    if isinstance(v, (float, np.floating)):
        return tx("{}", Num(float(v), sig=sig)) if math.isfinite(float(v)) else tx(str(float(v)))
    if isinstance(v, (Text, Num)):
        return as_text(v)
    if isinstance(v, sympy.Basic):
        return tx("{}", v)
    if isinstance(v, str):
        return tx(v if len(v) <= 1500 else v[:1499] + "…")
    return None


def table(ctx: Context, header: Iterable[Any] | None, rows: Iterable[Iterable[Any]], *, size: str = "",
          columns: str | None = None, caption: Any = None, chunk: int = CHUNK_ROWS) -> str:  # fmt: skip
    """A ruled table (header bold, repeated on every page; ``header=None`` for none) that never leaves
    a fragment of fewer than ``chunk`` rows on a page: its rows are grouped in pieces of ``chunk`` or
    more (:func:`_pieces`), each spanned by an empty, unbreakable cell of a zero-width first column,
    so that a page can break only between pieces."""
    rows = [[c if isinstance(c, Markup) else cell(ctx, c) for c in row] for row in rows]
    n = len(rows[0]) if rows else len(list(header or []))
    cols = (columns or f"({', '.join(['1fr'] * n)})").strip("()")
    spacer = "table.cell(inset: 0pt)[]"
    head = ""
    if header is not None:
        cells = [h if isinstance(h, Markup) else ctx.rich(h) for h in header]
        head = (
            f"table.header({spacer}, "
            + ", ".join(f"[*{h}*]" if h else "[]" for h in cells)
            + ", repeat: true), "
        )
        head += "table.hline(stroke: 0.5pt),"
    body = []
    for piece in _pieces(rows, chunk):
        glue = f"table.cell(rowspan: {len(piece)}, breakable: false, inset: 0pt)[], "
        body += [
            (glue if k == 0 else "") + ", ".join(f"[{c}]" for c in row) + "," for k, row in enumerate(piece)
        ]
    setsize = f"#set text(size: {size})\n" if size else ""
    rows_src = "\n".join(body)
    out = [f"#[{setsize}#rules(columns: (0pt, {cols}), table.hline(), {head}\n{rows_src}\ntable.hline())]"]
    if caption:
        out.append(f"#align(center)[#text(size: 9pt)[{ctx.rich(caption)}]]")
    return "\n".join(out) + "\n"


def _pieces(rows: list[list[str]], chunk: int, most_lines: float = PIECE_LINES) -> list[list[list[str]]]:
    """Rows in consecutive groups of ``chunk`` (the last absorbing a shorter rest); a group stops
    early when its rows are tall (estimated from their length), so that no group outgrows a page."""
    pieces: list[list[list[str]]] = [[]]
    lines = 0.0
    for row in rows:
        tall = max(1.0, sum(len(c) for c in row) / 110)
        if pieces[-1] and (len(pieces[-1]) >= chunk or lines + tall > most_lines):
            pieces.append([])
            lines = 0.0
        pieces[-1].append(row)
        lines += tall
    if len(pieces) > 1 and len(pieces[-1]) < chunk:
        rows_left = sum(max(1.0, sum(len(c) for c in r) / 110) for r in pieces[-1] + pieces[-2])
        if rows_left <= most_lines:
            tail = pieces.pop()
            pieces[-1] = pieces[-1] + tail
    return pieces


class Markup(str):
    """A cell that is already Typst markup (not rich text to render)."""


def within(agreement: float, tolerance: float) -> Markup:
    """``discrepancy ≤ tolerance`` typeset as maths."""
    return Markup(f"{Num(agreement, sig=2).typst()} $<=$ {Num(tolerance, sig=2).typst()}")


#: the header of a discrepancy column
WITHIN_HEADER = Markup("Discrepancy $<=$ tolerance")


def cell_math(ctx: Context, expr: Any) -> Markup:
    """Maths in a table cell: display style (full-size fractions) where it fits the cell, else inline."""
    if ctx.safe:
        return Markup(ctx.rich(tx("{}", expr)))
    src = ctx.math(expr)
    if "/" not in src or len(src) > MAX_MATH_CHARS:
        return Markup(ctx.rich(tx("{}", expr)))
    # a full-size fraction gets room above and below, so it does not touch the table's rules
    return Markup(f"#cellmath(box(inset: (y: 3pt), $display({src})$), ${src}$)")


def cell(ctx: Context, value: Any) -> Markup:
    """A rich-text table cell; a cell that is one formula gets :func:`cell_math`."""
    t = as_text(value)
    if len(t.parts) == 1 and isinstance(t.parts[0], Math) and not t.parts[0].display:
        return cell_math(ctx, t.parts[0].expr)
    return Markup(ctx.rich(t))


def value_markup(ctx: Context, v: Any, sig: int = 6, depth: int = 0) -> Markup:
    """An answer value of any kind as Typst markup: arrays and dicts become small tables (one level;
    deeper ones a line of text)."""
    import sympy

    if isinstance(v, sympy.Basic):
        return cell_math(ctx, v) if depth == 0 else Markup(ctx.rich(tx("{}", v)))
    t = value_text(v, sig)
    if t is not None:
        return Markup(ctx.rich(t))
    if isinstance(v, dict):
        if not v:
            return Markup(ctx.rich(tx("(none)")))
        if depth >= 1 or len(v) > 12:
            items = list(v.items())[:12]
            more = "; " + plain(f"… ({len(v)} entries)") if len(v) > 12 else ""
            return Markup("; ".join(f"{ctx.rich(tx(humanize(k)))}: {value_markup(ctx, x, 4, depth + 1)}"
                                    for k, x in items) + more)  # fmt: skip
        matrix = _matrix(ctx, v, sig)
        if matrix is not None:
            return matrix
        rows = [[ctx.rich(tx(humanize(k))), value_markup(ctx, x, sig, depth + 1)] for k, x in v.items()]
        return Markup(_inner_table(rows))
    try:
        arr = np.asarray(v)
    except Exception:
        arr = None
    if arr is not None and arr.dtype.kind in "biuf" and arr.size:
        return Markup(_array_markup(ctx, arr, sig))
    items = list(v) if isinstance(v, (list, tuple, set, frozenset)) else None
    if items is not None and len(items) <= 12:
        return Markup(", ".join(value_markup(ctx, x, sig, depth + 1) for x in items))
    return Markup(plain(f"({type(v).__name__} of {len(items) if items is not None else '?'} items)"))


def _matrix(ctx: Context, v: dict, sig: int) -> Markup | None:
    """A dict of dicts with the same keys (at most 8) as one small table: a row per outer key."""
    inner = list(v.values())
    if not all(isinstance(d, dict) and d for d in inner) or len(v) > 12:
        return None
    keys = list(inner[0])
    if len(keys) > 8 or any(list(d) != keys for d in inner):
        return None
    head = "".join(f"[*{ctx.rich(tx(humanize(k)))}*], " for k in keys)
    body = "".join(f"[{ctx.rich(tx(humanize(name)))}], " + "".join(f"[{value_markup(ctx, d[k], min(sig, 4), 2)}], " for k in keys)
                   for name, d in v.items())  # fmt: skip
    cols = ", ".join(["auto"] * (len(keys) + 1))
    return Markup(f"#text(size: 8.5pt)[#table(columns: ({cols}), stroke: none, inset: (x: 2.5pt, y: 2pt), column-gutter: 3pt, "
                  f"align: left, [], {head}{body})]")  # fmt: skip


def _inner_table(rows: list[list[str]]) -> str:
    body = ", ".join(f"[{a}], [{b}]" for a, b in rows)
    return f"#table(columns: (auto, auto), stroke: none, inset: (x: 3pt, y: 2.5pt), align: left, {body})"


def _array_markup(ctx: Context, arr: np.ndarray, sig: int) -> str:
    flat = arr.ravel()
    cells = [ctx.rich(value_text(x.item(), min(sig, 4))) for x in (flat if flat.size <= 10 else flat[:10])]
    more = "" if flat.size <= 10 else ", " + plain(f"… ({flat.size} values)")
    if arr.ndim <= 1:
        return ", ".join(cells) + more
    shape = " × ".join(str(s) for s in arr.shape)
    return plain(f"an array of {shape} values:") + " " + ", ".join(cells) + more
