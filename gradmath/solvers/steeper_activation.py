"""Sec. 5.1, Exercise: would an activation whose derivative can be much larger avoid the unstable
gradient problem? No.

Whatever the activation f, ∂C/∂b₁ is f′(z₁) times a product of one factor w_j f′(z_j) per later layer
(eq. 122 with f for σ), so ln|∂C/∂b₁| is a sum with one term per layer: it drifts by E ln|w f′(z)| per
layer (vanishing below 0, exploding above) and, even when the drift is 0, spreads like a random walk.
Three families of steeper units are measured in random single-neuron chains with N(0, 1) weights and
biases: rescaled sigmoids k σ(cz) (peak slope kc/4), linear units f(z) = s z, and the ReLU (slope 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy
from scipy import optimize

from .. import chain_stats as cs
from ..contract import AnswerLine, Check, Figure, Finding, Panel, Series, Step, Table, Verdict, Writeup
from ..notation import E, P, Var, ordered, ordered_sum, sigma
from ..registry import Param, Problem, problem
from ..sources import Source
from ..text import Num, Ref, tx
from .vanishing_typical import E_LOG_W, Estimate

z, k, c, s = sympy.symbols("z k c s", real=True)
w_j, z_j, n = sympy.Symbol("w_j", real=True), sympy.Symbol("z_j", real=True), sympy.Symbol("n", integer=True)
f_prime = sympy.Function("f_prime")
#: |w_j f′(z_j)|: the factor of eq. 122 for an activation f
FACTOR = sympy.Abs(ordered(w_j, f_prime(z_j)), evaluate=False)
DC_DB1 = sympy.Symbol("dC/db_1")

#: (k, c) of the rescaled sigmoids k σ(cz): output scale k, input steepness c, peak slope kc/4
SIGMOIDS = ((1.0, 1.0), (4.0, 1.0), (16.0, 1.0), (1.0, 2.0), (1.0, 4.0), (1.0, 8.0))
#: slopes s of the linear units f(z) = s z (the balanced slope s* is added)
LINEAR = (1.0, 4.0)
#: depth at which the ReLU chains' survival is compared with 2^-n
RELU_DEPTH = 5
MAX_CHAINS = 200_000
MAX_DEPTH = 1000
#: the simulations hold about ten n_chains × depth arrays per configuration, eight configurations
MAX_CELLS = 3_000_000
FIGURE = "steeper-units"

S_STAR = sympy.exp(-E_LOG_W)  # √2 e^(γ/2): the slope that balances E ln|s w| = 0
S_STAR_FLOAT = math.exp(-cs.EULER_LOG_ABS_NORMAL)


def sigmoid_label(kv: float, cv: float) -> str:
    """The answer key of a rescaled sigmoid (``"4 sigma(z)"``, ``"sigma(2 z)"``): kept from version 0.1."""
    return f"{kv:g} sigma(z)" if cv == 1.0 else f"sigma({cv:g} z)"


def sigmoid_expr(kv: float, cv: float) -> sympy.Expr:
    """k σ(cz) for display."""
    inner = z if cv == 1.0 else ordered(sympy.Integer(int(cv)), z)
    return sigma(inner) if kv == 1.0 else ordered(sympy.Integer(int(kv)), sigma(inner))


def mathtext_label(kv: float, cv: float) -> str:
    """k σ(cz) as a matplotlib mathtext label."""
    inner = "z" if cv == 1.0 else f"{cv:g}z"
    return "$" + ("" if kv == 1.0 else f"{kv:g}\\,") + f"\\sigma({inner})$"


@dataclass(frozen=True)
class SaturatingRow:
    k: float
    c: float
    integral: float  # E ln|w f′(z)| over the stationary law (Nyström)
    mc: Estimate  # the same, Monte Carlo (chain averages)
    median_log10: np.ndarray  # median log10|∂C/∂b₁ / ∂C/∂a_n| against depth


@dataclass(frozen=True)
class SteeperActivation:
    n_chains: int
    depth: int
    saturating: tuple[SaturatingRow, ...]
    e_log_w_mc: Estimate  # mean of ln|w| over the linear chains' weights
    s_star_quad: float  # root of s ↦ ln s + E ln|w|, with E ln|w| by SciPy quad
    var_mc: Estimate  # sample variance of ln|∂C/∂b₁| at the balance point, depth n
    linear_median_log10: dict[float, np.ndarray]
    relu_alive: np.ndarray  # fraction of ReLU chains with ∂C/∂b₁ ≠ 0, against depth
    relu_alive_se: float  # at RELU_DEPTH
    relu_log_w_active: Estimate  # mean ln|w_j| over the active ReLU units


@problem("steeper-activation", source=Source("nielsen", "sec. 5.1, Exercise"), order=100)
class SteeperActivationProblem(Problem):
    title = tx("Would a steeper activation help?")
    quick = "5,000 simulated chains per activation instead of 20,000 (the standard errors double)"
    params = (
        Param.integer("n_chains", 20_000, lo=1000, hi=MAX_CHAINS, doc="simulated chains per activation",
                      why_hi=f"at most {MAX_CHAINS:,} chains per activation: more take over a minute",
                      quick=5_000),
        Param.integer("depth", 30, lo=RELU_DEPTH, hi=MAX_DEPTH, doc="neurons per chain",
                      why_hi=f"at most {MAX_DEPTH} neurons per chain"),
        Param.integer("seed", 0, lo=0, hi=2**32 - 1, doc="seed of the simulations"),
    )  # fmt: skip

    def compute(self, options, n_chains: int, depth: int, seed: int) -> SteeperActivation:
        cs.check_size(n_chains, depth, MAX_CELLS)
        rows = []
        for i, (kv, cv) in enumerate(SIGMOIDS):
            options.report(i / (len(SIGMOIDS) + 2), f"simulating {sigmoid_label(kv, cv)}")
            rc = cs.random_chains(n_chains, depth, seed=seed, k=kv, c=cv)
            rows.append(SaturatingRow(kv, cv, cs.stationary_chain(k=kv, c=cv).mean_log_factor(),
                                      Estimate(*cs.chain_mean(rc.log_factor[:, 1:])),
                                      np.median(rc.log_grad, axis=0) / math.log(10)))  # fmt: skip
        options.report(6 / 8, "linear and ReLU chains")
        log_w = np.log(np.abs(np.random.default_rng(seed + 7).standard_normal((n_chains, depth))))
        # ln|∂C/∂b₁ / ∂C/∂a_n| of the linear chain f(z) = s z: n ln s + Σ_{j=2..n} ln|w_j| (eq. 122)
        walk = np.concatenate([np.zeros((n_chains, 1)), np.cumsum(log_w[:, 1:], axis=1)], axis=1)
        e_log_w_quad = cs.mean_log_abs_normal_quad()
        s_star_quad = optimize.brentq(lambda sv: math.log(sv) + e_log_w_quad, 0.5, 8.0, xtol=1e-14)
        layers = np.arange(1, depth + 1)
        linear = {sv: np.median(layers * math.log(sv) + walk, axis=0) / math.log(10)
                  for sv in (*LINEAR, S_STAR_FLOAT)}  # fmt: skip
        relu = cs.relu_chains(n_chains, depth, seed=seed)
        p = 2.0**-RELU_DEPTH
        return SteeperActivation(
            n_chains=n_chains, depth=depth, saturating=tuple(rows),
            e_log_w_mc=Estimate(float(log_w.mean()), float(log_w.std(ddof=1) / math.sqrt(log_w.size))),
            s_star_quad=float(s_star_quad), var_mc=_sample_variance(walk[:, -1]), linear_median_log10=linear,
            relu_alive=relu.alive.mean(axis=0), relu_alive_se=math.sqrt(p * (1 - p) / n_chains),
            relu_log_w_active=Estimate(float(relu.log_abs_w[relu.active].mean()),
                                       float(relu.log_abs_w[relu.active].std(ddof=1) / math.sqrt(relu.active.sum()))),
        )  # fmt: skip

    def answer(self, r: SteeperActivation) -> dict:
        slopes = {sigmoid_label(row.k, row.c): row.integral for row in r.saturating}
        for sv in (LINEAR[0], S_STAR_FLOAT, LINEAR[1]):
            slopes[f"linear slope {sv:.4g}"] = math.log(sv) + cs.EULER_LOG_ABS_NORMAL
        return {
            "verdict": "No. Whatever the activation, the gradient is a product of one factor per layer; "
            "steeper sigmoids still vanish, linear units vanish or explode, and even balanced they spread "
            "over orders of magnitude; ReLU chains die or vanish.",
            "helps": False,
            "slopes": slopes,
            "balanced_slope": S_STAR_FLOAT,
            "variance_at_balance": (r.depth - 1) * cs.LOG_ABS_NORMAL_VAR,
            "relu_alive": {RELU_DEPTH: 2.0**-RELU_DEPTH, r.depth: 2.0**-r.depth},
        }

    def explain(self, r: SteeperActivation) -> Writeup:
        return _writeup(r)

    def checks(self, r: SteeperActivation) -> list[Check]:
        return _saturating_checks(r) + _linear_checks(r) + _relu_checks(r)

    def figures(self, r: SteeperActivation) -> list[Figure]:
        return [_figure(r)]


def _sample_variance(x: np.ndarray) -> Estimate:
    """The sample variance and its standard error √((m₄ − v²)/N), m₄ the fourth central moment."""
    d = x - x.mean()
    v = float(np.mean(d**2) * x.size / (x.size - 1))
    return Estimate(v, math.sqrt(max(float(np.mean(d**4)) - v * v, 0.0) / x.size))


def _writeup(r: SteeperActivation) -> Writeup:
    sd_decades = math.sqrt((r.depth - 1) * cs.LOG_ABS_NORMAL_VAR) / math.log(10)
    best = max(r.saturating, key=lambda row: row.integral)
    return Writeup(
        statement=tx("In the discussion of the vanishing gradient we used {}. Suppose we used a different "
                     "activation function, one whose derivative could be much larger. Would that help us avoid "
                     "the unstable gradient problem?", sympy.Le(sympy.Abs(sympy.Function("sigma_prime")(z)),
                                                                sympy.Rational(1, 4))),
        answer_text=tx("No. The gradient stays a product of one factor {} per layer, so it still shrinks or "
                       "grows geometrically: steeper sigmoids vanish (the best of those tried, {}, still loses a "
                       "factor {} per layer), linear units vanish below {} and explode above it, and at the "
                       "balance the gradient's spread after {} layers is {} decades; ReLU chains die ({}).",
                       FACTOR, sigmoid_expr(best.k, best.c), Num(math.exp(-best.integral), sig=3),
                       tx("{} = {}", sympy.Symbol("s^*"), Num(S_STAR_FLOAT, sig=4)), r.depth,
                       Num(sd_decades, sig=2), Ref(FIGURE, "see the figure")),
        steps=_steps(r),
        answer_lines=_answer_lines(r),
        findings=[Finding(
            tx("a product of per-layer factors stays unstable, whatever the activation"), tx("unstable"),
            tx("steeper sigmoids still lose a factor {} or more per layer", Num(math.exp(-best.integral), sig=3)),
            Verdict.CONFIRMED)],
        verdict=Verdict.CONFIRMED,
        verdict_reason=tx("every family of steeper units measured still vanishes, explodes, spreads or dies, "
                          "as the book's argument about products predicts."),
    )  # fmt: skip


def _steps(r: SteeperActivation) -> list[Step]:
    factors = sympy.Product(FACTOR, (sympy.Symbol("j"), 2, n))
    sd = sympy.sqrt((n - 1) * sympy.pi**2 / 8)
    return [
        Step(tx("For any activation {}, eq. 122 reads", sympy.Symbol("f")),
             sympy.Eq(sympy.Abs(DC_DB1), ordered(sympy.Abs(f_prime(sympy.Symbol("z_1"))), factors,
                                                 sympy.Abs(sympy.Symbol("dC/da_n"))), evaluate=False)),
        Step(tx("so {} is a sum of one term per layer: its mean moves by {} per layer and its standard deviation "
                "grows like the square root of the depth. A larger {} helps only if it brings {} to 0, and "
                "even then the gradient spreads.", sympy.log(sympy.Abs(DC_DB1)), E(sympy.log(FACTOR)),
                f_prime(z), E(sympy.log(FACTOR)))),
        Step(tx("Rescaled sigmoids {} have peak slope {}; their drift comes from the stationary law of the "
                "chain (as in the typical-size problem) and stays negative: a larger output pushes the next "
                "weighted input into the flat wings, a steeper one narrows the region where the slope is large "
                "(the table of the result gives each drift twice: integrated and simulated).",
                ordered(k, sigma(ordered(c, z))), k * c / 4)),
        Step(tx("A linear unit {} has {} everywhere, so the drift is {}: vanishing below, exploding above",
                sympy.Eq(sympy.Function("f")(z), ordered(s, z)), sympy.Eq(f_prime(z), s),
                ordered_sum(sympy.log(s), E(sympy.log(sympy.Abs(w_j))))),
             sympy.Eq(sympy.Symbol("s^*"), S_STAR)),
        Step(tx("At {} the drift is 0, but {} is then a random walk with {}: after {} layers one standard "
                "deviation is {} decades.", sympy.Eq(s, sympy.Symbol("s^*")), sympy.log(sympy.Abs(DC_DB1)),
                sympy.Eq(Var(sympy.log(sympy.Abs(w_j))), sympy.pi**2 / 8), r.depth,
                Num(math.sqrt((r.depth - 1) * cs.LOG_ABS_NORMAL_VAR) / math.log(10), sig=2)),
             sympy.Eq(sympy.sqrt(Var(sympy.log(sympy.Abs(DC_DB1)))), sd)),
        Step(tx("The ReLU has slope 1 (four times the sigmoid's peak) where {} and 0 below. With symmetric "
                "weights and biases, {} whatever the incoming activation, independently of {} and of the "
                "earlier layers; so {} is exactly 0 with probability {}, and where it is not it is a product "
                "of {} with the same drift {} per layer.", sympy.Gt(z_j, 0), sympy.Eq(P(sympy.Gt(z_j, 0)),
                sympy.Rational(1, 2)), sympy.Abs(w_j), DC_DB1, 1 - sympy.Pow(2, -n), sympy.Abs(w_j), E_LOG_W)),
        Step(tx("What helps is to keep each factor near 1 by design rather than by a larger slope: weights "
                "scaled to the fan-in (Xavier, He), units whose slope is exactly 1 where active, normalised "
                "inputs, residual connections, and clipping against explosion (see {}).", Ref("remedies", "the remedies"))),
    ]  # fmt: skip


def _sigmoid_table(r: SteeperActivation) -> Table:
    return Table(
        header=(tx("activation"), tx("peak slope"), tx("{} (integral)", E(sympy.log(FACTOR))),
                tx("Monte Carlo"), tx("factor per layer")),
        rows=tuple((tx("{}", sigmoid_expr(row.k, row.c)), tx("{}", sympy.Rational(int(row.k * row.c), 4)),
                    Num(row.integral, sig=4), row.mc.num(), Num(math.exp(row.integral), sig=3))
                   for row in r.saturating),
    )  # fmt: skip


def _answer_lines(r: SteeperActivation) -> list[AnswerLine]:
    lin = [(sv, math.log(sv) + cs.EULER_LOG_ABS_NORMAL) for sv in (LINEAR[0], S_STAR_FLOAT, LINEAR[1])]
    return [
        AnswerLine(tx("drift {} per layer of the rescaled sigmoids", E(sympy.log(FACTOR))), _sigmoid_table(r),
                   key="slopes"),
        AnswerLine(tx("drift of the linear units {}", ordered(s, z)), Table(
            header=(tx("{}", s), tx("{}", ordered_sum(sympy.log(s), E(sympy.log(sympy.Abs(w_j)))))),
            rows=tuple((Num(sv, sig=5), Num(d, sig=4) if abs(d) > 1e-12 else tx("{}", 0)) for sv, d in lin))),
        AnswerLine(tx("does a steeper activation help?"), tx("no"), key="helps"),
        AnswerLine(tx("the balanced slope {}", sympy.Symbol("s^*")), tx("{} = {}", S_STAR, Num(S_STAR_FLOAT, sig=10)),
                   key="balanced_slope"),
        AnswerLine(tx("{} at the balance after {} layers", Var(sympy.log(sympy.Abs(DC_DB1))), r.depth),
                   tx("{} = {}", (r.depth - 1) * sympy.pi**2 / 8, Num((r.depth - 1) * cs.LOG_ABS_NORMAL_VAR, sig=6)),
                   key="variance_at_balance"),
        AnswerLine(tx("ReLU chains with a non-zero gradient after {} and {} layers", RELU_DEPTH, r.depth),
                   tx("{} and {}", sympy.Pow(2, -RELU_DEPTH), sympy.Pow(2, -r.depth)), key="relu_alive"),
    ]  # fmt: skip


def _saturating_checks(r: SteeperActivation) -> list[Check]:
    out = []
    for row in r.saturating:
        out.append(Check.within_se(
            tx("{} (peak slope {}) drifts by {} per layer", sigmoid_expr(row.k, row.c),
               sympy.Rational(int(row.k * row.c), 4), Num(row.integral, sig=4)),
            row.mc.value, row.mc.se, row.integral,
            (tx("Monte Carlo over {} chains (chain averages)", f"{r.n_chains:,}"), "integration over the stationary law"),
            computed=row.integral,
            catches=tx("a stationary law that ignores the scale {} or steepness {} of the activation", k, c),
        ))  # fmt: skip
    return out


def _linear_checks(r: SteeperActivation) -> list[Check]:
    n_var = (r.depth - 1) * cs.LOG_ABS_NORMAL_VAR
    return [
        Check.within_se(
            tx("the drift of a linear unit is {} with {}", ordered_sum(sympy.log(s), E(sympy.log(sympy.Abs(w_j)))),
               sympy.Eq(E(sympy.log(sympy.Abs(w_j))), E_LOG_W)),
            r.e_log_w_mc.value, r.e_log_w_mc.se, cs.EULER_LOG_ABS_NORMAL,
            (tx("mean of {} over {} simulated weights", sympy.log(sympy.Abs(w_j)), f"{r.n_chains * r.depth:,}"),
             "closed form"), computed=cs.EULER_LOG_ABS_NORMAL,
            catches=tx("{} (Jensen's inequality ignored: {}) or a lost {} ({})", sympy.log(E(sympy.Abs(w_j))),
                       Num(0.5 * math.log(2 / math.pi), sig=3), sympy.log(2), Num(-float(np.euler_gamma) / 2, sig=3)),
        ),
        Check.close(
            tx("the balanced slope is {}", sympy.Eq(sympy.Symbol("s^*"), S_STAR)), r.s_star_quad, S_STAR_FLOAT,
            (tx("Brent's root finder (SciPy) on {}, with the expectation by SciPy's adaptive quadrature",
                ordered_sum(sympy.log(s), E(sympy.log(sympy.Abs(w_j))))), "closed form"), rtol=1e-9,
            computed=S_STAR_FLOAT,
            catches=tx("balancing the mean instead of the logarithm, {} = {}", 1 / E(sympy.Abs(w_j)),
                       Num(math.sqrt(math.pi / 2), sig=4)),
        ),
        Check.within_se(
            tx("at the balance {} grows like {}: {} after {} layers", Var(sympy.log(sympy.Abs(DC_DB1))),
               (n - 1) * sympy.pi**2 / 8, Num(n_var, sig=5), r.depth),
            r.var_mc.value, r.var_mc.se, n_var,
            (tx("sample variance over {} chains", f"{r.n_chains:,}"), tx("closed form {}", (n - 1) * sympy.pi**2 / 8)),
            computed=n_var,
            catches=tx("a spread that does not grow with depth, or grows like {} (the variance would be off by "
                       "a factor {})", n**2, r.depth - 1),
        ),
    ]  # fmt: skip


def _relu_checks(r: SteeperActivation) -> list[Check]:
    p = 2.0**-RELU_DEPTH
    return [
        Check.within_se(
            tx("a ReLU chain's gradient survives {} layers with probability {}", RELU_DEPTH,
               sympy.Pow(2, -RELU_DEPTH)), float(r.relu_alive[RELU_DEPTH - 1]), r.relu_alive_se, p,
            (tx("fraction of {} simulated ReLU chains", f"{r.n_chains:,}"), tx("{} (each layer active with probability {})",
                                                                         sympy.Pow(2, -RELU_DEPTH), sympy.Rational(1, 2))),
            computed=p,
            catches=tx("activity that depends on the incoming activation, or an off-by-one in the layers "
                       "(a factor 2)"),
        ),
        Check.within_se(
            tx("on active ReLU units {} still has mean {}: no drift is gained", sympy.log(sympy.Abs(w_j)), E_LOG_W),
            r.relu_log_w_active.value, r.relu_log_w_active.se, cs.EULER_LOG_ABS_NORMAL,
            (tx("mean over the simulated active units"), "closed form"), computed=cs.EULER_LOG_ABS_NORMAL,
            catches=tx("a selection of larger weights by the active units (which would make the ReLU drift less)"),
        ),
    ]  # fmt: skip


def _figure(r: SteeperActivation) -> Figure:
    depth = np.arange(1, r.depth + 1)
    styles = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))
    sat = [Series(depth, row.median_log10, mathtext_label(row.k, row.c),
                  style={"linestyle": st}) for row, st in zip(r.saturating, styles, strict=True)]  # fmt: skip
    lin = [Series(depth, r.linear_median_log10[sv], f"linear, $s = {sv:.3g}$", style={"linestyle": st, "color": "k"})
           for sv, st in zip((*LINEAR, S_STAR_FLOAT), ("--", ":", "-"), strict=True)]  # fmt: skip
    left = Panel(
        series=sat + lin,
        xlabel="depth $n$",
        integer_x=True,
        ylabel=r"median $\log_{10}|\partial C/\partial b_1 \,/\, \partial C/\partial a_n|$",
    )
    right = Panel(
        series=[Series(depth, r.relu_alive, "ReLU chains, simulated", kind="scatter"),
                Series(depth, 2.0**-depth, r"$2^{-n}$", style={"linestyle": "--"})],
        xlabel="depth $n$", ylabel=r"fraction with $\partial C/\partial b_1 \neq 0$", yscale="log", integer_x=True,
    )  # fmt: skip
    return Figure(
        FIGURE,
        tx("Left: the median size of {} against depth for steeper saturating units (they still vanish) and "
           "linear units (they vanish, balance or explode). Right: the share of ReLU chains whose gradient is "
           "not exactly 0 halves with every layer.", DC_DB1),
        [left, right], width=9.6,
    )  # fmt: skip
