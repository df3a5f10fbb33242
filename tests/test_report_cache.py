"""The report's results cache and the pickles it stores: keys, reuse, and SymPy forms kept intact."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import gradmath
from gradmath.activations import sigma, sigma_prime
from gradmath.notation import ordered, ordered_sum
from gradmath.printing.unicode import unicode_math
from gradmath.report import serial
from gradmath.report.cache import ResultCache, data_hash, solution_key, source_hash
from gradmath.report.cli import main

PACKAGE = Path(gradmath.__file__).parent


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADMATH_CACHE", str(tmp_path / "gradmath-cache"))


# --- serial: what a plain pickle would change -------------------------------------------------


def test_unevaluated_equation_survives_where_a_plain_pickle_evaluates_it():
    eq = sp.Eq(sigma_prime(0, evaluate=False), sp.Rational(1, 4), evaluate=False)
    assert pickle.loads(pickle.dumps(eq)) is sp.true  # SymPy's own pickle evaluates σ′(0) = 1/4
    back = serial.loads(serial.dumps(eq))
    assert isinstance(back, sp.Equality) and sp.srepr(back) == sp.srepr(eq)


def test_book_order_and_order_terms_survive():
    z1, z2, w2 = sp.symbols("z_1 z_2 w_2")
    product = ordered(sigma_prime(z1), w2, sigma_prime(z2))  # the book's order, not SymPy's
    x = sp.Symbol("x")
    taylor = sp.series(sigma(x), x, 0, 4)  # contains an Order term
    for expr in (product, taylor, sp.Le(sp.Abs(sigma_prime(x)), sp.Rational(1, 4), evaluate=False)):
        assert sp.srepr(serial.loads(serial.dumps(expr))) == sp.srepr(expr)
    assert serial.loads(serial.dumps(product)).args == (sigma_prime(z1), w2, sigma_prime(z2))


def test_an_interval_is_rebuilt_without_comparing_its_ends(monkeypatch):
    """(4, 10^300] with 10^300 unevaluated: Interval's constructor compares the ends even under
    evaluate(False), and did so by expanding 10^300 as a polynomial (7 s of every report's run)."""
    big = sp.Pow(10, 300, evaluate=False)
    interval = sp.Interval.Lopen(4, big)
    data = serial.dumps(sp.Tuple(interval, sp.Interval(0, 1)))

    calls = []
    original = sp.Interval.__new__

    def recorded(cls, *args, **kwargs):
        calls.append(args)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(sp.Interval, "__new__", recorded)
    back = serial.loads(data)
    assert calls == []
    assert sp.srepr(back[0]) == sp.srepr(interval) and back[0].left_open and not back[0].right_open
    assert back[0].end.args == (10, 300) and back[1].end == 1


def test_book_order_that_is_also_sympys_argument_order_survives():
    """w₂ − v₂: SymPy stores the args as (w₂, −v₂) but prints −v₂ + w₂; the book's order is a mark on
    the object (ordered_sum), which a plain rebuild lost: the report printed identity-neuron's
    "w₂ − v₂ + ..." as "−v₂ − ... + w₂" once the solution came back from a worker."""
    w2, v2 = sp.symbols("w_2 v_2")
    expr = sp.Eq(ordered_sum(w2, -v2), 0, evaluate=False)
    assert unicode_math(expr) == "w₂ − v₂ = 0"
    assert unicode_math(serial.loads(serial.dumps(expr))) == "w₂ − v₂ = 0"


def test_state_beyond_the_args_survives():
    """Sum keeps is_commutative in a slot and FiniteSet its argument set: a rebuild from the args alone
    left them unset (2 * Sum(...) raised AttributeError)."""
    x, n = sp.symbols("x n")
    total, members = sp.Sum(x / n, (x, 1, n)), sp.FiniteSet(1, 2, x)
    back_total, back_members = serial.loads(serial.dumps(sp.Tuple(total, members)))
    assert 2 * back_total == 2 * total and (back_total.doit() - total.doit()).simplify() == 0
    assert x in back_members and back_members == members


def test_a_whole_solution_round_trips():
    sol = gradmath.solve("sigmoid-prime-max")
    from gradmath.report.worker import strip

    back = serial.loads(serial.dumps(strip(sol)))
    assert back.answer == sol.answer and back.title == sol.title and back.statement == sol.statement
    assert [sp.srepr(s.expr) for s in back.steps] == [sp.srepr(s.expr) for s in sol.steps]
    assert [c.agreement for c in back.checks] == [c.agreement for c in sol.checks]
    assert back.result is None and back.options.progress is None  # what the report does not keep


# --- keys -------------------------------------------------------------------------------------


def _copy_package(tmp_path: Path) -> Path:
    root = tmp_path / "gradmath"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_source_hash_ignores_the_report_but_not_the_solvers(tmp_path):
    root = _copy_package(tmp_path)
    before = source_hash(root, root / "report")
    (root / "report" / "document.py").write_text("# a layout change\n", encoding="utf-8")
    assert source_hash(root, root / "report") == before  # a layout change reuses every result
    solver = root / "solvers" / "weight_bound.py"
    solver.write_text(solver.read_text(encoding="utf-8") + "\n# a change to a solver\n", encoding="utf-8")
    changed = source_hash(root, root / "report")
    assert changed != before
    (root / "data" / "mnist_embedded.npz").write_bytes(b"other data")
    assert source_hash(root, root / "report") not in (before, changed)  # the embedded data count too


def test_key_uses_only_the_options_a_solver_uses():
    plain = solution_key("p", frozenset(), False, None, "embedded")
    assert plain == solution_key("p", frozenset(), False, 7, "other data")  # uses neither seeds nor data
    assert plain != solution_key("p", frozenset(), True, None, "embedded")  # quick always matters
    seeded = frozenset({"seeds", "data"})
    base = solution_key("p", seeded, False, None, "a")
    assert base != solution_key("p", seeded, False, 5, "a") and base != solution_key(
        "p", seeded, False, None, "b"
    )
    assert solution_key("q", frozenset(), False, None, "embedded") != plain


def test_data_hash_sees_one_changed_pixel():
    from gradmath.datasets import load_mnist

    data = load_mnist()
    h = data_hash(data)
    assert h == data_hash(load_mnist()) and data_hash(None) == "embedded"
    import dataclasses

    pixels = data.train.X.copy()
    pixels[17, 400] += 1 / 255
    changed = dataclasses.replace(data, train=data.train._replace(X=pixels))
    assert data_hash(changed) != h


# --- the cache in use -------------------------------------------------------------------------


def test_damaged_entry_is_a_miss(tmp_path):
    cache = ResultCache(tmp_path)
    cache.store_solution("x-0", {"solution": 1, "elapsed": 0.5})
    assert cache.load_solution("x-0")["elapsed"] == 0.5
    (tmp_path / "solutions" / "x-0.pkl").write_bytes(b"not a pickle")
    assert cache.load_solution("x-0") is None
    assert ResultCache(tmp_path, enabled=False).load_solution("x-0") is None


def test_rebuild_reuses_every_result_and_gives_the_same_json(tmp_path, monkeypatch, capsys):
    cache = tmp_path / "cache"
    ids = "sigmoid-prime-max,weight-bound"
    docs = []
    for k in range(2):
        js = tmp_path / f"r{k}.json"
        assert main(["-o", str(tmp_path / f"r{k}.pdf"), "--json", str(js), "--only", ids, "--jobs", "1"],
                    cache_dir=cache) == 0  # fmt: skip
        docs.append(json.loads(js.read_text()))
        if k == 0:  # from now on a solver that runs fails: the second build must not run any
            from gradmath.registry import problem_class

            for pid in ids.split(","):
                monkeypatch.setattr(problem_class(pid), "compute", _must_not_run)
    assert [p["cached"] for p in docs[1]["problems"]] == [True, True]
    run_fields = ("cached", "cpu")  # how each result was obtained, not what it is
    strip = [{k: v for k, v in p.items() if k not in run_fields} for p in docs[0]["problems"]]
    assert strip == [{k: v for k, v in p.items() if k not in run_fields} for p in docs[1]["problems"]]
    assert all(p["cpu"] > 0 for p in docs[0]["problems"]) and all(p["cpu"] == 0 for p in docs[1]["problems"])
    assert "2 of 2 results from the cache" in capsys.readouterr().err


def _must_not_run(*args, **kwargs):
    raise AssertionError("a cached result was computed again")


def test_figures_of_cached_results_are_cached_too(tmp_path):
    cache = tmp_path / "cache"
    argv = ["-o", str(tmp_path / "r.pdf"), "--only", "weight-bound", "--jobs", "1"]
    assert main(argv, cache_dir=cache) == 0
    figures = list((cache / "figures").iterdir())
    assert len(figures) == 1 and figures[0].read_bytes().startswith(b"<?xml")
    stamp = figures[0].stat().st_mtime_ns
    assert main(argv, cache_dir=cache) == 0
    assert figures[0].stat().st_mtime_ns == stamp  # read, not drawn and written again


def test_cache_keeps_a_bounded_number_of_entries_per_problem(tmp_path):
    from gradmath.report.cache import KEEP_PER_ID

    cache = ResultCache(tmp_path)
    for k in range(KEEP_PER_ID + 3):
        cache.store_solution(f"interval-width-{k:032x}", {"solution": k})
    cache.store_solution(f"interval-width-max-{0:032x}", {"solution": "other id"})
    names = sorted(p.name for p in (tmp_path / "solutions").iterdir())
    assert len([n for n in names if not n.startswith("interval-width-max")]) == KEEP_PER_ID
    assert f"interval-width-max-{0:032x}.pkl" in names  # a longer id sharing the prefix is not pruned


def test_arrays_survive(tmp_path):
    value = {"a": np.arange(5.0), "b": sp.Rational(1, 3)}
    back = serial.loads(serial.dumps(value))
    assert np.array_equal(back["a"], value["a"]) and back["b"] == sp.Rational(1, 3)


def test_a_rebuild_of_cached_results_reuses_the_document_until_the_report_code_changes(tmp_path, monkeypatch):
    from gradmath.report import typeset
    from gradmath.report.cache import ResultCache as Cache

    cache = tmp_path / "cache"
    argv = ["--only", "weight-bound,sigmoid-prime-max", "--jobs", "1"]
    outputs = []
    for k in range(4):
        if k == 2:  # from now on no solution may be unpickled: the kept document must serve alone
            monkeypatch.setattr(Cache, "load_solution", _must_not_run)
        if k == 3:  # a change to the report's code: the document is built again (and fails here)
            monkeypatch.setattr(typeset, "report_hash", lambda: "another layout")
        js = tmp_path / f"r{k}.json"
        code = None
        try:
            code = main(["-o", str(tmp_path / f"r{k}.pdf"), "--json", str(js), *argv], cache_dir=cache)
        except AssertionError as exc:
            assert k == 3 and "computed again" in str(exc)
            continue
        assert code == 0
        outputs.append(js.read_text())
    assert len(list((cache / "documents").iterdir())) == 1  # stored by the first all-cached build (run 1)
    assert outputs[1] == outputs[2]  # the kept document gives the same results
    assert (tmp_path / "r2.pdf").read_bytes()[:5] == b"%PDF-" and not (tmp_path / "r3.pdf").exists()


def test_the_blas_description_does_not_depend_on_the_order_the_libraries_were_loaded(monkeypatch):
    """The kept document's key includes the run's description: a varying order of the BLAS list made
    every other warm rebuild build the document again."""
    import threadpoolctl

    from gradmath.report import environment

    libs = [
        {"internal_api": "openblas", "version": "0.3.30", "user_api": "blas", "num_threads": 2},
        {"internal_api": "openblas", "version": "0.3.31", "user_api": "blas", "num_threads": 2},
    ]
    monkeypatch.setattr(threadpoolctl, "threadpool_info", lambda: libs)
    first = environment.blas()
    monkeypatch.setattr(threadpoolctl, "threadpool_info", lambda: libs[::-1])
    assert environment.blas() == first and [d["library"] for d in first] == [
        "openblas 0.3.30",
        "openblas 0.3.31",
    ]
