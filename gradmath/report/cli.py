"""``python -m gradmath.report`` (also the console script ``gradmath-report``): solve every registered
problem and write one typeset PDF.

Exit status (documented in the README):

- 0: the report was written and every check passed;
- 1: the report was written, but a check failed or a solver raised (each named on stderr);
- 2: a usage error, found before any work (a bad option, an unwritable or repeated output path, a
  missing ``--mnist`` path, an unknown ``--only`` id): one line, no traceback;
- 3: the report could not be written (a full disk, an I/O error): one line naming the path; the old
  file is left as it was;
- 130: interrupted (Ctrl-C or SIGTERM): nothing written, the old files intact, no temporary files.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from .outputs import OutputError, UsageError, output_path, refuse_same_file, write_atomic
from .runner import in_pool, pool_data, worth_a_pool

__all__ = ["main", "entry", "PROG", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_WRITE", "EXIT_INTERRUPTED"]

PROG = "python -m gradmath.report"

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_WRITE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        raise UsageError(message)


def _int_at_least(lo: int, what: str):
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer >= {lo}, got {text!r}") from None
        if n < lo:
            raise argparse.ArgumentTypeError(f"must be an integer >= {lo} ({what}), got {n}")
        return n

    return parse


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Solve every problem and claim of Nielsen's chapter 5 and write a typeset PDF report.",
    )
    p.add_argument("-o", "--output", metavar="PATH", default="gradmath-report.pdf", help="PDF to write")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--quick", action="store_true", help="small configurations of the slow experiments")
    p.add_argument("--seeds", metavar="N", type=_int_at_least(2, "a std over seeds needs two"),
                   help="seeds per experiment (N >= 2)")  # fmt: skip
    p.add_argument(
        "--mnist", metavar="PATH", help="full MNIST: a folder of IDX files, mnist.pkl.gz or mnist.npz"
    )
    p.add_argument("--download", action="store_true", help="download the full MNIST (verified by MD5)")
    p.add_argument("--only", metavar="ID[,ID...]", help="only these problem ids (comma-separated)")
    p.add_argument("--jobs", metavar="N", type=_int_at_least(1, "one process at least"),
                   help="worker processes for the solvers (default: one per CPU)")  # fmt: skip
    p.add_argument(
        "--no-cache", action="store_true", help="recompute every result (the cache is not read or written)"
    )
    p.add_argument("--clear-cache", action="store_true", help="empty the results cache and exit")
    return p


def _select(ids: list[str], only: str | None) -> list[str]:
    """The ids ``--only`` asks for, in the report's order; an unknown id suggests the nearest."""
    if only is None:
        return ids
    from gradmath.validate import suggest

    wanted = [s.strip() for s in only.split(",")]
    if not any(wanted) or not all(wanted):
        raise UsageError(f"--only {only!r}: give one or more problem ids separated by commas")
    unknown = [w for w in wanted if w not in ids]
    if unknown:
        hint = suggest(unknown[0], ids)
        raise UsageError(f"--only: unknown id {unknown[0]!r}{hint or '; known: ' + ', '.join(ids)}")
    return [i for i in ids if i in wanted]


def _registry(cache) -> list[dict]:
    """``[{id, uses}]`` in the report's order, from the registry (which imports every solver); kept in
    the cache under the source's hash, so that a rebuild need not import the solvers to know them."""
    from gradmath.registry import PROBLEMS, problem_class

    listing = [{"id": pid, "uses": sorted(problem_class(pid).uses)} for pid in PROBLEMS]
    cache.store_manifest(listing)
    return listing


def _load_data(args, stream) -> Any:
    if not (args.mnist or args.download):
        return None
    from gradmath.datasets import load_mnist

    stream.write("loading MNIST ...\n")
    try:
        return load_mnist(args.mnist) if args.mnist else load_mnist(download=True)
    except (OSError, ValueError) as exc:
        what = f"--mnist {args.mnist}" if args.mnist else "--download"
        raise UsageError(f"{what}: {' '.join(str(exc).split())}") from None


def _check_args(args) -> tuple[Path, Path | None]:
    out = output_path(args.output, "-o")
    json_path = output_path(args.json, "--json") if args.json is not None else None
    refuse_same_file({"-o": out, "--json": json_path})
    if args.mnist and args.download:
        raise UsageError("--mnist and --download exclude each other")
    if args.mnist is not None and not Path(args.mnist).exists():
        raise UsageError(f"--mnist {args.mnist}: no such file or folder")
    return out, json_path


