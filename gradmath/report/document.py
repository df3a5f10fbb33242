"""Build the report's Typst source from solver outcomes, and compile it to PDF.

The document knows the solver contract (:class:`~gradmath.solutions.Solution`, ``Check``, ``Step``,
``Figure``) and nothing about any single solver. All text goes into Typst string literals
(``#"..."``), so no character of a solver's text can be read as Typst markup.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import tempfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradmath.contract import figure_label
from gradmath.printing.typst import typst_math, typst_string
from gradmath.printing.typst import typst_number as _format_float
from gradmath.text import Text

__all__ = ["Outcome", "build_document", "compile_pdf", "MAX_MATH_CHARS"]

MAX_MATH_CHARS = 600

#: When True, expressions are shown as raw SymPy text (the fallback if Typst rejects the math).
SAFE_MATH = False


@dataclass
class Outcome:
    """One registry entry's result: its solution, or the error its solver raised."""

    id: str
    solution: Any = None
    error: str | None = None
    elapsed: float = 0.0
    title: str = ""
    figures: dict[str, str] = field(default_factory=dict)  # figure name -> file name

    @property
    def passed(self) -> bool:
        return self.error is None and self.solution is not None and self.solution.passed


_LONG_WORD = re.compile(r"\S{16,}")
_BREAK_AFTER = re.compile(r"([_*/,=^|;:.(\[])")


def _breakable(s: str) -> str:
    """Let long tokens (identifiers, products) wrap: a zero-width space after _ * / , etc."""
    return _LONG_WORD.sub(lambda m: _BREAK_AFTER.sub("\\1\u200b", m.group(0)), s)


def text(s: Any) -> str:
    """Escaped Typst markup for plain text (rich text renders itself)."""
    if isinstance(s, Text):
        return s.typst()
    return "#" + typst_string(_breakable(str(s)))


def _raw(expr: Any) -> str:
    return "#raw(" + typst_string(" ".join(str(expr).split())[:MAX_MATH_CHARS]) + ")"


def math_inline(expr: Any, display: bool = False) -> str:
    if SAFE_MATH:
        return _raw(expr)
    src = typst_math(expr)
    if len(src) > MAX_MATH_CHARS:
        return text(f"(expression too long to typeset: {len(src)} characters of math)")
    return f"$display({src})$" if display and "/" in src else f"${src}$"


def math_display(expr: Any) -> str:
    if SAFE_MATH:
        return "#block(inset: (left: 1.5em))[" + _raw(expr) + "]\n"
    try:
        src = typst_math(expr)
    except Exception as exc:  # a printer gap must not sink the report
        return text(f"(could not typeset: {type(exc).__name__})") + "\n"
    if len(src) > MAX_MATH_CHARS:
        return (
            "#block(inset: (left: 1.5em))["
            + text(f"(The expression is too long to display: {len(src)} characters of Typst math.)")
            + "]\n"
        )
    return f"#fit[$ {src} $]\n"


def _num(x: float, digits: int = 15) -> str:
    return f"${_format_float(float(x), digits)}$"


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def value_markup(v: Any, digits: int = 15, depth: int = 0) -> str:
    """Typst markup for one answer/check value."""
    import sympy as sp

    if v is None:
        return "—"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return f"${int(v)}$" if abs(int(v)) < 10**15 else _num(float(v), digits)
    if isinstance(v, (float, np.floating)):
        return _num(float(v), digits)
    if isinstance(v, str):
        return text(v if len(v) <= 2000 else v[:1997] + "...")
    if isinstance(v, sp.Basic):
        try:
            return math_inline(v, display=depth == 0)
        except Exception:
            return text(str(v)[:300])
    if isinstance(v, dict):
        if depth >= 1 or len(v) > 12:
            return text(_short_repr(_compact(v)))
        if set(v) >= {"mean", "std"} and _is_number(v["mean"]) and _is_number(v["std"]):
            return f"${_format_float(float(v['mean']), 6)} plus.minus {_format_float(float(v['std']), 3)}$"
        rows = "".join(f"[{text(k)}], [{value_markup(val, 8, depth + 1)}]," for k, val in v.items())
        return f"#table(columns: (auto, 1fr), stroke: none, inset: (x: 3pt, y: 2pt), align: left, {rows})"
    if isinstance(v, (list, tuple, np.ndarray)):
        try:
            arr = np.asarray(v)
        except Exception:
            arr = None
        if arr is not None and arr.dtype.kind in "biuf" and arr.size > 0:
            return array_markup(arr)
        items = list(v)
        if len(items) <= 8 and all(_is_number(i) or isinstance(i, str) for i in items):
            return text("[" + ", ".join(_plain(i) for i in items) + "]")
        return text(_short_repr(_compact(v)))
    return text(_short_repr(v))


