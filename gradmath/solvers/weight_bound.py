"""Problem 1(1): |w σ′(wa + b)| ≥ 1 can only occur if |w| ≥ 4.

Since σ′ ≤ 1/4 (:mod:`.sigmoid_prime_max`), |w σ′(wa + b)| ≤ |w|/4 for every a and b; the bound is
reached at wa + b = 0, so the smallest |w| for which some a gives a factor of 1 is exactly 4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy
from scipy import optimize

from ..activations import sigma_prime, sigmoid_prime
from ..bounds import activation_interval
from ..contract import AnswerLine, Check, Figure, Finding, Panel, Series, Step, Verdict, Writeup
from ..notation import a, abs_w, at, b, factor, ordered, w, weighted_input, z
from ..registry import Param, Problem, problem
from ..sources import Source
from ..text import Ref, tx

#: the condition of Problem 1: |w σ′(wa + b)| ≥ 1
REACHES_ONE = sympy.Ge(factor(), 1, evaluate=False)
FIGURE = "weight-bound-factor"


@dataclass(frozen=True)
class WeightBound:
    """The bound |w|/4 and its numerical confirmation."""

    bound: sympy.Expr  # |w|/4, the supremum over a of |w σ′(wa + b)|
    min_abs_w: sympy.Integer  # solves |w|/4 = 1
    bias: float  # the b used by the numerical side
    ws: np.ndarray  # grid of |w|
    sup: np.ndarray  # SciPy's maximum over a of |w σ′(wa + b)| at each |w|
    w_crossing: float  # root of (SciPy's maximum over a) − 1, by brentq


def _sup_over_a(wv: float, bias: float) -> float:
    """max over a of |w σ′(wa + b)|, by SciPy's bounded scalar minimiser (no closed form used)."""
    centre = -bias / wv
    res = optimize.minimize_scalar(
        lambda av: -abs(wv * sigmoid_prime(wv * av + bias)),
        bounds=(centre - 5.0, centre + 7.0),  # deliberately off-centre: the optimiser must find z = 0
        method="bounded",
        options={"xatol": 1e-12},
    )
    return float(-res.fun)