def _check_seeds(seeds: int, ids: list[str]) -> None:
    """Refuse ``--seeds`` above what one of the selected solvers accepts, before any work."""
    from gradmath.registry import RunOptions, problem_class

    for pid in ids:
        try:
            problem_class(pid).checked_options(RunOptions(seeds=seeds))
        except ValueError as exc:
            raise UsageError(f"--seeds {seeds}: {pid}: {exc}") from None


def _jobs(listing: list[dict], ids: list[str], args, data: Any, cache, problems) -> list:
    from .cache import data_hash, solution_key
    from .runner import Job

    if problems is not None:
        return [Job(pid, frozenset({"seeds", "data"}), run=problems[pid]) for pid in ids]
    uses = {e["id"]: frozenset(e["uses"]) for e in listing}
    dh = data_hash(data) if any("data" in uses[i] for i in ids) else "embedded"
    mode = "quick" if args.quick else "default"
    timings = cache.timings()
    return [
        Job(pid, uses[pid], key=solution_key(pid, uses[pid], args.quick, args.seeds, dh),
            cost=timings.get(f"{pid}|{mode}", 10.0 if "data" in uses[pid] else 1.0),
            spread=data is not None and "data" in uses[pid] and not args.quick)
        for pid in ids
    ]  # fmt: skip


def main(argv: Sequence[str] | None = None, *, problems: Mapping[str, Any] | None = None,
         cache_dir: str | Path | None = None) -> int:  # fmt: skip
    """Run the report command; return its exit status (see the module docstring).

    ``problems`` replaces the registry by ``{id: run(options) -> Solution}`` (run in-process, never
    cached); ``cache_dir`` replaces the cache folder.
    """
    stream = sys.stderr
    t_start = time.perf_counter()
    pool = None
    try:
        try:
            args = _parser().parse_args(argv)
        except SystemExit as exc:  # --help
            return int(exc.code or 0)
        from .cache import ResultCache

        cache = ResultCache(cache_dir, enabled=not args.no_cache and problems is None)
        if args.clear_cache:
            n = ResultCache(cache_dir).clear()
            stream.write(f"removed {n} cached files from {cache.folder}\n")
            return EXIT_OK
        out, json_path = _check_args(args)
        data = _load_data(args, stream)
        from .environment import usable_cpus

        workers = args.jobs or usable_cpus()
        if problems is None:
            listing = cache.load_manifest()
            if listing is None and workers > 1 and args.only is None:  # a first full run: start the
                # workers while the solvers load (a run with --only is usually too small to need them);
                # they need the data only in a quick run: otherwise the experiments on it spread their
                # seeds from this process (Job.spread, see _jobs)
                pool = _start_pool(workers, data if args.quick else None)
            listing = listing or _registry(cache)
        else:
            listing = [{"id": pid, "uses": ["seeds", "data"]} for pid in problems]
        ids = _select([e["id"] for e in listing], args.only)
        if args.seeds is not None and problems is None:
            _check_seeds(args.seeds, [e["id"] for e in listing if e["id"] in ids and "seeds" in e["uses"]])
        jobs = _jobs(listing, ids, args, data, cache, problems)
        missing = [j for j in jobs if in_pool(j) and not cache.has_solution(j.key)]
        if pool is None and worth_a_pool(missing, workers):
            pool = _start_pool(min(workers, len(missing)), pool_data(missing, data))
        return _build(args, jobs, data, cache, pool, out, json_path, stream, t_start, workers)
    except UsageError as exc:
        stream.write(f"{PROG}: error: {exc}\n")
        return EXIT_USAGE
    finally:
        if pool is not None:
            pool.close(interrupted=sys.exc_info()[0] is not None)


def _start_pool(workers: int, data: Any):
    from .runner import WorkerPool

    return WorkerPool(workers, data).start()


def _build(args, jobs, data, cache, pool, out, json_path, stream, t_start, workers) -> int:
    """Solve (or reuse), typeset, compile and write; return the exit status."""
    from . import typeset
    from .meta import describe_run
    from .pdf import compile_pdf

    meta = describe_run(args, data, workers)
    key = typeset.document_key(jobs, cache, meta)
    kept = cache.load_document(key) if key is not None else None
    files = typeset.figure_files(kept, cache) if kept is not None else None
    if kept is None or files is None:  # build the document from the results
        # the JSON is needed for --json, or to keep the document (only when every result was cached)
        need_json = json_path is not None or key is not None
        kept, files, pdf = _typeset(args, jobs, data, cache, pool, meta, stream, workers, need_json)
        if key is not None and kept["hits"] == len(jobs):  # a document of cached results only
            cache.store_document(key, kept)
    else:  # every result and the document itself from the cache: only Typst runs
        stream.write("".join(kept["status"]))
        pdf = compile_pdf(kept["source"], files)
    t_done = time.perf_counter() - t_start
    try:
        write_atomic(out, pdf)
        if json_path is not None:
            write_atomic(json_path, kept["json"].encode())
    except OutputError as exc:
        stream.write(f"{PROG}: error: {exc}\n")
        return EXIT_WRITE
    stream.write(
        f"wrote {out} ({len(pdf) / 1024:.0f} KiB; {kept['hits']} of {len(jobs)} results from the cache; "
        f"solved and typeset in {t_done:.1f} s, total {time.perf_counter() - t_start:.1f} s)\n"
    )
    stream.write("".join(kept["failures"]))
    return EXIT_FAILED if kept["failed"] else EXIT_OK


