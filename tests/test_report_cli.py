"""The report command, in process: exit codes, JSON, error exits, atomic writes, document contents."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

import gradmath
from gradmath.contract import Check, Figure, Panel, Series, Solution, Step, Verdict
from gradmath.report.__main__ import PROG, main, write_atomic
from gradmath.report.document import Outcome, build_document
from gradmath.report.results import to_jsonable
from gradmath.sources import Source
from gradmath.text import tx


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """Never touch the user's cache folder: every test gets its own."""
    monkeypatch.setenv("GRADMATH_CACHE", str(tmp_path / "gradmath-cache"))


def _solution(pid: str, passed: bool = True, figures: bool = False) -> Solution:
    x = sp.Symbol("x")
    figs = []
    if figures:
        xs = np.linspace(0.0, 1.0, 5)
        figs = [
            Figure(
                "all-kinds",
                "Every series kind of the contract.",
                [
                    Panel(
                        [
                            Series(xs, xs**2, "line"),
                            Series(xs, xs, "scatter", kind="scatter"),
                            Series(xs, xs + 1, "err", kind="errorbar", yerr=0.1 + 0 * xs),
                            Series(xs, xs / 2, "bar", kind="bar", style={"width": 0.1}),
                            Series(xs, xs, "fill", kind="fill", y2=xs / 3),
                        ],
                        title="a",
                    ),
                    Panel(
                        [
                            Series(xs, 1 + xs, "step", kind="step"),
                            Series(None, 1.5, "h", kind="hline"),
                            Series(0.5, None, "v", kind="vline"),
                            Series(0.5, 1.5, "p", kind="point"),
                        ],
                        yscale="log",
                    ),
                ],
            )
        ]
    return Solution(
        id=pid,
        title=tx(f"Title of {pid}"),
        source=Source("nielsen", "test"),
        statement=tx("Show that $x_1 # * [a] @b <c> \\ holds."),
        answer={"value": sp.Rational(1, 4), "w": 0.123456789012345, "arr": np.arange(20.0), "d": {1: 2.0}},
        answer_text=tx("It holds."),
        answer_lines=[],
        steps=[Step("First step.", sp.Eq(sp.Symbol("dC/db_1"), x / 4)), Step("Words only.")],
        checks=[
            Check("claim A", ("m1", "m2"), 1e-12, 1e-9, detail="fine", book="1/4", computed=0.25),
            Check("claim B is the one", ("m1", "m2"), 0.5, 1.0 if passed else 0.1, detail="detail"),
        ],
        figures=figs,
        findings=[],
        corrections=[],
        verdict=Verdict.CONFIRMED,
        verdict_reason=tx("test"),
    )


def _fake_registry(**behaviour):
    """{id: solver}; behaviour maps id -> 'pass' | 'fail' | 'raise' | 'figs'."""
    calls = []

    def make(pid, kind):
        def solver(options):
            calls.append((pid, options.quick, options.seeds))
            if kind == "raise":
                raise RuntimeError(f"boom in {pid}")
            return _solution(pid, passed=(kind != "fail"), figures=(kind == "figs"))

        return solver

    return {pid: make(pid, kind) for pid, kind in behaviour.items()}, calls


def test_all_pass_exit_0_and_json_schema(tmp_path, capsys):
    reg, calls = _fake_registry(one="figs", two="pass")
    before = set(os.listdir(tmp_path))
    out, js = tmp_path / "r.pdf", tmp_path / "r.json"
    code = main(["-o", str(out), "--json", str(js), "--quick", "--seeds", "3"], problems=reg)
    assert code == 0
    assert out.read_bytes()[:5] == b"%PDF-"
    assert set(os.listdir(tmp_path)) - before == {"r.pdf", "r.json"}  # no stray temporary files
    assert calls == [("one", True, 3), ("two", True, 3)]
    doc = json.loads(js.read_text())
    assert set(doc) == {"problems", "meta"}
    assert [p["id"] for p in doc["problems"]] == ["one", "two"]
    p = doc["problems"][0]
    assert {"id", "title", "source", "passed", "answer", "checks"} <= set(p)
    assert p["answer"]["value"] == "1/4"  # SymPy as string
    assert p["answer"]["w"] == 0.123456789012345  # numbers as numbers
    assert p["answer"]["arr"][19] == 19.0
    assert p["answer"]["d"] == {"1": 2.0}  # int keys as strings
    assert p["checks"][0]["book"] == "1/4" and p["checks"][0]["computed"] == 0.25
    err = capsys.readouterr().err
    assert "one" in err and "two" in err


def test_failed_check_exit_1_and_named(tmp_path, capsys):
    reg, _ = _fake_registry(good="pass", bad="fail")
    code = main(["-o", str(tmp_path / "r.pdf")], problems=reg)
    assert code == 1
    assert (tmp_path / "r.pdf").exists()
    err = capsys.readouterr().err
    assert "bad: check failed: claim B is the one" in err
    assert "good: check failed" not in err


