"""``python -m gradmath.report``: solve every registered problem and write one typeset PDF.

Exit status: 0 when every check passes; 1 when the report was written but a check failed or a
solver raised (named on stderr); 2 for a usage error (bad option, unwritable output path, missing
``--mnist`` path), reported in one line without a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["main", "run"]

PROG = "python -m gradmath.report"


class UsageError(Exception):
    """A bad option or path: one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Solve every problem and claim of Nielsen's chapter 5 and write a typeset PDF report.",
    )
    p.add_argument("-o", "--output", metavar="PATH", default="gradmath-report.pdf", help="PDF to write")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--quick", action="store_true", help="small configurations of the slow experiments")
    p.add_argument("--seeds", metavar="N", type=_seed_count, help="seeds per experiment (N >= 2)")
    p.add_argument(
        "--mnist", metavar="PATH", help="full MNIST: a folder of IDX files, mnist.pkl.gz or mnist.npz"
    )
    p.add_argument("--download", action="store_true", help="download the full MNIST (verified by MD5)")
    p.add_argument("--only", metavar="ID[,ID...]", help="only these problem ids (comma-separated)")
    return p


def _seed_count(text: str) -> int:
    """--seeds: the seed statistics are mean and std with ddof=1, so they need at least 2 seeds."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 2, got {text!r}") from None
    if n < 2:
        raise argparse.ArgumentTypeError(f"must be an integer >= 2 (a std over seeds needs two), got {n}")
    return n


def _check_writable(path: str, option: str) -> Path:
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"{option} {path}: is a directory, not a file path")
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise UsageError(f"{option} {path}: not writable")
    return p


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


class _Progress:
    """A progress bar on stderr (only when stderr is a terminal)."""

    def __init__(self, stream, label: str) -> None:
        self.stream = stream
        self.label = label
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last = -1.0
        self.shown = False

    def __call__(self, fraction: float, message: str = "") -> None:
        if not self.tty:
            return
        fraction = min(max(float(fraction), 0.0), 1.0)
        if fraction - self.last < 0.005 and fraction < 1.0:
            return
        self.last = fraction
        width = 24
        filled = int(round(width * fraction))
        bar = "#" * filled + "." * (width - filled)
        msg = str(message)[:40]
        self.stream.write(f"\r  {self.label:<22.22} [{bar}] {100 * fraction:5.1f}% {msg:<40}")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()


def run(
    ids: Sequence[str],
    params_for: Callable[[str], dict],
    stream,
    problems=None,
    on_done: Callable | None = None,
) -> list:
    """Run the solvers ``ids`` in order; return a list of :class:`~gradmath.report.document.Outcome`.

    ``problems`` maps each id to a callable taking a :class:`~gradmath.registry.RunOptions`.
    """
    from .document import Outcome

    problems = _runners() if problems is None else problems
    outcomes = []
    n = len(ids)
    for k, pid in enumerate(ids, 1):
        t0 = time.perf_counter()
        bar = _Progress(stream, pid)
        try:
            fn = problems[pid]
            sol = fn(params_for(pid, bar))
            outcome = Outcome(pid, solution=sol, elapsed=time.perf_counter() - t0, title=sol.title)
        except Exception as exc:  # a failing solver is a failed section, not a crashed report
            msg = f"{type(exc).__name__}: {exc}".strip()
            outcome = Outcome(pid, error=" ".join(msg.split())[:500], elapsed=time.perf_counter() - t0)
        bar.clear()
        if outcome.error is not None:
            status = "ERROR " + outcome.error[:80]
        elif outcome.solution.passed:
            status = f"pass ({len(outcome.solution.checks)} checks)"
        else:
            status = f"FAIL ({len(outcome.solution.failed_checks)} of {len(outcome.solution.checks)} checks)"
        stream.write(f"[{k:2d}/{n}] {pid:<24} {outcome.elapsed:7.2f} s  {status}\n")
        stream.flush()
        outcomes.append(outcome)
        if on_done is not None:
            on_done(len(outcomes) - 1, outcome)
    return outcomes


def _runners() -> dict:
    """``{id: run(options)}`` for every registered problem, in the report's order."""
    from gradmath.registry import PROBLEMS, problem_class

    return {pid: problem_class(pid).run for pid in PROBLEMS}


