"""One section of the report per problem: the statement as posed, the answer in a sentence or two,
the derivation (numbered equations), the answer lines, the figures and a compact table of checks.
"""

from __future__ import annotations

from typing import Any

from gradmath.contract import AnswerLine, Check, Solution, Step, Table
from gradmath.printing.typst import typst_string
from gradmath.text import Ref, Text, as_text, tx

from .markup import (
    WITHIN_HEADER,
    Context,
    Markup,
    cell,
    humanize,
    label,
    plain,
    table,
    value_markup,
    within,
)
from .outcome import Outcome

__all__ = ["section", "verdict_markup", "mark", "equation_numbers", "HIDDEN_ANSWER_KEYS", "sub_heading"]

#: answer keys about the run, not the problem: they go to the reproducibility appendix
HIDDEN_ANSWER_KEYS = frozenset({"elapsed", "gflops_per_second", "gflops", "seconds"})


def sub_heading(words: str) -> str:
    return f"#heading(level: 2, numbering: none, outlined: false)[{plain(words)}]"


def verdict_markup(verdict: Any) -> str:
    """The verdict word, styled (colour and weight differ; the word carries the meaning)."""
    word = getattr(verdict, "value", str(verdict))
    return f"#verdict({typst_string(word)})"


def mark(passed: bool) -> str:
    return "#passmark" if passed else "#failmark"


def equation_numbers(index: int, steps: list[Step]) -> dict[int, tuple[str, str | None]]:
    """Step position -> (number shown, label): the book's number for a tagged step, else ``(k.j)``
    for a step that has a label (section ``k``, its ``j``-th numbered equation)."""
    out: dict[int, tuple[str, str | None]] = {}
    j = 0
    for i, step in enumerate(steps):
        if step.expr is None:
            continue
        if step.tag:
            out[i] = (f"({step.tag})", step.label)
        elif step.label:
            j += 1
            out[i] = (f"({index}.{j})", step.label)
    return out


def _source_line(ctx: Context, sol: Solution) -> str:
    src = sol.source
    cite = ctx.rich(Text([_cite(src)]))
    return f"#sourceline[{plain('Posed in')} {cite} · {plain('gradmath id')} #raw({typst_string(sol.id)})]"


def _cite(src: Any):
    from gradmath.text import Cite

    return Cite(src.key, src.where)


def _figure_refs(ctx: Context, o: Outcome, texts: list[Text]) -> Text:
    """A sentence pointing at the section's figures that its text does not reference yet."""
    mine = [ctx.fig_label(o.id, f.name) for f in o.solution.figures if o.figures.get(f.name)]
    referenced = {ctx.resolve(p) for t in texts for p in t.parts if isinstance(p, Ref)}
    todo = [lab for lab in mine if lab not in referenced]
    if not todo:
        return Text()
    refs = [Ref(lab, "the figure") for lab in todo]
    if len(refs) == 1:
        return tx(" {} shows the result.", refs[0])
    return tx(" {} and {} show the results.", Text(_join(refs[:-1])), refs[-1])


def _join(refs: list[Ref]) -> list:
    out: list = []
    for i, r in enumerate(refs):
        out += ([", "] if i else []) + [r]
    return out


def _steps(ctx: Context, index: int, steps: list[Step]) -> str:
    numbers = {i: (n, ctx.eq_label(ctx.section, lab) if lab else None)
               for i, (n, lab) in equation_numbers(index, steps).items()}  # fmt: skip
    out = [sub_heading("Derivation")]
    for i, step in enumerate(steps):
        if step.text:
            out.append(ctx.rich(step.text) + "\n")
        if step.expr is not None:
            number, lab = numbers.get(i, (None, None))
            out.append(ctx.display(step.expr, number, lab) + "\n")
        if step.table is not None:
            out.append(_table(ctx, step.table))
    return "\n".join(out) + "\n"


def _table(ctx: Context, t: Table) -> str:
    return table(ctx, t.header, t.rows, size="9.5pt", caption=t.caption or None)


