"""chain-gradient (eq. 114-122): the answer, its display in the book's order, the depth limit, and checks
that fail when the derivation is wrong.

Oracles: eq. 122 typed in by hand, a NumPy evaluation of the gradient written here, and deliberately
broken derivations fed to the solver's own checks.
"""

import math

import numpy as np
import pytest
import sympy

import gradmath
from gradmath import chain as ch
from gradmath.activations import sigma_prime
from gradmath.chain_fd import FiniteDifference
from gradmath.solvers import chain_gradient as cg

Z = sympy.symbols("z1:5", real=True)
W = sympy.symbols("w1:5", real=True)
DC = sympy.Symbol("dC/da_4", real=True)
#: eq. 122 as the book prints it, factor by factor
EQ_122 = (sigma_prime(Z[0]), W[1], sigma_prime(Z[1]), W[2], sigma_prime(Z[2]), W[3], sigma_prime(Z[3]), DC)


@pytest.fixture(scope="module")
def default():
    return gradmath.solve("chain-gradient")


def test_default_answer_is_eq_122(default):
    assert default.answer["depth"] == 4
    assert default.answer["gradient"] == sympy.Mul(*EQ_122)
    assert default.passed and len(default.checks) == 3
    assert default.verdict == gradmath.Verdict.CONFIRMED


def test_displayed_product_keeps_the_books_order(default):
    unrolled = default.steps[-1]
    assert unrolled.tag == "122"
    assert unrolled.expr.rhs.args == EQ_122  # the display, factor by factor
    assert sympy.simplify(unrolled.expr.rhs - default.answer["gradient"]) == 0  # equal to the answer's value
    line = next(a for a in default.answer_lines if a.key == "gradient")
    assert str(line.value) == "σ′(z₁) w₂ σ′(z₂) w₃ σ′(z₃) w₄ σ′(z₄) ∂C/∂a₄"
    assert "σ′(z₁) w₂ σ′(z₂) w₃ σ′(z₃) w₄ σ′(z₄) ∂C/∂a₄" in default.to_unicode()
    md = default._repr_markdown_()
    assert r"\sigma'(z_{1}) w_{2} \sigma'(z_{2}) w_{3}" in md and "sigma_prime(" not in md


def _numpy_log_gradient(depth, seed):
    """log|dC/db_1| of the chain drawn by random_parameters' documented recipe, evaluated here in NumPy."""
    rng = np.random.default_rng(seed)
    w, b, a0 = rng.standard_normal(depth), rng.standard_normal(depth), rng.uniform(0.1, 0.9)
    a, zs = a0, []
    for wj, bj in zip(w, b, strict=True):
        zs.append(wj * a + bj)
        a = 1 / (1 + np.exp(-zs[-1]))
    sp = [np.exp(-z) / (1 + np.exp(-z)) ** 2 for z in zs]
    return np.sum(np.log(sp)) + np.sum(np.log(np.abs(w[1:]))) + np.log(a)  # C = a_n^2/2: dC/da_n = a_n


@pytest.mark.parametrize("depth", [4, 30])
def test_log_gradient_at_random_parameters(depth):
    sol = gradmath.solve("chain-gradient", depth=depth, seed=5)
    log_g = sol.answer["log_abs_gradient_at_random_parameters"]
    assert log_g == pytest.approx(_numpy_log_gradient(depth, 5), abs=1e-12)


def test_deep_chain_shows_a_product_over_j_and_checks_three_gradients():
    sol = gradmath.solve("chain-gradient", depth=300)
    assert sol.passed and len(sympy.Mul.make_args(sol.answer["gradient"])) == 600
    assert [c.passed for c in sol.checks] == [True]  # nested diff and two-cost differences: too deep
    assert [(c.kind, c.j) for c in sol.result.compared] == [("b", 1), ("w", 1), ("b", 300)]
    shown = sol.steps[-1].expr.rhs
    assert isinstance(shown.args[1], sympy.Product) and shown.args[1].limits[0][1:] == (2, 300)
    assert sol.steps[-1].tag == "121"
    assert sol.answer["log_abs_gradient_at_random_parameters"] == pytest.approx(
        _numpy_log_gradient(300, 0), abs=1e-10
    )


def test_depth_limit_is_rejected_before_any_work(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("compute ran")

    monkeypatch.setattr(ch, "chain_gradient", never)
    with pytest.raises(ValueError, match=r"depth must be an integer in \[1, 100,000\].*246 s"):
        gradmath.solve("chain-gradient", depth=10**6)
    assert cg.MAX_DEPTH == 100_000


@pytest.mark.parametrize("bad", [0, -1])
def test_bad_depth_value(bad):
    with pytest.raises(ValueError, match="depth"):
        gradmath.solve("chain-gradient", depth=bad)


@pytest.mark.parametrize("bad", [2.5, True, "4", None])
def test_bad_depth_type(bad):
    with pytest.raises(TypeError, match="depth"):
        gradmath.solve("chain-gradient", depth=bad)


def _broken(depth, extra):
    """A derivation of dC/db_1 with one wrong factor, checked by the solver's own checks."""
    g = ch.chain_gradient(depth)
    g.gradient = g.gradient * extra
    p = ch.random_parameters(depth, 0)
    r = cg.ChainGradientResult(g, 0, p, cg._nested_mismatches(g), cg._compare(g, p))
    return cg.ChainGradientProblem().checks(r), r


@pytest.mark.parametrize(
    "extra", [-1, sympy.Symbol("w1", real=True), sigma_prime(sympy.Symbol("z1", real=True))]
)
def test_every_check_fails_on_a_wrong_gradient(extra):
    checks, r = _broken(4, extra)
    assert [c.passed for c in checks] == [False, False, False]
    assert checks[0].agreement == 2  # dC/db_1 and dC/dw_1 = a_0 dC/db_1 differ from SymPy's diff
    expected = {-1: 2.0}.get(extra)  # a sign error: ours/fd = -1, relative difference 2
    if expected is not None:
        assert r.worst("secant") == pytest.approx(expected, abs=1e-12)


def test_relative_error_from_logs_and_signs():
    f = FiniteDifference(value=None, log_abs=math.log(2.0), sign=-1.0, dps=40, h=None)
    assert cg.Compared.rel_error((math.log(2.2), -1.0), f) == pytest.approx(0.1, abs=1e-15)
    assert cg.Compared.rel_error((math.log(2.0), 1.0), f) == pytest.approx(2.0, abs=1e-15)
    assert cg.Compared.rel_error((-math.inf, 0.0), f) == math.inf
    zero = FiniteDifference(value=0, log_abs=-math.inf, sign=0.0, dps=40, h=None)
    assert cg.Compared.rel_error((-math.inf, 0.0), zero) == 0.0
