"""∂C/∂b₁ of a chain of single sigmoid neurons (Nielsen, sec. 5.1, eq. 114-122), at any depth.

The gradient is derived by the reverse-mode chain rule (:func:`gradmath.chain.chain_gradient`: one
factor per neuron and one per edge, so its size is linear in the depth) and checked two ways:
against SymPy's own derivative of the nested chain (every ∂C/∂b_j and ∂C/∂w_j, up to depth 12), and
against central differences of the actual chain at random N(0, 1) parameters, in mpmath (any depth;
the symbolic product is evaluated in log space, so a gradient of 10⁻⁵⁰⁰ is compared as well).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy

from .. import chain as ch
from .. import chain_fd
from ..activations import sigma, sigma_prime
from ..contract import AnswerLine, Check, Finding, Step, Verdict, Writeup
from ..notation import approx, ordered, ordered_sum
from ..registry import Param, Problem, problem
from ..sources import Source
from ..text import Num, join, tx

#: The largest depth accepted: depth 100,000 is solved and checked in about 21 s here (two cores, 0.5 GB);
#: depth 10⁶ took 246 s and 5.2 GB: the symbolic product alone holds 2·10⁶ SymPy factors.
MAX_DEPTH = 100_000
#: SymPy's diff of the nested chain is compared for every gradient up to this depth (it slows
#: quadratically and hits Python's recursion limit near depth 40).
NESTED_MAX = 12
#: the plain two-cost finite difference needs about 3 digits per layer: compared up to this depth
DIRECT_MAX = 60
#: the product is written out factor by factor up to this depth, and as ∏ over j beyond it
WRITTEN_OUT_MAX = 6
#: relative difference allowed between the derived gradient and the finite differences
FD_TOL = 1e-9

n_ = sympy.Symbol("n", integer=True, positive=True)
z_j, w_j, a_jm1, b_j = (sympy.Symbol(s, real=True) for s in ("z_j", "w_j", "a_j-1", "b_j"))
dC_dj = {k: sympy.Symbol(f"dC/d{k}_j", real=True) for k in "bw"}


def _d(kind: str, j) -> sympy.Symbol:
    """The symbol ∂C/∂b_j or ∂C/∂w_j."""
    return sympy.Symbol(f"dC/d{kind}_{j}", real=True)


@dataclass(frozen=True)
class Compared:
    """One gradient (``kind`` "b" or "w", index ``j``) at the random parameters, three ways."""

    kind: str
    j: int
    ours: tuple[float, float]  # (log|value|, sign): the derived product, float64 forward pass
    secant: chain_fd.FiniteDifference  # the propagated central difference (mpmath)
    direct: chain_fd.FiniteDifference | None  # the two-cost central difference (mpmath), depth <= DIRECT_MAX

    @staticmethod
    def rel_error(ours: tuple[float, float], fd: chain_fd.FiniteDifference) -> float:
        """|ours/fd − 1| from logs and signs (a wrong sign gives at least 1)."""
        if ours[1] == 0 or fd.sign == 0:
            return 0.0 if ours[1] == fd.sign else math.inf
        delta = ours[0] - fd.log_abs
        return abs(math.expm1(delta)) if ours[1] == fd.sign else 1.0 + math.exp(delta)


@dataclass(frozen=True)
class ChainGradientResult:
    """The derived gradients and their comparisons."""

    g: ch.ChainGradient
    seed: int
    params: ch.ChainParams
    nested_mismatches: tuple[str, ...] | None  # gradients that differ from SymPy's diff; None: not compared
    compared: tuple[Compared, ...]

    @property
    def depth(self) -> int:
        return self.g.depth

    @property
    def log_abs_gradient(self) -> float:
        """log|∂C/∂b₁| at the random parameters (the derived product in log space)."""
        return self.compared[0].ours[0]

    def worst(self, method: str) -> float:
        """The largest relative difference between the derived gradients and ``method`` (secant/direct)."""
        fds = [(c.ours, getattr(c, method)) for c in self.compared if getattr(c, method) is not None]
        return max(Compared.rel_error(o, f) for o, f in fds) if fds else math.nan


def _compare(g: ch.ChainGradient, p: ch.ChainParams) -> tuple[Compared, ...]:
    """Every gradient (depth <= NESTED_MAX), else ∂C/∂b₁, ∂C/∂w₁ and ∂C/∂b_n, three ways."""
    n, y = g.depth, 0.0
    fw = ch.forward(p.w, p.b, p.a0)
    dC_da = fw.a[-1] - y
    pairs = (
        [(k, j) for j in range(1, n + 1) for k in "bw"] if n <= NESTED_MAX else [("b", 1), ("w", 1), ("b", n)]
    )
    out = []
    for kind, j in pairs:
        expr = g.bias_gradients[j] if kind == "b" else g.weight_gradients[j]
        direct = chain_fd.finite_difference_direct(p.w, p.b, p.a0, y, kind, j) if n <= DIRECT_MAX else None
        out.append(Compared(kind, j, ch.log_abs_eval(expr, fw, dC_da),
                            chain_fd.finite_difference(p.w, p.b, p.a0, y, kind, j), direct))  # fmt: skip
    return tuple(out)


def _nested_mismatches(g: ch.ChainGradient) -> tuple[str, ...] | None:
    if g.depth > NESTED_MAX:
        return None
    bad = []
    for j in range(1, g.depth + 1):
        for kind, ours in (("b", g.bias_gradients[j]), ("w", g.weight_gradients[j])):
            if sympy.expand(ch.nested_diff(g.depth, kind, j) - ours) != 0:
                bad.append(f"dC/d{kind}_{j}")
    return tuple(bad)


def shown_gradient(g: ch.ChainGradient) -> sympy.Expr:
    """∂C/∂b₁ for display, in the book's factor order: written out, or as ∏ over j for a deep chain."""
    return g.book_form(1) if g.depth <= WRITTEN_OUT_MAX else g.product_form()


