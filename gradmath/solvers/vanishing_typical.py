"""Sec. 5.1: how small is a factor w_j σ′(z_j) typically, and how fast does ∂C/∂b₁ shrink with depth?

Nielsen: with N(0, 1) weights "the weights will usually satisfy |w_j| < 1", so "the terms w_j σ′(z_j)
will usually satisfy |w_j σ′(z_j)| < 1/4", and "when we take a product of many such terms, the product
will tend to exponentially decrease". Here each claim gets its probability or its rate, twice: exactly
or by numerical integration over the stationary law of z_j in a long random chain
(:mod:`gradmath.chain_stats`), and by Monte Carlo over simulated chains.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy
from scipy.special import ndtr

from .. import chain_stats as cs
from ..activations import sigmoid_prime
from ..contract import AnswerLine, Check, Figure, Finding, Panel, Series, Step, Verdict, Writeup
from ..notation import E, P, Phi, ordered, ordered_sum, sigma, sigma_prime
from ..registry import Param, Problem, problem
from ..sources import Source
from ..text import Num, Ref, tx

w, b, a, z = sympy.symbols("w b a z", real=True)
w_j, z_j, n = sympy.Symbol("w_j", real=True), sympy.Symbol("z_j", real=True), sympy.Symbol("n", integer=True)
QUARTER = sympy.Rational(1, 4)
#: |w_j σ′(z_j)|, the factor of eq. 122
FACTOR = sympy.Abs(ordered(w_j, sigma_prime(z_j)), evaluate=False)
#: E(ln|w|) = −(γ + ln 2)/2 for w ~ N(0, 1)
E_LOG_W = ordered(sympy.Rational(-1, 2), ordered_sum(sympy.EulerGamma, sympy.log(2)))
#: P(|w| < 1) = 2Φ(1) − 1 = erf(1/√2)
P_W_BELOW_ONE = sympy.erf(1 / sympy.sqrt(2))

MAX_CHAINS = 500_000
FIGURE = "gradient-vs-depth"
MAX_DEPTH = 1000


def sig_digits(value: float, err: float, cap: int = 10) -> int:
    """How many significant digits of ``value`` are right given an absolute error ``err``."""
    if value == 0 or not math.isfinite(value):
        return 1
    err = max(abs(err), abs(value) * 1e-15)
    return max(1, min(cap, int(math.floor(math.log10(abs(value) / err)))))


@dataclass(frozen=True)
class Integrated:
    """A value by numerical integration, with an estimate of its numerical error (the difference from
    the same integral on a grid twice as fine with a tighter quadrature tolerance)."""

    value: float
    err: float

    def num(self) -> Num:
        return Num(self.value, sig=sig_digits(self.value, self.err))


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate and its standard error."""

    value: float
    se: float

    def num(self) -> Num:
        return Num(self.value, err=self.se)


@dataclass(frozen=True)
class VanishingTypical:
    """The laws of |w_j σ′(z_j)| and of the decay of ∂C/∂b₁, integrated and simulated."""

    n_chains: int
    max_depth: int
    e_log_w_quad: float  # SciPy quad of 2 ln(t) φ(t) over (0, ∞)
    p_w_mc: Estimate  # fraction of the simulated weights with |w| < 1
    p_quarter: Integrated  # P(|w σ′(z)| < 1/4)
    p_one: Integrated  # P(|w σ′(z)| < 1)
    mean_log: Integrated  # E ln|w σ′(z)|
    median: Integrated  # the median of |w σ′(z)|
    p_quarter_mc: Estimate
    p_above_one_mc: Estimate  # P(factor >= 1) by importance sampling
    below_median_mc: Estimate  # fraction of simulated factors below the integrated median (1/2)
    mean_log_mc: Estimate
    slope: Estimate  # least-squares slope of the mean ln|∂C/∂b₁| over depth, and its standard error
    log10_quantiles: np.ndarray  # (3, max_depth): 10 %, 50 %, 90 % of log10|∂C/∂b₁ / ∂C/∂a_n|
    log10_mean: np.ndarray  # (max_depth,)


