"""Solvers for Problem 1 of chapter 5: weight bound, interval width (eq. 123), and its maximum."""

from __future__ import annotations

import mpmath
import numpy as np
import sympy
from scipy import optimize

from .. import bounds
from ..activations import sigma_prime, sigmoid_prime
from ..solutions import Check, Figure, Panel, Series, Solution, Step
from ._common import close_check, solver

__all__ = ["solve_weight_bound", "solve_interval_width", "solve_interval_width_max"]

_w, _a, _b, _z = sympy.symbols("w a b z", real=True)


@solver
def solve_weight_bound() -> Solution:
    """Problem 1(1): |w sigma'(wa + b)| >= 1 can only occur if |w| >= 4; |w| = 4 attains it."""
    bound = sympy.Abs(_w) * sympy.Rational(1, 4)
    # symbolic: the supremum over a of |w sigma'(wa+b)| is |w| max sigma' = |w|/4 (sigma' > 0, max 1/4 at z=0)
    x = sympy.Symbol("x", real=True)
    sp = sympy.diff(1 / (1 + sympy.exp(-x)), x)
    crit = sympy.solveset(sympy.diff(sp, x), x, sympy.S.Reals)
    sp_max = sympy.nsimplify(sp.subs(x, 0))
    min_abs_w = sympy.solve(sympy.Eq(bound.subs(sympy.Abs(_w), sympy.Symbol("W", positive=True)), 1))[0]
    # numeric: for many |w|, maximise |w sigma'(wa + b)| over a with SciPy; the smallest |w| reaching 1
    ws = np.linspace(0.5, 8.0, 76)
    sup = []
    for wv in ws:
        res = optimize.minimize_scalar(
            lambda a, wv=wv: -abs(wv * sigmoid_prime(wv * a + 0.3)),
            bounds=(-5, 5),
            method="bounded",
            options={"xatol": 1e-12},
        )
        sup.append(-res.fun)
    sup = np.array(sup)
    w_cross = optimize.brentq(lambda wv: wv * 0.25 - 1.0, 1.0, 8.0)
    steps = [
        Step(
            "sigma'(z) = sigma(z)(1 - sigma(z)) is positive and at most 1/4, with equality only at z = 0.",
            sympy.Le(sigma_prime(_z), sympy.Rational(1, 4)),
        ),
        Step(
            "Hence, for every a and b:",
            sympy.Le(sympy.Abs(_w * sigma_prime(_w * _a + _b)), sympy.Abs(_w) / 4),
        ),
        Step("So |w sigma'(wa + b)| >= 1 forces |w|/4 >= 1:", sympy.Ge(sympy.Abs(_w), 4)),
        Step(
            "And 4 is attained: w = 4 with a = -b/4 gives z = 0 and |w sigma'(0)| = 4/4 = 1.",
            sympy.Eq(4 * sigma_prime(0), 1, evaluate=False),
        ),
    ]
    checks = [
        Check(
            "max over z of sigma'(z) is 1/4, attained only at z = 0",
            crit == sympy.FiniteSet(0) and sp_max == sympy.Rational(1, 4),
            f"SymPy: critical points {crit}, sigma'(0) = {sp_max}",
            methods=("SymPy solveset", "exact substitution"),
            book="1/4",
            computed=str(sp_max),
        ),
        close_check(
            "the smallest |w| with max_a |w sigma'(wa+b)| >= 1 is 4",
            float(ws[np.argmax(sup >= 1 - 1e-12)]),
            float(min_abs_w),
            ("SciPy maximisation over a, on a grid of |w| (step 0.1, b = 0.3)", "SymPy solve |w|/4 = 1"),
            atol=1e-9,
            book=4,
            computed=int(min_abs_w),
        ),
        close_check(
            "the supremum over a equals |w|/4 for every |w| on the grid",
            float(np.max(np.abs(sup - ws / 4))),
            0.0,
            ("SciPy bounded maximisation", "closed form |w|/4"),
            atol=1e-10,
        ),
        close_check(
            "|w| = 4 attains |w sigma'(wa+b)| = 1 (at a = -b/w)",
            4 * float(sigmoid_prime(4 * (-0.3 / 4) + 0.3)),
            1.0,
            ("float evaluation at a = -b/4", "exact 4 sigma'(0) = 1"),
            rtol=1e-15,
        ),
    ]
    aa = np.linspace(-3, 3, 601)
    panel = Panel(
        series=[
            *[Series(aa, np.abs(wv * sigmoid_prime(wv * aa)), f"$w = {wv:g}$") for wv in (2, 4, 6.9, 12)],
            Series(None, 1.0, "$|w\\sigma'| = 1$", kind="hline", style={"linestyle": "--", "color": "gray"}),
        ],
        xlabel="input activation $a$ ($b = 0$)",
        ylabel="$|w\\,\\sigma'(wa+b)|$",
    )
    return Solution(
        id="weight-bound",
        title="Problem 1(1): a factor |w sigma'(wa+b)| >= 1 needs |w| >= 4",
        source="Ch. 5, Problem 1(1)",
        statement="Consider the product |w sigma'(wa+b)|. Suppose |w sigma'(wa+b)| >= 1. Argue that this can "
        "only ever occur if |w| >= 4.",
        answer={"min_abs_w": sympy.Integer(4), "bound": sympy.Abs(_w) / 4, "w_crossing": float(w_cross)},
        steps=steps,
        checks=checks,
        figures=[
            Figure(
                "weight-bound",
                "The factor |w sigma'(wa)| against a: it reaches 1 only once |w| >= 4, "
                "and then only on a narrow interval of a.",
                [panel],
            )
        ],
    )


