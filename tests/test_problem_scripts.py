"""The ``problems/`` scripts: one per problem, each a worked solution in the terminal, taking the
solver's own parameters as flags and refusing bad values in one line with exit status 2."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import gradmath
from gradmath.render import run_script

SCRIPTS = Path(__file__).resolve().parents[1] / "problems"


def test_every_problem_has_its_script_and_every_script_a_problem():
    names = {p.stem.replace("_", "-") for p in SCRIPTS.glob("*.py")}
    assert names == set(gradmath.PROBLEMS)


def test_a_flag_reaches_the_solver(capsys):
    run_script("chain-gradient", ["--depth", "3"])
    out = capsys.readouterr().out
    assert "chain of 3 single neurons" in out and "∂C/∂b₁" in out
    assert not re.search(r"Eq\(|Abs\(|sigma_prime\(|sqrt\(|\*\*", out)


@pytest.mark.parametrize(
    ("pid", "argv", "message"),
    [
        ("chain-gradient", ["--depth", "0"], "depth must be an integer in [1, 100,000], got 0"),
        ("matrix-gradient", ["--sizes", "10,2.5,10"], "expected integers separated by commas"),
        ("mnist-initial-norms", ["--seeds", "1"], "seeds must be an integer in [2, 1,000], got 1"),
        # the solver's own limit (24), checked before any work: it was a traceback from inside solve
        ("mnist-training-speed", ["--seeds", "30"], "seeds must be an integer in [2, 24]"),
    ],
)
def test_a_bad_value_is_one_line_and_exit_status_2(pid, argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        run_script(pid, argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_a_script_runs_as_a_program():
    done = subprocess.run([sys.executable, str(SCRIPTS / "weight_bound.py"), "--quick"], capture_output=True,
                          text=True, timeout=120, check=True)  # fmt: skip
    assert "|w σ′(wa + b)| ≥ 1" in done.stdout and "|w| ≥ 4" in done.stdout


def test_a_quick_run_has_its_own_defaults_and_a_given_value_wins(capsys):
    """``Param(quick=...)``: 10,000 chains in a quick run of vanishing-typical, 40,000 in a full one, the
    caller's value in either; ``--help`` of its script names both defaults."""
    from gradmath.registry import problem_class

    cls = problem_class("vanishing-typical")
    assert cls.validated({})["n_chains"] == 40_000
    assert cls.validated({}, quick=True)["n_chains"] == 10_000
    assert cls.validated({"n_chains": 2000}, quick=True)["n_chains"] == 2000
    assert gradmath.solve("vanishing-typical", quick=True, max_depth=5).result.n_chains == 10_000
    with pytest.raises(SystemExit):
        run_script("vanishing-typical", ["--help"])
    assert "(default 40000; 10000 with --quick)" in " ".join(capsys.readouterr().out.split())
