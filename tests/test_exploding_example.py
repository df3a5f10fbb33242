"""exploding-example: w_j = 100 and the book's biases give every z_j = 0, every term 25, and a gradient that
grows 25-fold per layer.

Oracles: the biases and 25^(n-1)/4 by hand, the float64 forward pass written here, and wrong biases
fed to the solver so that its measured checks must fail.
"""

import math

import numpy as np
import pytest
import sympy

import gradmath
from gradmath import chain as ch
from gradmath.solvers import exploding_example as ex


def test_default_example():
    sol = gradmath.solve("exploding-example")
    assert sol.answer["term"] == 25
    # a_0 = 1/4: b_1 = -100/4, then every a_j = sigma(0) = 1/2 and b_j = -50
    assert sol.answer["biases"] == [-25, -50, -50, -50]
    np.testing.assert_allclose(sol.answer["layer_ratios"], 25.0, rtol=0, atol=1e-12)
    assert sol.answer["gradient_b1_over_dC_da"] == sympy.Rational(15625, 4)  # (1/4) 25^3
    assert sol.passed and len(sol.checks) == 5 and sol.verdict == gradmath.Verdict.CONFIRMED
    assert sol.result.z_exact == (0, 0, 0, 0) and sol.result.dC_da == sympy.Rational(1, 2)


def test_deep_chain_with_a_decimal_input():
    # a_0 = 0.29 is 29/100 in the exact chain (b_1 = -29); 40 layers: dC/db_1 = (1/4) 25^39 a_40, about 1e54
    sol = gradmath.solve("exploding-example", depth=40, a0=0.29)
    assert sol.answer["biases"][0] == -29 and sol.answer["biases"][1:] == [-50] * 39
    np.testing.assert_allclose(sol.answer["layer_ratios"], 25.0, rtol=0, atol=1e-12)
    assert sol.answer["gradient_b1_over_dC_da"] == sympy.Rational(25**39, 4)
    assert sol.passed
    assert not sol.result.z_float.any()  # b_1 computed from the stored a_0: the products cancel exactly


def test_float_chain_amplifies_a_rounded_bias_25_fold():
    # the step's claim: with b_1 = -29.0 rounded on its own, z_1 = fl(100 fl(0.29)) - 29 != 0 and every
    # layer multiplies the deviation by w sigma'(0) = 25
    fw = ch.forward([100.0] * 8, [-29.0] + [-50.0] * 7, 0.29)
    assert fw.z[0] == 100 * 0.29 - 29 != 0
    np.testing.assert_allclose(fw.z[2:7] / fw.z[1:6], 25.0, rtol=1e-3)  # (z_2 / z_1 = 24: rounding of sigma)
    assert abs(fw.z[7]) > 1e-6


def _with_biases(monkeypatch, rule):
    monkeypatch.setattr(ex, "stated_biases", rule)
    return gradmath.solve("exploding-example")


def test_checks_fail_with_the_wrong_biases(monkeypatch):
    # b_j = -100 a_0 at every layer: z_2 = 100/2 - 25 = 25, then z_3, z_4 = 100 sigma(...) - 25, nearly 75
    sol = _with_biases(monkeypatch, lambda n, a0: (-ex.W * a0,) * n)
    assert [c.passed for c in sol.checks] == [False, False, False, True, False]
    assert sol.checks[0].agreement == pytest.approx(100 / (1 + math.exp(-75)) - 25, rel=1e-12)
    assert "z₂ = 25" in str(sol.checks[0].catches)


def test_checks_fail_with_a_small_bias_error(monkeypatch):
    # b_2 off by 1e-6: z_j = 1e-6 25^(j-2) grows to 6.25e-4 at layer 4 (sigma' drops by 2.4e-8)
    original = ex.stated_biases
    monkeypatch.setattr(
        ex, "stated_biases", lambda n, a0: tuple(b + (sympy.Rational(1, 10**6) if j == 1 else 0)
                                                for j, b in enumerate(original(n, a0)))
    )  # fmt: skip
    sol = gradmath.solve("exploding-example")
    passed = [c.passed for c in sol.checks]
    assert passed[0] is False and passed[1] is False  # z_j != 0 and the terms differ from 25 by > 2.5e-11
    assert sol.checks[0].agreement == pytest.approx(1e-6 * 25**2, rel=1e-3)


def test_bad_input():
    with pytest.raises(ValueError, match="a0"):
        gradmath.solve("exploding-example", a0=1.5)
    with pytest.raises(ValueError, match="a0"):
        gradmath.solve("exploding-example", a0=0.0)
    with pytest.raises(ValueError, match="depth"):
        gradmath.solve("exploding-example", depth=1)
    with pytest.raises(ValueError, match=r"\[2, 300\].*cube"):
        gradmath.solve("exploding-example", depth=301)
    with pytest.raises(TypeError, match="depth"):
        gradmath.solve("exploding-example", depth=3.0)


@pytest.mark.parametrize("pid", ["chain-gradient", "gradient-ratio", "exploding-example"])
def test_worked_solution_renders_without_ascii_maths(pid):
    sol = gradmath.solve(pid, **({"n_samples": 2000} if pid == "gradient-ratio" else {}))
    text = sol.to_unicode()
    for bad in ("Eq(", "Abs(", "sigma_prime(", "sqrt(", "**", "sigma'", "dC/db", ">=", "<="):
        assert bad not in text, bad
    md = sol._repr_markdown_()
    assert md.count("$") >= 20 and "sigma_prime(" not in md
    texts = [sol.title, sol.statement, sol.answer_text, sol.verdict_reason]
    texts += [s.text for s in sol.steps] + [c.claim for c in sol.checks] + [c.catches for c in sol.checks]
    assert all("$" in t.typst() for t in texts if any(not isinstance(p, str) for p in t.parts))
