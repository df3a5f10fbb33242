"""The reproducibility appendix: how to rebuild, software, machine and BLAS, data, and each section's
run (seeds, run time, GFLOP/s where the solver measures it, whether it came from the cache)."""

from __future__ import annotations

from typing import Any

from gradmath.printing.typst import typst_string
from gradmath.text import Num, tx

from .markup import Context, Markup, label, plain, table
from .outcome import Outcome
from .sections import sub_heading

__all__ = ["reproducibility_appendix", "bibliography"]


def _runs(ctx: Context, outcomes: list[Outcome], meta: dict) -> str:
    rows = []
    for o in outcomes:
        facts = o.facts or {}
        seeds = facts.get("seeds")
        seeds_cell = tx("{}", int(seeds)) if seeds else tx("—")
        gflops = facts.get("gflops")
        how = tx("cached, computed {}", o.created.split()[0]) if o.cached and o.created else tx("this run")
        if o.error is not None:
            how = tx("failed")
        rows.append([
            Markup(f"#secnum(<{label(o.id)}>) {plain(o.id)}"),
            tx("{}", Num(o.elapsed, sig=2)) if o.elapsed else tx("—"),
            seeds_cell,
            tx("{}", Num(gflops, sig=3)) if gflops else tx("—"),
            how,
        ])  # fmt: skip
    total = sum(o.elapsed for o in outcomes)
    how_run = ("each in a worker process with BLAS held to one thread" if meta.get("options", {}).get("jobs", 1) > 1
               else "one after the other in one process")  # fmt: skip
    intro = tx(
        "The solver run time of each section in seconds ({}; together {} s of computation), the seeds of the "
        "experiments, and the arithmetic rate where a solver measures it.",
        how_run,
        Num(total, sig=3),
    )
    return (
        sub_heading("Runs")
        + "\n"
        + ctx.lead(intro)
        + table(
            ctx,
            [tx("Section"), tx("Seconds"), tx("Seeds"), tx("GFLOP/s"), tx("Result")],
            rows,
            size="9pt",
            columns="(1.9fr, 0.7fr, 0.5fr, 0.7fr, 1.7fr)",
        )  # fmt: skip
    )


def _kv(ctx: Context, title: str, pairs: dict[str, Any]) -> str:
    rows = [[tx(k), tx(str(v))] for k, v in pairs.items()]
    return (
        sub_heading(title)
        + "\n"
        + table(ctx, [tx("Item"), tx("Value")], rows, size="9pt", columns="(30%, 1fr)")
    )


def _blas(ctx: Context, libs: list[dict[str, str]]) -> str:
    if not libs:
        return sub_heading("BLAS") + "\n" + ctx.rich(tx("threadpoolctl found no BLAS library.")) + "\n"
    head = [tx(k.capitalize()) for k in libs[0]]
    rows = [[tx(v) for v in lib.values()] for lib in libs]
    note = tx("As threadpoolctl reports them in the process that wrote this report; the solver processes "
              "limit each library to one thread.")  # fmt: skip
    return sub_heading("BLAS") + "\n" + ctx.lead(note) + table(ctx, head, rows, size="9pt")


def _command(meta: dict) -> str:
    opts = meta.get("options", {})
    words = ["python -m gradmath.report"]
    if opts.get("quick"):
        words.append("--quick")
    if opts.get("seeds") is not None:
        words.append(f"--seeds {opts['seeds']}")
    if opts.get("mnist"):
        words.append("--mnist PATH")
    if opts.get("download"):
        words.append("--download")
    if opts.get("only"):
        words.append(f"--only {opts['only']}")
    return " ".join(words)


def reproducibility_appendix(ctx: Context, outcomes: list[Outcome], meta: dict) -> str:
    out = ["= " + plain("Reproducibility") + " <app-reproducibility>"]
    out.append(ctx.lead(tx(
        "Every number in this report comes from the command below, run with the software and on the machine "
        "listed here; the experiments draw their random numbers from NumPy generators seeded with the seed "
        "index, so that a rerun reproduces them. Results are cached between runs, keyed by the problem, its "
        "options, the package's source files and the data.")))  # fmt: skip
    out.append(f"#block(inset: (left: 1.5em))[#raw({typst_string(_command(meta))})]\n")
    data = meta.get("data", {})
    out.append(
        _kv(ctx, "Data", {"MNIST": data.get("description", "—"), "Provenance": data.get("provenance", "—")})
    )
    out.append(_runs(ctx, outcomes, meta))
    out.append(_kv(ctx, "Software", meta.get("versions", {})))
    out.append(_kv(ctx, "Machine", meta.get("machine", {})))
    out.append(_blas(ctx, meta.get("blas", [])))
    return "\n".join(out) + "\n"


def bibliography() -> str:
    """The bibliography (every entry of :mod:`gradmath.sources`), from ``refs.bib``."""
    return '#bibliography("refs.bib", title: [References], style: "ieee", full: true)\n'
