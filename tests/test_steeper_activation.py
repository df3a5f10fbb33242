"""steeper-activation (the Exercise of sec. 5.1), against oracles written here.

Oracles: simulations of rescaled-sigmoid and ReLU chains written here from scratch (own seeds), mpmath at
30 digits for the balance point and the variance, and the symmetry argument P(z > 0) = 1/2 for ReLU.
"""

import dataclasses
import math

import mpmath
import numpy as np
import pytest
from scipy.special import expit

import gradmath
from gradmath.contract import Verdict
from gradmath.solvers.steeper_activation import SteeperActivationProblem


@pytest.fixture(scope="module")
def sol():
    return gradmath.solve("steeper-activation", n_chains=4000, depth=12, seed=5)


def _sigmoid_drift(k, c, n=60_000, depth=25, burn_in=12, seed=99):
    """Mean of ln|w f'(z)| for f = k σ(cz) in a random chain, simulated here, and its standard error."""
    rng = np.random.default_rng(seed)
    a = np.full(n, 0.5 * k)
    logs = []
    for j in range(depth):
        w, b = rng.standard_normal(n), rng.standard_normal(n)
        u = c * (w * a + b)
        if j >= burn_in:  # ln σ'(u) = −ln(1 + e^−u) − ln(1 + e^u): no underflow for large |u|
            logs.append(np.log(np.abs(w) * k * c) - np.logaddexp(0, u) - np.logaddexp(0, -u))
        a = k * expit(u)
    per_chain = np.mean(logs, axis=0)
    return per_chain.mean(), per_chain.std(ddof=1) / math.sqrt(n)


@pytest.mark.parametrize(("k", "c"), [(4.0, 1.0), (1.0, 2.0), (1.0, 8.0)])
def test_steeper_sigmoids_still_vanish(sol, k, c):
    mean, se = _sigmoid_drift(k, c)
    label = f"{k:g} sigma(z)" if c == 1.0 else f"sigma({c:g} z)"
    assert sol.answer["slopes"][label] == pytest.approx(mean, abs=4 * se + 1e-3)
    assert mean + 4 * se < 0  # vanishing, by the simulation alone


def test_linear_units_balance_point_and_variance(sol):
    with mpmath.workdps(30):
        e_log = -(mpmath.euler + mpmath.log(2)) / 2
        s_star = mpmath.exp(-e_log)
        var = mpmath.psi(1, mpmath.mpf(1) / 2) / 4  # Var ln|w| for w ~ N(0, 1)
    assert sol.answer["balanced_slope"] == pytest.approx(float(s_star), rel=1e-15)
    slopes = sol.answer["slopes"]
    assert slopes["linear slope 1"] == pytest.approx(float(e_log), rel=1e-15)
    assert slopes["linear slope 4"] == pytest.approx(float(mpmath.log(4) + e_log), rel=1e-15)
    assert slopes["linear slope 1.887"] == pytest.approx(0.0, abs=1e-15)
    # dC/db_1 of an n-layer chain has n - 1 weights (eq. 122): the variance of its log is (n - 1) Var ln|w|
    assert sol.answer["variance_at_balance"] == pytest.approx(11 * float(var), rel=1e-14)


def test_relu_chains_die_with_probability_one_minus_two_to_the_minus_n(sol):
    # written here: a ReLU chain, N(0, 1) weights and biases; dC/db_1 != 0 iff every z_j > 0
    rng = np.random.default_rng(17)
    n, depth = 200_000, 4
    a = np.ones(n)
    alive = np.ones(n, dtype=bool)
    for _ in range(depth):
        zz = rng.standard_normal(n) * a + rng.standard_normal(n)
        alive &= zz > 0
        a = np.maximum(zz, 0.0)
    se = math.sqrt(2.0**-depth * (1 - 2.0**-depth) / n)
    assert alive.mean() == pytest.approx(2.0**-depth, abs=4 * se)
    assert sol.answer["relu_alive"] == {5: 2.0**-5, 12: 2.0**-12}
    got = sol.result.relu_alive[:5]
    exact = 2.0 ** -np.arange(1, 6)
    assert np.all(np.abs(got - exact) <= 4 * np.sqrt(exact * (1 - exact) / 4000))


def test_verdict_is_no_and_every_check_is_earned(sol):
    assert sol.answer["helps"] is False
    assert sol.verdict == Verdict.CONFIRMED
    assert sol.passed and len(sol.checks) == 11
    assert all(c.catches for c in sol.checks)
    assert all(v < 0 for label, v in sol.answer["slopes"].items() if "sigma" in label)


def test_checks_fail_on_plausible_mistakes(sol):
    prob = SteeperActivationProblem()
    r = sol.result
    names = [str(c.claim) for c in prob.checks(r)]
    survive = next(i for i, n in enumerate(names) if "survives" in n)
    # an off-by-one in the layers: survival 2^-4 instead of 2^-5
    wrong = dataclasses.replace(r, relu_alive=r.relu_alive * 2)
    assert not prob.checks(wrong)[survive].passed
    # balancing the mean instead of the log: s* = √(π/2)
    wrong = dataclasses.replace(r, s_star_quad=math.sqrt(math.pi / 2))
    assert not prob.checks(wrong)[7].passed
    # a spread that does not grow with depth: the variance of one layer
    wrong = dataclasses.replace(r, var_mc=dataclasses.replace(r.var_mc, value=math.pi**2 / 8))
    assert not prob.checks(wrong)[8].passed
    # a stationary law that ignores the activation's scale: the drift of σ(z) for 4σ(z)
    rows = list(r.saturating)
    rows[1] = dataclasses.replace(rows[1], integral=rows[0].integral)
    assert not prob.checks(dataclasses.replace(r, saturating=tuple(rows)))[1].passed


@pytest.mark.parametrize(
    ("params", "error", "needle"),
    [
        ({"n_chains": 10**10}, ValueError, "200,000"),
        ({"n_chains": 200_000, "depth": 30}, ValueError, "3,000,000"),
        ({"depth": 4}, ValueError, "depth"),
        ({"depth": 12.0}, TypeError, "depth"),
    ],
)
def test_sizes_are_limited_at_once(params, error, needle):
    with pytest.raises(error, match=needle):
        gradmath.solve("steeper-activation", **params)