@problem("weight-bound", source=Source("nielsen", "Problem 1(1)"), order=60)
class WeightBoundProblem(Problem):
    title = tx("Problem 1(1): a factor {} needs {}", REACHES_ONE,
               sympy.Ge(abs_w, 4))  # fmt: skip
    quick = "the grid of |w| has 16 points instead of 76"
    params = (Param.real("b", 0.3, -50.0, 50.0, doc="the bias of the numerical side"),)

    def compute(self, options, b: float) -> WeightBound:
        ws = np.linspace(0.5, 8.0, 16 if options.quick else 76)
        sup = np.array([_sup_over_a(float(v), b) for v in ws])
        crossing = optimize.brentq(lambda v: _sup_over_a(v, b) - 1.0, 1.0, 8.0, xtol=1e-13, rtol=1e-15)
        bound = abs_w / 4
        return WeightBound(bound, sympy.solve(sympy.Eq(bound, 1), abs_w)[0], b, ws, sup, float(crossing))

    def answer(self, r: WeightBound) -> dict:
        return {"min_abs_w": r.min_abs_w, "bound": r.bound, "w_crossing": r.w_crossing}

    def explain(self, r: WeightBound) -> Writeup:
        quarter = sympy.Rational(1, 4)
        steps = [
            Step(tx("{} is positive and at most {}, with equality only at {} (the maximum of {}):",
                    sigma_prime(z), quarter, sympy.Eq(z, 0), sigma_prime(z)),
                 sympy.Le(sigma_prime(z), quarter)),
            Step(tx("Hence, for every {} and {},", a, b),
                 sympy.Le(factor(), abs_w / 4, evaluate=False)),
            Step(tx("so {} forces {}, that is", REACHES_ONE,
                    sympy.Ge(abs_w / 4, 1)), sympy.Ge(abs_w, r.min_abs_w)),
            Step(tx("The bound is attained: with {} and {} the weighted input is {} and the factor is",
                    sympy.Eq(abs_w, 4), sympy.Eq(a, -b / w), sympy.Eq(z, 0)),
                 sympy.Eq(ordered(4, at(sigma_prime, 0)), 1, evaluate=False)),
        ]  # fmt: skip
        return Writeup(
            statement=tx(
                "Consider the product {}. Suppose {}. Argue that this can only ever occur if {}.",
                factor(),
                REACHES_ONE,
                sympy.Ge(abs_w, 4),
            ),  # fmt: skip
            answer_text=tx(
                "Because {}, the factor never exceeds {}; it reaches 1 exactly when {} and {}. So "
                "{} is necessary, and sufficient for some {} ({}).",
                sympy.Le(sigma_prime(z), quarter),
                abs_w / 4,
                sympy.Eq(abs_w, 4),
                sympy.Eq(weighted_input(), 0),
                sympy.Ge(abs_w, 4),
                a,
                Ref(FIGURE, "see the figure"),
            ),  # fmt: skip
            steps=steps,
            answer_lines=[
                AnswerLine(
                    tx("the smallest {} for which some {} gives {}", abs_w, a, REACHES_ONE),
                    tx("{}", r.min_abs_w),
                    key="min_abs_w",
                ),
                AnswerLine(tx("the largest factor over {}", a), tx("{}", r.bound), key="bound"),
                AnswerLine(
                    tx("the same threshold found numerically (root finding, {})", sympy.Eq(b, r.bias)),
                    tx("{:.13}", r.w_crossing),
                    key="w_crossing",
                ),
            ],  # fmt: skip
            findings=[
                Finding(
                    tx("{} only if {}", REACHES_ONE, sympy.Ge(abs_w, 4)),
                    tx("{}", sympy.Ge(abs_w, 4)),
                    tx(
                        "{}, sharp: the factor is 1 at {}, {}",
                        sympy.Ge(abs_w, 4),
                        sympy.Eq(abs_w, 4),
                        sympy.Eq(weighted_input(), 0),
                    ),
                    Verdict.CONFIRMED,
                )
            ],  # fmt: skip
            verdict=Verdict.CONFIRMED,
            verdict_reason=tx(
                "the bound {} follows from {} and is sharp.",
                sympy.Ge(abs_w, 4),
                sympy.Le(sigma_prime(z), quarter),
            ),  # fmt: skip
        )

    def checks(self, r: WeightBound) -> list[Check]:
        return [
            Check.close(
                tx("the smallest {} with {} is {}", abs_w, REACHES_ONE,
                   r.min_abs_w),
                r.w_crossing, float(r.min_abs_w),
                (tx("Brent's root finder (SciPy) on the numerical maximum over {} minus 1, at {}", a,
                    sympy.Eq(b, r.bias)),
                 tx("SymPy's solution of {}", sympy.Eq(abs_w / 4, 1))),
                rtol=1e-9, book=4, computed=r.min_abs_w,
                catches=tx("a bound built on a wrong maximum of {} (say {}) would put the threshold at 2",
                           sigma_prime(z), sympy.Rational(1, 2)),
            ),
            Check.close(
                tx("the maximum over {} equals {} at every {} of a grid", a, r.bound, abs_w),
                float(np.max(np.abs(r.sup - r.ws / 4))), 0.0,
                (tx("SciPy's bounded maximiser over {} ({} values of {})", a, len(r.ws), abs_w),
                 tx("the closed form {}", abs_w / 4)),
                atol=1e-10,
                catches=tx("a supremum that depends on {} or is not linear in {}", b, abs_w),
            ),
        ]  # fmt: skip

    def figures(self, r: WeightBound) -> list[Figure]:
        aa = np.linspace(-3, 3, 1201)
        series = []
        for wv, style in ((2.0, "-"), (4.0, "--"), (6.9, "-."), (12.0, ":")):
            curve = np.abs(wv * sigmoid_prime(wv * aa))
            series.append(Series(aa, curve, f"$w = {wv:g}$", style={"linestyle": style}))
            if wv > 4:
                lo, hi = activation_interval(wv, 0.0)
                inside = (aa >= lo) & (aa <= hi)
                series.append(Series(aa[inside], np.ones(inside.sum()), None, kind="fill", y2=curve[inside],
                                     style={"alpha": 0.35}))  # fmt: skip
        series.append(Series(None, 1.0, r"$|w\,\sigma'| = 1$", kind="hline"))
        panel = Panel(series=series, xlabel="input activation $a$ ($b = 0$)", ylabel=r"$|w\,\sigma'(wa+b)|$")
        return [Figure(FIGURE,
                       tx("The factor {} against {}: it reaches 1 only once {}, and then only on a narrow "
                          "interval of {} (shaded).", factor(b_=0), a, sympy.Ge(abs_w, 4), a),
                       [panel])]  # fmt: skip