@problem("chain-gradient", source=Source("nielsen", "sec. 5.1, eq. 114-122"), order=20)
class ChainGradientProblem(Problem):
    quick = "nothing: the default depth takes under a second"
    params = (
        Param.integer("depth", 4, lo=1, hi=MAX_DEPTH, doc="number of neurons n",
                      why_hi=f"depth {MAX_DEPTH:,} already takes about 20 s and 0.5 GB; depth 1,000,000 took 246 s "
                             "and 5.2 GB"),
        Param.integer("seed", 0, lo=0, hi=2**63 - 1, doc="seed of the random parameters of the checks"),
    )  # fmt: skip

    @staticmethod
    def title(r: ChainGradientResult):
        return tx("The gradient of a chain of {} single neurons", r.depth)

    def compute(self, options, depth: int, seed: int) -> ChainGradientResult:
        g = ch.chain_gradient(depth)
        p = ch.random_parameters(depth, seed)
        return ChainGradientResult(g, seed, p, _nested_mismatches(g), _compare(g, p))

    def answer(self, r: ChainGradientResult) -> dict:
        g = r.g
        return {
            "gradient": g.gradient,
            "depth": g.depth,
            "bias_gradients": g.bias_gradients,
            "weight_gradients": g.weight_gradients,
            "recursion": g.recursion,
            "log_abs_gradient_at_random_parameters": r.log_abs_gradient,
        }

    def explain(self, r: ChainGradientResult) -> Writeup:
        g, n = r.g, r.depth
        eq = sympy.Eq(_d("b", 1), shown_gradient(g), evaluate=False)
        book = "122" if n == 4 else "121"
        return Writeup(
            statement=tx("For a chain of {} sigmoid neurons, {} and {}, with a cost {}, express {} (and every "
                         "{} and {}) in terms of the weights {}, the derivatives {} and {}.", n,
                         sympy.Eq(z_j, ordered_sum(ordered(w_j, a_jm1), b_j)), sympy.Eq(sympy.Symbol("a_j"), sigma(z_j)),
                         sympy.Symbol(f"C(a_{n})"), _d("b", 1), dC_dj["b"], dC_dj["w"], w_j, sigma_prime(z_j),
                         g.dC_da),
            answer_text=tx("{}: a product of {} factors, one {} for each neuron, one weight for each edge after "
                           "the first, and {}; and {}.", eq, 2 * n, sigma_prime(z_j), g.dC_da,
                           sympy.Eq(dC_dj["w"], ordered(a_jm1, dC_dj["b"]), evaluate=False)),
            steps=_steps(r),
            answer_lines=_answer_lines(r),
            findings=[Finding(
                tx("eq. {}: {} is a product of one {} per neuron and one {} per edge", book, _d("b", 1),
                   sigma_prime(z_j), w_j),
                tx("the product of eq. {}", book),
                tx("the same {} factors; finite differences agree to {}", 2 * n,
                   Num(r.worst("secant"), sig=1)),
                Verdict.CONFIRMED)],
            verdict=Verdict.CONFIRMED,
            verdict_reason=tx("the derived product is eq. {} factor for factor, and two independent methods "
                              "reproduce it.", book),
        )  # fmt: skip

    def checks(self, r: ChainGradientResult) -> list[Check]:
        return _checks(r)


