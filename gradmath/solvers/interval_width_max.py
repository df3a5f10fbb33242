"""Problem 1(3): eq. 123 is greatest at |w*| = 6.894151032272928..., where the width is 0.4477432046943028...

The maximiser is the zero of the derivative of (4/|w|) artanh √(1 − 4/|w|) (= eq. 123), found by
mpmath.findroot; an independent zero of mpmath's numerical derivative of eq. 123 as printed agrees to
every digit shown, and a grid over (4, 400] plus the bound 2 ln|w|/|w| beyond shows it is the global
maximum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy

from ..activations import sigma_prime, sigmoid_prime
from ..bounds import (
    MAX_DPS,
    IntervalWidthMax,
    activation_interval,
    artanh_display,
    eq123_display,
    interval_width,
    interval_width_max,
    width_derivatives,
)
from ..contract import AnswerLine, Check, Figure, Finding, Panel, Series, Step, Verdict, Writeup
from ..notation import a, abs_w, approx, ordered, w
from ..registry import Param, Problem, problem
from ..sources import Source
from ..text import Num, Ref, tx

w_st = sympy.Symbol("|w^*|")
U = sympy.Symbol("u", positive=True)
FACTOR_B0 = sympy.Abs(ordered(w, sigma_prime(ordered(w, a))), evaluate=False)  # |w σ′(wa)|
F_W, F_WST = sympy.Symbol("f(|w|)"), sympy.Symbol("f(|w^*|)")  # f as a name: no undefined Function
GRID_STEP = 1e-4  # of the global grid over [4, 20]
FIGURE = "widest-interval"
#: the solver's largest dps: both routes at 5,000 digits take about 15 s here (gradmath.bounds alone allows
#: MAX_DPS = 10,000; the numerical differentiation of the second route is what grows fast)
SOLVER_MAX_DPS = MAX_DPS // 2
#: the leading digits of w* and of the maximal width shown in the derivation (all correct; the report lists
#: every computed digit in its table of constants)
SHOWN = 20


def _digits(text: str, sig: int | None = None) -> sympy.Symbol:
    """The decimal ``text`` rounded to ``sig`` significant digits, as a symbol printed as written (SymPy's
    Floats print through float64, which would show at most 15 digits)."""
    if sig is not None:
        head = text[: sig + 8]  # enough to round correctly (and under Python's 4300-digit int limit)
        with mpmath.workdps(len(head) + 5):
            text = mpmath.nstr(mpmath.mpf(head), sig)
    return sympy.Symbol(text)


def _unconfirmed(digits: str, value: mpmath.mpf) -> int:
    """How many trailing significant digits of ``digits`` differ from ``value`` rounded to as many digits
    (0: all agree; 1: only the last, a rounding tie). String comparison: no 10,000-digit integers."""
    with mpmath.workdps(len(digits) + 10):
        other = mpmath.nstr(
            value, len(digits.replace("-", "").replace(".", "").lstrip("0")), strip_zeros=False
        )
    ours = digits.replace(".", "").lstrip("0-")
    theirs = other.replace(".", "").lstrip("0-")
    k = next(
        (i for i, (p, q) in enumerate(zip(ours, theirs, strict=False)) if p != q), min(len(ours), len(theirs))
    )
    return max(len(ours), len(theirs)) - k


@dataclass(frozen=True)
class WidthMax:
    """The maximiser by two routes, the curvature by two routes, and a global grid."""

    r: IntervalWidthMax  # gradmath.bounds: root of SymPy's f′ (artanh form)
    w_book: mpmath.mpf  # root of mpmath.diff of eq. 123 as printed
    width_book: mpmath.mpf  # eq. 123 as printed at w_book
    f2_book: float  # mpmath.diff(eq. 123, w_book, 2)
    grid_max: float  # largest f on the grid over (4, 400] (NumPy, artanh form)
    grid_argmax: float
    tail_bound: float  # 2 ln|w|/|w| at |w| = 400, a bound of f beyond
    minimiser_bound: float  # √(2 ε f/|f″|): how far a minimiser of −f can be trusted
    derivative_ok: bool  # SymPy: f′ = (2/|w|²)(1/u − 2 artanh u), u = √(1 − 4/|w|)


def _book_route(dps: int) -> tuple[mpmath.mpf, mpmath.mpf, float]:
    """w*, f(w*), f″(w*) from eq. 123 as printed, differentiated numerically by mpmath (no SymPy)."""
    with mpmath.workdps(max(dps, 30) + 10):
        book = lambda x: 2 / x * mpmath.log(x * (1 + mpmath.sqrt(1 - 4 / x)) / 2 - 1)  # noqa: E731
        w = mpmath.findroot(lambda x: mpmath.diff(book, x), mpmath.mpf("6.9"))
        return +w, book(w), float(mpmath.diff(book, w, 2))


def _grid() -> tuple[float, float]:
    """max of (4/|w|) artanh √(1 − 4/|w|) over a grid of (4, 400] (step 1e-4 up to 20), by NumPy."""
    ws = np.concatenate([np.arange(4.0 + GRID_STEP, 20.0, GRID_STEP), np.geomspace(20.0, 400.0, 4000)])
    fs = 4.0 / ws * np.arctanh(np.sqrt(1.0 - 4.0 / ws))
    k = int(np.argmax(fs))
    return float(fs[k]), float(ws[k])


@problem("interval-width-max", source=Source("nielsen", "Problem 1(3)"), order=80)
class IntervalWidthMaxProblem(Problem):
    quick = "nothing: analytic, under a second"
    params = (Param.integer("dps", 40, lo=1, hi=SOLVER_MAX_DPS, doc="significant digits of w_digits and width_digits",
                            why_hi="the second route, mpmath.diff of eq. 123, takes over a minute beyond"),)  # fmt: skip

    @staticmethod
    def title(r: WidthMax):
        return tx("Problem 1(3): the widest interval, {} at {}", approx(sympy.Symbol("width"),
                  _digits(r.r.width_digits, 4)), approx(abs_w, _digits(r.r.w_digits, 4)))  # fmt: skip

    def compute(self, options, dps: int) -> WidthMax:
        r = interval_width_max(dps)
        w_book, width_book, f2_book = _book_route(dps)
        grid_max, grid_arg = _grid()
        u = sympy.sqrt(1 - 4 / abs_w)
        ok = sympy.simplify(2 / abs_w**2 * (1 / u - 2 * sympy.atanh(u)) - width_derivatives()[1]) == 0
        return WidthMax(r, w_book, width_book, f2_book, grid_max, grid_arg, 2 * math.log(400.0) / 400.0,
                        math.sqrt(2 * np.finfo(float).eps * r.width / abs(r.second_derivative)), ok)  # fmt: skip

    def answer(self, r: WidthMax) -> dict:
        m = r.r
        return {"w": m.w, "width": m.width, "w_digits": m.w_digits, "width_digits": m.width_digits,
                "second_derivative": m.second_derivative}  # fmt: skip

    def explain(self, r: WidthMax) -> Writeup:
        m = r.r
        n = min(SHOWN, m.dps)
        steps = [
            Step(tx("Eq. 123 as a function of {}:", abs_w),
                 sympy.Eq(F_W, eq123_display(), evaluate=False), None, "123"),
            Step(tx("equivalently (Problem 1(2)),"), sympy.Eq(F_W, artanh_display(), evaluate=False)),
            Step(tx("It vanishes at {}, and since {} it never exceeds {}, which tends to 0. So its maximum is "
                    "interior, where the derivative vanishes; with {} (SymPy's derivative simplifies to this),",
                    sympy.Eq(abs_w, 4), sympy.Le(sympy.Symbol("z^*"), sympy.log(abs_w)),
                    2 * sympy.log(abs_w) / abs_w, sympy.Eq(U, sympy.sqrt(1 - 4 / abs_w))),
                 sympy.Eq(sympy.Symbol("f'(|w|)"), ordered(2 / abs_w**2, 1 / U - 2 * sympy.atanh(U)),
                          evaluate=False)),
            Step(tx("so the maximiser solves {}.", sympy.Eq(ordered(2, U, sympy.atanh(U)), 1)) if r.derivative_ok
                 else tx("(SymPy could not confirm this form of the derivative.)")),
            Step(tx("mpmath's root finder solves {} at {} working digits; the maximiser, to {} digits ({} computed, "
                    "in {}):", sympy.Eq(sympy.Symbol("f'(|w|)"), 0), max(m.dps, 30) + 10, n, m.dps,
                    Ref("app-constants", "the report's table of constants")),
                 sympy.Eq(w_st, _digits(m.w_digits, n), evaluate=False)),
            Step(tx("and the largest width, to {} digits:", n),
                 sympy.Eq(F_WST, _digits(m.width_digits, n), evaluate=False)),
            Step(tx("There {}, so it is a maximum; on a grid over {} (step {} up to 20) no value exceeds it, "
                    "and beyond 400 the bound {} is below {}.", sympy.Lt(sympy.Symbol("f''(|w^*|)"), 0),
                    sympy.Interval.Lopen(4, 400), GRID_STEP, 2 * sympy.log(abs_w) / abs_w, Num(r.tail_bound, 2)),
                 sympy.Eq(sympy.Symbol("f''(|w^*|)"), _digits(repr(m.second_derivative), 10),
                          evaluate=False)),
            Step(tx("Maximising {} directly would not do: a bounded minimiser of {} (SciPy's) stops at {}, {} away, "
                    "because near a flat maximum {} changes by only {}, below rounding for {} smaller than {}. The "
                    "root of {} has no such limit.", F_W, -F_W, Num(m.w_minimizer, 10),
                    Num(abs(m.w_minimizer - m.w), 2), F_W,
                    sympy.Symbol("f''") * sympy.Symbol("delta") ** 2 / 2, sympy.Symbol("delta"),
                    Num(r.minimiser_bound, 2), sympy.Symbol("f'"))),
        ]  # fmt: skip
        return Writeup(
            statement=tx("Show numerically that eq. 123 is greatest at {}, where it takes a value {}.",
                         approx(abs_w, _digits("6.9")), approx(sympy.Symbol("width"), _digits("0.45"))),
            answer_text=tx("Eq. 123 is greatest at {}, where the interval of input activations has width {}: "
                           "the book's 6.9 and 0.45 are these values rounded ({}).", sympy.Eq(w_st, _digits(m.w_digits, 10)),
                           _digits(m.width_digits, 10), Ref(FIGURE, "see the figure")),
            steps=steps,
            answer_lines=[
                AnswerLine(tx("the maximiser {}", w_st), tx("{}", _digits(m.w_digits, 16)), key="w"),
                AnswerLine(tx("the largest width {}", F_WST), tx("{}", _digits(m.width_digits, 16)),
                           key="width"),
                AnswerLine(tx("the curvature there, {}", sympy.Symbol("f''(|w^*|)")),
                           tx("{}", Num(m.second_derivative, sig=10)), key="second_derivative"),
                *(AnswerLine(tx("{} to {} significant digits", sym, m.dps),
                             tx("in {}", Ref("app-constants", "the report's table of constants")), key=key)
                  for sym, key in ((w_st, "w_digits"), (F_WST, "width_digits"))),
            ],
            findings=[Finding(tx("eq. 123 is greatest at {}, where {}", approx(abs_w, _digits("6.9")),
                                 approx(sympy.Symbol("width"), _digits("0.45"))),
                              tx("6.9 and 0.45"), tx("{} and {}, every digit checked", _digits(m.w_digits, 7),
                                                     _digits(m.width_digits, 7)),
                              Verdict.CONFIRMED)],
            verdict=Verdict.CONFIRMED,
            verdict_reason=tx("the maximum of eq. 123 is at {} with width {}, the book's values rounded.",
                              _digits(m.w_digits, 10), _digits(m.width_digits, 10)),
        )  # fmt: skip

    def checks(self, r: WidthMax) -> list[Check]:
        m = r.r
        w_diff = _unconfirmed(m.w_digits, r.w_book)
        width_diff = _unconfirmed(m.width_digits, r.width_book)
        return [
            Check.close(tx("every digit of {} (of {})", w_st, m.dps), w_diff, 0.0,
                        ("mpmath's root finder on SymPy's derivative of the artanh form",
                         "mpmath's root finder on mpmath's numerical derivative of eq. 123 as printed"), atol=1.0,
                        detail=tx("{} of the {} digits agree (the last may differ by rounding)", m.dps - w_diff,
                                  m.dps),
                        catches=tx("a wrong derivative (a lost factor or sign), or a root found only to the "
                                   "precision of a minimiser")),
            Check.close(tx("every digit of {} (of {})", F_WST, m.dps), width_diff, 0.0,
                        ("the artanh form at the first maximiser", "eq. 123 as printed at the second"), atol=1.0,
                        detail=tx("{} of the {} digits agree (the last may differ by rounding)", m.dps - width_diff,
                                  m.dps),
                        catches=tx("an artanh form that differs from eq. 123 (say a factor 2)")),
            Check.close(tx("the curvature at the maximiser, {}", sympy.Symbol("f''(|w^*|)")),
                        m.second_derivative, r.f2_book,
                        ("SymPy's second derivative, in mpmath", "mpmath's numerical second derivative of eq. 123 "
                                                                 "as printed"),
                        rtol=4e-16, catches=tx("a curvature of {}, half the true value (a factor 2 lost)",
                                               sympy.Float(-0.0075, 2))),
            Check.close(tx("no {} in {} gives a wider interval", abs_w, sympy.Interval.Lopen(4, 400)),
                        r.grid_max, m.width, (tx("a NumPy grid (step {} up to 20, then 4,000 log-spaced points to 400)", Num(GRID_STEP, sig=1)),
                                              "the maximum at the root of the derivative"),
                        atol=abs(m.second_derivative) * GRID_STEP**2 / 4,
                        catches=tx("a higher maximum elsewhere, or a stationary point that is not the maximum "
                                   "(the grid would exceed it)")),
            Check.close(tx("the book's {}", approx(abs_w, _digits("6.9"))), m.w, 6.9,
                        ("our maximiser", "the book's value"), atol=0.05, book="6.9", computed=m.w,
                        verdict=Verdict.CONFIRMED, catches=tx("a maximiser that does not round to 6.9")),
            Check.close(tx("the book's {}", approx(sympy.Symbol("width"), _digits("0.45"))), m.width, 0.45,
                        ("our maximal width", "the book's value"), atol=0.005, book="0.45", computed=m.width,
                        verdict=Verdict.CONFIRMED, catches=tx("a width that does not round to 0.45")),
        ]  # fmt: skip

    def figures(self, r: WidthMax) -> list[Figure]:
        m = r.r
        ws = np.linspace(4.0, 40.0, 721)
        curve = Panel(series=[
            Series(ws, [interval_width(v) for v in ws], "eq. 123"),
            Series(m.w, None, None, kind="vline"),
            Series(m.w, m.width, f"max {m.width:.4f} at $|w| = {m.w:.3f}$", kind="point"),
        ], xlabel="$|w|$", ylabel="width of the $a$-interval", integer_x=True, xlim=(4.0, 40.0),
            ylim=(0.0, 0.5))  # fmt: skip
        lo, hi = activation_interval(m.w, 0.0)
        aa = np.linspace(-1.0, 1.0, 801)
        fac = m.w * sigmoid_prime(m.w * aa)
        inside = (aa >= lo) & (aa <= hi)
        widest = Panel(series=[
            Series(aa, fac, f"$w = {m.w:.3f}$, $b = 0$"),
            Series(aa[inside], np.ones(inside.sum()), r"$|w\,\sigma'(wa)| \geq 1$", kind="fill", y2=fac[inside],
                   style={"alpha": 0.35}),
            Series(None, 1.0, None, kind="hline"),
            Series([lo, hi], [0.85, 0.85], f"width {m.width:.4f}", style={"marker": "|", "markersize": 10,
                                                                         "linestyle": "-", "color": "black"}),
        ], xlabel="input activation $a$", ylabel=r"$|w\,\sigma'(wa)|$", ylim=(0.0, 2.0), xlim=(-1.0, 1.0))  # fmt: skip
        return [Figure(FIGURE,
                       tx("Left: eq. 123 against {}; it is greatest at {}. Right: the factor {} at that weight, "
                          "and the widest interval of {} where it is at least 1 (shaded).", abs_w,
                          approx(abs_w, _digits(m.w_digits, 4)), FACTOR_B0, a),
                       [curve, widest], ncols=2, width=6.6, height=2.8)]  # fmt: skip


__all__ = ["IntervalWidthMaxProblem", "WidthMax"]
