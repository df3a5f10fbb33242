"""The Unicode and LaTeX printers and the number formatter, against hand-written expectations; LaTeX is
also parsed by matplotlib's mathtext (an independent parser) to show it is well formed."""

from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.mathtext import MathTextParser

from gradmath.activations import sigma, sigma_prime
from gradmath.printing.latex import latex_math
from gradmath.printing.nodes import Approx, PlusMinus, hand_ordered, ordered
from gradmath.printing.numfmt import decimal, with_uncertainty
from gradmath.printing.unicode import subscript, superscript, unicode_display, unicode_math

x, y, w = sp.symbols("x y w")
W = sp.Symbol("|w|", positive=True)

# (name, Unicode, LaTeX), written by hand from the naming convention
NAMES = [
    ("w_1", "w₁", "w_{1}"),
    ("z1", "z₁", "z_{1}"),
    ("a_j-1", "aⱼ₋₁", "a_{j - 1}"),
    ("delta^l", "δˡ", r"\delta^{l}"),
    ("z^*", "z*", "z^{*}"),
    ("sigma'", "σ′", r"\sigma'"),
    ("|w|", "|w|", "|w|"),
    ("||delta^1||", "‖δ¹‖", r"\lVert \delta^{1} \rVert"),
    ("dC/db_1", "∂C/∂b₁", r"\frac{\partial C}{\partial b_{1}}"),
    ("f'(z_1)", "f′(z₁)", "f'(z_{1})"),
    ("W.T", "Wᵀ", r"W^{\mathsf{T}}"),
    ("nabla_a C", "∇ₐ C", r"\nabla_{a}\, C"),
    ("width", "width", r"\mathrm{width}"),
    ("E[log|w|]", "E[log|w|]", None),
    ("Var(w)", "Var(w)", r"\operatorname{Var}(w)"),
]


@pytest.mark.parametrize(("name", "uni", "tex"), NAMES)
def test_symbol_names(name, uni, tex):
    assert unicode_math(sp.Symbol(name)) == uni
    if tex is not None:
        assert latex_math(sp.Symbol(name)) == tex


EXPRESSIONS = [
    (sp.Ge(sigma_prime(sp.Symbol("z")), 1 / W), "σ′(z) ≥ 1/|w|"),
    (sp.Le(sp.Abs(w), 4), "|w| ≤ 4"),
    (sp.Ne(x, 1), "x ≠ 1"),
    (x**2, "x²"),
    (x ** (y + 1), "xʸ⁺¹"),
    (sp.sqrt(1 - 4 / W), "√(1 − 4/|w|)"),
    (sp.sqrt(x), "√x"),
    (x ** sp.Rational(1, 3), "∛(x)"),
    (sp.exp(-x), "e⁻ˣ"),
    (sp.log(x), "ln(x)"),
    (sp.atanh(x), "artanh(x)"),
    (sp.Rational(-3, 4), "−3/4"),
    (sp.Float(1.5e-30), "1.5 × 10⁻³⁰"),
    (2 * x, "2 x"),
    (x - y, "x − y"),
    (sigma(x) * (1 - sigma(x)), "(1 − σ(x)) σ(x)"),
    (ordered(sigma(x), 1 - sigma(x)), "σ(x) (1 − σ(x))"),
    (Approx(sp.Symbol("w^*"), sp.Float(6.894151032272928)), "w* ≈ 6.89415103227293"),
    (PlusMinus(sp.Float(0.5), sp.Float(0.01)), "0.5 ± 0.01"),
    (sp.Interval(0, 1), "[0, 1]"),
]


@pytest.mark.parametrize(("expr", "expected"), EXPRESSIONS)
def test_unicode_inline(expr, expected):
    assert unicode_math(expr) == expected


def test_unicode_display_uses_pretty_printer_with_our_names():
    out = unicode_display(sp.Eq(sp.Symbol("dC/db_1"), sp.Rational(15625, 4) * sp.Symbol("dC/da_4")))
    lines = out.splitlines()
    assert len(lines) == 3  # a built-up fraction
    assert "15625" in lines[0] and "∂C/∂a₄" in lines[0] and "4" in lines[2] and "∂C/∂b₁ =" in lines[1]
    assert unicode_display(sigma_prime(sp.Symbol("z_1"))) == "σ′(z₁)"
    assert unicode_display(sp.atanh(x)) == "artanh(x)"


