"""Problem 2: the identity neuron, w₂σ(w₁x + b) ≈ x on [0, 1].

The hint's Taylor construction (b = −w₁/2, w₂ = 4/w₁) gives x plus the offset 2/w₁ − 1/2, with a
maximum error 1/2 − (2/w₁) tanh(w₁/4) ≈ w₁²/96; the next neuron's bias absorbs the offset. Without an
offset the family cannot come closer than a worst-case error of 0.0560503844 (the minimax fit, proved
optimal by its equioscillation) or an RMS error of 0.0266571036 (the least-squares fit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import mpmath
import numpy as np
import sympy
from scipy.special import expit

from .. import identity as idn
from ..activations import sigma, sigma_prime
from ..contract import (
    AnswerLine,
    Check,
    Correction,
    Figure,
    Finding,
    Panel,
    Series,
    Step,
    Table,
    Verdict,
    Writeup,
)
from ..notation import approx, ordered, ordered_sum, x
from ..registry import Param, Problem, problem
from ..sources import Source
from ..text import Num, Ref, Text, tx

t, W1, D, Z = sympy.symbols("t w_1 Delta z", real=True)
W2, B, OFFSET, E_MAX, E_STAR = (sympy.Symbol(n) for n in ("w_2", "b", "offset", "e_max", "E^*"))
HALF = sympy.Rational(1, 2)
#: the w₁ at which the closed-form error is compared with the neuron evaluated in mpmath
SWEEP = (4.0, 2.0, 1.0, 0.5, 0.1, 1e-2, 1e-4, 1e-8)
W_NEXT, B_NEXT = 3.0, -1.0  # the following neuron of the chain check
WP = sympy.Symbol("w'")
E_X = sympy.Symbol("e(x)")  # the error of a fit without offset, x − w₂σ(w₁x + b)
FIG_FITS, FIG_MINIMAX = "identity-fits", "identity-minimax"


@dataclass(frozen=True)
class Taylor:
    """The construction derived from the series of σ (SymPy)."""

    series: sympy.Expr  # σ(t) to O(t⁷)
    w2: sympy.Expr  # 4/w₁, from matching the coefficient of Δ
    offset: sympy.Expr  # 2/w₁ − 1/2, the constant term minus the 1/2 of x (in the book's order)
    output: sympy.Expr  # (4/w₁) σ(w₁Δ), expanded
    c_taylor: sympy.Rational  # |coefficient of w₁²Δ³| · (1/2)³: the leading error constant
    exact_error: sympy.Expr  # 1/2 − (2/w₁) tanh(w₁/4)
    error_series: sympy.Expr  # its Taylor series to O(w₁⁶)
    c_series: sympy.Rational  # its w₁² coefficient


@cache
def _taylor() -> Taylor:
    series = sympy.series(1 / (1 + sympy.exp(-t)), t, 0, 7).removeO()
    out = sympy.expand(W2 * series.subs(t, W1 * D))
    w2 = sympy.solve(sympy.Eq(out.coeff(D, 1), 1), W2)[0]
    output = sympy.expand(out.subs(W2, w2))
    offset = output.coeff(D, 0) - HALF  # x = 1/2 + Δ
    shown = ordered_sum(2 / W1, -HALF)
    offset = shown if sympy.simplify(shown - offset) == 0 else offset
    c_taylor = sympy.Abs(output.coeff(D, 3) * HALF**3 / W1**2)
    exact = HALF - 2 / W1 * sympy.tanh(W1 / 4)
    err_series = sympy.series(exact, W1, 0, 6).removeO()
    output = ordered_sum(*(output.coeff(D, k) * D**k for k in range(6) if output.coeff(D, k) != 0))
    return Taylor(series, w2, offset, output, sympy.nsimplify(c_taylor), exact, err_series,
                  err_series.coeff(W1, 2))  # fmt: skip


def _dps(w1: float, power: int) -> int:
    """Working digits for the neuron in mpmath: 40 plus what w₂ ~ 4/w₁ and e ~ w₁² cancel."""
    return 40 + power * max(0, math.ceil(-math.log10(w1)))


def _grid_max_error(w1: float) -> mpmath.mpf:
    """max over x = 0, 0.01, ..., 1 of |w₂σ(w₁x + b) − offset − x|, the neuron as defined, in mpmath."""
    with mpmath.workdps(_dps(w1, 3)):
        v = mpmath.mpf(w1)
        w2, b, off = 4 / v, -v / 2, 2 / v - mpmath.mpf(1) / 2
        return max(abs(w2 / (1 + mpmath.exp(-(v * xk + b))) - off - xk) for xk in mpmath.linspace(0, 1, 101))


def _line_fit(w1: float) -> tuple[float, float]:
    """(w₂, offset) from the best straight line through σ(w₁x − w₁/2) on [0, 1] (mpmath quadrature):
    slope m = 12 ∫ Δ (σ(w₁Δ) − 1/2) dΔ = 6 ∫ Δ tanh(w₁Δ/2) dΔ over [−1/2, 1/2]; w₂ = 1/m; and the offset
    as the mean of w₂σ(w₁x + b) − x over [0, 1]."""
    with mpmath.workdps(_dps(w1, 1)):
        v = mpmath.mpf(w1)
        m = 6 * mpmath.quad(lambda d: d * mpmath.tanh(v * d / 2), [-0.5, 0, 0.5])
        w2 = 4 / v  # the construction's w₂, to measure its offset
        mean = mpmath.quad(lambda s: w2 / (1 + mpmath.exp(-(v * s - v / 2))) - s, [0, 0.5, 1])
        return float(1 / m), float(mean)


def _chain_error(w1: float) -> float:
    """max over the grid of |σ(w′y + b′ − w′·offset) − σ(w′x + b′)|, y the identity neuron's output (mpmath)."""
    with mpmath.workdps(_dps(w1, 3)):
        v = mpmath.mpf(w1)
        w2, b, off = 4 / v, -v / 2, 2 / v - mpmath.mpf(1) / 2
        sig = lambda q: 1 / (1 + mpmath.exp(-q))  # noqa: E731
        return float(max(abs(sig(W_NEXT * w2 * sig(v * s + b) + B_NEXT - W_NEXT * off) - sig(W_NEXT * s + B_NEXT))
                         for s in mpmath.linspace(0, 1, 101)))  # fmt: skip