@solver
def solve_interval_width() -> Solution:
    """Problem 1(2): the set of a with |w sigma'(wa+b)| >= 1 is an interval of width eq. 123, for any b."""
    W = bounds.W
    s = sympy.Symbol("s", positive=True)
    roots = sympy.solve(sympy.Eq(s * (1 - s), 1 / W), s)
    s_minus, s_plus = sorted(roots, key=lambda r: float(r.subs(W, 8)))
    zstar = sympy.log(s_plus / s_minus)
    width = bounds.width_expr()
    eq123 = bounds.eq123_expr()
    proved = bounds.prove_width_equals_eq123()
    lo_sym = (-sympy.Symbol("z^*") - _b) / _w
    hi_sym = (sympy.Symbol("z^*") - _b) / _w
    # numeric: brentq on |w sigma'(wa+b)| = 1 at several (w, b); compare with eq. 123 and activation_interval
    rng = np.random.default_rng(0)
    worst_width, worst_end, worst_b = 0.0, 0.0, 0.0
    for _ in range(40):
        wv = float(rng.choice([-1, 1]) * rng.uniform(4.05, 40))
        bv = float(rng.normal(0, 3))
        g = lambda a, wv=wv, bv=bv: abs(wv * sigmoid_prime(wv * a + bv)) - 1.0  # noqa: E731
        centre = -bv / wv
        lo = optimize.brentq(g, centre - 50, centre, xtol=1e-14)
        hi = optimize.brentq(g, centre, centre + 50, xtol=1e-14)
        e123 = float(eq123.subs(W, abs(wv)))
        worst_width = max(worst_width, abs((hi - lo) - e123) / e123)
        lo2, hi2 = bounds.activation_interval(wv, bv)
        worst_end = max(worst_end, abs(lo - lo2), abs(hi - hi2))
        worst_b = max(worst_b, abs(bounds.interval_width(wv) - (hi - lo)))
    steps = [
        Step(
            "With z = wa + b, the condition |w sigma'(z)| >= 1 reads sigma'(z) >= 1/|w|, and sigma' = s(1 - s) "
            "with s = sigma(z):",
            sympy.Ge(s * (1 - s), 1 / W),
        ),
        Step(
            "The quadratic s(1 - s) = 1/|w| has the roots s+- (real since |w| >= 4):",
            sympy.Eq(sympy.Symbol("s_+"), s_plus),
        ),
        Step(
            "so s must lie in [s-, s+]; since sigma is increasing and 1 - s+ = s-, z lies in [-z*, z*] with",
            sympy.Eq(
                sympy.Symbol("z^*"), sympy.log(sympy.Symbol("s_+") / sympy.Symbol("s_-")), evaluate=False
            ),
        ),
        Step("a = (z - b)/w therefore ranges over the interval between", sympy.Tuple(lo_sym, hi_sym)),
        Step(
            "whose width 2z*/|w| does not involve b:", sympy.Eq(sympy.Symbol("width"), width, evaluate=False)
        ),
        Step(
            "Substituting |w| = 4/(1 - u^2), u = sqrt(1 - 4/|w|), both log arguments become (1 + u)/(1 - u): "
            "SymPy simplifies their difference to 0, so the width is exactly eq. 123:",
            sympy.Eq(sympy.Symbol("width"), eq123, evaluate=False),
        ),
    ]
    checks = [
        Check(
            "the width 2 z*/|w| equals eq. 123 identically",
            proved,
            "SymPy: (1+u)/(1-u) - (4/(1-u^2))(1+u)/2 + 1 simplifies to 0",
            methods=("SymPy simplification", "numeric root finding (below)"),
        ),
        Check(
            "eq. 123 equals the width of the set found by root finding, at 40 random (w, b)",
            worst_width < 1e-11,
            f"largest relative difference {worst_width:.2g}",
            methods=("SciPy brentq on |w sigma'(wa+b)| = 1", "eq. 123 evaluated by SymPy"),
            agreement=worst_width,
            tolerance=1e-11,
        ),
        Check(
            "activation_interval gives the exact endpoints",
            worst_end < 1e-10,
            f"largest endpoint difference {worst_end:.2g}",
            methods=("closed form (-b +- z*)/w", "SciPy brentq"),
            agreement=worst_end,
            tolerance=1e-10,
        ),
        Check(
            "the width does not depend on b",
            worst_b < 1e-10 and not width.has(_b),
            f"the symbolic width has no b; numeric widths over b ~ N(0, 3) differ by at most {worst_b:.2g}",
            methods=("symbolic (no b in the expression)", "root finding at random b"),
        ),
    ]
    # figure: region |w sigma'(wa + b)| >= 1 in the (a, w) plane, for b = 0 and b = 1
    wv = np.linspace(4.0, 30.0, 400)
    zs = 2 * np.arctanh(np.sqrt(1 - 4 / wv))
    series = []
    for bv, colour in ((0.0, "#2A6EA6"), (1.0, "#FFA933")):
        series.append(
            Series(
                wv,
                (-zs - bv) / wv,
                f"$b = {bv:g}$",
                kind="fill",
                y2=(zs - bv) / wv,
                style={"alpha": 0.45, "color": colour},
            )
        )
    series.append(Series(4.0, None, "$|w| = 4$", kind="vline", style={"linestyle": "--", "color": "gray"}))
    panel = Panel(
        series=series,
        xlabel="weight $w$",
        ylabel="input activation $a$",
        title="$|w\\,\\sigma'(wa+b)| \\geq 1$",
    )
    return Solution(
        id="interval-width",
        title="Problem 1(2): the interval of input activations, eq. 123",
        source="Ch. 5, Problem 1(2)",
        statement="Supposing that |w| >= 4, consider the set of input activations a for which "
        "|w sigma'(wa+b)| >= 1. Show that the set of a satisfying that constraint can range over an interval no "
        "greater in width than (2/|w|) ln(|w|(1 + sqrt(1 - 4/|w|))/2 - 1) (eq. 123).",
        answer={
            "width": eq123,
            "endpoints": (lo_sym, hi_sym),
            "z_star": zstar,
            "s_minus": s_minus,
            "s_plus": s_plus,
        },
        steps=steps,
        checks=checks,
        figures=[
            Figure(
                "interval-region",
                "The region |w sigma'(wa+b)| >= 1 in the (w, a) plane: empty for "
                "|w| < 4, a band whose width (eq. 123) shrinks like 2 ln|w|/|w|; b only shifts it.",
                [panel],
            )
        ],
    )


