"""The report as one Typst document: title page, contents, a one-page summary of the findings, one
section per problem (:mod:`.sections`), the appendices (:mod:`.appendices`, :mod:`.reproducibility`)
and the bibliography; and its compilation to PDF.

The document knows the solver contract (:class:`~gradmath.contract.Solution` and its parts) and
nothing about any single solver.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from gradmath.contract import Finding, Verdict
from gradmath.text import Ref, tx

from . import appendices, reproducibility
from .figures import TEXT_WIDTH_IN
from .markup import Context, Markup, label, plain, table
from .outcome import Outcome
from .pdf import compile_pdf
from .sections import section, verdict_markup

__all__ = ["Outcome", "build_document", "compile_pdf", "PREAMBLE", "SIDE_MARGIN_CM", "BODY_SIZE_PT"]

#: side margins; with A4 paper they make the text exactly as wide as the figures are drawn
SIDE_MARGIN_CM = (21.0 - TEXT_WIDTH_IN * 2.54) / 2
#: the body type size; the summary uses the same
BODY_SIZE_PT = 10

PREAMBLE = r"""
#set document(title: "Why are deep neural networks hard to train? Worked solutions and checks")
#set page(paper: "a4", margin: (x: MARGINcm, top: 2.3cm, bottom: 2.4cm))
#set text(font: ("New Computer Modern", "Libertinus Serif"), size: BODYpt, lang: "en")
#set par(justify: true, leading: 0.6em, spacing: 0.95em)
#set heading(numbering: "1.1")
#show heading.where(level: 1): set text(size: 13.5pt)
#show heading.where(level: 1): set block(above: 1.6em, below: 0.9em)
#show heading.where(level: 2): set text(size: 10.5pt)
#show heading.where(level: 2): set block(above: 1.1em, below: 0.6em)
#show heading: set block(sticky: true)
#set math.equation(numbering: none)
#show figure: set block(breakable: false)
#set figure(gap: 0.7em, placement: auto)
#show figure.caption: set text(size: 9pt)
#show figure.caption: set par(justify: true)
#show link: set text(fill: rgb("#0b4f8a"))
#set table(stroke: none)
#show table: set par(justify: false)
#set table.cell(breakable: false)
#let fitted(wide, inline) = layout(size => {
  let m = measure(wide)
  let k = size.width / m.width * 100%
  if m.width <= size.width { wide }
  else if inline == none or k >= 75% { align(center, scale(x: k, y: k, reflow: true, wide)) }
  else { block(inset: (left: 1.5em), par(justify: false, inline)) }
})
#let cellmath(big, small) = layout(size => if measure(big).width <= size.width { big } else { small })
#let rules(..args) = table(inset: (x: 4pt, y: 4.5pt), align: left + horizon, ..args)
#let statement(body) = block(sticky: true, inset: (left: 1em, y: 0.2em), stroke: (left: 1.5pt + luma(170)),
  width: 100%, body)
#let sourceline(body) = block(sticky: true, below: 0.9em, text(size: 8.5pt, fill: luma(80), body))
#let detail(body) = text(size: 8pt, fill: luma(70), body)
#let failbox(body) = block(inset: 0.6em, stroke: 0.8pt + rgb("#D55E00"), width: 100%, body)
#let verdict(word) = {
  let colour = (confirmed: rgb("#00704f"), corrected: rgb("#a04000"), "not reproduced": rgb("#b22222"),
    inconclusive: luma(90), failed: rgb("#b22222")).at(word, default: luma(0))
  text(fill: colour, weight: "bold", word)
}
#let passmark = text(fill: rgb("#00704f"), "pass")
#let failmark = text(fill: rgb("#b22222"), weight: "bold", "FAILED")
#let secnum(l) = link(l, context numbering("1", ..counter(heading).at(l)))
#let correction(where, quote, holds, evidence) = block(breakable: false, above: 1em, [
  #where \ #emph(quote) \ #text(weight: "bold")[What holds:] #holds \ #text(weight: "bold")[Evidence:] #evidence])