def _typeset(
    args, jobs, data, cache, pool, meta, stream, workers, need_json: bool
) -> tuple[dict, dict, bytes]:
    """Run (or load) every result, build the document and compile it: (kept entry, files, PDF); the
    entry's JSON only when ``need_json``."""
    from . import document, results, typeset
    from .pdf import compile_pdf
    from .runner import run_jobs, status_line

    opts = argparse.Namespace(quick=bool(args.quick), seeds=args.seeds, data=data)
    outcomes = run_jobs(jobs, opts, cache=cache, workers=workers, stream=stream, pool=pool)
    files = {name: svg for o in outcomes for name, svg in o.files.items()}
    source = document.build_document(outcomes, meta)
    warned: list[str] = []
    try:
        pdf = compile_pdf(source, files, warned)
    except Exception as exc:  # a formula Typst rejects must not sink the report: plain maths instead
        stream.write(
            f"warning: typst failed ({' '.join(str(exc).split())[:300]}); retrying with plain maths\n"
        )
        source, warned = document.build_document(outcomes, meta, safe=True), []
        pdf = compile_pdf(source, files, warned)
    from .cache import figure_style_hash

    failures, failed = _failures(outcomes)
    failures = _typst_warnings(warned) + failures
    json_text = results.dumps(outcomes, meta) if need_json else None
    kept = typeset.entry_for(source, outcomes, jobs, figure_style_hash(), json_text)
    kept.update(status=[status_line(k, len(outcomes), o) for k, o in enumerate(outcomes, 1)], failures=failures,
                failed=failed, hits=sum(o.cached for o in outcomes))  # fmt: skip
    return kept, files, pdf


def _typst_warnings(warned: list[str]) -> list[str]:
    """Typst's warnings as lines for stderr, each distinct one once with its count."""
    from collections import Counter

    return [
        f"warning: typst: {w}" + (f" ({n} times)" if n > 1 else "") + "\n" for w, n in Counter(warned).items()
    ]


def _failures(outcomes) -> tuple[list[str], bool]:
    """The lines naming each failed check or solver (and figure warnings); True if anything failed."""
    bad, lines = [], []
    for o in outcomes:
        if o.error is not None:
            bad.append(f"{o.id}: solver raised {o.error[:200]}")
        elif not o.solution.checks:
            bad.append(f"{o.id}: no checks")
        else:
            bad += [f"{o.id}: check failed: {c.claim.plain()}" for c in o.solution.failed_checks]
        lines += [f"warning: {o.id}: {err}\n" for err in o.figure_errors]
    return lines + [f"FAILED {line}\n" for line in bad], bool(bad)


def _terminate(signum, frame):  # SIGTERM unwinds like Ctrl-C: temp files and workers are cleaned up
    raise KeyboardInterrupt


def entry(argv: Sequence[str] | None = None) -> NoReturn:
    """The console script: :func:`main`, with SIGTERM handled like Ctrl-C (exit status 130); it ends the
    process (:func:`_leave`), so call :func:`main` to run the report from Python."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    try:
        code = main(argv)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted; nothing written\n")
        code = EXIT_INTERRUPTED
    _leave(code)


def _leave(code: int) -> NoReturn:
    """End the process with status ``code``: the exit handlers run (worker pools shut down, coverage
    saved), the streams are flushed, and then the process ends without freeing its objects one by one.

    A normal interpreter exit deallocates every object first: with SymPy's caches and the solutions
    loaded that took 0.8 s of a 10 s ``--quick`` run here, after the PDF was written. Every file the
    report writes is complete and closed before this point (:func:`~.outputs.write_atomic`).

    Under a profiler, tracer or debugger (``python -m cProfile``, ``trace``, ``pdb``), which write their
    results after the program returns, the process exits the normal way."""
    import atexit
    import threading

    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)

    try:  # what the interpreter does first on exit: join the threads, shut executors down (joblib's
        threading._shutdown()  # loky workers among them), then the atexit handlers
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed or broken pipe: nothing more to say
                pass
        os._exit(code)
