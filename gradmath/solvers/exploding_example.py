"""The exploding gradient of Nielsen, sec. 5.1: every weight 100, biases making every z_j = 0, every term 25.

The biases are stated in closed form (b₁ = −100 a₀, and b_j = −100 σ(0) = −50 after the first
neuron); the chain is then run forward from them, once in exact arithmetic and once in float64, and
the weighted inputs, the terms w_j σ′(z_j) and the layer ratios ∂C/∂b_j / ∂C/∂b_{j+1} are
*measured* (the ratios by central differences of the exact chain, and by backpropagation in log space
on the float64 chain).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy

from .. import chain as ch
from .. import chain_fd
from ..activations import sigma, sigma_prime, sigmoid_prime
from ..contract import AnswerLine, Check, Finding, Step, Table, Verdict, Writeup
from ..notation import at, ordered
from ..registry import Param, Problem, problem
from ..sources import Source
from ..text import Num, tx

#: the book's weight
W = sympy.Integer(100)
#: the largest depth accepted: depth 300 takes about 13 s here. The finite differences at every layer cost
#: a time growing like the cube of the depth (n layers, n differences, 1.4 more digits per layer): 400 takes 30 s.
MAX_DEPTH = 300
TERM = W * sympy.Rational(1, 4)  # the book's 100·1/4 = 25
z_j, w_j, b_j, a_jm1 = (sympy.Symbol(s, real=True) for s in ("z_j", "w_j", "b_j", "a_j-1"))
a0_, b1_, z1_, z2_ = (sympy.Symbol(s, real=True) for s in ("a_0", "b_1", "z_1", "z_2"))


def _d(kind: str, j) -> sympy.Symbol:
    return sympy.Symbol(f"dC/d{kind}_{j}", real=True)


@dataclass(frozen=True)
class ExplodingExample:
    depth: int
    a0: float  # as given
    a0_exact: sympy.Rational  # the decimal a0 prints as (0.3 is 3/10)
    biases: tuple  # the stated biases, exact
    z_exact: tuple  # measured: the exact forward pass
    z_float: np.ndarray  # measured: the float64 forward pass
    terms_exact: tuple  # w_j a_j (1 - a_j) on the exact pass
    terms_float: np.ndarray  # w_j σ′(z_j) on the float64 pass
    ratios_fd: np.ndarray  # dC/db_j / dC/db_{j+1}, central differences of the exact chain (mpmath)
    ratios_bp: np.ndarray  # the same by backpropagation in log space on the float64 chain
    log_fd_b1: float  # log|dC/db_1| by central difference
    gradient_over_dC_da: sympy.Rational  # eq. 121 at the exact forward pass, without dC/da_n
    dC_da: sympy.Rational  # a_n (cost a_n²/2)
    dps: int  # digits of the finite differences

    @property
    def max_z(self) -> float:
        return max(max(abs(float(sympy.N(v, 30))) for v in self.z_exact), float(np.max(np.abs(self.z_float))))

    @property
    def max_term_error(self) -> float:
        exact = max(abs(float(sympy.N(t - TERM, 30))) for t in self.terms_exact)
        return max(exact, float(np.max(np.abs(self.terms_float - float(TERM)))))


def stated_biases(depth: int, a0: sympy.Rational) -> tuple:
    """The book's biases, b_j = −100 a_{j−1}: b₁ = −100 a₀, and b_j = −100 σ(0) = −50 once z_{j−1} = 0."""
    return (-W * a0,) + (-W * sigma(sympy.Integer(0)),) * (depth - 1)


