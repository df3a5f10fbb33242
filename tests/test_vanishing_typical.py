"""vanishing-typical and the statistics of random sigmoid chains, against oracles written here.

Oracles: a simulation of the chain written here from scratch (numpy + expit, its own seed), mpmath at
30 digits for the constants, and an independent integral of the rare tail P(|w σ′(z)| ≥ 1).
"""

import dataclasses
import math

import mpmath
import numpy as np
import pytest
from scipy.special import expit, ndtr, roots_legendre

import gradmath
from gradmath import chain_stats as cs
from gradmath.contract import Verdict
from gradmath.solvers.vanishing_typical import VanishingTypicalProblem, sig_digits


def _simulate(n, depth, seed, burn_in=10):
    """(activation feeding the layer, weight, bias) of every layer after mixing: a chain written here."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(size=n)
    out = []
    for j in range(depth):
        w, b = rng.standard_normal(n), rng.standard_normal(n)
        if j >= burn_in:
            out.append((a, w, b))
        a = expit(w * a + b)
    a_in, w, b = (np.concatenate(x) for x in zip(*out, strict=True))
    s = expit(w * a_in + b)
    return a_in, np.abs(w) * s * (1 - s)


@pytest.fixture(scope="module")
def sim():
    return _simulate(40_000, 20, seed=123)


@pytest.fixture(scope="module")
def sol():
    return gradmath.solve("vanishing-typical", n_chains=6000, max_depth=12, seed=3)


def test_constants_against_mpmath(sol):
    with mpmath.workdps(30):
        e_log = -(mpmath.euler + mpmath.log(2)) / 2
        quad = mpmath.quad(lambda t: 2 * mpmath.log(t) * mpmath.npdf(t), [0, 1, mpmath.inf])
        var = mpmath.psi(1, mpmath.mpf(1) / 2) / 4
        p = mpmath.ncdf(1) - mpmath.ncdf(-1)
    assert cs.EULER_LOG_ABS_NORMAL == pytest.approx(float(e_log), rel=1e-15)
    assert float(quad) == pytest.approx(float(e_log), rel=1e-20)
    assert cs.LOG_ABS_NORMAL_VAR == pytest.approx(float(var), rel=1e-15)
    assert float(sol.answer["p_w_below_one"]) == pytest.approx(float(p), rel=1e-15)


def test_mean_log_factor_and_probabilities_against_independent_simulation(sim):
    _, f = sim
    logs = np.log(f)
    st = cs.stationary_chain(m=301)
    se_log = logs.std() / math.sqrt(logs.size / 2)  # factors of one chain are weakly dependent: SE x 1.4
    assert cs.stationary_chain().mean_log_factor() == pytest.approx(logs.mean(), abs=4 * se_log)
    for t in (0.1, 0.25, 1.0):
        p = np.mean(f < t)
        assert cs.factor_cdf(t, st) == pytest.approx(p, abs=4 * math.sqrt(2 * p * (1 - p) / f.size) + 1e-6)
    assert cs.factor_median(st) == pytest.approx(np.median(f), rel=4e-3)


def test_rare_tail_against_an_integral_written_here(sim):
    # P(|w σ'(wa + b)| >= 1) = 2 ∫_4^∞ φ(w) E_a[P(|wa + b| < z*)] dw with σ'(z*) = 1/w, i.e.
    # cosh(z*/2)² = w/4; the law of a is the histogram of this file's simulation, w = 4 + u² removes the
    # square-root edge at w = 4 and Gauss-Legendre integrates over u in [0, √8] (w up to 12)
    a_in, _ = sim
    counts, edges = np.histogram(a_in, bins=400, range=(0.0, 1.0))
    a, q = (edges[:-1] + edges[1:]) / 2, counts / counts.sum()
    x, wx = roots_legendre(200)
    u, wu = (x + 1) * math.sqrt(2.0), wx * math.sqrt(2.0)
    ws = 4 + u**2
    zs = 2 * np.arccosh(np.sqrt(ws) / 2)
    band = ndtr(zs[:, None] - ws[:, None] * a[None, :]) - ndtr(-zs[:, None] - ws[:, None] * a[None, :])
    p_tail = 2 * np.sum(wu * 2 * u * np.exp(-(ws**2) / 2) / math.sqrt(2 * math.pi) * (band @ q))
    st = cs.stationary_chain(m=301)
    assert 1 - cs.factor_cdf(1.0, st) == pytest.approx(p_tail, rel=0.01)  # the histogram's noise: 0.3 %


def test_solver_values_against_the_simulation(sol, sim):
    _, f = sim
    assert sol.passed
    assert sol.verdict == Verdict.CONFIRMED
    p_w = float(sol.answer["p_w_below_one"])
    # the book's own argument gives a lower bound (|w| < 1 and σ' <= 1/4): the exact value exceeds it
    assert p_w < sol.answer["p_below_quarter"]
    assert sol.answer["p_below_quarter"] == pytest.approx(np.mean(f < 0.25), abs=0.005)
    assert sol.answer["p_above_one"] == pytest.approx(1 - sol.answer["p_below_one"], rel=1e-9)
    assert sol.answer["typical_factor"] == pytest.approx(math.exp(np.log(f).mean()), rel=0.01)
    assert sol.answer["median_factor"] == pytest.approx(np.median(f), rel=4e-3)
    # the slope of ln|dC/db_1| over depth is the mean log factor (eq. 122), within its standard error
    assert sol.answer["decay_per_layer"] == pytest.approx(
        np.log(f).mean(), abs=4 * sol.answer["decay_per_layer_se"] + 0.01
    )
    assert sol.answer["decay_factor_per_layer"] < 0.25


def test_book_claims_get_verdicts(sol):
    verdicts = [c.verdict for c in sol.checks if c.verdict is not None]
    assert verdicts == [Verdict.CONFIRMED, Verdict.CONFIRMED]
    assert all(c.catches for c in sol.checks)
    assert {f.verdict for f in sol.findings} == {Verdict.CONFIRMED}


def test_checks_fail_on_plausible_mistakes(sol):
    prob = VanishingTypicalProblem()
    r = sol.result
    # z treated as N(0, 1), independent of w: P(factor < 1/4) would be 0.774
    wrong = dataclasses.replace(r, p_quarter=dataclasses.replace(r.p_quarter, value=0.7735))
    assert not prob.checks(wrong)[2].passed
    # the bound |w|/4 >= 1 alone: P(factor >= 1) = P(|w| > 4) = 6.3e-5
    wrong = dataclasses.replace(r, p_one=dataclasses.replace(r.p_one, value=1 - 2 * float(ndtr(-4.0))))
    assert not prob.checks(wrong)[3].passed
    # a per-layer decay that does not compound (slope 0)
    wrong = dataclasses.replace(r, slope=dataclasses.replace(r.slope, value=0.0))
    assert not prob.checks(wrong)[6].passed


def test_digits_shown_are_those_a_finer_grid_confirms(sol):
    r = sol.result
    assert r.p_quarter.err < 1e-12 and r.mean_log.err < 1e-12 and r.median.err < 1e-11
    assert sig_digits(0.123456, 1e-4) == 3
    assert sig_digits(-2.3, 1e-20) == 10
    line = {a.key: a for a in sol.answer_lines}["p_below_quarter"]
    assert str(line.value) == f"{r.p_quarter.value:.10f}"
    mc = {a.key: a for a in sol.answer_lines}["decay_per_layer"]
    assert "±" in str(mc.value)


@pytest.mark.parametrize(
    ("params", "error", "needle"),
    [
        ({"n_chains": 10**10}, ValueError, "500,000"),
        ({"n_chains": 500_000, "max_depth": 1000}, ValueError, "20,000,000"),
        ({"max_depth": 1001}, ValueError, "1000"),
        ({"n_chains": 5000.0}, TypeError, "n_chains"),
        ({"max_depth": 2}, ValueError, "max_depth"),
        ({"seed": -1}, ValueError, "seed"),
    ],
)
def test_sizes_are_limited_at_once(params, error, needle):
    with pytest.raises(error, match=needle):
        gradmath.solve("vanishing-typical", **params)


def test_chain_stats_validates_sizes():
    with pytest.raises(ValueError, match="n_chains \\* depth"):
        cs.random_chains(10**6, 10**3)
    with pytest.raises(TypeError, match="depth"):
        cs.random_chains(10, 2.5)
    with pytest.raises(ValueError, match="m must"):
        cs.stationary_chain(m=10**5)