def test_raising_solver_is_a_failed_section_not_a_crash(tmp_path, capsys):
    reg, _ = _fake_registry(ok="pass", broken="raise")
    js = tmp_path / "r.json"
    code = main(["-o", str(tmp_path / "r.pdf"), "--json", str(js)], problems=reg)
    assert code == 1
    assert "boom in broken" in capsys.readouterr().err
    doc = json.loads(js.read_text())
    assert doc["problems"][1]["passed"] is False and "boom" in doc["problems"][1]["error"]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["-o", "/nonexistent-folder-xyz/r.pdf"], "/nonexistent-folder-xyz/r.pdf"),
        (["-o", "."], "-o ."),
        (["--json", "/nonexistent-folder-xyz/r.json"], "--json"),
        (["--mnist", "/no/such/mnist/path"], "/no/such/mnist/path"),
        (["--seeds", "0"], "--seeds"),
        (["--seeds", "1"], "--seeds"),
        (["--seeds", "many"], "--seeds"),
        (["--bad-option"], "--bad-option"),
        (["--only", "no-such-id"], "no-such-id"),
        (["--only", ""], "--only"),
        (["--only", ","], "--only"),
        (["--only", "one,,one"], "--only"),
        (["--jobs", "0"], "--jobs"),
        (["--jobs", "two"], "--jobs"),
    ],
)
def test_usage_errors_exit_2_before_solving(tmp_path, capsys, argv, needle):
    reg, calls = _fake_registry(one="pass")
    if argv[0] != "-o":
        argv = ["-o", str(tmp_path / "r.pdf"), *argv]
    before = set(os.listdir(tmp_path))
    assert main(argv, problems=reg) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err
    assert calls == []  # checked before any solver ran
    assert set(os.listdir(tmp_path)) == before


def test_unwritable_output_path_exit_2(tmp_path, capsys):
    # a path under a regular file can be written by nobody, root included
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    reg, calls = _fake_registry(one="pass")
    assert main(["-o", str(blocker / "r.pdf")], problems=reg) == 2
    err = capsys.readouterr().err
    assert str(blocker / "r.pdf") in err and err.count("\n") == 1 and "Traceback" not in err
    assert calls == []
    assert sorted(os.listdir(tmp_path)) == ["not-a-folder"]


def test_atomic_write_leaves_nothing_on_interrupt(tmp_path, monkeypatch):
    target = tmp_path / "r.pdf"
    target.write_bytes(b"old")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"new")
    assert os.listdir(tmp_path) == ["r.pdf"] and target.read_bytes() == b"old"


def _without_run_fields(doc: dict) -> list[dict]:
    """The problems of a JSON document without what differs from run to run (times, cache use)."""
    return [{k: v for k, v in p.items() if k not in ("elapsed", "cpu", "cached")} for p in doc["problems"]]


def test_json_agrees_with_solve_and_is_reproducible(tmp_path):
    ids = ["exploding-example", "weight-powers"]
    docs = []
    for k in range(2):  # the second run without the cache: computed again, the same numbers
        js = tmp_path / f"r{k}.json"
        argv = ["-o", str(tmp_path / f"r{k}.pdf"), "--json", str(js), "--only", ",".join(ids), "--no-cache"]
        assert main(argv, cache_dir=tmp_path / "cache") == 0
        docs.append(json.loads(js.read_text()))
    assert not (tmp_path / "cache").exists()  # --no-cache neither reads nor writes it
    assert [p["cached"] for p in docs[1]["problems"]] == [False, False]
    assert _without_run_fields(docs[0]) == _without_run_fields(docs[1])  # same seed, same numbers
    for pid, entry in zip(ids, docs[0]["problems"], strict=True):
        sol = gradmath.solve(pid)
        assert (
            entry["id"] == pid and entry["title"] == sol.title.plain() and entry["source"] == str(sol.source)
        )
        assert entry["passed"] is sol.passed
        assert entry["answer"] == json.loads(json.dumps(to_jsonable(sol.answer)))
        assert [c["claim"] for c in entry["checks"]] == [c.claim.plain() for c in sol.checks]
    # exploding-example: the book's term w*sigma'(0) = 100/4 = 25 and dC/db_1 = 25^3/4 dC/da_4
    answer = docs[0]["problems"][0]["answer"]
    assert answer["term"] == 25 and answer["gradient_b1_over_dC_da"] == "15625/4"


def test_to_jsonable_edge_values():
    value = {1: np.float32(0.5), "n": np.int64(3), "bad": [math.nan, math.inf], "m": np.eye(2)}
    assert to_jsonable(value) == {"1": 0.5, "n": 3, "bad": [None, None], "m": [[1.0, 0.0], [0.0, 1.0]]}