def _answer_lines(ctx: Context, lines: list[AnswerLine]) -> str:
    out, pending = [], []

    def flush() -> None:
        if pending:
            out.append(_answers(ctx, [[Markup(ctx.rich(a.label)), cell(ctx, a.value)] for a in pending]))
            pending.clear()

    for line in lines:
        if isinstance(line.value, Table):
            flush()
            out.append(f"#block(breakable: false)[{ctx.rich(line.label)}:\n{_table(ctx, line.value)}]")
        else:
            pending.append(line)
    flush()
    return "\n".join(out) + "\n"


def _answer_dict(ctx: Context, answer: dict) -> str:
    """The answer dict, for a solver that gives no answer lines: keys in words, values typeset."""
    rows = []
    for k, v in answer.items():
        if str(k) in HIDDEN_ANSWER_KEYS:
            continue
        try:
            val = value_markup(ctx, v)
        except Exception as exc:  # a value the report cannot typeset must not sink the section
            val = Markup(plain(f"(could not typeset a {type(v).__name__}: {exc})"))
        rows.append([Markup(ctx.rich(tx(humanize(k)))), val])
    return _answers(ctx, rows) if rows else ""


def _answers(ctx: Context, rows: list[list[Markup]]) -> str:
    """Answer lines: label and value, in a two-column table without a header."""
    return table(ctx, None, rows, columns="(36%, 1fr)")


def _checks(ctx: Context, checks: list[Check]) -> str:
    rows = []
    for c in checks:
        rows.append([c.claim, within(c.agreement, c.tolerance), Markup(mark(c.passed))])
    intro = tx("Each by two independent methods; the methods and what each check would catch: {}.",
               Ref("app-checks", "the appendix"))  # fmt: skip
    return (
        sub_heading("Checks")
        + "\n"
        + ctx.lead(intro)
        + table(
            ctx, [tx("Claim"), WITHIN_HEADER, tx("")], rows, size="9.5pt", columns="(1fr, auto, auto)"
        )  # fmt: skip
    )


def _figures(ctx: Context, o: Outcome) -> str:
    out = []
    for f in o.solution.figures:
        fname = o.figures.get(f.name)
        if fname is None:
            continue
        lab = ctx.fig_label(o.id, f.name)
        tail = f" <{lab}>" if lab in ctx.labels else ""
        out.append(f'#figure(image("{fname}", width: 100%), caption: [{ctx.rich(f.caption)}]){tail}\n')
    return "\n".join(out)


def section(ctx: Context, index: int, o: Outcome) -> str:
    """The Typst source of section ``index`` (1-based) for outcome ``o``."""
    sol = o.solution
    ctx.section = o.id
    title = o.title or (sol.title if sol is not None else o.id)
    out = [f"= {ctx.rich(title)} <{label(o.id)}>"]
    if sol is None:
        out.append(
            f"#failbox[{plain(f'The solver of {o.id} raised an error, so this section is empty: {o.error}')}]"
        )
        return "\n".join(out) + "\n"
    out.append(_source_line(ctx, sol))
    out.append(f"#statement[{ctx.rich(sol.statement)}]\n")
    texts = [sol.statement, sol.answer_text, *(s.text for s in sol.steps)]
    refs = _figure_refs(ctx, o, texts)
    if sol.answer_text:
        out.append(f"*{plain('Answer.')}* {ctx.rich(as_text(sol.answer_text) + refs)}\n")
    elif refs:  # no answer sentence yet: point at the figures on their own
        out.append(ctx.rich(Text(refs.parts[1:])) + "\n")
    if sol.steps:
        out.append(_steps(ctx, index, sol.steps))
    out.append(sub_heading("Result"))
    out.append(_answer_lines(ctx, sol.answer_lines) if sol.answer_lines else _answer_dict(ctx, sol.answer))
    verdict = f"*{plain('Verdict:')}* {verdict_markup(sol.verdict)} — {ctx.rich(sol.verdict_reason)}"
    if sol.corrections:
        verdict += " " + ctx.rich(
            tx("The source's wording is corrected in {}.", Ref("app-corrections", "the appendix"))
        )
    out.append(verdict + "\n")  # the conclusion, then its evidence
    out.append(_figures(ctx, o))  # floats: at the bottom of this page or the top of the next
    if sol.checks:
        out.append(_checks(ctx, sol.checks))
    else:
        out.append(f"#failbox[{plain('This solver reports no checks.')}]")
    return "\n".join(out) + "\n"