@cache
def _least_squares_gauss_newton() -> tuple[str, str, str, str]:
    """The L² fit by a second route: Gauss-Newton on the residuals at 96 Gauss-Legendre nodes, in mpmath at
    40 digits, from the SciPy fit; returns w₁, b, w₂ and the RMS error to 32 digits."""
    from mpmath.calculus.quadrature import GaussLegendre

    start = idn.least_squares_scipy()
    with mpmath.workdps(40):
        nodes = [
            ((1 + u) / 2, mpmath.sqrt(v / 2))
            for u, v in GaussLegendre(mpmath.mp).calc_nodes(6, mpmath.mp.prec)
        ]
        p = mpmath.matrix([start.w1, start.b, start.w2])
        for _ in range(200):
            jac, res = mpmath.matrix(len(nodes), 3), mpmath.matrix(len(nodes), 1)
            for i, (s, sw) in enumerate(nodes):
                sg = 1 / (1 + mpmath.exp(-(p[0] * s + p[1])))
                res[i], slope = sw * (p[2] * sg - s), sw * p[2] * sg * (1 - sg)
                jac[i, 0], jac[i, 1], jac[i, 2] = slope * s, slope, sw * sg
            step = mpmath.lu_solve(jac.T * jac, jac.T * res)
            p -= step
            if mpmath.norm(step) < mpmath.mpf(10) ** -36:
                break
        return tuple(mpmath.nstr(v, 32) for v in (p[0], p[1], p[2], mpmath.norm(res)))