@problem("exploding-example", source=Source("nielsen", "sec. 5.1"), order=40)
class ExplodingExampleProblem(Problem):
    title = tx(
        "An exploding gradient: every term {}", sympy.Eq(ordered(w_j, sigma_prime(z_j)), TERM, evaluate=False)
    )
    quick = "nothing: under a second"
    params = (
        Param.integer("depth", 4, lo=2, hi=MAX_DEPTH, doc="number of neurons n",
                      why_hi="depth 300 takes about 13 s, and the time grows like the cube of the depth"),
        Param.real("a0", 0.25, 0.0, 1.0, lo_open=True, hi_open=True, doc="the input activation"),
    )  # fmt: skip

    def compute(self, options, depth: int, a0: float) -> ExplodingExample:
        a0_exact = sympy.Rational(repr(float(a0)))
        biases = stated_biases(depth, a0_exact)
        ws = [W] * depth
        exact = ch.forward_exact(ws, biases, a0_exact)
        b_float = np.array([-(100.0 * a0)] + [float(b) for b in biases[1:]])  # b₁ computed from the stored a₀
        fw = ch.forward(np.full(depth, 100.0), b_float, a0)
        dps = 40 + math.ceil((depth - 1) * math.log10(25))  # a deviation of z₁ grows 25-fold per layer
        fds = [
            chain_fd.finite_difference(ws, biases, a0_exact, 0.0, "b", j, dps=dps)
            for j in range(1, depth + 1)
        ]
        bw = ch.backward_log(fw, fw.a[-1])
        g = ch.chain_gradient(depth)
        values = {g.dC_da: 1, **{wk: W for wk in g.w}}
        values.update({sigma_prime(zk): ak * (1 - ak) for zk, ak in zip(g.z, exact.a[1:], strict=True)})
        return ExplodingExample(
            depth=depth, a0=a0, a0_exact=a0_exact, biases=biases, z_exact=exact.z, z_float=fw.z,
            terms_exact=tuple(W * ak * (1 - ak) for ak in exact.a[1:]),
            terms_float=100.0 * sigmoid_prime(fw.z),
            ratios_fd=np.array([float(fds[j].value / fds[j + 1].value) for j in range(depth - 1)]),
            ratios_bp=np.exp(bw.log_abs_b[:-1] - bw.log_abs_b[1:]) * bw.sign_b[:-1] * bw.sign_b[1:],
            log_fd_b1=fds[0].log_abs, gradient_over_dC_da=g.gradient.xreplace(values), dC_da=exact.a[-1], dps=dps,
        )  # fmt: skip

    def answer(self, r: ExplodingExample) -> dict:
        return {
            "term": r.terms_exact[0],
            "biases": list(r.biases),
            "layer_ratios": r.ratios_fd,
            "gradient_b1_over_dC_da": r.gradient_over_dC_da,
        }

    def explain(self, r: ExplodingExample) -> Writeup:
        n = r.depth
        return Writeup(
            statement=tx("Choose every weight {} and the biases so that every weighted input is {}: {}, and "
                         "likewise {}. Show that every term {} is then {}, so that the gradient grows by a factor "
                         "{} per layer towards the input.", sympy.Eq(w_j, W), sympy.Eq(z_j, 0),
                         sympy.Eq(b1_, -W * a0_), sympy.Eq(b_j, -W * a_jm1), ordered(w_j, sigma_prime(z_j)), TERM,
                         TERM),
            answer_text=tx("With {} the biases are {} and {} after the first neuron; every {}, so every term {} "
                           "and {}: a factor {} per layer, {} over {} layers.", sympy.Eq(a0_, r.a0_exact),
                           sympy.Eq(b1_, r.biases[0]), sympy.Eq(b_j, r.biases[-1]), sympy.Eq(z_j, 0),
                           sympy.Eq(ordered(w_j, sigma_prime(z_j)), TERM, evaluate=False), _gradient_eq(r), TERM,
                           sympy.Pow(TERM, n - 1, evaluate=False), n),
            steps=_steps(r),
            answer_lines=_answer_lines(r),
            findings=[Finding(
                tx("with {} and {}, all the terms {} equal {}", sympy.Eq(w_j, W), sympy.Eq(z_j, 0),
                   ordered(w_j, sigma_prime(z_j)), sympy.Eq(ordered(W, sympy.Rational(1, 4)), TERM, evaluate=False)),
                tx("{}", TERM),
                tx("{} exactly, on the chain built from these biases", TERM),
                Verdict.CONFIRMED)],
            verdict=Verdict.CONFIRMED,
            verdict_reason=tx("the biases the book prescribes give {} at every layer, and the gradient grows by "
                              "exactly {} per layer.", sympy.Eq(z_j, 0), TERM),
        )  # fmt: skip

    def checks(self, r: ExplodingExample) -> list[Check]:
        return _checks(r)


