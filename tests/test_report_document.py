"""The report's document, compiled by Typst and read back with ``typst.query``: its structure, the
summary's rows, numbered and tagged equations, cross-references, citations and the appendices."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import sympy as sp

from gradmath.contract import (
    AnswerLine,
    Check,
    Correction,
    Figure,
    Finding,
    Panel,
    Series,
    Solution,
    Step,
    Table,
    Verdict,
)
from gradmath.report import document
from gradmath.report.figures import render_svg
from gradmath.report.outcome import Outcome
from gradmath.report.pdf import typst_root
from gradmath.sources import SOURCES, Source, bibtex
from gradmath.text import Cite, Num, Ref, tx

W_DIGITS = "6.894151032272928149716151337627152466478"  # 40 significant digits
x = sp.Symbol("x")


def _solution(pid: str, findings: int = 1) -> Solution:
    return Solution(
        id=pid,
        title=tx("Problem {}: the bound {}", pid, sp.Le(x, sp.Rational(1, 4))),
        source=Source("nielsen", "Problem 1(3)"),
        statement=tx(
            "Show that {} holds, as {} says.", sp.Le(x, sp.Rational(1, 4)), Cite("nielsen", "sec. 5.1")
        ),
        answer={"w": 6.894, "w_digits": W_DIGITS, "table": {"a": 1.0}},
        answer_text=tx(
            "It holds: see {} and {}.", Ref("eq:main", "the equation"), Ref("nowhere", "WORDSOFAMISSINGREF")
        ),
        answer_lines=[
            AnswerLine(tx("the maximiser {}", sp.Symbol("w^*")), tx("{}", Num(6.894151, err=3e-6)), key="w"),
            AnswerLine(tx("the maximiser to 40 digits"), tx(W_DIGITS), key="w_digits"),
            AnswerLine(tx("per layer"), Table((tx("layer"), tx("norm")), ((tx("1"), tx("{}", Num(0.5))),))),
        ],
        steps=[
            Step(tx("By the book's equation,"), sp.Eq(x, sp.Rational(1, 4)), tag="123"),
            Step(tx("hence our own,"), sp.Le(x, 1), label="eq:main"),
            Step(tx("and an unnumbered one."), sp.Ge(x, 0)),
        ],
        checks=[
            Check("claim A", ("method one", "method two"), 1e-12, 1e-9, catches="a dropped factor"),
            Check("claim B", ("method three", "method four"), 0.0, 0.0),
        ],
        figures=[
            Figure(f"{pid}-fig", tx("A figure of {}.", x), [Panel([Series(np.arange(3), np.arange(3), "a")])])
        ],
        findings=[
            Finding(
                tx("finding {} of {}", k, pid),
                tx("{}", sp.Rational(1, 4)),
                tx("{}", Num(0.25, err=0.01)),
                Verdict.CORRECTED if k else Verdict.CONFIRMED,
            )
            for k in range(findings)
        ],  # fmt: skip
        corrections=[
            Correction(
                Source("nielsen", "sec. 5.1"), "the QUOTED words", tx("what holds"), tx("the evidence")
            )
        ],
        verdict=Verdict.CONFIRMED,
        verdict_reason=tx("it holds"),
    )


@pytest.fixture(scope="module")
def compiled():
    outcomes = [
        Outcome(
            "alpha", solution=_solution("alpha", findings=2), elapsed=1.5, facts={"seeds": 20, "gflops": 3.25}
        ),
        Outcome(
            "beta", solution=_solution("beta", findings=0), elapsed=0.5, cached=True, created="2026-01-01"
        ),
        Outcome("gamma", error="RuntimeError: boom", title="gamma"),
    ]
    files = {}
    for k, o in enumerate(outcomes):
        if o.solution is not None:
            for j, f in enumerate(o.solution.figures):
                name = f"fig-{k:02d}-{j:02d}.svg"
                files[name] = render_svg(f)
                o.figures[f.name] = name
    meta = {"version": "9.9", "options": {"quick": True}, "data": {"description": "the DATA DESCRIPTION"},
            "versions": {"numpy": "1.0"}, "machine": {"CPU": "a CPU"}, "blas": []}  # fmt: skip
    src = document.build_document(outcomes, meta)
    pdf = document.compile_pdf(src, files)
    with typst_root(src, files) as main:
        import typst

        def query(selector):
            return json.loads(typst.query(main, selector, root=os.path.dirname(main)))

        yield src, pdf, query


def _between(src: str, start: str, end: str | None) -> str:
    """The Typst source from the heading labelled ``start`` to the one labelled ``end``."""
    a = src.index(f" <{start}>\n")
    return src[a : src.index(f" <{end}>\n", a)] if end else src[a:]


def test_it_compiles(compiled):
    src, pdf, _ = compiled
    assert pdf[:5] == b"%PDF-"


def test_headings_sections_then_appendices(compiled):
    _, _, query = compiled
    level1 = [h for h in query("heading") if h["level"] == 1]
    labels = [h["label"] for h in level1 if h.get("label")]  # the contents and references have none
    assert labels[:4] == ["<summary>", "<alpha>", "<beta>", "<gamma>"]
    assert labels[4:8] == ["<app-checks>", "<app-corrections>", "<app-constants>", "<app-reproducibility>"]
    numbering = {h["label"]: h["numbering"] for h in level1 if h.get("label")}
    assert [numbering[f"<{p}>"] for p in ("alpha", "beta", "gamma", "app-checks")] == ["1.1"] * 3 + ["A.1"]


def test_summary_has_one_row_per_finding_and_links_each_to_its_section(compiled):
    src, _, _ = compiled
    summary = _between(src, "summary", "alpha")
    # alpha: two findings; beta: none, so one row for the section; gamma: failed, one row
    assert summary.count("#secnum(<alpha>)") == 2 and summary.count("#secnum(<beta>)") == 1
    assert summary.count("#secnum(<gamma>)") == 1
    assert '#verdict("corrected")' in summary and '#verdict("failed")' in summary
    assert "#set text(size" not in summary  # the summary is set in the body's type size


def test_equations_numbered_by_the_book_and_by_section(compiled):
    src, _, query = compiled
    assert 'numbering: _ => "(123)"' in src  # the book's own number, cited as such
    assert 'numbering: _ => "(1.1)"' in src and 'numbering: _ => "(2.1)"' in src  # ours: section.number
    refs = {r["target"] for r in query("ref")}
    assert {"<alpha:eq:main>", "<beta:eq:main>"} <= refs  # each section's Ref finds its own equation
    assert "WORDSOFAMISSINGREF" in src  # a Ref to nothing prints its words instead of breaking the build


def test_every_figure_is_referenced(compiled):
    _, _, query = compiled
    figure_labels = {f["label"] for f in query("figure") if f.get("kind") == "image" and f.get("label")}
    refs = {r["target"] for r in query("ref")}
    assert figure_labels == {"<fig:alpha-fig>", "<fig:beta-fig>"} and figure_labels <= refs


def test_citations_and_the_bibliography(compiled):
    _, _, query = compiled
    cites = [c["key"] for c in query("cite")]
    assert "<nielsen>" in cites
    assert "neuralnetworksanddeeplearning.com" in bibtex() and SOURCES["nielsen"].url in bibtex()
    assert query("bibliography")[0]["full"] is True


def test_appendices_carry_checks_corrections_constants_and_the_run(compiled):
    src, _, _ = compiled
    checks = _between(src, "app-checks", "app-corrections")
    assert (
        checks.count("method one") == 2 and "a dropped factor" in checks
    )  # both sections, with what it catches
    corrections = _between(src, "app-corrections", "app-constants")
    assert corrections.count("the QUOTED words") == 2
    constants = _between(src, "app-constants", "app-reproducibility")
    assert constants.count("6.89415 10322 72928 14971 61513 37627 15246 6478") == 2
    run = _between(src, "app-reproducibility", None)
    assert "3.25" in run and "the DATA DESCRIPTION" in run and "cached, computed 2026" in run


def test_failed_solver_gets_a_section_saying_so(compiled):
    src, _, _ = compiled
    assert "The solver of gamma raised an error" in src and "boom" in src


def test_python_names_become_words(compiled):
    src, _, _ = compiled
    body = _between(src, "alpha", "app-checks")
    assert "w_digits" not in body  # the answer line's label is used, not the key


@pytest.mark.parametrize("n_rows", [1, 5, 6, 7, 16, 17, 40])
def test_tables_keep_every_row_once_and_break_only_between_pieces_of_three(n_rows):
    import re

    from gradmath.report.markup import CHUNK_ROWS, Context, table

    src = table(Context(), [tx("n")], [[tx("row {}", k)] for k in range(n_rows)], columns="(1fr)")
    assert [int(k) for k in re.findall(r"row \$(\d+)\$", src)] == list(range(n_rows))
    # each piece of rows is spanned by one unbreakable cell: a page breaks only between pieces
    spans = [int(k) for k in re.findall(r"table.cell\(rowspan: (\d+), breakable: false", src)]
    assert sum(spans) == n_rows and all(k >= min(CHUNK_ROWS, n_rows) for k in spans)
    assert src.count("table.header(") == 1 and "repeat: true" in src  # repeated on every page it spans


def test_the_report_of_every_solver_compiles_without_typst_warnings(quick_solution):
    """Typst ignores markup it cannot use, with a warning only (an empty bold header cell, ``[**]``, was
    one: 34 times in the report): the document of every quick solution compiles with none, and a
    warning comes back as a line that names it and the source it points at."""
    import gradmath

    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200"><rect width="400" height="200"/></svg>'
    outcomes, files = [], {}
    for k, pid in enumerate(gradmath.PROBLEMS):
        sol = quick_solution(pid)
        o = Outcome(pid, solution=sol, elapsed=1.0, title=sol.title)
        for j, f in enumerate(sol.figures):
            files[f"fig-{k:02d}-{j:02d}.svg"] = svg
            o.figures[f.name] = f"fig-{k:02d}-{j:02d}.svg"
        outcomes.append(o)
    warned: list[str] = []
    pdf = document.compile_pdf(document.build_document(outcomes, {"version": "x"}), files, warned)
    assert pdf[:5] == b"%PDF-" and warned == []
    document.compile_pdf("#table(columns: 2, [**], [x])", {}, warned)
    # Typst's own words (its message, then its hint in parentheses), then the source it points at
    assert len(warned) == 1 and warned[0].startswith("no text within stars (")
    assert warned[0].endswith(") at: #table(columns: 2, [**], [x])")