def _hessian_eigenvalues(fit: idn.Fit) -> np.ndarray:
    """Eigenvalues of the Hessian of J at the fit (central differences, step 1e-4, 200-point Gauss-Legendre)."""
    nodes, weights = np.polynomial.legendre.leggauss(200)
    nodes, weights = (nodes + 1) / 2, weights / 2

    def cost(p):
        r = p[2] * expit(p[0] * nodes + p[1]) - nodes
        return float(np.sum(weights * r * r))

    p, h, eye = np.array([fit.w1, fit.b, fit.w2]), 1e-4, np.eye(3) * 1e-4
    hess = np.array([[(cost(p + eye[i] + eye[j]) - cost(p + eye[i] - eye[j]) - cost(p - eye[i] + eye[j])
                       + cost(p - eye[i] - eye[j])) / (4 * h * h) for j in range(3)] for i in range(3)])  # fmt: skip
    return np.linalg.eigvalsh(hess)


@dataclass(frozen=True)
class IdentityResult:
    neuron: idn.IdentityNeuron
    taylor: Taylor
    w1_check: float  # where the construction is compared with a numerical line fit
    w2_fit: float  # 1/slope of the best line through σ(w₁x + b), at w1_check
    offset_mean: float  # mean of w₂σ(w₁x + b) − x over [0, 1], at w1_check
    sweep: tuple[float, ...]  # w₁ values of the error comparison (the chosen w₁ first)
    sweep_closed: np.ndarray  # exact_max_error (float64)
    sweep_grid: tuple  # the neuron's max error on a grid, in mpmath (mpf)
    chain_error: float
    ls: idn.Fit  # least squares, mpmath (all digits)
    ls_scipy: idn.Fit
    ls_numeric: tuple[str, str, str, str]  # second route: w1, b, w2, rms to 32 digits
    hessian: np.ndarray  # eigenvalues at the L² fit
    mm: idn.MinimaxFit


@problem("identity-neuron", source=Source("nielsen", "Problem 2"), order=90)
class IdentityNeuronProblem(Problem):
    title = tx("Problem 2: the identity neuron")
    quick = "nothing: about a second (the fits are kept for later runs in the same process)"
    params = (
        Param.real("w1", 0.1, idn.W1_MIN, idn.W1_MAX, doc="the small input weight of the construction"),
    )

    def compute(self, options, w1: float) -> IdentityResult:
        w1c = min(max(w1, 1e-8), 1.0)
        w2_fit, offset_mean = _line_fit(w1c)
        sweep = (w1, *(v for v in SWEEP if v != w1))
        ls = idn.least_squares_fit()
        return IdentityResult(
            neuron=idn.identity_neuron(w1), taylor=_taylor(), w1_check=w1c, w2_fit=w2_fit, offset_mean=offset_mean,
            sweep=sweep, sweep_closed=np.array([idn.exact_max_error(v) for v in sweep]),
            sweep_grid=tuple(_grid_max_error(v) for v in sweep), chain_error=_chain_error(w1), ls=ls,
            ls_scipy=idn.least_squares_scipy(), ls_numeric=_least_squares_gauss_newton(),
            hessian=_hessian_eigenvalues(ls), mm=idn.minimax_fit(),
        )  # fmt: skip

    def answer(self, r: IdentityResult) -> dict:
        n = r.neuron
        return {"w1": n.w1, "b": n.b, "w2": n.w2, "offset": n.offset, "error_bound": n.error_bound,
                "leading_error_constant": r.taylor.c_series, "least_squares_fit": r.ls.as_dict(),
                "minimax_fit": r.mm.fit.as_dict(), "least_squares_digits": dict(r.ls.digits),
                "minimax_digits": dict(r.mm.fit.digits)}  # fmt: skip

    def explain(self, r: IdentityResult) -> Writeup:
        return Writeup(statement=STATEMENT, answer_text=_answer_text(r), steps=_steps(r),
                       answer_lines=_answer_lines(r), findings=[_finding(r)], verdict=Verdict.CORRECTED,
                       verdict_reason=tx("the construction is the identity only up to the offset {}, which the "
                                         "next bias absorbs; without it no choice does better than {} worst-case.",
                                         r.taylor.offset, Num(r.mm.fit.max_error, sig=2, percent=True)),
                       corrections=[_correction(r)])  # fmt: skip

    def checks(self, r: IdentityResult) -> list[Check]:
        return _construction_checks(r) + _fit_checks(r)

    def figures(self, r: IdentityResult) -> list[Figure]:
        return [_fits_figure(r), _minimax_figure(r)]