def _compact(v: Any) -> str:
    """A short plain rendering of nested data: floats to 4 digits, no NumPy type names."""
    if isinstance(v, dict):
        return "; ".join(f"{k}: {_compact(x)}" for k, x in v.items())
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.4g}"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, np.ndarray) and v.size > 8:
        return f"array {' × '.join(map(str, v.shape))}"
    if isinstance(v, (list, tuple, np.ndarray)):
        return "[" + ", ".join(_compact(x) for x in v) + "]"
    if v is None:
        return "—"
    return str(v)


def _plain(x: Any, digits: int = 6) -> str:
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.{digits}g}"
    return str(x)


def array_markup(arr: np.ndarray) -> str:
    flat = arr.ravel()
    if flat.dtype.kind == "f":
        fmt = [f"{x:.6g}" for x in (flat if flat.size <= 8 else np.r_[flat[:3], flat[-2:]])]
    else:
        fmt = [str(x) for x in (flat if flat.size <= 8 else np.r_[flat[:3], flat[-2:]])]
    if flat.size <= 8 and arr.ndim == 1:
        return text("[" + ", ".join(fmt) + "]")
    shape = " × ".join(str(s) for s in arr.shape)
    if flat.size <= 8:
        return text(f"array {shape}: " + ", ".join(fmt))
    return text(f"array {shape}: " + ", ".join(fmt[:3]) + ", …, " + ", ".join(fmt[3:]))


def _short_repr(v: Any, limit: int = 300) -> str:
    s = " ".join((v if isinstance(v, str) else repr(v)).split())
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _mark(passed: bool) -> str:
    return (
        '#text(fill: rgb("#1a7f37"))[pass]' if passed else '#text(fill: rgb("#c62828"), weight: "bold")[FAIL]'
    )


PREAMBLE = r"""
#set document(title: "gradmath — why deep networks are hard to train, solved and checked")
#set page(paper: "a4", margin: (x: 2.3cm, top: 2.4cm, bottom: 2.6cm))
#set text(font: ("New Computer Modern", "Libertinus Serif"), size: 10.5pt, lang: "en")
#set par(justify: true, leading: 0.62em)
#set heading(numbering: "1.1")
#show heading.where(level: 1): it => { pagebreak(weak: true); v(0.4em); it; v(0.3em) }
#show figure: set block(breakable: false)
#set figure(gap: 0.8em)
#show figure.caption: set text(size: 9pt)
#set table(stroke: none)
#show table: set par(justify: false)
#set table.cell(breakable: false)
#let fit(body) = layout(size => {
  let m = measure(body)
  let k = size.width / m.width * 100%
  if m.width > size.width { align(center, scale(x: k, y: k, reflow: true, body)) } else { body }
})
#let rules(..args) = table(
  stroke: none, inset: (x: 4pt, y: 3.5pt), align: left + top,
  ..args,
)
"""