""".replace("MARGIN", f"{SIDE_MARGIN_CM:.4f}").replace("BODY", str(BODY_SIZE_PT))


def _counts(outcomes: list[Outcome]) -> tuple[int, int]:
    checks = [c for o in outcomes if o.solution is not None for c in o.solution.checks]
    return sum(c.passed for c in checks), len(checks)


def _title_page(ctx: Context, outcomes: list[Outcome], meta: dict) -> str:
    n_pass, n_checks = _counts(outcomes)
    failed = [o.id for o in outcomes if o.error is not None]
    data = meta.get("data", {})
    config = "quick configuration (scaled-down experiments)" if meta.get("options", {}).get("quick") else (
        "default configuration (the experiments at full size)")  # fmt: skip
    seeds = meta.get("options", {}).get("seeds")
    if seeds is not None:
        config += f", {seeds} seeds per experiment"
    what = tx(
        "Every problem and every checkable claim of chapter 5 of Michael Nielsen's Neural Networks and Deep "
        "Learning, and of two blog posts on vanishing and exploding gradients, worked out symbolically (SymPy), "
        "numerically (SciPy, mpmath) and by experiment on real MNIST digits (NumPy). Each result is confirmed "
        "by two independent methods, and each claim of the texts gets a verdict: confirmed, corrected, not "
        "reproduced or inconclusive."
    )
    lines = [
        "#page(numbering: none, header: none)[#set par(justify: false)",
        "#v(3.5cm)",
        f'#align(center)[#text(size: 22pt, weight: "bold")[{plain("Why are deep neural networks hard to train?")}]',
        "#v(0.5em)",
        f"#text(size: 13pt)[{plain('Worked solutions and checks')}]]",
        "#v(2em)",
        f"#block(inset: (x: 1.5cm))[{ctx.rich(what)}]",
        "#v(1.5em)",
        "#block(inset: (x: 1.5cm))[#table(columns: (auto, 1fr), stroke: none, inset: (x: 0pt, y: 3pt), column-gutter: 1em,",
    ]
    facts = [
        ("Results", f"{len(outcomes)} sections; {n_pass} of {n_checks} checks passed"),
        ("Data", data.get("description", "—")),
        ("Run", config),
        ("Generated", f"{meta.get('generated', '')} by gradmath {meta.get('version', '')}"),
    ]
    if failed:
        facts.insert(1, ("Failed", "solvers that raised: " + ", ".join(failed)))
    lines += [f"[*{plain(k)}*], [{plain(v)}]," for k, v in facts]
    lines += [")]", "#v(1fr)"]
    lines.append(
        f'#align(center)[#text(size: 9pt, fill: luma(80))[{plain("Rebuild it with:")} #raw("python -m gradmath.report")]]'
    )
    lines.append("]")
    return "\n".join(lines) + "\n"


def _contents() -> str:
    return (
        "#page(numbering: none, header: none)[#outline(title: [Contents], depth: 1, indent: auto)]\n"
        "#counter(page).update(1)\n"
        '#set page(numbering: "1")\n'
    )


def _rows_for(o: Outcome) -> list[tuple[list[Any], str]]:
    """The summary rows of one section, each with its verdict word."""
    link = Markup(f"#secnum(<{label(o.id)}>)")
    sol = o.solution
    if sol is None:
        return [([link, o.title or o.id, tx("—"), tx("the solver failed")], "failed")]
    findings: list[Finding] = list(sol.findings)
    if not findings:
        return [([link, sol.title, tx("—"), tx("see the section")], Verdict(sol.verdict).value)]
    return [([link, f.claim, f.source_value, f.ours], Verdict(f.verdict).value) for f in findings]


def _summary(ctx: Context, outcomes: list[Outcome]) -> str:
    pairs = [r for o in outcomes for r in _rows_for(o)]
    rows = [cells + [Markup(verdict_markup(word))] for cells, word in pairs]
    words = [word for _, word in pairs]
    n_pass, n_checks = _counts(outcomes)
    tally = ", ".join(f"{words.count(w.value)} {w.value}" for w in Verdict if words.count(w.value))
    intro = tx("{} claims of the source texts, each with the value the text gives and ours; verdicts: {}. "
               "{} of {} checks passed ({}). The number in the first column leads to the section.",
               len(rows), tally, n_pass, n_checks, Ref("app-checks", "the appendix"))  # fmt: skip
    legend = tx("Confirmed: the claim holds, measured. Corrected: the text is wrong or imprecise, and we give "
                "the right value. Not reproduced: our measurement disagrees and the setup does not explain it. "
                "Inconclusive: the measurement cannot decide, or the claim has not been assessed yet.")  # fmt: skip
    return (
        # one page: margins a little narrower and rows a little tighter than the sections' (same type size)
        "#pagebreak(weak: true)\n#[#set page(margin: (x: 1.7cm, top: 1.7cm, bottom: 1.8cm))\n"
        "#let rules(..args) = table(inset: (x: 3.5pt, y: 3pt), align: left + horizon, ..args)\n"
        "#heading(numbering: none)[Summary] <summary>\n"
        + ctx.rich(intro)
        + "\n"
        + table(
            ctx,
            [tx("§"), tx("Claim"), tx("The source"), tx("Ours"), tx("Verdict")],
            rows,
            columns="(1.4em, 1.75fr, 0.9fr, 1.75fr, 5.8em)",
        )  # fmt: skip
        + f"#text(size: 9pt)[{ctx.rich(legend)}]]\n#pagebreak(weak: true)\n"
    )


def context_for(outcomes: list[Outcome], cite_keys: set[str]) -> Context:
    """The labels this document defines (sections, figures, numbered equations) and its citations."""
    ctx = Context(cite_keys=set(cite_keys))
    ctx.labels |= {label(o.id) for o in outcomes}
    ctx.labels |= {"app-checks", "app-corrections", "app-constants", "app-reproducibility", "summary"}
    for o in outcomes:
        if o.solution is None:
            continue
        ctx.labels |= {ctx.fig_label(o.id, f.name) for f in o.solution.figures if f.name in o.figures}
        ctx.labels |= {
            ctx.eq_label(o.id, s.label) for s in o.solution.steps if s.label and s.expr is not None
        }
    return ctx


def build_document(outcomes: list[Outcome], meta: dict | None = None, *, safe: bool = False) -> str:
    """The whole report as Typst source (figures referenced by the file names in ``Outcome.figures``,
    the bibliography read from ``refs.bib``: see :func:`compile_pdf`)."""
    from gradmath.sources import SOURCES

    meta = dict(meta or {})
    meta.setdefault("generated", _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d"))
    ctx = context_for(outcomes, set(SOURCES))
    ctx.safe = safe
    parts = [PREAMBLE, _title_page(ctx, outcomes, meta), _contents(), _summary(ctx, outcomes)]
    parts += [section(ctx, k, o) for k, o in enumerate(outcomes, 1)]
    ctx.section = None
    parts += [reproducibility.bibliography()]  # the references, then the appendices
    parts += ['#counter(heading).update(0)\n#set heading(numbering: "A.1")\n']
    parts += [
        appendices.checks_appendix(ctx, outcomes),
        appendices.corrections_appendix(ctx, outcomes),
        appendices.constants_appendix(ctx, outcomes),
        reproducibility.reproducibility_appendix(ctx, outcomes, meta),
    ]
    return "\n".join(parts)