# --- the write-up ------------------------------------------------------------------------------------

NEURON = ordered(W2, sigma(ordered_sum(ordered(W1, x), B)))


def _x_plus_offset() -> sympy.Expr:
    return ordered_sum(x, 2 / W1, -HALF)


def _in01() -> Text:
    return tx("{} in {}", x, sympy.Interval(0, 1))


STATEMENT = tx("Consider a neuron with a single input {}, a corresponding weight {}, a bias {}, and a weight {} on "
               "the output. Show that by choosing the weights and bias appropriately, we can ensure {} for {}. "
               "Hint: rewrite {}, assume {} is small, and use a Taylor series expansion in {}.", x, W1, B, W2,
               approx(NEURON, x), _in01(), sympy.Eq(x, HALF + D), W1,
               ordered(W1, D))  # fmt: skip


def _digits(text: str, sig: int) -> sympy.Symbol:
    """The decimal ``text`` rounded to ``sig`` significant digits, printed as written (more than a float holds)."""
    with mpmath.workdps(len(text) + 5):
        return sympy.Symbol(mpmath.nstr(mpmath.mpf(text), sig))


def _answer_text(r: IdentityResult) -> Text:
    tay, n = r.taylor, r.neuron
    return tx("With {} and {} the neuron outputs {} up to an error of at most {} ({} at {}), and the next neuron's "
              "bias absorbs the offset. Without an output offset no choice of {} does better than a worst-case "
              "error of {} ({}): the minimax fit ({}).", sympy.Eq(B, -W1 / 2), sympy.Eq(W2, tay.w2),
              _x_plus_offset(), tay.exact_error, Num(n.error_bound, sig=6), sympy.Eq(W1, _num(n.w1)),
              sympy.Tuple(W1, B, W2), _digits(r.mm.fit.digits["max_error"], 10),
              Num(r.mm.fit.max_error, sig=2, percent=True), Ref(FIG_MINIMAX, "see the second figure"))  # fmt: skip


def _num(v: float) -> sympy.Symbol:
    """A float as the shortest decimal that reads back as it (for parameters the user gave)."""
    text = repr(float(v))
    if "e" not in text:
        return sympy.Symbol(text)
    mant, exp = text.split("e")
    power = sympy.Pow(10, int(exp), evaluate=False)
    return power if mant in ("1", "1.0") else sympy.Mul(sympy.Symbol(mant), power, evaluate=False)