def _indicator(values: np.ndarray, p_exact: float) -> Estimate:
    """A chain-averaged fraction. For a rare event the sample may show no variation at all, so the
    standard error is at least that of independent Bernoulli(p_exact) draws (the factors of one chain
    are nearly independent: the two agree to 1 % at the default size)."""
    mean, se = cs.chain_mean(values)
    return Estimate(mean, max(se, math.sqrt(p_exact * (1 - p_exact) / values.size)))


def _rare_tail(a_prev: np.ndarray, seed: int, max_draws: int = 2_000_000) -> Estimate:
    """P(|w σ′(wa + b)| ≥ 1) by importance sampling: the event needs |w| ≥ 4, so draw |w| from N(0, 1)
    conditioned on |w| > 4 (inverse transform, ``scipy.special.ndtri``), a random sign, b from N(0, 1),
    a from the simulated chains' activations (stationary, independent of the fresh w and b); weight by
    P(|w| > 4) = 2Φ(−4). At most ``max_draws`` draws (whole chains): 0.3 % precision at two million."""
    from scipy.special import ndtr, ndtri

    a_prev = a_prev[: max(1, max_draws // a_prev.shape[1])]
    rng = np.random.default_rng([seed, 1])
    tail = float(ndtr(-4.0))  # P(w > 4)
    wt = -ndtri(tail * rng.uniform(size=a_prev.shape)) * rng.choice([-1.0, 1.0], a_prev.shape)
    hit = np.abs(wt) * sigmoid_prime(wt * a_prev + rng.standard_normal(a_prev.shape)) >= 1.0
    mean, se = cs.chain_mean(hit)
    return Estimate(2 * tail * mean, 2 * tail * se)


def _integrals() -> tuple[Integrated, ...]:
    """E ln|w σ′(z)|, P(factor < 1/4), P(factor < 1) and the median, each with its numerical error."""
    st, fine = cs.stationary_chain(), cs.stationary_chain(m=1601)
    st_small, st_601 = cs.stationary_chain(m=301), cs.stationary_chain(m=601)
    mean_log = st.mean_log_factor()
    out = [Integrated(mean_log, abs(mean_log - fine.mean_log_factor()))]
    for t in (0.25, 1.0):
        p = cs.factor_cdf(t, st_small)
        out.append(Integrated(p, abs(p - cs.factor_cdf(t, st_601, tol=1e-13)) + 1e-13))
    med = cs.factor_median(st_small)
    from scipy.optimize import brentq

    fine_med = brentq(lambda t: cs.factor_cdf(t, st_601, tol=1e-12) - 0.5, med - 1e-6, med + 1e-6, xtol=1e-14)
    out.append(Integrated(med, abs(med - fine_med) + 1e-13))
    return tuple(out)


@problem("vanishing-typical", source=Source("nielsen", "sec. 5.1"), order=50)
class VanishingTypicalProblem(Problem):
    title = tx("How small is {} typically?", FACTOR)
    quick = "10,000 simulated chains instead of 40,000 (standard errors twice as large)"
    params = (
        Param.integer("n_chains", 40_000, lo=1000, hi=MAX_CHAINS, doc="simulated chains (Monte Carlo)",
                      why_hi=f"at most {MAX_CHAINS:,} chains: more take over a minute", quick=10_000),
        Param.integer("max_depth", 30, lo=3, hi=MAX_DEPTH, doc="neurons per chain",
                      why_hi=f"at most {MAX_DEPTH} neurons per chain"),
        Param.integer("seed", 0, lo=0, hi=2**32 - 1, doc="seed of the simulation"),
    )  # fmt: skip

    def compute(self, options, n_chains: int, max_depth: int, seed: int) -> VanishingTypical:
        cs.check_size(n_chains, max_depth, n_name="n_chains", depth_name="max_depth")
        options.report(0.0, "integrating over the stationary law of z")
        mean_log, p_quarter, p_one, median = _integrals()
        options.report(0.5, "simulating chains")
        rc = cs.random_chains(n_chains, max_depth, seed=seed)
        lf = rc.log_factor[:, 1:]  # ln|w_j σ′(z_j)| for j >= 2 (eq. 122 has no w_1)
        f = np.exp(lf)
        p_w = float(P_W_BELOW_ONE.evalf(30))
        small_w = np.abs(rc.w) < 1  # every weight is an independent N(0, 1) draw
        depth = np.arange(1, max_depth + 1)
        slopes = np.polyfit(depth, rc.log_grad.T, 1)[0]  # one slope per chain: independent
        lg10 = rc.log_grad / math.log(10)
        return VanishingTypical(
            n_chains=n_chains, max_depth=max_depth,
            e_log_w_quad=cs.mean_log_abs_normal_quad(),
            p_w_mc=Estimate(float(small_w.mean()), math.sqrt(p_w * (1 - p_w) / small_w.size)),
            p_quarter=p_quarter, p_one=p_one, mean_log=mean_log, median=median,
            p_quarter_mc=_indicator(f < 0.25, p_quarter.value), p_above_one_mc=_rare_tail(rc.a[:, 1:-1], seed),
            below_median_mc=_indicator(f < median.value, 0.5), mean_log_mc=Estimate(*cs.chain_mean(lf)),
            slope=Estimate(float(np.polyfit(depth, rc.log_grad.mean(axis=0), 1)[0]),
                           float(slopes.std(ddof=1) / math.sqrt(n_chains))),
            log10_quantiles=np.quantile(lg10, [0.1, 0.5, 0.9], axis=0), log10_mean=lg10.mean(axis=0),
        )  # fmt: skip

    def answer(self, r: VanishingTypical) -> dict:
        return {
            "p_below_quarter": r.p_quarter.value,
            "p_below_one": r.p_one.value,
            "mean_log_factor": r.mean_log.value,
            "typical_factor": math.exp(r.mean_log.value),
            "median_factor": r.median.value,
            "decay_per_layer": r.slope.value,
            "decay_factor_per_layer": math.exp(r.slope.value),
            "decay_per_layer_se": r.slope.se,
            "p_w_below_one": P_W_BELOW_ONE,
            "p_above_one": 1.0 - r.p_one.value,
        }

    def explain(self, r: VanishingTypical) -> Writeup:
        return Writeup(
            statement=tx(
                "With weights and biases drawn from N(0, 1), as the book initialises them, how often is "
                "{} below 1 and {} below {} (and below 1)? How large is a factor typically, and how fast "
                "does {} shrink as the chain gets deeper?", sympy.Abs(w_j), FACTOR, QUARTER,
                sympy.Symbol("dC/db_1"),
            ),
            answer_text=tx(
                "Both of the book's \u201cusually\u201d hold: {} with probability {} and {} with "
                "probability {}. A typical factor (the geometric mean) is {}, so {} shrinks by a factor "
                "of about {} per layer, not 4.",
                sympy.Lt(sympy.Abs(w_j), 1), Num(float(P_W_BELOW_ONE), sig=4), sympy.Lt(FACTOR, QUARTER),
                Num(r.p_quarter.value, sig=4), Num(math.exp(r.mean_log.value), sig=4), sympy.Symbol("dC/db_1"),
                Num(math.exp(-r.mean_log.value), sig=3),
            ),
            steps=_steps(r),
            answer_lines=_answer_lines(r),
            findings=_findings(r),
            verdict=Verdict.CONFIRMED,
            verdict_reason=tx(
                "the probabilities {} and {} are both well above one half, and the mean of {} is "
                "negative, so the product of factors decays exponentially.",
                Num(float(P_W_BELOW_ONE), sig=4), Num(r.p_quarter.value, sig=4), sympy.log(FACTOR),
            ),
        )  # fmt: skip

    def checks(self, r: VanishingTypical) -> list[Check]:
        return _checks(r)

    def figures(self, r: VanishingTypical) -> list[Figure]:
        return [_depth_figure(r)]


def _steps(r: VanishingTypical) -> list[Step]:
    z_star = sympy.Symbol("z^*")
    return [
        Step(tx("The model: {} and {} drawn from N(0, 1) independently, {} with {} the activation coming out "
                "of the (long) random chain before it. Given {}, {} is normal with variance {}, so the "
                "stationary density {} of the weighted input solves an integral equation, solved on a grid "
                "(Nyström method, power iteration):", w_j, sympy.Symbol("b_j"),
                sympy.Eq(z_j, ordered_sum(ordered(w_j, sympy.Symbol("a_j-1")), sympy.Symbol("b_j"))),
                sympy.Symbol("a_j-1"), a, z, 1 + a**2, sympy.Symbol("q")),
             sympy.Eq(sympy.Function("q")(z), sympy.Integral(
                 sympy.Function("N")(z, 1 + sigma(sympy.Symbol("z'")) ** 2)
                 * sympy.Function("q")(sympy.Symbol("z'")), (sympy.Symbol("z'"), -sympy.oo, sympy.oo)))),
        Step(tx("The weights alone: {}, the familiar 68 % of a normal law within one standard deviation.",
                sympy.Eq(P(sympy.Lt(sympy.Abs(w), 1)), ordered_sum(2 * Phi(1), -1))),
             sympy.Eq(P(sympy.Lt(sympy.Abs(w), 1)), P_W_BELOW_ONE)),
        Step(tx("Since {}, every weight with {} gives a factor below {}; so the book's argument proves a lower "
                "bound, and the exact probability is higher because larger weights often meet a small {}:",
                sympy.Le(sigma_prime(z), QUARTER), sympy.Lt(sympy.Abs(w_j), 1), QUARTER, sigma_prime(z_j)),
             sympy.Ge(P(sympy.Lt(FACTOR, QUARTER)), P(sympy.Lt(sympy.Abs(w_j), 1)))),
        Step(tx("To integrate the law of the factor: for {} the factor is below {} whatever {}; otherwise it "
                "is below {} exactly when {} exceeds the {} at which {}, that is {}. Integrating over {} "
                "(adaptive quadrature) and over the stationary law of {} gives {} and {}.",
                sympy.Le(sympy.Abs(w), 4 * sympy.Symbol("t")), sympy.Symbol("t"), z, sympy.Symbol("t"),
                sympy.Abs(z), z_star, sympy.Eq(sigma_prime(z_star), sympy.Symbol("t") / sympy.Abs(w)),
                sympy.Eq(z_star, 2 * sympy.acosh(1 / (2 * sympy.sqrt(sympy.Symbol("t") / sympy.Abs(w))))),
                w, a, r.p_quarter.num(), r.p_one.num())),
        Step(tx("The logarithm of a factor splits even though {} and {} are dependent (linearity of the "
                "expectation):", w_j, z_j),
             sympy.Eq(E(sympy.log(FACTOR)), ordered_sum(E(sympy.log(sympy.Abs(w_j))),
                                                         E(sympy.log(sigma_prime(z_j)))))),
        Step(tx("with {} for a standard normal weight; the stationary law gives {} in all.",
                sympy.Eq(E(sympy.log(sympy.Abs(w))), E_LOG_W), r.mean_log.num())),
        Step(tx("By eq. 122, {} is {} times a product of {} factors, so its logarithm falls on average by "
                "{} per layer: the gradient shrinks like {} ({}). Simulated chains agree: the mean of {} has slope "
                "{} per layer.", sympy.Symbol("dC/db_1"),
                ordered(sigma_prime(sympy.Symbol("z_1")), sympy.Symbol("dC/da_n")), n - 1,
                Num(-r.mean_log.value, sig=4),
                sympy.Pow(sympy.Float(float(f"{math.exp(r.mean_log.value):.3g}")), n, evaluate=False),
                Ref(FIGURE, "the figure"), sympy.log(sympy.Abs(sympy.Symbol("dC/db_1"))), r.slope.num())),
    ]  # fmt: skip


def _answer_lines(r: VanishingTypical) -> list[AnswerLine]:
    return [
        AnswerLine(tx("{}", P(sympy.Lt(sympy.Abs(w), 1))), tx("{} = {}", P_W_BELOW_ONE,
                                                              Num(float(P_W_BELOW_ONE), sig=10)),
                   key="p_w_below_one"),
        AnswerLine(tx("{}", P(sympy.Lt(FACTOR, QUARTER))), r.p_quarter.num(), key="p_below_quarter"),
        AnswerLine(tx("{}", P(sympy.Lt(FACTOR, 1))), r.p_one.num(), key="p_below_one"),
        AnswerLine(tx("{}: a factor greater than 1 is rare", P(sympy.Ge(FACTOR, 1))),
                   Num(1.0 - r.p_one.value, sig=sig_digits(1.0 - r.p_one.value, r.p_one.err)), key="p_above_one"),
        AnswerLine(tx("{}", E(sympy.log(FACTOR))), r.mean_log.num(), key="mean_log_factor"),
        AnswerLine(tx("the typical factor {}", sympy.exp(E(sympy.log(FACTOR)))),
                   Num(math.exp(r.mean_log.value),
                       sig=sig_digits(math.exp(r.mean_log.value), math.exp(r.mean_log.value) * r.mean_log.err)),
                   key="typical_factor"),
        AnswerLine(tx("the median factor"), r.median.num(), key="median_factor"),
        AnswerLine(tx("decay of {} per layer (Monte Carlo slope, {} chains)", sympy.log(sympy.Abs(
            sympy.Symbol("dC/db_1"))), f"{r.n_chains:,}"), r.slope.num(), key="decay_per_layer"),
        AnswerLine(tx("the same as a factor per layer"),
                   Num(math.exp(r.slope.value), err=math.exp(r.slope.value) * r.slope.se),
                   key="decay_factor_per_layer"),
    ]  # fmt: skip


def _findings(r: VanishingTypical) -> list[Finding]:
    return [
        Finding(tx("N(0, 1) weights usually satisfy {}", sympy.Lt(sympy.Abs(w_j), 1)), tx("usually"),
                tx("{}, exactly", Num(float(P_W_BELOW_ONE), sig=4)), Verdict.CONFIRMED),
        Finding(tx("so the terms usually satisfy {}", sympy.Lt(FACTOR, QUARTER)), tx("usually"),
                tx("{}; Monte Carlo {}", Num(r.p_quarter.value, sig=4), r.p_quarter_mc.num()),
                Verdict.CONFIRMED),
    ]  # fmt: skip


def _checks(r: VanishingTypical) -> list[Check]:
    mc = tx("Monte Carlo over {} simulated chains", f"{r.n_chains:,}")
    integral = tx("integration over the stationary law of {}", z_j)
    return [
        Check.close(
            tx("{}", sympy.Eq(E(sympy.log(sympy.Abs(w))), E_LOG_W)), r.e_log_w_quad, cs.EULER_LOG_ABS_NORMAL,
            ("SciPy's adaptive quadrature over the normal density", "closed form"), rtol=1e-9,
            catches=tx("dropping the {} (giving {}) or taking {} (giving {})", sympy.log(2),
                       Num(-float(np.euler_gamma) / 2, sig=3), sympy.log(E(sympy.Abs(w))), Num(0.5 * math.log(2 / math.pi), sig=3)),
        ),
        Check.within_se(
            tx("N(0, 1) weights usually satisfy {}", sympy.Lt(sympy.Abs(w_j), 1)), r.p_w_mc.value, r.p_w_mc.se,
            float(P_W_BELOW_ONE.evalf(30)), (tx("fraction of the {} simulated weights", f"{r.n_chains * r.max_depth:,}"),
                                            tx("{} (mpmath, 30 digits)", P_W_BELOW_ONE)),
            book="usually", computed=float(P_W_BELOW_ONE), verdict=Verdict.CONFIRMED,
            catches=tx("the one-sided {} = 0.841, or a variance of 2 taken for the standard deviation (0.520)",
                       Phi(1)),
        ),
        Check.within_se(
            tx("the terms usually satisfy {}", sympy.Lt(FACTOR, QUARTER)), r.p_quarter_mc.value,
            r.p_quarter_mc.se, r.p_quarter.value, (mc, integral), book="usually", computed=r.p_quarter.value,
            verdict=Verdict.CONFIRMED,
            catches=tx("treating {} as N(0, 1) independent of {} gives 0.774, far outside the tolerance",
                       z_j, w_j),
        ),
        Check.within_se(
            tx("a factor {} is rare: {}", sympy.Ge(FACTOR, 1), P(sympy.Ge(FACTOR, 1))), r.p_above_one_mc.value,
            r.p_above_one_mc.se, 1.0 - r.p_one.value,
            (tx("importance sampling given {}", sympy.Gt(sympy.Abs(w), 4)),
             integral), computed=1.0 - r.p_one.value,
            catches=tx("counting every {} (the bound {} alone): {} = {}, 12 times too large",
                       sympy.Gt(sympy.Abs(w), 4), sympy.Ge(sympy.Abs(w) / 4, 1), P(sympy.Gt(sympy.Abs(w), 4)),
                       Num(2 * ndtr(-4.0), sig=3)),
        ),
        Check.within_se(
            tx("half the factors lie below the integrated median {}", r.median.num()), r.below_median_mc.value,
            r.below_median_mc.se, 0.5, (tx("fraction of simulated factors below it"), "one half, by definition"),
            computed=r.median.value,
            catches=tx("a median off by 0.5 % (the density there is 3.4, so the fraction moves by 0.002)"),
        ),
        Check.within_se(
            tx("{} per layer", E(sympy.log(FACTOR))), r.mean_log_mc.value, r.mean_log_mc.se, r.mean_log.value,
            (tx("{} (chain averages)", mc), integral), computed=r.mean_log.value,
            catches=tx("a chain fed a fixed input {} instead of its stationary law (0.008 off, two tolerances)",
                       sympy.Eq(a, sympy.Rational(1, 2))),
        ),
        Check.within_se(
            tx("{} falls linearly in depth with slope {}", sympy.log(sympy.Abs(sympy.Symbol("dC/db_1"))),
               E(sympy.log(FACTOR))), r.slope.value, r.slope.se, r.mean_log.value,
            (tx("least-squares slope of the mean over depths 1 to {} ({})", r.max_depth, mc), integral),
            computed=r.slope.value,
            catches=tx("an off-by-one in the factors of eq. 122, or a product that does not compound"),
        ),
    ]  # fmt: skip


def _depth_figure(r: VanishingTypical) -> Figure:
    depth = np.arange(1, r.max_depth + 1)
    q10, q50, q90 = r.log10_quantiles
    expl = np.log10(0.25) + (depth - 1) * np.log10(25.0)
    slope_line = r.log10_mean[0] + (depth - 1) * r.mean_log.value / math.log(10)
    panel = Panel(
        series=[
            Series(depth, 10.0**q10, "random N(0,1): 10-90 % of chains", kind="fill", y2=10.0**q90),
            Series(depth, 10.0**q50, "random N(0,1): median"),
            Series(depth, 10.0**r.log10_mean, "random N(0,1): geometric mean", kind="scatter"),
            Series(depth, 10.0**slope_line, r"slope $E \ln|w\,\sigma'(z)|$ (integral)", style={"linestyle": "--", "zorder": 4}),
            Series(depth, 10.0**expl, r"exploding: $w_j = 100$, $z_j = 0$", style={"linestyle": ":"}),
        ],
        xlabel="depth $n$ (neurons in the chain)",
        ylabel=r"$|\partial C/\partial b_1| \,/\, |\partial C/\partial a_n|$",
        yscale="log",
        integer_x=True,
    )  # fmt: skip
    return Figure(
        FIGURE,
        tx("The size of {} relative to {} against the depth of the chain: with N(0, 1) weights and biases "
           "it is multiplied by about {} per layer; the book's exploding construction gains 25 per "
           "layer.", sympy.Symbol("dC/db_1"), sympy.Symbol("dC/da_n"), Num(math.exp(r.mean_log.value), sig=3)),
        [panel],
    )  # fmt: skip
