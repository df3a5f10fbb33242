"""The solver contract: registry, solve() errors, Check/Solution behaviour, run options."""

import numpy as np
import pytest

import gradmath
from gradmath.contract import Check, Solution, Verdict
from gradmath.registry import MIN_SEEDS, RunOptions
from gradmath.sources import Source
from gradmath.text import tx

#: the ids of the brief (DESIGN.md), in the report's order: a contract other code relies on
DESIGN_IDS = [
    "sigmoid-prime-max",
    "chain-gradient",
    "gradient-ratio",
    "exploding-example",
    "vanishing-typical",
    "weight-bound",
    "interval-width",
    "interval-width-max",
    "identity-neuron",
    "steeper-activation",
    "matrix-gradient",
    "weight-powers",
    "mnist-initial-norms",
    "mnist-training-speed",
    "mnist-depth-accuracy",
    "remedies",
]


def test_registry_has_every_design_id_in_order():
    ids = list(gradmath.PROBLEMS)
    assert [i for i in ids if i in DESIGN_IDS] == DESIGN_IDS


def test_every_registered_solver_is_callable():
    for pid in gradmath.PROBLEMS:
        assert callable(gradmath.PROBLEMS[pid]), pid


def test_unknown_id_suggests_the_nearest():
    with pytest.raises(ValueError) as exc:
        gradmath.solve("interval-widht-max")
    message = str(exc.value)
    assert "did you mean 'interval-width-max'" in message
    for pid in DESIGN_IDS:
        assert pid in message


def test_unknown_parameter_is_named():
    with pytest.raises(TypeError, match="deepth"):
        gradmath.solve("chain-gradient", deepth=3)


def test_parameter_for_solver_without_parameters():
    with pytest.raises(TypeError, match="'depth'"):
        gradmath.solve("sigmoid-prime-max", depth=3)


def test_seeds_for_an_analytic_solver_is_refused():
    with pytest.raises(TypeError, match="seeds"):
        gradmath.solve("weight-bound", seeds=3)


@pytest.mark.parametrize(
    ("kwargs", "error", "needle"),
    [
        ({"quick": "no"}, TypeError, "quick"),
        ({"quick": 1}, TypeError, "quick"),
        ({"seeds": 1}, ValueError, "seeds"),
        ({"seeds": 2.5}, TypeError, "seeds"),
        ({"seeds": True}, TypeError, "seeds"),
        ({"progress": 5}, TypeError, "progress"),
        ({"data": "mnist"}, TypeError, "data"),
    ],
)
def test_run_options_are_validated_once(kwargs, error, needle):
    with pytest.raises(error, match=needle):
        RunOptions(**kwargs)


def test_min_seeds_is_two():
    # the seed statistics are a mean and a standard deviation with ddof=1: one seed has no spread
    assert MIN_SEEDS == 2
    assert RunOptions(seeds=2).seeds == 2


def test_check_passes_exactly_when_agreement_within_tolerance():
    assert Check("a", ("m", "n"), 1e-12, 1e-12).passed is True
    assert Check("a", ("m", "n"), 2e-12, 1e-12).passed is False
    assert Check("a", ("m", "n"), float("nan"), 1.0).passed is False
    assert Check.close("a", 1.0 + 1e-10, 1.0, ("m", "n"), rtol=1e-9).passed is True
    assert Check.close("a", 1.0 + 1e-8, 1.0, ("m", "n"), rtol=1e-9).passed is False
    assert Check.count("a", 0, ("m", "n")).passed is True
    assert Check.count("a", 1, ("m", "n")).passed is False
    # Monte Carlo: 4 standard errors allowed
    assert Check.within_se("a", 0.5 + 3.9e-3, 1e-3, 0.5, ("m", "n")).passed is True
    assert Check.within_se("a", 0.5 + 4.1e-3, 1e-3, 0.5, ("m", "n")).passed is False


def test_check_needs_two_methods():
    with pytest.raises(ValueError, match="two methods"):
        Check("a", ("only one",), 0.0, 0.0)


def _solution(checks):
    return Solution(
        id="x", title=tx("t"), source=Source("nielsen", "here"), statement=tx("q"), answer={},
        answer_text=tx(""), answer_lines=[], steps=[], checks=checks, figures=[], findings=[],
        corrections=[], verdict=Verdict.CONFIRMED, verdict_reason=tx(""),
    )  # fmt: skip


def test_solution_passed_needs_checks():
    assert _solution([]).passed is False  # no checks: nothing was verified
    ok, bad = Check("a", ("m", "n"), 0, 0), Check("b", ("m", "n"), 1, 0)
    sol = _solution([ok, bad])
    assert sol.passed is False
    assert [c.claim.plain() for c in sol.failed_checks] == ["b"]
    assert _solution([ok]).passed is True


def test_verdict_vocabulary():
    assert [v.value for v in Verdict] == ["confirmed", "corrected", "not reproduced", "inconclusive"]
    with pytest.raises(ValueError):
        Verdict("pass")


def test_numpy_agreement_is_a_float():
    c = Check("a", ("m", "n"), np.float32(0.5), np.float64(1.0))
    assert type(c.agreement) is float and c.passed is True
