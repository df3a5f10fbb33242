"""The solver contract: registry, solve() errors, Check/Solution behaviour."""

import pytest

import gradmath
from gradmath.solutions import Check, Solution

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
    assert list(gradmath.PROBLEMS) == DESIGN_IDS


def test_every_registered_solver_imports_and_is_callable():
    for pid in gradmath.PROBLEMS:
        assert callable(gradmath.PROBLEMS[pid]), pid


def test_unknown_id_lists_known_ids():
    with pytest.raises(ValueError) as exc:
        gradmath.solve("interval-widht-max")
    message = str(exc.value)
    assert "interval-widht-max" in message
    for pid in DESIGN_IDS:
        assert pid in message


def test_unknown_parameter_is_named():
    with pytest.raises(TypeError, match="deepth"):
        gradmath.solve("chain-gradient", deepth=3)


def test_parameter_for_solver_without_parameters():
    with pytest.raises(TypeError, match="'depth'"):
        gradmath.solve("sigmoid-prime-max", depth=3)


def test_check_normalises_numpy_bool():
    import numpy as np

    c = Check("x", np.bool_(True))
    assert c.passed is True


def test_solution_passed_needs_checks():
    sol = Solution(id="x", title="t", source="s", statement="q")
    assert sol.passed is False  # no checks: nothing was verified
    sol.checks = [Check("a", True), Check("b", False)]
    assert sol.passed is False
    assert [c.claim for c in sol.failed_checks] == ["b"]
    sol.checks = [Check("a", True)]
    assert sol.passed is True