def _steps(r: ChainGradientResult) -> list[Step]:
    g, n = r.g, r.depth
    dz2, db1 = sympy.Symbol("Delta z_2"), sympy.Symbol("Delta b_1")
    steps = [
        Step(tx("A change {} moves {} by {} (eq. 116), then {} by {} times that (eq. 118):",
                db1, sympy.Symbol("a_1"), ordered(sigma_prime(g.z[0]), db1), sympy.Symbol("z_2"), g.w[1]),
             approx(dz2, ordered(sigma_prime(g.z[0]), g.w[1], db1)), tag="119"),
        Step(tx("Reverse mode over the chain's graph turns this into a recursion with one local factor per "
                "neuron, {}, and one per edge, {}; each bias gradient reuses the next one, so the work is "
                "linear in the depth. At the last neuron:", sigma_prime(z_j), sympy.Symbol("w_j+1")),
             g.recursion[n]),
    ]  # fmt: skip
    back = list(range(n - 1, 0, -1)) if n <= 7 else [n - 1, n - 2, n - 3]
    steps += [Step(tx("One step back, to {}:", sympy.Symbol(f"b_{j}")), g.recursion[j]) for j in back]
    if n > 7:
        steps.append(
            Step(tx("and so on, {} more steps, down to {}:", n - 4, sympy.Symbol("b_1")), g.recursion[1])
        )
    steps.append(
        Step(
            tx("The weight gradients follow from {}:", sympy.Eq(sympy.Symbol("dz_j/dw_j"), a_jm1)),
            sympy.Eq(dC_dj["w"], ordered(a_jm1, dC_dj["b"]), evaluate=False),
        )
    )
    unrolled = "Unrolled, in the book's order" + (" (eq. 122):" if n == 4 else ":")
    steps.append(
        Step(
            tx(unrolled),
            sympy.Eq(_d("b", 1), shown_gradient(g), evaluate=False),
            tag="122" if n == 4 else "121",
        )
    )
    return steps  # fmt: skip


def _answer_lines(r: ChainGradientResult) -> list[AnswerLine]:
    n, log_g = r.depth, r.log_abs_gradient
    digits = max(1, math.floor(math.log10(abs(log_g))) + 1) + 9 if log_g else 10
    return [
        AnswerLine(tx("{}, in the book's factor order", _d("b", 1)), tx("{}", shown_gradient(r.g)), key="gradient"),
        AnswerLine(tx("number of neurons"), tx("{}", n), key="depth"),
        AnswerLine(tx("number of factors"), tx("{}: {} factors {}, {} weights and {}", 2 * n, n, sigma_prime(z_j),
                                              n - 1, r.g.dC_da)),
        AnswerLine(tx("{} at the random N(0, 1) parameters of the checks (seed {}), with {}",
                      sympy.log(sympy.Abs(_d("b", 1))), r.seed, sympy.Eq(sympy.Symbol(f"dC/da_{n}"),
                                                                      sympy.Symbol(f"a_{n}"))),
                   tx("{}", Num(log_g, sig=digits)), key="log_abs_gradient_at_random_parameters"),
    ]  # fmt: skip


def _names(r: ChainGradientResult):
    if r.nested_mismatches is not None:
        return tx("every {} and {}", dC_dj["b"], dC_dj["w"])
    return join([_d(c.kind, c.j) for c in r.compared], ", ")


def _checks(r: ChainGradientResult) -> list[Check]:
    n = r.depth
    out = []
    if r.nested_mismatches is not None:
        bad = r.nested_mismatches
        out.append(
            Check.count(
                tx(
                    "all {} gradients {} and {} equal SymPy's derivative of the nested chain",
                    2 * n,
                    dC_dj["b"],
                    dC_dj["w"],
                ),
                len(bad),
                (
                    "reverse-mode chain rule, one factor per neuron and per edge",
                    "SymPy's derivative of the cost written as one nested expression in the weights and biases",
                ),
                detail=tx("identical after naming the weighted inputs, activations and the cost's derivative")
                if not bad
                else tx("these differ: {}", ", ".join(bad)),
                catches=tx(
                    "a dropped or repeated factor, an index off by one ({} in place of {}), or a missing {} in "
                    "a weight gradient",
                    w_j,
                    sympy.Symbol("w_j+1"),
                    a_jm1,
                ),
                verdict=Verdict.CONFIRMED,
            )
        )
    methods = {
        "secant": tx(
            "central difference in mpmath (step at most {} relative), the two perturbed chains' difference "
            "carried forward exactly",
            Num(1e-20),
        ),
        "direct": tx(
            "central difference in mpmath (step {} relative), two costs subtracted at {} digits",
            Num(1e-20),
            r.compared[0].direct.dps if r.compared[0].direct else 0,
        ),
    }
    for method in ("secant", "direct") if n <= DIRECT_MAX else ("secant",):
        worst = r.worst(method)
        out.append(
            Check(
                tx(
                    "{} equal{} central differences of the actual chain at random N(0, 1) parameters (seed {})",
                    _names(r),
                    " plain two-cost" if method == "direct" else "",
                    r.seed,
                ),
                ("the derived product, evaluated in log space on a float64 forward pass", methods[method]),
                worst,
                FD_TOL,
                catches=tx(
                    "at random parameters a wrong factor changes a gradient by a factor of order 1, and a "
                    "sign error gives a relative difference of at least 1"
                ),
                detail=tx(
                    "largest relative difference {} over {} gradients; {} = {}",
                    Num(worst, sig=2),
                    len(r.compared),
                    sympy.log(sympy.Abs(_d("b", 1))),
                    Num(r.log_abs_gradient, sig=12),
                ),
                computed=r.log_abs_gradient,
                verdict=Verdict.CONFIRMED,
            )
        )
    return out  # fmt: skip
