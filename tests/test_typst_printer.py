"""The SymPy-to-Typst printer: each node type against a hand-written Typst string, and all compile."""

from __future__ import annotations

import pytest
import sympy as sp

from gradmath.activations import sigma, sigma_prime
from gradmath.printing.typst import TypstPrinter, typst_math, typst_string

x, y, z = sp.symbols("x y z")
f = sp.Function("f")
W = sp.MatrixSymbol("W", 2, 2)
v = sp.MatrixSymbol("v", 2, 1)

# (expression, the Typst math we expect, written by hand from Typst's math syntax)
CASES = [
    # symbols: subscripts, trailing digits, superscripts, Greek, primes, partial derivatives
    (sp.Symbol("w_1"), "w_(1)"),
    (sp.Symbol("z1"), "z_(1)"),
    (sp.Symbol("w_12"), "w_(12)"),
    (sp.Symbol("a_j-1"), "a_(j - 1)"),
    (sp.Symbol("delta^l"), "delta^(l)"),
    (sp.Symbol("Delta"), "Delta"),
    (sp.Symbol("eta"), "eta"),
    (sp.Symbol("lambda_"), "lambda"),
    (sp.Symbol("Sigma'^1"), "Sigma'^(1)"),
    (sp.Symbol("nabla_a C"), "nabla_(a) thin C"),
    (sp.Symbol("x^*"), "x^(ast)"),
    (sp.Symbol("abc"), '"abc"'),
    (sp.Symbol("dC/db_1"), "(partial C)/(partial b_(1))"),
    (sp.Symbol("dC/dw_3"), "(partial C)/(partial w_(3))"),
    (sp.Symbol("f'(z_1)"), "f'(z_(1))"),
    # numbers
    (sp.EulerGamma, "gamma"),
    (sp.Integer(-3), "-3"),
    (sp.Rational(-3, 4), "-3/4"),
    (sp.Float(0.1), "0.1"),
    (sp.Float(1.5e-30), "1.5 times 10^(-30)"),
    (sp.Float(0.450524311958949), "0.450524311958949"),
    (sp.oo, "infinity"),
    (-sp.oo, "-infinity"),
    (sp.pi, "pi"),
    (sp.E, "e"),
    (sp.true, '"true"'),
    (sp.false, '"false"'),
    # arithmetic
    (x - y, "x - y"),
    (x + 2 * y - 3, "x + 2 y - 3"),
    (-x, "-x"),
    (x * y, "x y"),
    (x / y, "x/y"),
    (-x / (2 * y), "-x/(2 y)"),
    ((x + y) * z, "z (x + y)"),
    (sp.Rational(15625, 4) * sp.Symbol("dC/da_4"), "15625/4 (partial C)/(partial a_(4))"),
    (x**2, "x^(2)"),
    ((x + y) ** 2, "(x + y)^(2)"),
    (sp.sqrt(x), "sqrt(x)"),
    (x ** sp.Rational(1, 3), "root(3, x)"),
    (x**-2, "1/(x^(2))"),
    (1 / (x + 1), "1/(x + 1)"),
    (sp.exp(-x), "e^(-x)"),
    (sp.log(x), "ln(x)"),
    (sp.Abs(x), "abs(x)"),
    # functions
    (sigma(x), "sigma(x)"),
    (sigma_prime(z), "sigma'(z)"),
    (sigma_prime(sp.Symbol("z1")) * sp.Symbol("w2"), "w_(2) sigma'(z_(1))"),
    (f(x, y), "f(x, y)"),
    (sp.Function("norm")(x), "norm(x)"),
    (sp.Function("foo")(x), '"foo"(x)'),
    (sp.Max(x, y), "max(x, y)"),
    (sp.Min(x, 1), "min(1, x)"),
    (sp.Derivative(f(x), x), "(partial)/(partial x) f(x)"),
    (sp.Derivative(f(x, y), x, 2), "(partial^(2))/(partial x^(2)) f(x, y)"),
    (sp.Integral(x, (x, 0, 1)), "integral_(0)^(1) x dif x"),
    (sp.Sum(x**2, (x, 1, y)), "sum_(x = 1)^(y) x^(2)"),
    (sp.Product(x, (x, 1, y)), "product_(x = 1)^(y) x"),
    (sp.O(x**2), "O(x^(2))"),
    # relations and logic
    (sp.Eq(x, y), "x = y"),
    (sp.Le(x, 1), "x <= 1"),
    (sp.Lt(x, 1), "x < 1"),
    (sp.Ge(x, 1), "x >= 1"),
    (sp.Gt(x, 1), "x > 1"),
    (sp.Ne(x, 1), "x != 1"),
    (sp.Piecewise((x, x > 0), (0, True)), 'cases(x & "if" x > 0, 0 & "otherwise")'),
    # containers and matrices
    (sp.Tuple(x, 1), "(x, 1)"),
    ([x, 1], "[x, 1]"),
    (sp.Interval(0, 1), "lr([ 0, 1 ])"),
    (sp.Interval.Ropen(0, 1), "lr([ 0, 1 ))"),
    (sp.Matrix([[1, x], [y, 2]]), "mat(1, x; y, 2)"),
    (W * v, "W v"),
    (sp.Transpose(sp.MatrixSymbol("A", 3, 3)), "A^(T)"),
    (sp.Transpose(sp.MatrixSymbol("w^2", 3, 3)), "(w^(2))^(T)"),
]


@pytest.mark.parametrize(("expr", "expected"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_printer_output(expr, expected):
    assert typst_math(expr) == expected


def test_printer_is_a_sympy_printer_with_printmethod():
    from sympy.printing.printer import Printer

    assert issubclass(TypstPrinter, Printer)
    assert TypstPrinter.printmethod == "_typst"


def test_float_digits_setting():
    # 1/3 to 4 significant digits is 0.3333; to 15 it is 0.333333333333333
    assert typst_math(sp.Float(1) / 3, float_digits=4) == "0.3333"
    assert typst_math(sp.Float(1) / 3) == "0.333333333333333"


def test_typst_string_escapes_quotes_and_backslashes():
    assert typst_string('a"b\\c') == '"a\\"b\\\\c"'


def test_every_printed_expression_compiles():
    """All the test expressions plus hostile text in one Typst document: typst must accept it."""
    import typst

    body = "\n".join(f"$ {typst_math(e)} $" for e, _ in CASES)
    body += "\n#" + typst_string('text with $ # * _ @ < > [ ] \\ ` ~ / = - + "quotes"')
    pdf = typst.compile(body.encode())
    assert pdf[:5] == b"%PDF-"


def test_a_printer_error_is_caught_by_typst():
    """Guard for the test above: typst rejects an unquoted multi-letter name (the pitfall we quote)."""
    import typst

    with pytest.raises(Exception, match="abc"):
        typst.compile(b"$ abc $")