def test_document_contains_every_registry_entry():
    outcomes = []
    for k, pid in enumerate(gradmath.PROBLEMS):
        if k == 3:
            outcomes.append(Outcome(pid, error="ImportError: not written yet", title=pid))
        else:
            outcomes.append(Outcome(pid, solution=_solution(pid), title=f"Title of {pid}"))
    src = build_document(outcomes, {"version": "x"})
    for k, pid in enumerate(gradmath.PROBLEMS):
        assert f'#raw("{pid}")' in src or k == 3  # the section's source line names its id
        assert f"<{pid}>" in src  # one labelled section per entry, in registry order
    positions = [src.index(f"<{pid}>") for pid in gradmath.PROBLEMS]
    assert positions == sorted(positions)
    assert "not written yet" in src


def test_bad_option_in_a_subprocess():
    proc = subprocess.run(
        [sys.executable, "-m", "gradmath.report", "--bad-option"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"{PROG}: error: unrecognized arguments: --bad-option"  # one line


def test_seeds_above_a_solvers_limit_exit_2_naming_it(tmp_path, capsys):
    out = tmp_path / "r.pdf"
    assert main(["--seeds", "30", "-o", str(out)], cache_dir=tmp_path / "cache") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "mnist-training-speed: seeds must be an integer in [2, 24]" in err
    assert not out.exists()


def test_misspelt_id_suggests_the_nearest(capsys):
    assert main(["--only", "interval-widht"]) == 2  # the real registry's ids
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did you mean 'interval-width'" in err


@pytest.mark.parametrize("how", ["same", "dot-slash", "symlink", "absolute"])
def test_same_file_for_pdf_and_json_is_refused(tmp_path, capsys, monkeypatch, how):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.pdf").write_bytes(b"old pdf")
    other = {
        "same": "r.pdf",
        "dot-slash": "./r.pdf",
        "symlink": "link.json",
        "absolute": str(tmp_path / "r.pdf"),
    }[how]
    if how == "symlink":
        os.symlink("r.pdf", "link.json")
    reg, calls = _fake_registry(one="pass")
    assert main(["-o", "r.pdf", "--json", other], problems=reg) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "same file" in err and "Traceback" not in err
    assert calls == [] and (tmp_path / "r.pdf").read_bytes() == b"old pdf"


def test_output_symlink_is_written_through(tmp_path):
    target = tmp_path / "real" / "report.pdf"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "latest.pdf"
    link.symlink_to(target)
    reg, _ = _fake_registry(one="pass")
    assert main(["-o", str(link)], problems=reg) == 0
    assert link.is_symlink() and os.readlink(link) == str(target)  # the link itself stays
    assert target.read_bytes()[:5] == b"%PDF-"  # the report went to its target
    assert sorted(os.listdir(target.parent)) == ["report.pdf"]  # no temporary file left


def test_full_disk_is_one_line_with_its_own_exit_status(tmp_path, capsys, monkeypatch):
    """Writing the PDF hits ENOSPC (the kernel's /dev/full): exit 3, the path named, the old PDF intact."""
    import tempfile

    from gradmath.report import outputs

    out = tmp_path / "r.pdf"
    out.write_bytes(b"old pdf")
    real_mkstemp = tempfile.mkstemp

    def mkstemp_on_full_disk(*args, **kwargs):
        fd, name = real_mkstemp(*args, **kwargs)
        os.close(fd)
        return os.open("/dev/full", os.O_WRONLY), name  # every write fails with ENOSPC

    monkeypatch.setattr(outputs.tempfile, "mkstemp", mkstemp_on_full_disk)
    reg, _ = _fake_registry(one="pass")
    assert main(["-o", str(out)], problems=reg) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == f"python -m gradmath.report: error: could not write {out}: No space left on device"
    assert out.read_bytes() == b"old pdf" and sorted(os.listdir(tmp_path)) == ["r.pdf"]  # no temporary file


def test_console_script_is_declared_and_callable():
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    target = project["project"]["scripts"]["gradmath-report"]
    module, func = target.split(":")
    import importlib

    from gradmath.report import __main__, cli

    # the function `python -m gradmath.report` calls (test_bad_option_in_a_subprocess runs it)
    assert getattr(importlib.import_module(module), func) is cli.entry is __main__.entry


_LEAVE = """
import atexit, sys
from gradmath.parallel import map_seeds
from gradmath.report.cli import _leave
atexit.register(lambda: open({flag!r}, "w").write("saved"))
print(map_seeds(pow, [1, 2, 3, 4], args=(2,), n_jobs=2), flush=True)
sys.stderr.write("unflushed")
_leave(3)
"""


def test_leaving_runs_exit_handlers_and_stops_joblib_workers(tmp_path):
    """The fast exit of the console script keeps the exit status, runs the atexit handlers, flushes
    the streams, and shuts joblib's worker processes down: left running they would hold the caller's
    pipes open for their idle timeout (300 s), and ``communicate`` below would wait for them."""
    flag = tmp_path / "flag"
    proc = subprocess.Popen([sys.executable, "-c", _LEAVE.format(flag=str(flag))], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 3
    assert out.strip() == "[1, 4, 9, 16]" and err.endswith("unflushed")
    assert flag.read_text() == "saved"


_SLOW_RUN = """
import sys, time, functools
import gradmath.report.cli as cli
sys.path.insert(0, {tests!r})
from test_report_cli import _solution

def slow(options):
    sys.stderr.write("solving\\n"); sys.stderr.flush()
    time.sleep(60)
    return _solution("slow")

cli.main = functools.partial(cli.main, problems={{"slow": slow}})
cli.entry(["-o", {out!r}, "--json", {js!r}])
"""


def test_sigterm_exits_130_leaving_the_old_files(tmp_path):
    import signal
    from pathlib import Path

    out, js = tmp_path / "r.pdf", tmp_path / "r.json"
    out.write_bytes(b"old pdf")
    code = _SLOW_RUN.format(tests=str(Path(__file__).parent), out=str(out), js=str(js))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stderr.readline().strip() == "solving"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 130
    assert "interrupted; nothing written" in proc.stderr.read()
    assert out.read_bytes() == b"old pdf" and not js.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "gradmath-cache") == ["r.pdf"]


def test_clear_cache_empties_it(tmp_path, capsys):
    cache = tmp_path / "cache"
    argv = ["-o", str(tmp_path / "r.pdf"), "--only", "weight-bound", "--jobs", "1"]
    assert main(argv, cache_dir=cache) == 0
    stored = sorted(p.name for p in (cache / "solutions").iterdir())
    assert len(stored) == 1 and stored[0].startswith("weight-bound-")
    assert main(["--clear-cache"], cache_dir=cache) == 0
    assert not any(p.is_file() for p in cache.rglob("*"))
    assert "removed" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("given", "quick", "spread"), [(True, False, True), (True, True, False), (False, False, False)]
)
def test_experiments_on_the_users_data_spread_their_seeds_unless_quick(tmp_path, given, quick, spread):
    from types import SimpleNamespace

    from gradmath.report import cli
    from gradmath.report.cache import ResultCache

    data = gradmath.load_mnist() if given else None
    listing = [{"id": "mnist-depth-accuracy", "uses": ["seeds", "data"]}, {"id": "weight-bound", "uses": []}]
    args = SimpleNamespace(quick=quick, seeds=None)
    jobs = cli._jobs(
        listing, ["mnist-depth-accuracy", "weight-bound"], args, data, ResultCache(tmp_path), None
    )
    assert [j.spread for j in jobs] == [spread, False]


def test_leaving_under_a_profiler_exits_the_normal_way(tmp_path):
    """``python -m cProfile`` writes its file after the program returns, which ``os._exit`` would skip:
    under a profiler (or tracer, or debugger) the fast exit gives way to ``sys.exit``."""
    script, prof = tmp_path / "leave.py", tmp_path / "out.prof"
    script.write_text("from gradmath.report.cli import _leave\n_leave(3)\n")
    proc = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(prof), str(script)], capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 0  # cProfile catches the SystemExit; os._exit(3) would end it first
    assert prof.stat().st_size > 0


