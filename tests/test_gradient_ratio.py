"""gradient-ratio: dC/db_1 / dC/db_3 in the four-neuron chain, its bound 1/16 and its law under N(0, 1).

Oracles: the ratio and the bound by hand, a Monte Carlo simulation of random chains written here
(independent of gradmath.chain_stats), a bootstrap for the quantiles' standard errors, and results
with a wrong ratio fed to the solver's own checks.
"""

import dataclasses
import math

import numpy as np
import pytest
import sympy
from scipy.special import expit

import gradmath
from gradmath.activations import sigma_prime
from gradmath.solvers import gradient_ratio as gr
from gradmath.text import Num

z1, z2, z3 = sympy.symbols("z1:4", real=True)
w2, w3 = sympy.symbols("w2:4", real=True)
N = 20_000


@pytest.fixture(scope="module")
def sol():
    return gradmath.solve("gradient-ratio", n_samples=N, seed=3)


def _simulate(n, seed):
    """|sigma'(z1) w2 sigma'(z2) w3| over random chains, written from the book's description."""
    rng = np.random.default_rng(seed)
    a = np.full(n, 0.5)
    for _ in range(30):  # let the incoming activation reach its stationary law
        a = expit(rng.standard_normal(n) * a + rng.standard_normal(n))
    x1 = rng.standard_normal(n) * a + rng.standard_normal(n)
    v2, c2, v3 = rng.standard_normal(n), rng.standard_normal(n), rng.standard_normal(n)
    x2 = v2 * expit(x1) + c2
    return np.abs(expit(x1) * expit(-x1) * v2 * expit(x2) * expit(-x2) * v3)


@pytest.fixture(scope="module")
def simulated():
    return _simulate(400_000, 99)


def test_ratio_and_bound(sol):
    assert sol.answer["bound"] == sympy.Rational(1, 16)
    assert sol.answer["ratio"] == sigma_prime(z1) * w2 * sigma_prime(z2) * w3
    assert gr.RATIO_SHOWN.args == (sigma_prime(z1), w2, sigma_prime(z2), w3)  # the book's order
    assert sympy.simplify(gr.RATIO_SHOWN - sol.answer["ratio"]) == 0
    assert sol.passed and sol.verdict == gradmath.Verdict.CONFIRMED


def test_law_of_the_ratio_against_an_independent_simulation(sol, simulated):
    p, se = np.mean(simulated < 1 / 16), math.sqrt(0.09 / simulated.size)
    assert sol.answer["p_below_bound"] == pytest.approx(p, abs=4 * se)
    logs = np.log(simulated)
    assert sol.answer["mean_log_abs_ratio"] == pytest.approx(
        logs.mean(), abs=4 * logs.std() / math.sqrt(logs.size)
    )
    # the Monte Carlo quantiles (N chains) against the big simulation, within 4 of their standard errors
    for q, value in sol.answer["quantiles_abs_ratio"].items():
        assert value == pytest.approx(np.quantile(simulated, q), abs=4 * sol.result.mc.quantile_se[q])
    assert sol.answer["median_abs_ratio"] == sol.answer["quantiles_abs_ratio"][0.5]


def test_quantile_standard_errors_against_a_bootstrap(sol):
    rng = np.random.default_rng(0)
    sample = _simulate(N, 5)
    boot = np.array([np.quantile(rng.choice(sample, N), gr.QUANTILES) for _ in range(300)])
    mc = gr._monte_carlo(N, 5, 1 / 16)
    for k, q in enumerate(gr.QUANTILES):
        assert mc.quantile_se[q] == pytest.approx(boot[:, k].std(ddof=1), rel=0.3)
    assert mc.mean_log_se == pytest.approx(np.log(sample).std(ddof=1) / math.sqrt(N), rel=0.05)
    line = next(a for a in sol.answer_lines if a.key == "median_abs_ratio")
    (num,) = [p for p in line.value.parts if isinstance(p, Num)]
    assert num.value == sol.answer["median_abs_ratio"] and num.err == sol.result.mc.quantile_se[0.5]


def test_monte_carlo_numbers_carry_their_standard_error(sol):
    for key in ("p_below_bound", "mean_log_abs_ratio", "median_abs_ratio"):
        line = next(a for a in sol.answer_lines if a.key == key)
        assert any(isinstance(p, Num) and p.err and p.err > 0 for p in line.value.parts), key
    table = next(a for a in sol.answer_lines if a.key == "quantiles_abs_ratio").value
    assert len(table.rows) == 5 and all(
        isinstance(row[1].parts[0], Num) and row[1].parts[0].err for row in table.rows
    )


def test_first_check_fails_when_the_ratio_is_wrong(sol):
    r = sol.result
    assert r.rel(r.literal_at_random) > 0.01  # the book's literal pairing is a different number
    wrong = dataclasses.replace(r, at_random=r.literal_at_random)
    first = gr.GradientRatioProblem().checks(wrong)[0]
    assert not first.passed and first.agreement == pytest.approx(r.rel(r.literal_at_random))
    assert gr.GradientRatioProblem().checks(r)[0].passed


def test_every_check_compares_agreement_with_tolerance(sol):
    r = sol.result
    broken = dataclasses.replace(
        r, opt_max=1 / 8, attained=1 / 64, cdf_at_median=0.6, p_below_bound=0.8, mean_log=-4.0
    )
    assert [c.passed for c in gr.GradientRatioProblem().checks(broken)] == [
        True,
        False,
        False,
        False,
        False,
        False,
    ]


def test_correction_quotes_the_book(sol):
    (c,) = sol.corrections
    assert c.source.key == "nielsen"
    assert c.quote.unicode() == "the gradient ∂C/∂b₁ includes two extra terms each of the form wⱼσ′(zⱼ)"
    # one summary row (the factor of 16 holds); the pairing of the extra factors is corrected by a check
    assert [f.verdict for f in sol.findings] == [gradmath.Verdict.CONFIRMED]
    assert sol.checks[0].verdict == gradmath.Verdict.CORRECTED


def test_sample_size_limit():
    with pytest.raises(ValueError, match=r"n_samples must be an integer in \[1,000, 5,000,000\]"):
        gradmath.solve("gradient-ratio", n_samples=10**7)
    with pytest.raises(TypeError, match="n_samples"):
        gradmath.solve("gradient-ratio", n_samples=1e5)