@solver
def solve_interval_width_max() -> Solution:
    """Problem 1(3): eq. 123 is greatest at |w| ~ 6.9, where it is ~ 0.45 (to 40 digits here)."""
    r = bounds.interval_width_max()
    f, f1, _ = bounds._derivatives()
    # independent: mpmath's own numerical derivative of the book's formula (not our simplified f')
    with mpmath.workdps(50):
        book_f = lambda x: 2 / x * mpmath.log(x * (1 + mpmath.sqrt(1 - 4 / x)) / 2 - 1)  # noqa: E731
        w_mp = mpmath.findroot(lambda x: mpmath.diff(book_f, x), mpmath.mpf("6.9"))
        width_mp = book_f(w_mp)
    steps = [
        Step(
            "Eq. 123 as a function of |w| >= 4 (equivalently (4/|w|) artanh sqrt(1 - 4/|w|)):",
            sympy.Eq(sympy.Symbol("f"), bounds.eq123_expr(), evaluate=False),
        ),
        Step(
            "It vanishes at |w| = 4 and tends to 0 like 2 ln|w|/|w|, so it has an interior maximum where "
            "f'(|w|) = 0. A bounded minimiser of -f locates it only to about 1e-7 (the maximum is flat), so "
            "we solve f' = 0: SciPy brentq, then mpmath findroot at 50 digits.",
            sympy.Eq(sympy.Symbol("f'"), f1, evaluate=False),
        ),
        Step(
            "The maximiser (30 of the 40 digits computed):",
            sympy.Eq(sympy.Symbol("w^*"), sympy.Float(r.w_digits, 30), evaluate=False),
        ),
        Step(
            "The maximal width:",
            sympy.Eq(sympy.Symbol("f(w^*)"), sympy.Float(r.width_digits, 30), evaluate=False),
        ),
    ]
    checks = [
        close_check(
            "|w*| (zero of f', 15 digits)",
            r.w,
            float(w_mp),
            (
                "SciPy brentq + mpmath findroot on the SymPy derivative",
                "mpmath findroot on mpmath.diff of the book's formula",
            ),
            rtol=1e-14,
            book="6.9",
            computed=f"{r.w:.15g}",
        ),
        close_check(
            "maximal width f(w*)",
            r.width,
            float(width_mp),
            ("eq. 123 via artanh at w*", "book's formula at mpmath's w*"),
            rtol=1e-14,
            book="0.45",
            computed=f"{r.width:.15g}",
        ),
        Check(
            "the book's |w| ~ 6.9 and width ~ 0.45 are our values rounded",
            round(r.w, 1) == 6.9 and round(r.width, 2) == 0.45,
            f"w* = {r.w:.12f} -> {round(r.w, 1)}; width = {r.width:.12f} -> {round(r.width, 2)}",
            methods=("our 12 digits", "book's rounding"),
            book="6.9, 0.45",
            computed=f"{r.w:.12g}, {r.width:.12g}",
        ),
        close_check(
            "the bounded minimiser alone agrees only to ~1e-7",
            r.w_minimizer,
            r.w,
            ("SciPy minimize_scalar (bounded)", "root of f'"),
            rtol=1e-6,
        ),
        Check(
            "f''(w*) < 0: a maximum",
            r.second_derivative < 0,
            f"f''(w*) = {r.second_derivative:.6g}",
            methods=("SymPy second derivative", "mpmath evaluation"),
        ),
    ]
    wv = np.linspace(4.0, 40.0, 800)
    widths = [bounds.interval_width(x) for x in wv]
    panel = Panel(
        series=[
            Series(wv, widths, "eq. 123"),
            Series(r.w, r.width, f"max {r.width:.4f} at $|w| = {r.w:.4f}$", kind="point"),
        ],
        xlabel="$|w|$",
        ylabel="width of the $a$-interval",
    )
    return Solution(
        id="interval-width-max",
        title="Problem 1(3): the widest interval, |w| = 6.894..., width 0.4477...",
        source="Ch. 5, Problem 1(3)",
        statement="Show numerically that the above expression bounding the width of the range is greatest at "
        "|w| ~ 6.9, where it takes a value ~ 0.45.",
        answer={
            "w": r.w,
            "width": r.width,
            "w_digits": r.w_digits,
            "width_digits": r.width_digits,
            "second_derivative": r.second_derivative,
        },
        steps=steps,
        checks=checks,
        figures=[
            Figure(
                "interval-width-max",
                "Eq. 123 against |w|: the width of the a-interval never exceeds "
                f"{r.width:.4f}, reached at |w| = {r.w:.4f}.",
                [panel],
            )
        ],
    )