def _steps(r: IdentityResult) -> list[Step]:
    tay, mm = r.taylor, r.mm
    e_of_d = sympy.Symbol("e(Delta)")
    return [
        Step(tx("Write {} and choose {}, so that the weighted input is {}:", sympy.Eq(x, HALF + D),
                sympy.Eq(B, -W1 / 2), ordered(W1, D)),
             sympy.Eq(ordered_sum(ordered(W1, x), B), ordered(W1, D), evaluate=False)),
        Step(tx("The Taylor series of the sigmoid in {} (SymPy):", t),
             sympy.Eq(sigma(t), tay.series + sympy.O(t**7), evaluate=False)),
        Step(tx("Matching the coefficient of {} in {} to 1 gives {}; then the output is {}, the constant offset {}, "
                "and an error of order {}:", D, NEURON, sympy.Eq(W2, tay.w2), ordered_sum(x, OFFSET), tay.offset,
                W1**2),
             sympy.Eq(ordered(tay.w2, sigma(ordered(W1, D))), tay.output, evaluate=False)),
        Step(tx("The error {} is odd and decreasing ({}), so its largest size on {} is at the ends, exactly",
                sympy.Eq(e_of_d, ordered_sum(ordered(tay.w2, sigma(ordered(W1, D)) - HALF), -D), evaluate=False),
                sympy.Le(sympy.Symbol("e'(Delta)"), 0), sympy.Interval(0, 1)),
             sympy.Eq(E_MAX, tay.exact_error, evaluate=False)),
        Step(tx("Its series has the leading term {}, the cubic term of the output at {} ({}):", W1**2 / 96,
                sympy.Eq(sympy.Abs(D), HALF), Ref(FIG_FITS, "see the first figure, right")),
             sympy.Eq(E_MAX, ordered_sum(*sympy.Add.make_args(tay.error_series)[::-1][:2], sympy.O(W1**6)),
                      evaluate=False)),
        Step(tx("The offset grows as {} shrinks, but in a chain the next neuron, with weight {} and bias {}, absorbs "
                "it: with {} the neuron's output, {} equals {} up to {}.", W1, sympy.Symbol("w'"),
                sympy.Symbol("b'"), sympy.Symbol("y"),
                sigma(ordered_sum(ordered(sympy.Symbol("w'"), sympy.Symbol("y")), sympy.Symbol("b'"),
                                  -ordered(sympy.Symbol("w'"), OFFSET))),
                sigma(ordered_sum(ordered(sympy.Symbol("w'"), x), sympy.Symbol("b'"))),
                ordered(sympy.Symbol("w'") / 4, E_MAX))),
        Step(tx("Without an offset, {} cannot approach {} arbitrarily well: the best fits on {}, by least squares "
                "and by the smallest worst-case error (minimax), are in the table of the result.", NEURON, x,
                sympy.Interval(0, 1))),
        Step(tx("The minimax error {} alternates with equal size at four points: the ends and the two points "
                "where {}, the edges of the interval of Problem 1(2) for the weight {}:",
                sympy.Eq(E_X, x - NEURON, evaluate=False),
                sympy.Eq(sympy.Abs(ordered(W1, W2, sigma_prime(Z)), evaluate=False), 1), ordered(W1, W2)),
             sympy.Eq(sympy.Tuple(*(sympy.Symbol(f"e({p:.6g})") for p in mm.points)),
                      sympy.Tuple(*(sympy.Symbol(f"{v:.6g}") for v in mm.levels)), evaluate=False)),
        Step(_optimality_text(r)),
    ]  # fmt: skip


def _optimality_text(r: IdentityResult) -> Text:
    mm = r.mm
    return tx("What is proven. Two members of the family differ by a function with at most two zeros: clearing the "
              "positive denominators of {} leaves {}, a sum of three exponentials, which has at most two real zeros "
              "(Descartes' rule of signs for exponential sums). A member with worst-case error below {} would "
              "differ from the minimax fit with the signs of {} at the four alternating points, so it would have "
              "three zeros. Hence no {} does better than {} (de la Vallée Poussin): the alternation proves the "
              "global optimum, no search is needed for it. At {} digits this lower bound and the fit's exact "
              "worst-case error {}, so {} to every digit shown; the fit is symmetric about {} ({} and {} "
              "to every digit). The least-squares fit has no such "
              "certificate: it is a local minimum (Hessian eigenvalues {}, {}, {}), and that it is the global "
              "one rests on a numerical search from five starting points.",
              sympy.Eq(NEURON, ordered(sympy.Symbol("v_2"), sigma(ordered_sum(ordered(sympy.Symbol("v_1"), x),
                                                                              sympy.Symbol("c"))))),
              _three_exponentials(), E_STAR, E_X, sympy.Tuple(W1, B, W2),
              _digits(mm.lower, 12), mm.dps,
              tx("agree to the working precision") if mm.gap < 10.0 ** (2 - mm.dps)
              else tx("differ by {}", Num(mm.gap, sig=1)), sympy.Eq(E_STAR, _digits(mm.upper, 20)),
              sympy.Eq(x, HALF), sympy.Eq(W2, 1), sympy.Eq(B, -W1 / 2),
              *(Num(v, sig=2) for v in r.hessian))  # fmt: skip


def _three_exponentials() -> sympy.Expr:
    v1, v2, c = sympy.symbols("v_1 v_2 c")
    return sympy.Eq(
        ordered_sum(
            W2,
            -v2,
            ordered(W2, sympy.exp(-c), sympy.exp(-ordered(v1, x))),
            -ordered(v2, sympy.exp(-B), sympy.exp(-ordered(W1, x))),
        ),
        0,
    )