_WARM = """
import sys
from gradmath.report.cli import main
code = main(["-o", {out!r}, "--only", "weight-bound", "--jobs", "1"], cache_dir={cache!r})
print(code, sorted(m for m in ("sympy", "matplotlib", "gradmath.solvers", "gradmath.report.document")
                   if m in sys.modules))
"""


def test_a_rebuild_from_the_cache_runs_only_typst(tmp_path):
    """When every result and the document are cached, a rebuild compiles the kept Typst source: it
    imports neither SymPy nor matplotlib nor a solver nor the document builder (0.6 s of a 2 s rebuild)."""
    code = _WARM.format(out=str(tmp_path / "r.pdf"), cache=str(tmp_path / "cache"))
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
            for _ in range(3)]  # fmt: skip
    assert runs[0].stdout.split()[0] == "0" and "sympy" in runs[0].stdout  # the first run solves
    assert runs[2].stdout.strip() == "0 []"
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"


def test_typst_warnings_are_printed_once_each_with_their_count():
    from gradmath.report.cli import _typst_warnings

    lines = _typst_warnings(["no text within stars", "unknown font", "no text within stars"])
    assert lines == ["warning: typst: no text within stars (2 times)\n", "warning: typst: unknown font\n"]
    assert _typst_warnings([]) == []