def _gradient_eq(r: ExplodingExample) -> sympy.Eq:
    n = r.depth
    shown = ordered(at(sigma_prime, 0), sympy.Pow(TERM, n - 1, evaluate=False), _d("a", n))
    return sympy.Eq(_d("b", 1), shown, evaluate=False)


def _steps(r: ExplodingExample) -> list[Step]:
    n, half = r.depth, sympy.Rational(1, 2)
    return [
        Step(tx("Take {} for every neuron. For {} the bias must cancel the weighted activation:", sympy.Eq(w_j, W),
                sympy.Eq(z_j, 0)), sympy.Eq(b_j, -W * a_jm1)),
        Step(tx("If {} then {} = {}, so after the first neuron the rule asks for {}. With {}:",
                sympy.Eq(sympy.Symbol("z_j-1"), 0), sympy.Eq(a_jm1, at(sigma, 0)), half, sympy.Eq(b_j, -W * half),
                sympy.Eq(a0_, r.a0_exact)),
             sympy.Eq(sympy.Symbol("b"), sympy.ImmutableMatrix([list(r.biases)]), evaluate=False) if n <= 8
             else sympy.Eq(b1_, r.biases[0])),
        Step(tx("Running the chain forward from these biases, in exact arithmetic and separately in float64, gives "
                "{} at every layer (see the checks). Both runs are needed because the example is as unstable "
                "forwards as backwards: a deviation of {} from 0 reaches {} multiplied by {}, since {}. In float64, "
                "{} is computed from the stored {}, so that the products cancel exactly.", sympy.Eq(z_j, 0), z1_,
                sympy.Symbol(f"z_{n}"), sympy.Pow(TERM, n - 1, evaluate=False),
                sympy.Eq(sympy.Symbol("dz_j+1/dz_j"), ordered(sympy.Symbol("w_j+1"), sigma_prime(z_j))), b1_, a0_)),
        Step(tx("So {} at every layer, and every term is", sympy.Eq(sigma_prime(z_j), at(sigma_prime, 0)) ),
             sympy.Eq(ordered(W, at(sigma_prime, 0)), TERM, evaluate=False)),
        Step(tx("By eq. 121, each layer back multiplies the gradient by {}:", TERM), _gradient_eq(r)),
    ]  # fmt: skip


def _answer_lines(r: ExplodingExample) -> list[AnswerLine]:
    n = r.depth
    if n <= 8:
        ratios = Table(
            (tx("{}", sympy.Symbol("j")), tx("ratio")),
            tuple((tx("{}", j), Num(v, sig=12)) for j, v in enumerate(r.ratios_fd, 1)),
        )
    else:
        ratios = tx(
            "all {} ratios equal {} to within {}",
            n - 1,
            TERM,
            Num(float(np.max(np.abs(r.ratios_fd - 25))), sig=2),
        )
    return [
        AnswerLine(tx("every term {}", ordered(w_j, sigma_prime(z_j))), tx("{}", r.terms_exact[0]), key="term"),
        AnswerLine(tx("the biases"), tx("{}, and {} for {}", sympy.Eq(b1_, r.biases[0]), sympy.Eq(b_j, r.biases[-1]),
                                       sympy.Ge(sympy.Symbol("j"), 2)), key="biases"),
        AnswerLine(tx("{} in units of {}", sympy.Symbol("dC/db_1"), _d("a", n)),
                   tx("{} = {}", ordered(at(sigma_prime, 0), sympy.Pow(TERM, n - 1, evaluate=False)),
                      r.gradient_over_dC_da), key="gradient_b1_over_dC_da"),
        AnswerLine(tx("the ratio of {} to {} (central differences)", sympy.Symbol("dC/db_j"), sympy.Symbol("dC/db_j+1")),
                   ratios, key="layer_ratios"),
    ]  # fmt: skip


