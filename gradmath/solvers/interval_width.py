"""Problem 1(2): the set of a with |w σ′(wa + b)| ≥ 1 is an interval whose width is eq. 123, for every b.

With s = σ(wa + b) the condition is s(1 − s) ≥ 1/|w|: s lies between the roots s± = (1 ± u)/2 of the
quadratic, u = √(1 − 4/|w|), so wa + b lies in [−z*, z*] with z* = ln(s₊/s₋) = 2 artanh u, and a in an
interval of width 2z*/|w|, which is exactly eq. 123 (the book's "no greater than" holds with equality).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy
from scipy import optimize

from ..activations import sigma, sigma_prime, sigmoid_prime
from ..bounds import (
    activation_interval,
    artanh_display,
    eq123_display,
    interval_width,
    prove_width_equals_eq123,
    width_expr,
    z_star,
)
from ..contract import AnswerLine, Check, Figure, Finding, Panel, Series, Step, Verdict, Writeup
from ..notation import a, abs_w, b, factor, ordered_sum, pm, w, weighted_input, z
from ..registry import Problem, problem
from ..sources import Source
from ..text import Ref, display, tx

s = sympy.Symbol("s", positive=True)
u = sympy.Symbol("u", nonnegative=True)
z_st = sympy.Symbol("z^*")
width_sym = sympy.Symbol("width")
REACHES_ONE = sympy.Ge(factor(), 1, evaluate=False)
FIG_FACTOR, FIG_REGION = "interval-width-factor", "interval-region"
#: the log-spaced |w| − 4 of the accuracy sweep: 10^k for k from −15 to 299.5
_SWEEP_EXPONENTS = np.arange(-15.0, 300.0, 0.5)


@dataclass(frozen=True)
class IntervalWidth:
    """The symbolic derivation and its numerical confirmation."""

    s_minus: sympy.Expr
    s_plus: sympy.Expr
    z_star: sympy.Expr  # ln(s₊/s₋) = 2 artanh √(1 − 4/|w|)
    width: sympy.Expr  # 2z*/|w|
    eq123: sympy.Expr  # the book's form, (2/|w|) ln((|w|/2)(1 + √(1 − 4/|w|)) − 1)
    proved: bool  # SymPy: our width ≡ eq. 123 ≡ the artanh form
    draws: np.ndarray  # (n, 2): the random (w, b)
    root_widths: np.ndarray  # hi − lo found by brentq on the factor
    book_widths: np.ndarray  # eq. 123 as printed, at |w| (mpmath, 30 digits)
    endpoint_error: float  # max |activation_interval − brentq| over the draws
    sweep_w: np.ndarray  # |w| of the accuracy sweep
    sweep_ulps: np.ndarray  # |interval_width − eq. 123 at 40 + log10|w| digits| in ulps
    textbook_ulps: float  # eq. 123 typed into float64 at |w| = 4.0000001: its error in ulps


def _book_width(aw: float) -> mpmath.mpf:
    """Eq. 123 exactly as printed, in mpmath with enough digits for its own cancellations."""
    with mpmath.workdps(40 + max(0, int(math.log10(aw)))):
        x = mpmath.mpf(aw)
        return +(2 / x * mpmath.log(x * (1 + mpmath.sqrt(1 - 4 / x)) / 2 - 1))


def _ulps(value: float, exact: mpmath.mpf) -> float:
    return float(abs(mpmath.mpf(value) - exact) / math.ulp(float(exact)))


def _roots(wv: float, bv: float) -> tuple[float, float]:
    """The two a with |w σ′(wa + b)| = 1, by brentq on the factor (no closed form used)."""
    g = lambda av: abs(wv * sigmoid_prime(wv * av + bv)) - 1.0  # noqa: E731
    centre = -bv / wv
    return (optimize.brentq(g, centre - 50, centre, xtol=1e-15, rtol=8.9e-16),
            optimize.brentq(g, centre, centre + 50, xtol=1e-15, rtol=8.9e-16))  # fmt: skip


@problem("interval-width", source=Source("nielsen", "Problem 1(2)"), order=70)
class IntervalWidthProblem(Problem):
    title = tx("Problem 1(2): the interval of input activations, eq. 123")
    quick = "10 random weights and biases instead of 40, and 80 weights in the accuracy sweep instead of 630"

    def compute(self, options) -> IntervalWidth:
        roots = sympy.solve(sympy.Eq(s * (1 - s), 1 / abs_w), s)
        s_minus, s_plus = sorted(roots, key=lambda r: float(r.subs(abs_w, 8)))
        u_def, half = sympy.sqrt(1 - 4 / abs_w), sympy.Rational(1, 2)
        shown = (half - u_def / 2, half + u_def / 2)  # SymPy's roots, written with √(1 − 4/|w|)
        if all(sympy.simplify(p - q) == 0 for p, q in zip(shown, (s_minus, s_plus), strict=True)):
            s_minus, s_plus = shown
        z_star_shown = 2 * sympy.atanh(u_def)  # = ln(s₊/s₋), prove_width_equals_eq123
        rng = np.random.default_rng(0)
        n = 10 if options.quick else 40
        draws = np.column_stack([rng.choice([-1.0, 1.0], n) * rng.uniform(4.05, 40, n), rng.normal(0, 3, n)])
        root_w, book_w, end_err = [], [], 0.0
        for wv, bv in draws:
            lo, hi = _roots(wv, bv)
            root_w.append(hi - lo)
            book_w.append(float(_book_width(abs(wv))))
            end_err = max(
                end_err, *(abs(p - q) for p, q in zip((lo, hi), activation_interval(wv, bv), strict=True))
            )
        sweep_w = 4.0 + 10.0 ** _SWEEP_EXPONENTS[:: 8 if options.quick else 1]
        ulps = np.array([_ulps(interval_width(v), _book_width(v)) for v in sweep_w])
        return IntervalWidth(s_minus, s_plus, z_star_shown, width_expr(), eq123_display(),
                             prove_width_equals_eq123(), draws, np.array(root_w), np.array(book_w), end_err,
                             sweep_w, ulps, _ulps(_textbook(4.0000001), _book_width(4.0000001)))  # fmt: skip

    def answer(self, r: IntervalWidth) -> dict:
        lo, hi = (ordered_sum(-z_st, -b) / w, ordered_sum(z_st, -b) / w)
        return {"width": r.eq123, "endpoints": (lo, hi), "z_star": r.z_star, "s_minus": r.s_minus,
                "s_plus": r.s_plus}  # fmt: skip

    def explain(self, r: IntervalWidth) -> Writeup:
        lo, hi = self.answer(r)["endpoints"]
        u_def = sympy.sqrt(1 - 4 / abs_w)
        steps = [
            Step(tx("With {} the condition {} reads {}; and {} with {}:", sympy.Eq(z, weighted_input()),
                    REACHES_ONE, sympy.Ge(sigma_prime(z), 1 / abs_w), sympy.Eq(sigma_prime(z), s * (1 - s)),
                    sympy.Eq(s, sigma(z))),
                 sympy.Ge(s * (1 - s), 1 / abs_w)),
            Step(tx("The quadratic {} has two real roots, since {}:", sympy.Eq(s * (1 - s), 1 / abs_w),
                    sympy.Ge(abs_w, 4)),
                 sympy.Eq(sympy.Symbol("s_pm"), pm(sympy.Rational(1, 2), u_def / 2), evaluate=False)),
            Step(tx("So {} lies in {}. Since {} increases and {}, the weighted input lies in {} with",
                    s, sympy.Interval(sympy.Symbol("s_-"), sympy.Symbol("s_+")), sigma(z),
                    sympy.Eq(sympy.Symbol("s_-"), 1 - sympy.Symbol("s_+")), sympy.Interval(-z_st, z_st)),
                 sympy.Eq(z_st, sympy.log(sympy.Symbol("s_+") / sympy.Symbol("s_-")), evaluate=False)),
            Step(tx("Then {} ranges over the interval between the two values (they swap for {}; {}),", a,
                    sympy.Lt(w, 0), Ref(FIG_FACTOR, "see the first figure")), sympy.Tuple(lo, hi)),
            Step(tx("whose width involves no {}: the bias only shifts the interval ({}).", b,
                    Ref(FIG_REGION, "see the second figure")),
                 sympy.Eq(width_sym, sympy.Mul(2, z_st, evaluate=False) / abs_w, evaluate=False)),
            Step(tx("Substituting {} with {} turns both {} and the logarithm's argument in eq. 123 into {}; "
                    "SymPy simplifies their difference to {}. So the width is exactly eq. 123:",
                    sympy.Eq(abs_w, 4 / (1 - u**2)), sympy.Eq(u, u_def), sympy.Symbol("s_+") / sympy.Symbol("s_-"),
                    (1 + u) / (1 - u), sympy.Integer(0 if r.proved else 1)),
                 sympy.Eq(width_sym, eq123_display(), evaluate=False), None, "123"),
            Step(tx("and, since {}, equally", sympy.Eq(sympy.atanh(u), sympy.log((1 + u) / (1 - u)) / 2)),
                 sympy.Eq(width_sym, artanh_display(), evaluate=False)),
        ]  # fmt: skip
        return Writeup(
            statement=tx("Supposing that {}, consider the set of input activations {} for which {}. Show that "
                         "the set of {} satisfying that constraint can range over an interval no greater in "
                         "width than", sympy.Ge(abs_w, 4), a, REACHES_ONE, a) + display(eq123_display()) + tx("(eq. 123)."),
            answer_text=tx("The set is the interval of {} with {}, where {}; its width {} is exactly eq. 123 "
                           "for every {}, so the bound holds with equality.", a,
                           sympy.Le(sympy.Abs(weighted_input()), z_st), sympy.Eq(z_st, 2 * sympy.atanh(u_def)),
                           sympy.Mul(2, z_st, evaluate=False) / abs_w, b),
            steps=steps,
            answer_lines=[
                AnswerLine(tx("width of the set of {} with {}", a, REACHES_ONE), tx("{}", eq123_display()), key="width"),
                AnswerLine(tx("its endpoints (in either order)"), tx("{} and {}", lo, hi), key="endpoints"),
                AnswerLine(tx("where"), tx("{}", sympy.Eq(z_st, 2 * sympy.atanh(u_def))), key="z_star"),
            ],
            findings=[Finding(tx("the set of {} with {} has width at most eq. 123", a, REACHES_ONE),
                              tx("at most eq. 123"), tx("exactly eq. 123, for every {}", b),
                              Verdict.CONFIRMED)],
            verdict=Verdict.CONFIRMED,
            verdict_reason=tx("the set is an interval of width exactly eq. 123 (SymPy), confirmed by root finding "
                              "at {} random weights and biases.", len(r.draws)),
        )  # fmt: skip

    def checks(self, r: IntervalWidth) -> list[Check]:
        rel = np.abs(r.root_widths - r.book_widths) / r.book_widths
        return [
            Check.close(
                tx("eq. 123 is the width of the set of {} with {}, at {} random {}", a, REACHES_ONE, len(r.draws),
                   sympy.Tuple(w, b)),
                float(np.max(rel)), 0.0,
                (tx("Brent's root finder (SciPy) on {}, two roots", sympy.Eq(factor(), 1, evaluate=False)),
                 "eq. 123 as printed, at 40 digits (mpmath)"),
                atol=1e-12,
                detail=tx("largest relative difference {:.2} over {} with {} and {}", float(np.max(rel)),
                          sympy.Tuple(w, b), sympy.Le(4, abs_w), sympy.Le(abs_w, 40)),
                catches=tx("a factor 2 (width {} instead of {}), {} for {}, or a width that depends on {} (the "
                           "biases are drawn from a normal distribution with standard deviation 3)", z_st / abs_w,
                           2 * z_st / abs_w, w, abs_w, b),
            ),
            Check.close(
                tx("the closed-form endpoints {} are those of the set", sympy.Tuple(*self.answer(r)["endpoints"])),
                r.endpoint_error, 0.0,
                ("our closed-form endpoints in float64",
                 tx("Brent's root finder (SciPy) on {}", sympy.Eq(factor(), 1, evaluate=False))),
                atol=1e-12,
                detail=tx("largest endpoint difference {:.2} over the {} draws", r.endpoint_error, len(r.draws)),
                catches=tx("endpoints not swapped for {}, or {} added where it is subtracted", sympy.Lt(w, 0), b),
            ),
            Check.close(
                tx("our float64 formula for the width is accurate to a few units in the last place for {} in {}",
                   abs_w,
                   sympy.Interval.Lopen(4, _pow10(300))),
                float(np.max(r.sweep_ulps)), 0.0,
                (tx("{} in float64, with an accurate {}", sympy.Eq(z_st, 2 * sympy.log(1 + u) + sympy.log(abs_w / 4)),
                    sympy.log(1 + sympy.Symbol("x"))),
                 tx("eq. 123 as printed, at 40 digits plus one per power of ten in {} (mpmath)", abs_w)),
                atol=4.0,
                detail=tx("largest error {:.2} units in the last place at {} values of {} from {} to {}",
                          float(np.max(r.sweep_ulps)),
                          len(r.sweep_w), abs_w, float(r.sweep_w[0]), float(r.sweep_w[-1])),
                catches=tx("the textbook form in float64: eq. 123 as printed is {:.2} units in the last place off "
                           "at {}, where it cancels", r.textbook_ulps, sympy.Eq(abs_w, sympy.Float(4.0000001, 8))),
            ),
        ]  # fmt: skip

    def figures(self, r: IntervalWidth) -> list[Figure]:
        return [_factor_figure(), _band_figure()]


def _pow10(k: int) -> sympy.Expr:
    return sympy.Pow(10, k, evaluate=False)


def _textbook(aw: float) -> float:
    """Eq. 123 typed into float64 arithmetic, to show what it loses."""
    return 2 / aw * math.log(aw * (1 + math.sqrt(1 - 4 / aw)) / 2 - 1)


def _factor_figure() -> Figure:
    wv, bv = 8.0, 1.0
    lo, hi = activation_interval(wv, bv)
    aa = np.linspace(-1.5, 1.5, 1201)
    curve = np.abs(wv * sigmoid_prime(wv * aa + bv))
    inside = (aa >= lo) & (aa <= hi)
    series = [
        Series(aa, curve, r"$|w\,\sigma'(wa+b)|$, $w = 8$, $b = 1$"),
        Series(aa[inside], np.ones(inside.sum()), r"$|w\,\sigma'(wa+b)| \geq 1$", kind="fill", y2=curve[inside],
               style={"alpha": 0.35}),
        Series(None, 1.0, None, kind="hline"),
        Series([lo, hi], [0.9, 0.9], f"width {interval_width(wv):.3f} (eq. 123)",
               style={"marker": "|", "markersize": 10, "linestyle": "-", "color": "black"}),
    ]  # fmt: skip
    panel = Panel(
        series=series, xlabel="input activation $a$", ylabel=r"$|w\,\sigma'(wa+b)|$", ylim=(0.0, 2.2)
    )
    return Figure(FIG_FACTOR,
                  tx("The factor {} for {} and {}: it is at least 1 on one interval of {} (shaded), "
                     "whose width is eq. 123.", factor(), sympy.Eq(w, 8), sympy.Eq(b, 1), a), [panel])  # fmt: skip


def _band_figure() -> Figure:
    ws = np.linspace(4.0, 30.0, 521)
    zs = np.array([z_star(v) for v in ws])
    series = [Series(ws, (-zs - bv) / ws, f"$b = {bv:g}$", kind="fill", y2=(zs - bv) / ws,
                     style={"alpha": 0.45, "hatch": hatch}) for bv, hatch in ((0.0, None), (1.0, "//"))]  # fmt: skip
    series.append(Series(4.0, None, "$|w| = 4$", kind="vline"))
    panel = Panel(series=series, xlabel="weight $w$", ylabel="input activation $a$", integer_x=True,
                  xlim=(0.0, 30.0), title=r"$|w\,\sigma'(wa+b)| \geq 1$")  # fmt: skip
    return Figure(FIG_REGION,
                  tx("The region {} in the plane of {} and {}: empty for {}, then a band whose width (eq. 123) "
                     "shrinks like {}; {} only shifts it.", REACHES_ONE, w, a, sympy.Lt(abs_w, 4),
                     2 * sympy.log(abs_w) / abs_w, b), [panel])  # fmt: skip