def _fits_table(r: IdentityResult) -> Table:
    rows = []
    for name, fit in (("least squares", r.ls), ("minimax", r.mm.fit)):
        rows.append((tx(name), *(tx("{}", _digits(fit.digits[k], 12)) for k in ("w1", "b", "w2", "rms_error",
                                                                                  "max_error"))))  # fmt: skip
    return Table((tx("fit"), tx("{}", W1), tx("{}", B), tx("{}", W2), tx("RMS error"), tx("worst-case error")), rows,
                 tx("Every digit shown is correct (two mpmath solutions agree to at least 25 digits)."))  # fmt: skip


def _answer_lines(r: IdentityResult) -> list[AnswerLine]:
    n = r.neuron
    return [
        AnswerLine(tx("bias for {}", sympy.Eq(W1, _num(n.w1))), tx("{}", Num(n.b, sig=16)), key="b"),
        AnswerLine(tx("output weight {}", sympy.Eq(W2, r.taylor.w2)), tx("{}", Num(n.w2, sig=16)), key="w2"),
        AnswerLine(tx("offset {}", r.taylor.offset), tx("{}", Num(n.offset, sig=16)), key="offset"),
        AnswerLine(tx("worst-case error {}", r.taylor.exact_error), tx("{}", Num(n.error_bound, sig=10)),
                   key="error_bound"),
        AnswerLine(tx("leading error constant {}", sympy.Symbol("C")), tx("{}", r.taylor.c_series),
                   key="leading_error_constant"),
        AnswerLine(tx("best fits without an offset"), _fits_table(r)),
    ]  # fmt: skip


def _finding(r: IdentityResult) -> Finding:
    return Finding(tx("weights and a bias give {} on {}", approx(NEURON, x), sympy.Interval(0, 1)),
                   tx("{} for small {}", approx(NEURON, x), W1),
                   tx("only up to an offset {}; without it at least {} error", r.taylor.offset,
                      Num(r.mm.fit.max_error, sig=2, percent=True)), Verdict.CORRECTED)  # fmt: skip


def _correction(r: IdentityResult) -> Correction:
    return Correction(
        Source("nielsen", "Problem 2"),
        "Show that by choosing the weights and bias appropriately, we can ensure w₂σ(w₁x+b) ≈ x for x ∈ [0,1].",
        tx("Only up to an additive offset: with {} and {} the output is {} within {}. With no offset, every "
           "choice of {} has a worst-case error of at least {} ({}).", sympy.Eq(B, -W1 / 2),
           sympy.Eq(W2, r.taylor.w2), _x_plus_offset(), r.taylor.exact_error, sympy.Tuple(W1, B, W2),
           _digits(r.mm.lower, 10), Num(r.mm.fit.max_error, sig=2, percent=True)),
        tx("The Taylor construction and its exact error (SymPy, mpmath); the minimax fit's equioscillation at four "
           "points, which bounds every member of the family from below."),
    )  # fmt: skip


# --- checks -----------------------------------------------------------------------------------------


def _ulps(value: float, exact: mpmath.mpf) -> float:
    with mpmath.workdps(30):
        return float(abs(mpmath.mpf(value) - exact) / math.ulp(float(exact)))


