"""The appendices: every check in full, the corrections of the sources, the constants to 40 digits,
reproducibility (software, machine, BLAS, data, seeds, run times), and the bibliography."""

from __future__ import annotations

import re
from typing import Any

from gradmath.text import Ref, tx

from .markup import WITHIN_HEADER, Context, Markup, humanize, plain, table, within
from .outcome import Outcome
from .sections import mark

__all__ = ["checks_appendix", "corrections_appendix", "constants_appendix", "constants", "DIGITS_MIN"]

#: a value printed with at least this many significant digits counts as a high-precision constant
DIGITS_MIN = 25
_DIGITS = re.compile(r"^[-+]?\d+\.\d+(e[-+]?\d+)?$", re.IGNORECASE)


def _heading(words: str, lab: str) -> str:
    return f"= {plain(words)} <{lab}>"


def _section_ref(o: Outcome) -> Any:
    return tx("{} {}", Ref(o.id, o.id), o.title or (o.solution.title if o.solution else o.id))


def checks_appendix(ctx: Context, outcomes: list[Outcome]) -> str:
    out = [_heading("Checks in full", "app-checks")]
    out.append(ctx.lead(tx(
        "Every check compares two independent methods. Its discrepancy is measured as stated in the "
        "detail, and the check passes exactly when the discrepancy does not exceed the tolerance; each "
        "tolerance is small enough that the mistake named under the claim would exceed it.")))  # fmt: skip
    for o in outcomes:
        if o.solution is None or not o.solution.checks:
            continue
        rows = []
        for c in o.solution.checks:
            claim = ctx.rich(c.claim)
            if c.catches:
                claim += f" \\ #detail[{ctx.rich(tx('Catches: ') + c.catches)}]"
            if c.detail:
                claim += f" \\ #detail[{ctx.rich(c.detail)}]"
            methods = ctx.rich(tx("(1) ") + c.methods[0]) + " \\ " + ctx.rich(tx("(2) ") + c.methods[1])
            rows.append(
                [Markup(claim), Markup(methods), within(c.agreement, c.tolerance), Markup(mark(c.passed))]
            )
        block = sub_heading_rich(ctx, _section_ref(o))
        block += table(ctx, [tx("Claim"), tx("Methods compared"), WITHIN_HEADER, tx("")], rows,
                       size="9pt", columns="(1.45fr, 1.15fr, 12.5em, 3em)")  # fmt: skip
        out.append(block)
    return "\n".join(out) + "\n"


def sub_heading_rich(ctx: Context, words: Any) -> str:
    return f"#heading(level: 2, numbering: none, outlined: false)[{ctx.rich(words)}]\n"


def corrections_appendix(ctx: Context, outcomes: list[Outcome]) -> str:
    out = [_heading("Corrections of the sources", "app-corrections")]
    items = [(o, c) for o in outcomes if o.solution is not None for c in o.solution.corrections]
    if not items:
        out.append(ctx.rich(tx("No solver has recorded a correction of its source.")) + "\n")
        return "\n".join(out) + "\n"
    out.append(ctx.lead(tx(
        "Where a source text is wrong or imprecise: its words, where they stand, what holds instead, and "
        "the evidence.")))  # fmt: skip
    for o, c in items:
        from gradmath.text import Cite

        where = ctx.rich(tx("{} (see {})", Cite(c.source.key, c.source.where), Ref(o.id, o.id)))
        out.append(
            f"#correction[{where}][“{ctx.rich(c.quote)}”][{ctx.rich(c.holds)}][{ctx.rich(c.evidence)}]"
        )
    return "\n".join(out) + "\n"


def _significant(text: str) -> int:
    mant = text.lower().split("e")[0].lstrip("+-").replace(".", "").lstrip("0")
    return len(mant)


def constants(outcomes: list[Outcome]) -> list[tuple[Outcome, Any, str]]:
    """``(outcome, label, digits)`` for every answer value given to :data:`DIGITS_MIN` or more digits."""
    found = []
    for o in outcomes:
        sol = o.solution
        if sol is None:
            continue
        labels = {a.key: a.label for a in sol.answer_lines if a.key}
        for k, v in sol.answer.items():
            text = _digits(v)
            if text is not None and _significant(text) >= DIGITS_MIN:
                found.append((o, labels.get(k, tx(humanize(k))), text))
    return found


def _digits(v: Any) -> str | None:
    if isinstance(v, str):
        s = v.strip()
        return s if _DIGITS.match(s) else None
    try:
        import mpmath
        import sympy

        if isinstance(v, mpmath.mpf):
            return mpmath.nstr(v, int(mpmath.mp.dps), strip_zeros=False)
        if isinstance(v, sympy.Float) and v._prec > 80:
            return str(v)
    except ImportError:  # pragma: no cover
        pass
    return None


def _grouped(digits: str) -> str:
    """``0.44774320469…`` in groups of five digits after the point, for reading."""
    head, _, tail = digits.partition(".")
    exp = ""
    if "e" in tail.lower():
        tail, exp = re.split("[eE]", tail, maxsplit=1)
        exp = f" × 10^{exp}"
    groups = " ".join(tail[i : i + 5] for i in range(0, len(tail), 5))
    return f"{head}.{groups}{exp}" if tail else head


def constants_appendix(ctx: Context, outcomes: list[Outcome]) -> str:
    found = constants(outcomes)
    out = [_heading("Constants to high precision", "app-constants")]
    if not found:
        out.append(ctx.rich(tx("No result carries a high-precision constant in this run.")) + "\n")
        return "\n".join(out) + "\n"
    out.append(ctx.lead(tx(
        "The constants computed with mpmath to 40 significant digits or more, digits grouped in fives. "
        "Each is the root of a derivative or a closed form evaluated at high working precision; the "
        "sections give the method and the check against an independent computation.")))  # fmt: skip
    rows = [[_section_ref(o), lab, Markup(f"#text(font: \"DejaVu Sans Mono\", size: 8.5pt)[{plain(_grouped(d))}]")]
            for o, lab, d in found]  # fmt: skip
    out.append(table(ctx, [tx("Section"), tx("Quantity"), tx("Value")], rows, size="9.5pt",
                     columns="(1fr, 1fr, 1.6fr)"))  # fmt: skip
    return "\n".join(out) + "\n"
