"""A :class:`~gradmath.contract.Solution` as a worked solution in a terminal (Unicode) or a notebook
(Markdown with LaTeX). The report's Typst rendering lives in :mod:`gradmath.report`.
"""

from __future__ import annotations

import argparse
import dataclasses
import textwrap
from collections.abc import Callable
from typing import Any

from .contract import AnswerLine, Check, Solution, Step, Table
from .printing.latex import latex_math
from .printing.unicode import unicode_display
from .text import Text, as_text

__all__ = [
    "solution_unicode",
    "solution_markdown",
    "wrap_unicode",
    "table_unicode",
    "table_markdown",
    "run_script",
]


def _argument(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """``parse`` for argparse: its ValueError becomes argparse's one-line usage error."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


def _defaults(param) -> str:
    """``40000`` or, for a parameter with its own quick default, ``40000; 10000 with --quick``."""
    if param.quick is None:
        return str(param.default)
    return f"{param.default}; {param.quick} with --quick"


def run_script(id: str, argv: list[str] | None = None) -> None:
    """What every ``problems/`` script does: parse ``--quick``, the solver's own parameters (``--depth 10``,
    ``--sizes 10,30,10``; see ``--help``), ``--seeds N`` and ``--mnist PATH`` for the MNIST experiments,
    solve ``id`` and print the worked solution. A value the solver refuses is one line and exit status 2."""
    from .registry import RunOptions, problem_class, solve

    cls = problem_class(id)
    parser = argparse.ArgumentParser(description=f"The worked solution of {id!r} ({cls.source}).")
    parser.add_argument("--quick", action="store_true", help=f"quick run: {cls.quick}")
    for param in cls.params:
        flag = "--" + param.name.replace("_", "-")
        parser.add_argument(flag, dest=param.name, type=_argument(param.parse), default=None,
                            help=f"{param.doc or param.name} (default {_defaults(param)})")  # fmt: skip
    if "seeds" in cls.uses:
        parser.add_argument("--seeds", type=int, default=None, help="seeds per configuration (>= 2)")
    if "data" in cls.uses:
        parser.add_argument("--mnist", default=None, help="full MNIST: IDX folder, mnist.pkl.gz or mnist.npz")
    args = parser.parse_args(argv)
    own = {p.name: getattr(args, p.name) for p in cls.params if getattr(args, p.name) is not None}
    try:  # bad input is refused here, before any work; an error while solving is a bug and says so
        cls.validated(own, args.quick)
        options = cls.checked_options(RunOptions(quick=args.quick, seeds=getattr(args, "seeds", None)))
        if getattr(args, "mnist", None):
            from .datasets import load_mnist

            options = dataclasses.replace(options, data=load_mnist(args.mnist))
    except (TypeError, ValueError, OSError) as exc:
        parser.exit(2, f"{parser.prog}: error: {exc}\n")
    print(solve(id, options=options, **own).to_unicode())


def wrap_unicode(text: Text | str, width: int = 100, indent: str = "") -> str:
    """Wrap rich text for a terminal; displayed equations keep their lines."""
    rendered = as_text(text).unicode() if not isinstance(text, str) else text
    out = []
    for block in rendered.split("\n\n"):
        if not block.strip():
            continue
        if block.startswith("    "):  # a displayed equation: keep it as printed
            out.append("\n".join(indent + line for line in block.splitlines()))
        else:
            out.append(
                textwrap.fill(" ".join(block.split()), width, initial_indent=indent, subsequent_indent=indent)
            )
    return "\n\n".join(out)


def table_unicode(table: Table, indent: str = "  ") -> str:
    """A table as aligned columns."""
    cells = [[c.unicode() for c in table.header]] + [[c.unicode() for c in row] for row in table.rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(table.header))]
    lines = []
    for k, row in enumerate(cells):
        lines.append(indent + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if k == 0:
            lines.append(indent + "  ".join("─" * w for w in widths))
    if table.caption:
        lines.append(indent + table.caption.unicode())
    return "\n".join(lines)


def _step_unicode(i: int, step: Step, width: int) -> str:
    body = wrap_unicode(step.text, width - 4, "    ")
    body = f"{i:>2}. " + body[4:]
    if step.expr is not None:
        tag = f"   ({step.tag})" if step.tag else ""
        shown = unicode_display(step.expr, width - 8).splitlines()
        if shown and tag:
            shown[len(shown) // 2] += tag
        body += "\n\n" + "\n".join("        " + line for line in shown) + "\n"
    if step.table is not None:
        body += "\n\n" + table_unicode(step.table, "        ")
    return body


def _answer_unicode(line: AnswerLine, width: int) -> str:
    if isinstance(line.value, Table):
        return f"  {line.label.unicode()}:\n" + table_unicode(line.value, "    ")
    return wrap_unicode(tx_line(line.label, line.value), width, "  ")


def tx_line(label: Text, value: Text) -> Text:
    return label + ": " + value


def _check_unicode(c: Check, width: int) -> str:
    mark = "✓" if c.passed else "✗ FAILED"
    head = wrap_unicode(as_text(f"{mark} ") + c.claim, width, "  ")
    methods = f"{c.methods[0].unicode()} vs {c.methods[1].unicode()}"
    agree = f"agreement {c.agreement:.2g} (tolerance {c.tolerance:.2g})"
    return head + "\n" + textwrap.fill(f"{methods}; {agree}", width, initial_indent="      ",
                                       subsequent_indent="      ")  # fmt: skip


def solution_unicode(sol: Solution, width: int = 100) -> str:
    """The worked solution as plain Unicode text: statement, answer, derivation, result, checks."""
    title = sol.title.unicode()
    parts = [
        title,
        "═" * min(len(title), width),
        f"Source: {sol.source}",
        "",
        wrap_unicode(sol.statement, width),
    ]
    parts += ["", wrap_unicode(as_text("Answer. ") + sol.answer_text, width)]
    if sol.steps:
        parts += ["", "Derivation", ""]
        parts += [_step_unicode(i, s, width) for i, s in enumerate(sol.steps, 1)]
    if sol.answer_lines:
        parts += ["", "Result", ""] + [_answer_unicode(a, width) for a in sol.answer_lines]
    n_ok = sum(c.passed for c in sol.checks)
    parts += ["", f"Checks ({n_ok} of {len(sol.checks)} passed)", ""]
    parts += [_check_unicode(c, width) for c in sol.checks]
    if sol.corrections:
        parts += ["", "Corrections of the sources", ""]
        for c in sol.corrections:
            line = as_text(f"• {c.source}: “") + c.quote + "” — " + c.holds + " " + c.evidence
            parts.append(wrap_unicode(line, width, "  "))
    parts += ["", wrap_unicode(as_text(f"Verdict: {sol.verdict.value}. ") + sol.verdict_reason, width)]
    return "\n".join(parts) + "\n"


# --- Markdown (Jupyter) -----------------------------------------------------------------------


def table_markdown(table: Table) -> str:
    def row(cells) -> str:
        return "| " + " | ".join(c.markdown().replace("\n", " ") for c in cells) + " |"

    lines = [row(table.header), "|" + "---|" * len(table.header)] + [row(r) for r in table.rows]
    if table.caption:
        lines += ["", table.caption.markdown()]
    return "\n".join(lines)


def _step_markdown(i: int, step: Step) -> str:
    out = f"{i}. {step.text.markdown()}"
    if step.expr is not None:
        tag = rf" \tag{{{step.tag}}}" if step.tag else ""
        out += f"\n\n   $$\n   {latex_math(step.expr)}{tag}\n   $$"
    if step.table is not None:
        out += "\n\n" + table_markdown(step.table)
    return out


def solution_markdown(sol: Solution) -> str:
    """The worked solution as Markdown with ``$...$`` maths."""
    parts = [f"### {sol.title.markdown()}", f"*{sol.source}*", "", sol.statement.markdown(), "",
             f"**Answer.** {sol.answer_text.markdown()}"]  # fmt: skip
    if sol.steps:
        parts += ["", "**Derivation**", ""] + [_step_markdown(i, s) for i, s in enumerate(sol.steps, 1)]
    if sol.answer_lines:
        parts += ["", "**Result**", ""]
        for a in sol.answer_lines:
            if isinstance(a.value, Table):
                parts += [f"- {a.label.markdown()}:", "", table_markdown(a.value), ""]
            else:
                parts.append(f"- {a.label.markdown()}: {a.value.markdown()}")
    n_ok = sum(c.passed for c in sol.checks)
    parts += ["", f"**Checks** ({n_ok} of {len(sol.checks)} passed)", ""]
    for c in sol.checks:
        mark = "✓" if c.passed else "✗"
        parts.append(f"- {mark} {c.claim.markdown()} ({c.methods[0].markdown()} vs {c.methods[1].markdown()};"
                     f" agreement {c.agreement:.2g}, tolerance {c.tolerance:.2g})")  # fmt: skip
    if sol.corrections:
        parts += ["", "**Corrections of the sources**", ""]
        for c in sol.corrections:
            parts.append(
                f"- {c.source}: “{c.quote.markdown()}” — {c.holds.markdown()} {c.evidence.markdown()}"
            )
    parts += ["", f"**Verdict: {sol.verdict.value}.** {sol.verdict_reason.markdown()}"]
    return "\n".join(parts) + "\n"