def _title_page(outcomes: list[Outcome], meta: dict) -> str:
    n_checks = sum(len(o.solution.checks) for o in outcomes if o.solution is not None)
    n_pass = sum(sum(c.passed for c in o.solution.checks) for o in outcomes if o.solution is not None)
    failed = [o.id for o in outcomes if o.error is not None]
    version_line = f"gradmath {meta.get('version', '')} · {meta.get('generated', '')}"
    lines = [
        "#page(numbering: none)[",
        "#v(5cm)",
        "#align(center)[",
        '#text(size: 22pt, weight: "bold")[#"Why deep neural networks are hard to train"]',
        "#v(0.6em)",
        "#text(size: 13pt)["
        + text(
            "Nielsen, Neural Networks and Deep Learning, chapter 5:"
            " every problem and claim, solved and checked"
        )
        + "]",
        "#v(2.5em)",
        f"#text(size: 11pt)[{text(f'{len(outcomes)} results · {n_pass} of {n_checks} checks passed')}]\n",
        "#v(0.6em)",
    ]
    if failed:
        lines.append(
            f'#text(size: 11pt, fill: rgb("#c62828"))[{text("solvers that failed: " + ", ".join(failed))}]\n'
        )
    opts = ", ".join(f"{k} = {v}" for k, v in meta.get("options", {}).items())
    lines += [
        f"#text(size: 10pt)[{text(version_line)}]",
        "#v(0.3em)",
        f"#text(size: 9pt)[{text('options: ' + (opts or 'defaults'))}]",
        "]",
        "#v(1fr)",
        "#text(size: 9pt)["
        + text(
            "Each claim is confirmed by two independent methods (symbolic against numeric, closed form"
            " against optimiser, backpropagation against finite differences). The summary table lists the"
            " book's printed value beside ours."
        )
        + "]",
        "]",
        # the outline's own title would be a level-1 heading, whose page break leaves a blank page here
        '#page(numbering: none)[#text(size: 1.4em, weight: "bold")[Contents] #v(0.5em)'
        " #outline(title: none, depth: 1, indent: auto)]",
        "#counter(page).update(1)",
        '#set page(numbering: "1", header: context { if counter(page).get().first() > 1 '
        '[#align(right, text(size: 8pt, fill: luma(100))[#"gradmath report"])] })',
    ]
    return "\n".join(lines) + "\n"


def _summary(outcomes: list[Outcome]) -> str:
    out = [
        # one page: tighter margins and a small face, every claim on it (details in each section)
        "#[#set page(margin: (x: 1.4cm, top: 1.5cm, bottom: 1.4cm))",
        "#heading(numbering: none)[Summary]",
        "#text(size: 6pt)[#table(stroke: none, inset: (x: 2pt, y: 1.05pt), align: left + top,",
        "columns: (1.25fr, 4.6fr, 1.1fr, 1.25fr, 0.4fr),",
    ]
    out.append(
        "table.header(table.hline(), [*Result*], [*Claim*], [*Book*], [*Computed*], [*OK*],"
        " table.hline(stroke: 0.5pt)),"
    )
    for o in outcomes:
        label = text(o.title or o.id)
        if o.error is not None:
            out.append(
                f"[{label}], table.cell(colspan: 3)[{text('solver failed: ' + o.error[:200])}],"
                f" [{_mark(False)}],"
            )
            continue
        checks = o.solution.checks
        if not checks:
            out.append(f"[{label}], table.cell(colspan: 3)[{text('no checks')}], [{_mark(False)}],")
            continue
        for i, c in enumerate(checks):
            first = f"table.cell(rowspan: {len(checks)})[{label}]," if i == 0 else ""
            out.append(
                f"{first}[{text(c.claim)}], [{value_markup(c.book, 8, 1)}],"
                f" [{value_markup(c.computed, 8, 1)}],"
                f" [{_mark(c.passed)}],"
            )
        out.append("table.hline(stroke: 0.3pt + luma(180)),")
    out.append(
        "table.hline(),",
    )
    out.append(")]]")
    return "\n".join(out) + "\n"


def _answer_section(sol) -> str:
    answer = dict(sol.answer)
    out = ["#heading(level: 2, numbering: none)[Answer]"]
    rows = []
    if isinstance(answer.get("mean"), dict) and isinstance(answer.get("std"), dict):
        mean, std = answer.pop("mean"), answer.pop("std")
        for k, m in mean.items():
            s = std.get(k)
            if _is_number(m) and _is_number(s):
                val = f"${_format_float(float(m), 6)} plus.minus {_format_float(float(s), 3)}$"
            elif _same_shape_numbers(m, s):
                pairs = [
                    f"{_format_float(float(a), 4)} plus.minus {_format_float(float(b), 2)}"
                    for a, b in zip(np.ravel(m), np.ravel(s), strict=True)
                ]
                val = "$" + ",quad ".join(pairs) + "$"
            else:
                val = value_markup(m) + " ± " + value_markup(s)
            rows.append(f"[{text(str(k) + ' (mean ± std)')}], [{val}],")
    for k, v in answer.items():
        try:
            val = value_markup(v)
        except Exception as exc:
            val = text(f"(could not format {type(v).__name__}: {exc})")
        rows.append(f"[{text(k)}], [{val}],")
    if not rows:
        return ""
    out.append("#rules(columns: (1.3fr, 2.4fr), table.hline(),")
    out += rows
    out.append("table.hline())")
    return "\n".join(out) + "\n"