def test_ordered_product_keeps_the_book_order_and_its_value():
    z1, z2, w2, w3 = sp.symbols("z1 z2 w2 w3")
    e = ordered(sigma_prime(z1), w2, sigma_prime(z2), w3)
    assert hand_ordered(e) and not hand_ordered(w2 * w3)
    assert sp.simplify(e - w2 * w3 * sigma_prime(z1) * sigma_prime(z2)) == 0
    assert unicode_math(e) == "σ′(z₁) w₂ σ′(z₂) w₃"
    assert latex_math(e) == r"\sigma'(z_{1}) w_{2} \sigma'(z_{2}) w_{3}"
    assert "σ′(z₁)⋅w₂⋅σ′(z₂)⋅w₃" in unicode_display(e)


LATEX_EXPRESSIONS = [
    2 / W * sp.log(W * (1 + sp.sqrt(1 - 4 / W)) / 2 - 1),
    4 / W * sp.atanh(sp.sqrt(1 - 4 / W)),
    sp.Eq(sp.Symbol("dC/db_1"), ordered(sigma_prime(sp.Symbol("z1")), sp.Symbol("w2"))),
    Approx(sp.Symbol("w^*"), sp.Float(6.894151032272928)),
    PlusMinus(sp.Float(0.5), sp.Float(0.01)),
    sp.Le(sp.Abs(w * sigma_prime(w * x + y)), sp.Abs(w) / 4),
    sp.Symbol("||delta^1||") / sp.Symbol("||delta^4||"),
]


@pytest.mark.parametrize("expr", LATEX_EXPRESSIONS, ids=range(len(LATEX_EXPRESSIONS)))
def test_latex_is_parsed_by_mathtext(expr):
    src = latex_math(expr).replace(r"\operatorname{artanh}", r"\mathrm{artanh}")
    src = src.replace(r"\lVert", r"\Vert").replace(r"\rVert", r"\Vert")
    MathTextParser("path").parse(f"${src}$")  # raises ValueError on malformed TeX


# --- numbers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "sig", "expected"),
    [
        (0.4477432046943028, 6, ("0.447743", None)),
        (6.894151032272928, 4, ("6.894", None)),
        (1e-7, 3, ("1", -7)),
        (2.4e-41, 2, ("2.4", -41)),
        (123456789.0, 3, ("1.23", 8)),
        (0.00025, 2, ("0.00025", None)),
        (0.000025, 2, ("2.5", -5)),
        (15625 / 4, 6, ("3906.25", None)),
        (0.0, 6, ("0", None)),
        (-19.5, 3, ("-19.5", None)),
    ],
)
def test_decimal(value, sig, expected):
    assert tuple(decimal(value, sig)) == expected


@pytest.mark.parametrize(
    ("value", "err", "expected"),
    [
        (0.811712, 0.000298, ("0.81171", "0.00030", None)),  # 298: two digits
        (96.4512, 0.0412, ("96.45", "0.04", None)),  # 412: one digit
        (4.8, 0.35, ("4.80", "0.35", None)),  # 350 <= 354: two digits
        (4.8, 0.36, ("4.8", "0.4", None)),  # 360: one digit
        (0.95, 0.0098, ("0.950", "0.010", None)),  # 980 rounds up to 1000: two digits of 0.010
        (123.0, 15.0, ("123", "15", None)),
        (1.234e-5, 3.1e-7, ("1.234", "0.031", -5)),
    ],
)
def test_with_uncertainty_pdg_rule(value, err, expected):
    assert tuple(with_uncertainty(value, err)) == expected


@given(st.floats(-1e6, 1e6, allow_nan=False), st.floats(1e-6, 1e3))
def test_uncertainty_rounding_stays_within_half_a_last_digit(value, err):
    u = with_uncertainty(value, err)
    scale = 10.0 ** (u.exponent or 0)
    shown = float(u.mantissa) * scale
    # rounded no coarser than the error's own leading decade (the next one when 95.. rounds up)
    coarsest = 0.5 * 10.0 ** (math.floor(math.log10(err)) + 1)
    assert abs(shown - value) <= coarsest * (1 + 1e-9) + 1e-12 * abs(value)
    digits = u.error.replace(".", "").lstrip("0")
    if "." not in u.error:
        digits = digits.rstrip("0") or "0"
    assert 1 <= len(digits) <= 2  # one or two significant digits
    assert math.isclose(float(u.error) * scale, err, rel_tol=0.55)


def test_scripts():
    assert subscript("j-1") == "ⱼ₋₁" and superscript("-5") == "⁻⁵"
    assert subscript("q") == "_q" and superscript("xy") == "ˣʸ" and superscript("Q1") == "^(Q1)"