def _construction_checks(r: IdentityResult) -> list[Check]:
    tay, w1c = r.taylor, r.w1_check
    e_c = idn.exact_max_error(w1c)
    ulps = [_ulps(c, g) for c, g in zip(r.sweep_closed, r.sweep_grid, strict=True)]
    return [
        Check.close(tx("the series gives {} (at {})", sympy.Eq(W2, tay.w2), sympy.Eq(W1, _num(w1c))),
                    r.w2_fit, float(tay.w2.subs(W1, w1c)),
                    (tx("1/slope of the best line through {} (mpmath quadrature)", sigma(ordered(W1, D))),
                     "SymPy: the coefficient of Δ matched to 1"),
                    rtol=3 * e_c / (1 - 3 * e_c),
                    catches=tx("{} or {} (a factor 2 off); the tolerance is {}, which bounds the effect of the "
                               "error on the slope", sympy.Eq(W2, 2 / W1), sympy.Eq(W2, 1 / W1),
                               3 * E_MAX / (1 - 3 * E_MAX))),
        Check.close(tx("the offset is {} (at {})", tay.offset, sympy.Eq(W1, _num(w1c))), r.offset_mean,
                    float(tay.offset.subs(W1, w1c)),
                    (tx("the mean of {} over {} (mpmath quadrature)", ordered_sum(NEURON, -x), sympy.Interval(0, 1)),
                     tx("SymPy: the constant term minus {}", HALF)),
                    atol=1e-9, catches=tx("{} or {}", ordered_sum(2 / W1, HALF), ordered_sum(4 / W1, -HALF))),
        Check.close(tx("the worst-case error is {} for every {} of the sweep", tay.exact_error, W1), max(ulps), 0.0,
                    ("our float64 formula for the worst-case error",
                     tx("the neuron as defined, on 101 points at 40 digits plus three per power of ten in {} (mpmath)",
                        1 / W1)),
                    atol=4.0,
                    detail=tx("largest difference {:.2} ulps, over {} from {} to {}", max(ulps), W1,
                              Num(min(r.sweep), sig=3), Num(max(r.sweep), sig=3)),
                    catches=tx("cancellation: the textbook form gives 0.0 at {}, where the error is {}",
                               sympy.Eq(W1, _num(1e-8)), Num(idn.exact_max_error(1e-8), sig=3))),
        Check.close(tx("the leading error constant is {}", tay.c_series), float(tay.c_taylor), float(tay.c_series),
                    (tx("SymPy: the cubic term of the output at {}", sympy.Eq(sympy.Abs(D), HALF)),
                     "SymPy: the series of the exact worst-case error"), atol=0.0,
                    detail=tx("{} and {}", tay.c_taylor, tay.c_series),
                    catches=tx("a wrong series coefficient, or the error taken at {} instead of {}",
                               sympy.Eq(sympy.Abs(D), 1), sympy.Eq(sympy.Abs(D), HALF))),
        Check.close(tx("in a chain the next bias absorbs the offset ({}, {})", sympy.Eq(sympy.Symbol("w'"), 3),
                       sympy.Eq(sympy.Symbol("b'"), -1)), r.chain_error, 0.0,
                    ("the composed chain on 101 points (mpmath)", tx("the bound {}", ordered(WP / 4, E_MAX))),
                    detail=tx("largest change {:.3} against the bound {:.3}", r.chain_error,
                              W_NEXT / 4 * r.neuron.error_bound),
                    atol=W_NEXT / 4 * r.neuron.error_bound * (1 + 1e-12) + 1e-300,
                    catches=tx("a bias that subtracts {} instead of {}", OFFSET, ordered(sympy.Symbol("w'"), OFFSET))),
    ]  # fmt: skip


def _fit_checks(r: IdentityResult) -> list[Check]:
    ls, sp_, mm = r.ls, r.ls_scipy, r.mm
    params = np.array([ls.w1, ls.b, ls.w2])
    scipy_dev = float(np.max(np.abs(np.array([sp_.w1, sp_.b, sp_.w2]) - params) / np.abs(params)))
    with mpmath.workdps(40):
        mp_dev = float(max(abs(mpmath.mpf(a) / mpmath.mpf(ls.digits[k]) - 1) for a, k in
                           zip(r.ls_numeric, ("w1", "b", "w2", "rms_error"), strict=True)))  # fmt: skip
    return [
        Check.close("least-squares fit: the float64 optimiser finds the same parameters", scipy_dev, 0.0,
                    ("SciPy's least-squares solver on 200-point Gauss–Legendre residuals",
                     "mpmath's root finder on the analytic gradient (tanh-sinh quadrature, 40 digits)"), atol=1e-6,
                    catches=tx("a different local minimum, or a wrong gradient in the high-precision solve")),
        Check.close("least-squares fit: every digit of the parameters and the RMS error", mp_dev, 0.0,
                    ("mpmath's root finder on the analytic gradient (tanh-sinh quadrature, 40 digits)",
                     "Gauss–Newton on 96 Gauss–Legendre residuals (mpmath, 40 digits)"), atol=1e-25,
                    detail=tx("largest relative difference {:.2} over the 30 digits of each", mp_dev),
                    catches=tx("a wrong term in either derivative (say a missing factor {}), or a quadrature or "
                               "solver that has not converged", W2)),
        Check.close(tx("minimax fit: the worst-case error {}", _digits(mm.fit.digits["max_error"], 12)),
                    mm.start.max_error, mm.fit.max_error,
                    ("SciPy's SLSQP minimiser on 2,001 points", "the equioscillation conditions (mpmath's root finder)"),
                    rtol=1e-7,
                    catches=tx("a fit that does not minimise the worst case (the least-squares fit's is {})",
                               Num(ls.max_error, sig=4))),
        Check.close("minimax fit: the lower and upper bounds of the optimum meet", mm.gap, 0.0,
                    (tx("de la Vallée Poussin: the smallest {} at the four alternating points", sympy.Abs(E_X)),
                     tx("the exact maximum of {} over {} (at the ends and critical points)", sympy.Abs(E_X),
                        sympy.Interval(0, 1))), atol=1e-40,
                    detail=tx("lower bound {}, upper bound {}", _digits(mm.lower, 22), _digits(mm.upper, 22)),
                    catches=tx("a fit that is not optimal (its alternation levels differ), or signs that do not "
                               "alternate (the lower bound is then 0)")),
    ]  # fmt: skip