def main(argv: Sequence[str] | None = None, *, problems=None) -> int:
    """Entry point of ``python -m gradmath.report``; returns the exit status."""
    stream = sys.stderr
    t_start = time.perf_counter()
    try:
        try:
            args = _parser().parse_args(argv)
        except SystemExit as exc:  # --help
            return int(exc.code or 0)
        out = _check_writable(args.output, "-o")
        json_path = _check_writable(args.json, "--json") if args.json else None
        if args.mnist and args.download:
            raise UsageError("--mnist and --download exclude each other")
        if args.mnist and not Path(args.mnist).exists():
            raise UsageError(f"--mnist {args.mnist}: no such file or folder")
        problems = _runners() if problems is None else problems
        ids = list(problems)
        if args.only:
            wanted = [s.strip() for s in args.only.split(",") if s.strip()]
            unknown = [w for w in wanted if w not in problems]
            if unknown or not wanted:
                raise UsageError(
                    f"--only: unknown id {', '.join(unknown) or '(none)'}; known: {', '.join(ids)}"
                )
            ids = [i for i in ids if i in wanted]
        data = None
        if args.mnist or args.download:
            from gradmath.datasets import load_mnist

            stream.write("loading MNIST ...\n")
            try:
                data = load_mnist(args.mnist) if args.mnist else load_mnist(download=True)
            except (OSError, ValueError) as exc:
                what = f"--mnist {args.mnist}" if args.mnist else "--download"
                raise UsageError(f"{what}: {' '.join(str(exc).split())}") from None
    except UsageError as exc:
        stream.write(f"{PROG}: error: {exc}\n")
        return 2

    from gradmath.registry import RunOptions

    def params_for(pid, bar):
        return RunOptions(quick=bool(args.quick), seeds=args.seeds, data=data, progress=bar)

    from .figures import FigurePool

    with FigurePool() as pool:
        # figures are drawn in a worker process while the next solver runs
        outcomes = run(ids, params_for, stream, problems, on_done=pool.submit_outcome)
        t_solve = time.perf_counter() - t_start
        t0 = time.perf_counter()
        files = pool.collect(stream)
    t_fig = time.perf_counter() - t0

    import gradmath

    from . import document, results

    meta = {
        "version": gradmath.__version__,
        "options": {
            "quick": bool(args.quick),
            "seeds": args.seeds,
            "mnist": args.mnist,
            "download": bool(args.download),
            "only": args.only,
        },
        "data": "full MNIST" if data is not None else "embedded MNIST subset",
    }
    t0 = time.perf_counter()
    source = document.build_document(outcomes, meta)
    try:
        pdf = document.compile_pdf(source, files)
    except Exception as exc:
        stream.write(f"warning: typst failed ({' '.join(str(exc).split())[:300]}); retrying with raw math\n")
        document.SAFE_MATH = True
        try:
            pdf = document.compile_pdf(document.build_document(outcomes, meta), files)
        finally:
            document.SAFE_MATH = False
    t_pdf = time.perf_counter() - t0
    write_atomic(out, pdf)
    if json_path is not None:
        write_atomic(json_path, results.dumps(outcomes, meta).encode())
    stream.write(
        f"wrote {out} ({len(pdf) / 1024:.0f} KiB; solvers {t_solve:.1f} s, figures {t_fig:.1f} s, "
        f"typst {t_pdf:.1f} s, total {time.perf_counter() - t_start:.1f} s)\n"
    )
    bad = []
    for o in outcomes:
        if o.error is not None:
            bad.append(f"{o.id}: solver raised {o.error[:200]}")
        elif not o.solution.checks:
            bad.append(f"{o.id}: no checks")
        else:
            bad += [f"{o.id}: check failed: {c.claim.plain()}" for c in o.solution.failed_checks]
    for line in bad:
        stream.write(f"FAILED {line}\n")
    return 1 if bad else 0


def _terminate(signum, frame):  # SIGTERM unwinds like Ctrl-C: temp files and the worker are cleaned up
    raise KeyboardInterrupt


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.stderr.write("interrupted; nothing written\n")
        sys.exit(130)