def _checks(r: ExplodingExample) -> list[Check]:
    n = r.depth
    exact_pass, float_pass = "forward pass in exact arithmetic (SymPy)", "forward pass in float64"
    rel_ratio = float(np.max(np.abs(r.ratios_bp - r.ratios_fd))) / 25
    log_book = float(sympy.log(sympy.Rational(1, 4) * TERM ** (n - 1) * r.dC_da))
    worst_fd = float(np.max(np.abs(r.ratios_fd - 25)))
    return [
        Check(tx("the stated biases put every weighted input at {}", sympy.Eq(z_j, 0)), (exact_pass, float_pass),
              r.max_z, 1e-12, verdict=Verdict.CONFIRMED,
              detail=tx("largest {}: {} (exact), {} (float64)", sympy.Abs(z_j), Num(max(abs(float(v)) for v in r.z_exact)),
                        Num(float(np.max(np.abs(r.z_float))))),
              catches=tx("the bias {} at every layer, instead of {}, would give {}", sympy.Eq(b_j, -W * a0_),
                         sympy.Eq(b_j, -W * a_jm1), sympy.Eq(z2_, W / 2 - W * r.a0_exact))),
        Check(tx("every term {} equals {}", ordered(w_j, sigma_prime(z_j)), TERM), (
              tx("{} on the exact forward pass", ordered(w_j, sympy.Symbol("a_j"), 1 - sympy.Symbol("a_j"))),
              tx("{} with the logistic function from SciPy, on the float64 forward pass", ordered(w_j, sigma_prime(z_j)))),
              r.max_term_error, 1e-12 * 25, book=25, computed=r.terms_exact[0], verdict=Verdict.CONFIRMED,
              catches=tx("a maximum of {} other than {}, or a term taken as {} (which would be 50)",
                         sigma_prime(z_j), sympy.Rational(1, 4), ordered(w_j, sigma(z_j)))),
        Check(tx("each layer back multiplies the gradient by {}: {} is {} times {}", TERM, sympy.Symbol("dC/db_j"),
                 TERM, sympy.Symbol("dC/db_j+1")),
              (tx("central differences of every {} on the exact chain (mpmath, {} digits)", _d("b", "j"), r.dps),
               tx("the book's {}", sympy.Eq(ordered(W, sympy.Rational(1, 4)), TERM, evaluate=False))),
              worst_fd, 25e-10, book=25, computed=r.ratios_fd.tolist(), verdict=Verdict.CONFIRMED,
              detail=tx("largest difference from {} over the {} ratios: {}", TERM, n - 1, Num(worst_fd, sig=2)),
              catches=tx("a gradient that grows by the weight alone ({} per layer) or by {} alone", W,
                         at(sigma_prime, 0))),
        Check(tx("backpropagation on the float64 chain gives the same layer ratios"),
              ("backward recursion in log space on the float64 forward pass",
               "central differences on the exact chain (mpmath)"), rel_ratio, 1e-10,
              detail=tx("largest relative difference {}", Num(rel_ratio, sig=2)),
              catches=tx("a float64 chain whose weighted inputs drift from 0 (a rounding of {} grows {}-fold per "
                         "layer), or a backward pass that skips a factor", b1_, TERM)),
        Check.close(tx("the gradient is {}", _gradient_eq(r)), r.log_fd_b1, log_book,
                    (tx("the logarithm of a central difference of {} (mpmath)", _d("b", 1)),
                     tx("the logarithm of {}, with {} measured on the exact forward pass",
                        ordered(sympy.Rational(1, 4), sympy.Pow(TERM, n - 1, evaluate=False), _d("a", n)),
                        sympy.Eq(_d("a", n), sympy.Symbol(f"a_{n}")))),
                    rtol=1e-12, verdict=Verdict.CONFIRMED,
                    catches=tx("an exponent off by one ({} in place of {}) changes the logarithm by {}",
                               sympy.Pow(TERM, n, evaluate=False), sympy.Pow(TERM, n - 1, evaluate=False),
                               Num(math.log(25), sig=3))),
    ]  # fmt: skip