# --- figures ----------------------------------------------------------------------------------------


def _fits_figure(r: IdentityResult) -> Figure:
    grid = np.linspace(0, 1, 401)
    fits = Panel(series=[
        Series(grid, grid, "identity $x$", style={"color": "black", "linestyle": ":"}),
        Series(grid, idn.identity_neuron(1.0)(grid), "$w_1 = 1$, offset removed", style={"linestyle": "-"}),
        Series(grid, r.ls(grid), f"least squares (RMS {r.ls.rms_error:.4f})", style={"linestyle": "--"}),
        Series(grid, r.mm.fit(grid), f"minimax (max {r.mm.fit.max_error:.4f})", style={"linestyle": "-."}),
    ], xlabel="$x$", ylabel="output", title="fits on $[0, 1]$", xlim=(0.0, 1.0), ylim=(0.0, 1.0))  # fmt: skip
    ws = np.geomspace(1e-8, 10.0, 200)
    sweep = np.array(r.sweep)
    errors = Panel(series=[
        Series(ws, [idn.exact_max_error(v) for v in ws], r"$1/2 - (2/w_1)\tanh(w_1/4)$"),
        Series(ws, ws**2 / 96, "$w_1^2/96$", style={"linestyle": "--"}),
        Series(sweep, [float(v) for v in r.sweep_grid], "neuron on a grid (mpmath)", kind="scatter",
               style={"color": "C3", "zorder": 3}),
    ], xlabel="$w_1$", ylabel="worst-case error on $[0,1]$", xscale="log", yscale="log",
        title="error of the construction")  # fmt: skip
    return Figure(FIG_FITS,
                  tx("Left: the identity neuron (offset removed) and the best fits without an offset. Right: the "
                     "construction's worst-case error against {}, with its leading term {}.", W1, W1**2 / 96),
                  [fits, errors], ncols=2, width=6.6, height=2.8)  # fmt: skip


def _minimax_figure(r: IdentityResult) -> Figure:
    grid = np.linspace(0, 1, 801)
    level = r.mm.fit.max_error
    panel = Panel(series=[
        Series(grid, grid - r.mm.fit(grid), "minimax fit", style={"linestyle": "-"}),
        Series(grid, grid - r.ls(grid), "least squares", style={"linestyle": "--"}),
        Series(None, level, None, kind="hline", style={"linestyle": ":"}),
        Series(None, -level, None, kind="hline", style={"linestyle": ":"}),
        Series(np.array(r.mm.points), np.array(r.mm.levels), "alternation points", kind="scatter",
               style={"color": "C3", "zorder": 3}),
    ], xlabel="$x$", ylabel=r"$e(x) = x - w_2\,\sigma(w_1 x + b)$", xlim=(0.0, 1.0))  # fmt: skip
    return Figure(FIG_MINIMAX,
                  tx("The error of the best fits without an offset. The minimax error reaches ±{} with "
                     "alternating signs at four points (dotted lines), which proves that no weights do better.",
                     Num(level, sig=4)), [panel], height=2.8)  # fmt: skip