def _same_shape_numbers(a: Any, b: Any) -> bool:
    try:
        x, y = np.asarray(a), np.asarray(b)
    except Exception:
        return False
    return x.shape == y.shape and 0 < x.size <= 12 and x.dtype.kind in "biuf" and y.dtype.kind in "biuf"


def _checks_section(sol) -> str:
    if not sol.checks:
        return ""
    out = [
        "#heading(level: 2, numbering: none)[Checks]",
        "#text(size: 9pt)[#rules(columns: (2.6fr, 2.1fr, 1.2fr, 0.45fr),",
    ]
    out.append(
        "table.header(table.hline(), [*Claim*], [*Methods*], [*Agreement*], [*OK*],"
        " table.hline(stroke: 0.5pt)),"
    )
    for c in sol.checks:
        methods = c.methods[0] + " vs " + c.methods[1]
        agree = "—" if c.agreement is None else _num(c.agreement, 3)
        if c.tolerance is not None and c.agreement is not None:
            agree += (
                " \\ " + "#text(size: 7.5pt, fill: luma(80))[" + text("tol ") + _num(c.tolerance, 3) + "]"
            )
        claim = text(c.claim)
        if c.detail:
            claim += " \\ " + "#text(size: 8pt, fill: luma(80))[" + text(c.detail) + "]"
        out.append(f"[{claim}], [{text(methods)}], [{agree}], [{_mark(c.passed)}],")
    out.append("table.hline())]")
    return "\n".join(out) + "\n"


def _section(o: Outcome) -> str:
    sol = o.solution
    title = o.title or (sol.title if sol is not None else o.id)
    out = [f"= {text(title)} <{_label(o.id)}>"]
    if sol is None:
        out.append(f'#text(fill: rgb("#c62828"))[{text(f"The solver for {o.id!r} failed: {o.error}")}]')
        return "\n".join(out) + "\n"
    out.append(f"#text(size: 9pt, fill: luma(80))[{text(str(sol.source))} · {text('id ' + sol.id)}]\n")
    out.append("#block(inset: (left: 1em), stroke: (left: 1.5pt + luma(180)))[" + text(sol.statement) + "]\n")
    if sol.steps:
        out.append("#heading(level: 2, numbering: none)[Derivation]")
        for step in sol.steps:
            out.append(f"+ {text(step.text)}")
            if step.expr is not None:
                out.append("  " + math_display(step.expr))
        out.append("")
    out.append(_answer_section(sol))
    out.append(_checks_section(sol))
    for f in sol.figures:
        fname = o.figures.get(f.name)
        if fname is None:
            continue
        out.append(
            f'#figure(image("{fname}", width: 100%), caption: [{text(f.caption)}])'
            f" <{figure_label(o.id, f.name)}>\n"
        )
    return "\n".join(out) + "\n"


def _label(s: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in s)


def build_document(outcomes: list[Outcome], meta: dict | None = None) -> str:
    """The whole report as Typst source (figures referenced by the file names in ``Outcome.figures``)."""
    meta = dict(meta or {})
    meta.setdefault("generated", _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
    parts = [PREAMBLE, _title_page(outcomes, meta), _summary(outcomes)]
    parts += [_section(o) for o in outcomes]
    parts.append('#heading(numbering: none)[Bibliography]\n#bibliography("refs.bib", title: none, full: true)\n')
    return "\n".join(parts)


def compile_pdf(source: str, files: dict[str, bytes]) -> bytes:
    """Compile Typst ``source`` with extra ``files`` (name -> bytes) in a temporary root; return the PDF."""
    import typst

    from gradmath.sources import bibtex

    files = {"refs.bib": bibtex().encode(), **files}
    with tempfile.TemporaryDirectory(prefix="gradmath-report-") as root:
        for name, data in files.items():
            with open(os.path.join(root, name), "wb") as fh:
                fh.write(data)
        main = os.path.join(root, "main.typ")
        with open(main, "w", encoding="utf-8") as fh:
            fh.write(source)
        return typst.compile(main, root=root)
