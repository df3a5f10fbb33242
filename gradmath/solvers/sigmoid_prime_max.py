"""σ′ = σ(1 − σ) has its only critical point at 0, where it takes its maximum σ′(0) = 1/4.

Nielsen, sec. 5.1: "The derivative reaches a maximum at σ′(0) = 1/4", the fact behind eq. 122's
bound |w_j σ′(z_j)| ≤ |w_j|/4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy
from scipy import optimize

from ..activations import sigma, sigma_prime, sigmoid, sigmoid_prime
from ..contract import AnswerLine, Check, Correction, Figure, Finding, Panel, Series, Step, Verdict, Writeup
from ..notation import at, ordered
from ..registry import Problem, problem
from ..sources import Source
from ..text import Ref, tx

x = sympy.Symbol("x", real=True)
z = sympy.Symbol("z", real=True)
FIGURE = "sigmoid-and-derivative"


@dataclass(frozen=True)
class SigmoidPrimeMax:
    """SymPy's and SciPy's view of σ′."""

    logistic: sympy.Expr  # 1/(1 + e^-x)
    derivative: sympy.Expr  # SymPy's diff of it
    residual: sympy.Expr  # derivative - σ(1 - σ), simplified (0)
    critical_points: sympy.Set  # of σ′ over the reals
    maximum: sympy.Expr  # σ′ at the critical point
    argmax: sympy.Expr
    curvature: sympy.Expr  # the second derivative of σ′ at 0 (−1/8)
    limits: tuple[sympy.Expr, sympy.Expr]  # σ′ at +∞ and −∞
    opt_max: float  # SciPy's maximum of σ′ (expit-based)
    opt_argmax: float
    grid_residual: float  # max |SymPy's derivative − expit σ′| on [−30, 30]
    grid_sign_changes: int  # sign changes of σ′′ on a grid


@problem("sigmoid-prime-max", source=Source("nielsen", "sec. 5.1"), order=10)
class SigmoidPrimeMaxProblem(Problem):
    title = tx("The maximum of {}", sigma_prime(z))
    quick = "nothing: analytic, under a second"

    def compute(self, options) -> SigmoidPrimeMax:
        s = 1 / (1 + sympy.exp(-x))
        ds = sympy.diff(s, x)
        d2 = sympy.diff(ds, x)
        crit = sympy.solveset(sympy.simplify(d2), x, sympy.S.Reals)
        x0 = next(iter(crit)) if isinstance(crit, sympy.FiniteSet) and len(crit) == 1 else sympy.nan
        opt = optimize.minimize_scalar(
            lambda t: -float(sigmoid_prime(t)), bracket=(-3.0, 1.0, 3.0), tol=1e-12
        )
        grid = np.linspace(-30.0, 30.0, 60001)
        sympy_prime = sympy.lambdify(x, ds, "numpy")(grid)
        second = sigmoid_prime(grid) * (1 - 2 * sigmoid(grid))  # σ′′ = σ′(1 − 2σ), numerically
        signs = np.sign(second[np.abs(second) > 1e-300])
        return SigmoidPrimeMax(
            logistic=s, derivative=ds, residual=sympy.simplify(ds - s * (1 - s)), critical_points=crit,
            maximum=sympy.nsimplify(ds.subs(x, x0)), argmax=x0,
            curvature=sympy.simplify(sympy.diff(ds, x, 2).subs(x, 0)),
            limits=(sympy.limit(ds, x, sympy.oo), sympy.limit(ds, x, -sympy.oo)),
            opt_max=float(-opt.fun), opt_argmax=float(opt.x),
            grid_residual=float(np.max(np.abs(sympy_prime - sigmoid_prime(grid)))),
            grid_sign_changes=int(np.count_nonzero(np.diff(signs))),
        )  # fmt: skip

    def answer(self, r: SigmoidPrimeMax) -> dict:
        return {"max": r.maximum, "argmax": r.argmax}

    def explain(self, r: SigmoidPrimeMax) -> Writeup:
        steps = [
            Step(tx("Differentiate the logistic function:"), sympy.Eq(sigma(x), r.logistic, evaluate=False)),
            Step(
                tx("Its derivative is {} times {}; SymPy simplifies the difference of the two forms to {}.",
                   sigma(x), 1 - sigma(x), r.residual),
                sympy.Eq(sigma_prime(x), ordered(sigma(x), 1 - sigma(x)), evaluate=False),
            ),
            Step(
                tx("The derivative of {} is {}, which vanishes only where {}: SymPy's solver over the reals "
                   "finds one critical point,", sigma_prime(x), sigma_prime(x) * (1 - 2 * sigma(x)),
                   sympy.Eq(sigma(x), sympy.Rational(1, 2))),
                sympy.Eq(sympy.Symbol("x^*"), r.argmax, evaluate=False),
            ),
            Step(
                tx("There the curvature of {} is {} < 0, and {} tends to {} as {} → ±∞, so the single "
                   "critical point is the global maximum:", sigma_prime(x), r.curvature, sigma_prime(x),
                   r.limits[0], x),
                sympy.Eq(at(sigma_prime, 0), r.maximum, evaluate=False),
            ),
        ]  # fmt: skip
        quarter = sympy.Rational(1, 4)
        return Writeup(
            statement=tx(
                "Show that {} has its maximum at {}, where it equals {}.",
                sympy.Eq(sigma_prime(z), ordered(sigma(z), 1 - sigma(z)), evaluate=False),
                sympy.Eq(z, 0),
                quarter,
            ),  # fmt: skip
            answer_text=tx(
                "{} for every real {}, with equality only at {}, the single critical point of {} ({}).",
                sympy.Le(sigma_prime(z), quarter),
                z,
                sympy.Eq(z, 0),
                sigma_prime(z),
                Ref(FIGURE, "see the figure"),
            ),  # fmt: skip
            steps=steps,
            answer_lines=[
                AnswerLine(tx("maximum of {}", sigma_prime(z)), tx("{}", r.maximum), key="max"),
                AnswerLine(tx("where it is attained"), tx("{}", sympy.Eq(z, r.argmax)), key="argmax"),
            ],
            findings=[
                Finding(
                    tx("{} is largest at {}", sigma_prime(z), sympy.Eq(z, 0)),
                    tx("{}", sympy.Eq(at(sigma_prime, 0), quarter, evaluate=False)),
                    tx("{} exactly", r.maximum),
                    Verdict.CONFIRMED,
                )
            ],  # fmt: skip
            verdict=Verdict.CONFIRMED,
            verdict_reason=tx(
                "the maximum {} at {} holds exactly; the Exercise's strict {} should read {}.",
                quarter,
                sympy.Eq(z, 0),
                sympy.Lt(sympy.Abs(sigma_prime(z)), quarter),
                sympy.Le(sympy.Abs(sigma_prime(z)), quarter),
            ),  # fmt: skip
            corrections=[
                Correction(
                    Source("nielsen", "sec. 5.1, Exercise"),
                    "we made use of the fact that |σ′(z)| < 1/4",
                    tx(
                        "The bound is {}, not strict: equality holds at {}.",
                        sympy.Le(sympy.Abs(sigma_prime(z)), quarter),
                        sympy.Eq(z, 0),
                    ),
                    tx(
                        "{} exactly (SymPy), and SciPy's maximiser finds {} at {}.",
                        sympy.Eq(at(sigma_prime, 0), quarter, evaluate=False),
                        r.opt_max,
                        sympy.Eq(z, sympy.Float(r.opt_argmax, 2)),
                    ),
                ),
            ],  # fmt: skip
        )

    def checks(self, r: SigmoidPrimeMax) -> list[Check]:
        n_sym = len(r.critical_points) if isinstance(r.critical_points, sympy.FiniteSet) else -1
        return [
            Check.close(
                tx("the maximum of {} is {}", sigma_prime(z), r.maximum), r.opt_max, float(r.maximum),
                (tx("SciPy's scalar minimiser applied to {}, with the logistic function from SciPy", -sigma_prime(z)),
                 "SymPy's solver over the reals, then substitution"),
                rtol=1e-12, book="1/4", computed=r.maximum,
                catches=tx("a wrong derivative, such as {} or a lost factor, moves the maximum off {}",
                           sigma(z) * (1 + sigma(z)), sympy.Rational(1, 4)),
            ),
            Check.close(
                tx("it is attained at {}", sympy.Eq(z, 0)), r.opt_argmax, float(r.argmax),
                ("SciPy's scalar minimiser", "SymPy's solver over the reals"), atol=1e-5, book=0, computed=r.argmax,
                catches=tx("a sign error in {} shifts the critical point", sigma_prime(z) * (1 - 2 * sigma(z))),
            ),
            Check.close(
                tx("SymPy's derivative of the logistic function equals {}", sigma(z) * (1 - sigma(z))),
                r.grid_residual, 0.0,
                (tx("SymPy's derivative of {}, evaluated at 60,001 points of [−30, 30]", r.logistic),
                 tx("{} with the logistic function from SciPy", ordered(sigma(z), 1 - sigma(z)))),
                atol=1e-15,
                catches=tx("a wrong closed form, such as {}, differs by up to {}",
                           sigma(z) ** 2 * (1 - sigma(z)), sympy.Rational(1, 4)),
            ),
            Check.count(
                tx("{} is the only critical point of {}", sympy.Eq(z, 0), sigma_prime(z)),
                abs(n_sym - r.grid_sign_changes) + (0 if n_sym == 1 else 1),
                (tx("SymPy's solver for the zeros of the derivative of {} over the reals", sigma_prime(z)),
                 tx("sign changes of {} on a grid over {}", ordered(sigma_prime(z), 1 - 2 * sigma(z)),
                    sympy.Interval(-30, 30))),
                detail=tx("critical points found by SymPy: {}; sign changes on the grid: {}", n_sym, r.grid_sign_changes),
                catches=tx("a second critical point (a local maximum elsewhere) would be missed by the optimiser"),
            ),
        ]  # fmt: skip

    def figures(self, r: SigmoidPrimeMax) -> list[Figure]:
        zz = np.linspace(-8, 8, 401)
        panel = Panel(
            series=[
                Series(zz, sigmoid(zz), r"$\sigma(z)$"),
                Series(zz, sigmoid_prime(zz), r"$\sigma'(z)$", style={"linestyle": "--"}),
                Series(None, 0.25, r"$1/4$", kind="hline"),
                Series(0.0, 0.25, r"$\sigma'(0) = 1/4$", kind="point"),
            ],
            xlabel="$z$",
        )
        return [Figure(FIGURE,
                       tx("The sigmoid and its derivative: {} never exceeds {}, attained at {}.",
                          sigma_prime(z), sympy.Rational(1, 4), sympy.Eq(z, 0)), [panel])]  # fmt: skip
