"""The numbers of the two blog posts: powers of weights and of sigmoid slopes, each measured on the chain
the post describes.

Seed 003 ("Vanishing and Exploding Gradients") replaces every sigmoid slope by its peak 0.25 and chains
three layers with weights 0.95 or 2; seed 004 (Seb, "Understanding The Exploding and Vanishing
Gradients Problem") multiplies 0.6 or 1.6 through 3 and 15 linear layers, evaluates σ′(5) and says that
roughly 2/3 of N(0, 1) weights are below 1 in size. Each number is computed exactly (SymPy) and measured
as the derivative of the post's own chain (mpmath, 30 digits), and the post's printed value is judged
against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy
from scipy import optimize
from scipy.special import ndtr

from .. import chain_stats as cs
from ..activations import sigma_prime, sigmoid_prime
from ..contract import AnswerLine, Check, Correction, Finding, Step, Table, Verdict, Writeup
from ..notation import P, Phi, ordered, ordered_sum, sigma
from ..registry import Param, Problem, problem
from ..sources import Source
from ..text import Cite, Num, tx

z, w, x = sympy.symbols("z w x", real=True)
n = sympy.Symbol("n", integer=True)
QUARTER = sympy.Rational(1, 4)
P_W_BELOW_ONE = sympy.erf(1 / sympy.sqrt(2))
MAX_DRAWS = 20_000_000
BLOG, SEB = "blog-vanishing", "programmathically"


@dataclass(frozen=True)
class Item:
    """One number of the posts: the chain that produces it and what the post prints or says."""

    key: str  # the answer key (unchanged since version 0.1)
    source: str  # bibliography key of the post
    activation: str  # "sigmoid" (biases set so that every z_j = 0: σ′ = 1/4, the best case) or "linear"
    weights: tuple[float, ...]  # w_1 ... w_n
    exact: sympy.Expr
    shown: sympy.Expr  # the unevaluated product, as the post writes it
    printed: str | None  # the post's printed decimal, if it prints one
    says: str | None = None  # what the post says of it, where it prints no number
    holds: bool = True  # whether what the post says holds (printed values are judged by their rounding)


ITEMS = (
    Item("0.25^5 (best case, 5 layers; seed 003)", BLOG, "sigmoid", (1.0,) * 5, QUARTER**5,
         sympy.Pow(sympy.Float(0.25), 5, evaluate=False), None, "close to 0"),
    Item("3-layer chain, w_2 = w_3 = 0.95, sigma' = 1/4 (seed 003)", BLOG, "sigmoid", (1.0, 0.95, 0.95),
         QUARTER**3 * sympy.Rational(19, 20) ** 2,
         ordered(sympy.Pow(sympy.Float(0.25), 3, evaluate=False), sympy.Pow(sympy.Float(0.95), 2, evaluate=False)),
         None, "approaches 0"),
    Item("3-layer chain, w_2 = w_3 = 2, sigma' = 1/4 (seed 003)", BLOG, "sigmoid", (1.0, 2.0, 2.0),
         QUARTER**3 * 2**2, ordered(sympy.Pow(sympy.Float(0.25), 3, evaluate=False), sympy.Pow(2, 2, evaluate=False)),
         None, "grows exponentially", holds=False),
    Item("0.6^3 (seed 004)", SEB, "linear", (0.6,) * 3, sympy.Rational(3, 5) ** 3,
         sympy.Pow(sympy.Float(0.6), 3, evaluate=False), "0.21"),
    Item("0.6^15 (seed 004)", SEB, "linear", (0.6,) * 15, sympy.Rational(3, 5) ** 15,
         sympy.Pow(sympy.Float(0.6), 15, evaluate=False), "0.00047"),
    Item("1.6^15 (seed 004)", SEB, "linear", (1.6,) * 15, sympy.Rational(8, 5) ** 15,
         sympy.Pow(sympy.Float(1.6), 15, evaluate=False), "1152.92"),
    Item("sigma'(5) (seed 004)", SEB, "sigmoid-at-5", (), sigma_prime(sympy.Integer(5)).rewrite(sympy.exp),
         sigma_prime(sympy.Integer(5), evaluate=False), "0.0066"),
)  # fmt: skip


def chain_derivative(item: Item, dps: int = 30) -> mpmath.mpf:
    """The derivative the post's chain produces, by mpmath's numerical differentiation at ``dps`` digits.

    - "sigmoid": a_j = σ(w_j a_{j−1} + b_j) from a_0 = 1 with the biases chosen so that every z_j = 0
      (the posts' best case σ′ = 1/4); the derivative of a_n with respect to b_1 (eq. 122 without ∂C/∂a_n);
    - "linear": a_j = w_j a_{j−1} (seed 004's layers that pass the weighted input through); d a_n / d a_0;
    - "sigmoid-at-5": d σ(z) / dz at z = 5.
    """
    with mpmath.workdps(dps):
        if item.activation == "sigmoid-at-5":
            return mpmath.diff(lambda t: 1 / (1 + mpmath.exp(-t)), 5)
        ws = [mpmath.mpf(str(v)) for v in item.weights]
        if item.activation == "linear":
            return mpmath.diff(lambda a0: mpmath.fprod([a0, *ws]), 1)
        # the unperturbed chain: b_j = -w_j a_{j-1}, so every z_j = 0 and a_j = 1/2 after a_0 = 1
        acts = [mpmath.mpf(1)] + [mpmath.mpf(1) / 2] * (len(ws) - 1)
        biases = [-wv * av for wv, av in zip(ws, acts, strict=True)]

        def a_n(db1):
            act = mpmath.mpf(1)
            for j, (wv, bv) in enumerate(zip(ws, biases, strict=True)):
                act = 1 / (1 + mpmath.exp(-(wv * act + bv + (db1 if j == 0 else 0))))
            return act

        return mpmath.diff(a_n, 0)


def printed_agrees(value: float, printed: str) -> str | None:
    """How a printed decimal relates to ``value``: "rounded", "truncated" (not rounded), or None."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    target = float(printed)
    if math.isclose(round(value, decimals), target, rel_tol=1e-12, abs_tol=1e-15):
        return "rounded"
    if math.isclose(math.trunc(value * 10**decimals) / 10**decimals, target, rel_tol=1e-12, abs_tol=1e-15):
        return "truncated"
    return None


@dataclass(frozen=True)
class WeightPowers:
    measured: tuple[float, ...]  # chain_derivative of each item
    max_factor_w2: float  # SciPy's maximum over z of 2 σ′(z)
    factor_w8: float  # the factor of a layer with w = 8 at z = 0, measured (mpmath)
    p_w_mc: float  # fraction of n_draws N(0, 1) weights with |w| < 1
    p_w_se: float
    n_draws: int
    p_factor_quarter: float  # P(|w σ′(z)| < 1/4) in the random chain (integrated)


@problem("weight-powers", source=Source(BLOG, "the best-case chains"), order=120)
class WeightPowersProblem(Problem):
    title = tx("Powers of weights and sigmoid slopes in the two blog posts")
    quick = "nothing: under a second"
    params = (
        Param.integer("n_draws", 1_000_000, lo=1000, hi=MAX_DRAWS, doc="N(0, 1) weights drawn for P(|w| < 1)",
                      why_hi=f"at most {MAX_DRAWS:,} draws"),
        Param.integer("seed", 0, lo=0, hi=2**32 - 1, doc="seed of the draws"),
    )  # fmt: skip

    def compute(self, options, n_draws: int, seed: int) -> WeightPowers:
        measured = tuple(float(chain_derivative(item)) for item in ITEMS)
        best = optimize.minimize_scalar(
            lambda t: -2 * float(sigmoid_prime(t)), bracket=(-2, 0.5, 2), tol=1e-12
        )
        w8 = Item("", "", "sigmoid", (1.0, 8.0), sympy.S(0), sympy.S(0), None)
        one = Item("", "", "sigmoid", (1.0,), sympy.S(0), sympy.S(0), None)
        small = np.abs(np.random.default_rng(seed).standard_normal(n_draws)) < 1
        p = float(P_W_BELOW_ONE)
        return WeightPowers(
            measured=measured, max_factor_w2=float(-best.fun),
            factor_w8=float(chain_derivative(w8) / chain_derivative(one)),
            p_w_mc=float(small.mean()), p_w_se=math.sqrt(p * (1 - p) / n_draws), n_draws=n_draws,
            p_factor_quarter=cs.factor_cdf(0.25, cs.stationary_chain(m=301)),
        )  # fmt: skip

    def answer(self, r: WeightPowers) -> dict:
        out = {item.key: item.exact for item in ITEMS}
        out["P(|w| < 1), w ~ N(0,1)"] = P_W_BELOW_ONE
        return out

    def explain(self, r: WeightPowers) -> Writeup:
        return Writeup(
            statement=tx("Compute the numbers the two blog posts {} and {} quote: the peak sigmoid slope 0.25 over "
                         "five layers; the three-layer chains with weights 0.95 and 2; {}, {} and {}; {}; and the "
                         "share of N(0, 1) weights below 1 in size. Are the printed values and the claims right?",
                         Cite(BLOG), Cite(SEB), ITEMS[3].shown, ITEMS[4].shown, ITEMS[5].shown, ITEMS[6].shown),
            answer_text=tx("The printed numbers are right and correctly rounded except {} = {}, which the post "
                           "truncates to 0.21; {} = {} is indeed roughly {}. Two claims need correcting: with "
                           "sigmoids the weight-2 chain vanishes instead of exploding, and a layer shrinks the "
                           "gradient by at least 4 only if its weight is at most 1 in size.",
                           ITEMS[3].shown, Num(0.216, sig=3), P(sympy.Lt(sympy.Abs(w), 1)),
                           Num(float(P_W_BELOW_ONE), sig=4), sympy.Rational(2, 3)),
            steps=_steps(r),
            answer_lines=_answer_lines(r),
            findings=_findings(r),
            verdict=Verdict.CORRECTED,
            verdict_reason=tx("the numbers are right except the truncated 0.21, but the weight-2 chain and the "
                              "\u201cat least 4\u201d per layer ignore what the weights do."),
            corrections=_corrections(r),
        )  # fmt: skip

    def checks(self, r: WeightPowers) -> list[Check]:
        return _item_checks(r) + _claim_checks(r)


def _item_verdict(item: Item) -> Verdict:
    """A printed value is confirmed when it is the exact value rounded to the digits printed."""
    if item.printed is not None:
        return (
            Verdict.CONFIRMED
            if printed_agrees(float(item.exact), item.printed) == "rounded"
            else Verdict.CORRECTED
        )
    return Verdict.CONFIRMED if item.holds else Verdict.CORRECTED


def _catches(item: Item):
    if item.activation == "sigmoid-at-5":
        return tx(
            "{} itself ({}) in place of its slope, or the slope taken at the wrong point",
            sigma(5),
            Num(1 / (1 + math.exp(-5)), sig=4),
        )
    return tx(
        "one layer too many or too few (a factor {} off), or a weight left out of the product",
        Num(item.weights[-1], sig=2) if item.activation == "linear" else QUARTER,
    )


def exact_decimal(value: sympy.Expr) -> sympy.Symbol | None:
    """A rational with a terminating decimal expansion, written out in full (``0.0009765625``); else None."""
    if not isinstance(value, sympy.Rational):
        return None
    p, q = int(value.p), int(value.q)
    twos, fives = (sympy.multiplicity(f, q) for f in (2, 5))
    if 2**twos * 5**fives != q:
        return None
    k = max(twos, fives)
    digits = str(abs(p) * 10**k // q).rjust(k + 1, "0")
    text = digits[:-k] + ("." + digits[-k:] if k else "")
    return sympy.Symbol(("-" if p < 0 else "") + text)


def _value(item: Item):
    """The exact value as a reader checks it: its full decimal when it terminates, else a rounded one."""
    full = exact_decimal(item.exact)
    return full if full is not None else Num(float(item.exact), sig=6)


def _steps(r: WeightPowers) -> list[Step]:
    j = sympy.Symbol("j", integer=True)
    w_j, z_j = sympy.Symbol("w_j"), sympy.Symbol("z_j")
    steps = [
        Step(tx("The first post {} replaces every slope {} by its peak {} (the best case, every {}). A chain of {} "
                "sigmoid layers without biases (as the post assumes), its later weights {}, then has the "
                "derivative below; the post's derivative with respect to the first weight is the input {} "
                "times it.", Cite(BLOG), sigma_prime(z_j), QUARTER, sympy.Eq(z_j, 0), n, w_j, sympy.Symbol("a_0")),
             sympy.Eq(sympy.Symbol("da_n/dz_1"), ordered(sympy.Pow(sympy.Float(0.25), n, evaluate=False),
                                                         sympy.Product(w_j, (j, 2, n))), evaluate=False)),
        Step(tx("The second post {} passes the input through {} linear layers of one weight {}, so that the "
                "output's derivative with respect to the input is {}; it also evaluates {}.", Cite(SEB), n, w,
                sympy.Pow(w, n), sympy.Eq(ITEMS[6].shown, ITEMS[6].exact, evaluate=False))),
        Step(tx("Each number is computed exactly (SymPy) and measured as the derivative of the post's own chain "
                "(mpmath, 30 digits); the table of the result sets them beside what the posts print. Only {} "
                "= {} is not rounded correctly: the post truncates it to 0.21.", ITEMS[3].shown,
                sympy.Eq(ITEMS[3].exact, exact_decimal(ITEMS[3].exact), evaluate=False))),
    ]  # fmt: skip
    steps += [
        Step(tx("With sigmoid units a layer multiplies the gradient by {}, which is at most {}; with {} that is "
                "at most {}, so the weight-2 chain shrinks at least like {}. Growth needs {}, hence {}.",
                ordered(w, sigma_prime(z)), sympy.Abs(w) / 4, sympy.Eq(w, 2), sympy.Rational(1, 2),
                sympy.Pow(2, -n), sympy.Gt(sympy.Abs(ordered(w, sigma_prime(z)), evaluate=False), 1),
                sympy.Gt(sympy.Abs(w), 4))),
        Step(tx("For N(0, 1) weights, {}:", sympy.Eq(P(sympy.Lt(sympy.Abs(w), 1)), ordered_sum(2 * Phi(1), -1))),
             sympy.Eq(P(sympy.Lt(sympy.Abs(w), 1)), P_W_BELOW_ONE)),
    ]  # fmt: skip
    return steps


def _answer_lines(r: WeightPowers) -> list[AnswerLine]:
    rows = []
    for item in ITEMS:
        how = printed_agrees(float(item.exact), item.printed) if item.printed else None
        rows.append(
            (
                tx("{}", item.shown),
                tx("{}", _value(item)),
                tx(item.printed or "(no number)") + (tx(" ({})", how) if how else tx("")),
            )
        )
    rows.append(
        (
            tx("{} for N(0, 1) weights", P(sympy.Lt(sympy.Abs(w), 1))),
            tx("{} = {}", P_W_BELOW_ONE, Num(float(P_W_BELOW_ONE), sig=10)),
            tx("roughly 2/3"),
        )
    )
    table = Table(
        header=(tx("number"), tx("its value"), tx("the post prints")),
        rows=tuple(rows),
        caption=tx("Values written out in full are exact; the other two are rounded."),
    )
    return [AnswerLine(tx("the posts' numbers"), table)]  # fmt: skip


def _findings(r: WeightPowers) -> list[Finding]:
    """One summary row: the posts' claims about what weights do (their printed numbers, right but for the
    truncated 0.6³ = 0.21, are in the answer and the corrections)."""
    return [
        Finding(tx("weights of 2 make the gradient explode; each layer shrinks it {}-fold or more", 4),
                tx("explodes; at least 4"),
                tx("with sigmoids at most {} per layer; 4-fold only if {}", sympy.Rational(1, 2),
                   sympy.Le(sympy.Abs(w), 1)), Verdict.CORRECTED),
    ]  # fmt: skip


def _item_checks(r: WeightPowers) -> list[Check]:
    out = []
    for item, got in zip(ITEMS, r.measured, strict=True):
        ev = float(item.exact)
        how = printed_agrees(ev, item.printed) if item.printed else None
        printed = (
            tx("; the post prints {} ({})", item.printed, how or "neither rounded nor truncated")
            if item.printed
            else tx("")
        )
        out.append(Check.close(
            tx("{} = {}", item.shown, _value(item)), got, ev,
            (tx("mpmath derivative of the post's chain (30 digits)"), tx("exact arithmetic (SymPy)")),
            rtol=1e-12, book=item.printed or item.says, computed=ev, verdict=_item_verdict(item), catches=_catches(item),
            detail=tx("measured {}; exact {}", Num(got, sig=15), Num(ev, sig=15)) + printed,
        ))  # fmt: skip
    return out


def _claim_checks(r: WeightPowers) -> list[Check]:
    p = float(P_W_BELOW_ONE)
    return [
        Check.close(
            tx("with sigmoid units a layer of weight 2 multiplies the gradient by at most {}", sympy.Rational(1, 2)),
            r.max_factor_w2, 0.5, (tx("SciPy maximisation of {} over {}", 2 * sigma_prime(z), z), tx("{}", ordered(2, QUARTER))),
            rtol=1e-9, book="grows exponentially", computed=0.5, verdict=Verdict.CORRECTED,
            catches=tx("a maximum of {} other than {} (a wrong derivative)", sigma_prime(z), QUARTER),
        ),
        Check.close(
            tx("a layer of weight 8 at {} doubles the gradient instead of shrinking it by 4", sympy.Eq(z, 0)),
            r.factor_w8, 2.0, (tx("mpmath derivative of a two-layer chain over that of one layer"),
                               tx("{}", ordered(8, QUARTER))),
            rtol=1e-12, book="shrinks by at least 4", computed=r.factor_w8, verdict=Verdict.CORRECTED,
            catches=tx("a factor that leaves out the weight, {} as the post takes it", QUARTER),
        ),
        Check.within_se(
            tx("{}", sympy.Eq(P(sympy.Lt(sympy.Abs(w), 1)), ordered_sum(2 * Phi(1), -1))), r.p_w_mc, r.p_w_se, p,
            (tx("fraction of {} N(0, 1) draws", f"{r.n_draws:,}"), tx("{} (mpmath, 30 digits)", P_W_BELOW_ONE)),
            computed=p,
            catches=tx("the one-sided {} = {}, or the variance 2 taken for a standard deviation ({})", Phi(1),
                       Num(ndtr(1), sig=3), Num(2 * ndtr(1 / math.sqrt(2)) - 1, sig=3)),
        ),
        Check.close(
            tx("roughly {} of N(0, 1) weights have {} (and {} are larger)", sympy.Rational(2, 3), sympy.Lt(sympy.Abs(w), 1),
               sympy.Rational(1, 3)),
            2 / 3, p, (tx("the post's {}", sympy.Rational(2, 3)), tx("{}", ordered_sum(2 * Phi(1), -1))), atol=1 / 6, book="2/3",
            computed=p, verdict=Verdict.CONFIRMED,
            detail=tx("{} is {} from {}; to the nearest third (tolerance {}, half the spacing of thirds) it is {}",
                      Num(p, sig=6), Num(p - 2 / 3, sig=2), sympy.Rational(2, 3), sympy.Rational(1, 6),
                      sympy.Rational(2, 3)),
            catches=tx("the one-sided {} = {}, which is nearer 1 than {}", Phi(1), Num(ndtr(1), sig=3),
                       sympy.Rational(2, 3)),
        ),
    ]  # fmt: skip


def _corrections(r: WeightPowers) -> list[Correction]:
    i3, i4 = ITEMS[3], ITEMS[4]
    return [
        Correction(
            Source(BLOG, "the chain with weights 2"),
            "If each weight corresponds to exactly 2, then the gradient will grow exponentially.",
            tx("With sigmoid units each layer contributes {}, at most {}: this chain's gradient shrinks at least "
               "like {}. Exploding needs {}, which needs {} (Problem 1(1)).", ordered(w, sigma_prime(z)),
               sympy.Rational(1, 2), sympy.Pow(2, -n), sympy.Gt(sympy.Abs(ordered(w, sigma_prime(z)), evaluate=False), 1),
               sympy.Gt(sympy.Abs(w), 4)),
            tx("The post's own three-layer chain in the best case every {} gives {} (measured: {}); SciPy's "
               "maximum of {} is {}.", sympy.Eq(sympy.Symbol("z_j"), 0), ITEMS[2].exact, Num(r.measured[2], sig=12),
               2 * sigma_prime(z), Num(r.max_factor_w2, sig=10)),
        ),
        Correction(
            Source(BLOG, "the best case"),
            "Each additional layer in the neural network forces the derivative to shrink by at least 4.",
            tx("The slope {} alone shrinks it by at least 4, but a layer multiplies the derivative by {}, bounded "
               "only by {}: the layer shrinks it by at least 4 when {}, and can enlarge it when {}.",
               sigma_prime(z), ordered(w, sigma_prime(z)), sympy.Abs(w) / 4, sympy.Le(sympy.Abs(w), 1),
               sympy.Gt(sympy.Abs(w), 4)),
            tx("A layer with {} at {} multiplies the derivative by {} (measured, mpmath); with N(0, 1) weights "
               "{} of the weights exceed 1 in size and {} of the layers of a random sigmoid chain shrink the "
               "gradient by less than 4 (integrated over the chain's stationary law).", sympy.Eq(w, 8),
               sympy.Eq(z, 0), Num(r.factor_w8, sig=12), Num(1 - float(P_W_BELOW_ONE), sig=4),
               Num(1 - r.p_factor_quarter, sig=4)),
        ),
        Correction(
            Source(SEB, "the weight 0.6 example"), "w³ = 0.6³ = 0.21",
            tx("{}, which rounds to 0.22: the post truncated it.", sympy.Eq(i3.shown, i3.exact, evaluate=False)),
            tx("Exact arithmetic gives {}; the three-layer linear chain's derivative, measured, is {}.",
               Num(float(i3.exact), sig=3), Num(r.measured[3], sig=15)),
        ),
        Correction(
            Source(SEB, "the weight 0.6 example"), "Now your third weight equals w to the power of 15.",
            tx("After 15 layers the output, and its derivative with respect to the input, is {} times the "
               "input; no weight changes.", sympy.Pow(w, 15)),
            tx("The fifteen-layer linear chain's derivative, measured, is {} = {}.", Num(r.measured[4], sig=6),
               i4.shown),
        ),
        Correction(
            Source(SEB, "the derivative of the sigmoid"),
            _quoted_sigmoid_derivative(),
            tx("{}; the post's {} is {}, i.e. {}. The product, and so 0.0066, is unaffected because {} is even.",
               sympy.Eq(sigma(z), 1 / (1 + sympy.exp(-z))), 1 / (1 + sympy.exp(z)),
               sigma(-z), 1 - sigma(z), sigma_prime(z)),
            tx("At {} the post's first factor is {} instead of {}; SymPy simplifies the difference of the two "
               "products to {}.", sympy.Eq(z, 5), Num(1 / (1 + math.exp(5)), sig=4), Num(1 / (1 + math.exp(-5)), sig=4),
               sympy.simplify(1 / (1 + sympy.exp(z)) * (1 - 1 / (1 + sympy.exp(z)))
                              - 1 / (1 + sympy.exp(-z)) * (1 - 1 / (1 + sympy.exp(-z))))),
        ),
    ]  # fmt: skip


def _quoted_sigmoid_derivative():
    """The post's formula as printed, factor by factor (SymPy would fold the product into one fraction)."""
    z2 = sympy.Symbol("z_2")
    first = 1 / ordered_sum(1, sympy.exp(z2))
    return tx("{} = {} ({})", ordered(sigma(z2), 1 - sigma(z2)), first, ordered_sum(1, -first))
