"""The write-up of the ``remedies`` problem: its result type, tables, steps, findings, corrections, checks.

Kept apart from :mod:`.remedies` (which computes and draws) so that each file stays short; it registers
no problem of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from ..contract import Check, Correction, Finding, Step, Table, Verdict
from ..experiments.remedy import RemediesResult, RemedyPrediction
from ..sources import Source
from ..text import Cite, Num, join, tx
from .mnist_common import DataInfo, seeds_label, speed_ratio

__all__ = [
    "BALANCE",
    "SOURCE",
    "RemediesSolution",
    "kind",
    "theory_table",
    "training_table",
    "statement",
    "steps",
    "findings",
    "corrections",
    "checks",
]

#: a last-to-first ratio within this factor of 1 counts as balanced (one sigmoid layer's largest
#: attenuation is 1/4)
BALANCE = 4.0
SOURCE = Source("programmathically", "How to Address Vanishing and Exploding Gradients?")
#: the learning rate of the runs
ETA = 0.1
#: the theory's allowance for the finite width (30) of the layers, in decades of the ratio
FINITE_WIDTH = 0.1

z, n, chi = sympy.Symbol("z", real=True), sympy.Symbol("n", positive=True), sympy.Symbol("chi")
n_l = sympy.Symbol("n_l", positive=True)
sigma_w2, phi_p = sympy.Symbol("sigma_w^2"), sympy.Symbol("E[phi'(z)^2]")


@dataclass(frozen=True)
class RemediesSolution:
    """The runs, the theory's predictions, and the measurements behind the checks and corrections."""

    run: RemediesResult
    data: DataInfo
    predicted: dict[str, RemedyPrediction]  # by setup name (gradmath.meanfield)
    tanh_ratio: tuple[float, float]  # tanh/Xavier, seed 0: ||d4|| / ||d1|| by backprop, by differences
    weight_std: dict[str, tuple[float, float]]  # "he", "xavier": std of layer-1 and layer-2 weights
    near_one: dict[str, float]  # fraction of all weights with 0.5 <= |w| <= 1.5
    relu_slopes: tuple[float, float, float]  # central difference at z = -1; one-sided at 0 (left, right)


def kind(ratio: float) -> str:
    """ "vanishing" (ratio above 4), "exploding" (below 1/4) or "balanced"."""
    return "vanishing" if ratio > BALANCE else "exploding" if ratio < 1 / BALANCE else "balanced"


def _distinct(r: RemediesSolution) -> dict:
    """The setups with distinct initial networks (clipping changes training, not the initialisation)."""
    return {k: v for k, v in r.run.setups.items() if v.clip_norm is None}


def _logs(values) -> tuple[float, float]:
    """Mean and standard deviation (ddof=1; 0 for one seed) of log10 of per-seed values."""
    v = np.log10(np.asarray(values, dtype=float))
    return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else 0.0


def _measured(m: tuple[float, float]):
    return tx("{} ({})", Num(10 ** m[0], sig=3), Num(m[1], sig=2))


def theory_table(r: RemediesSolution) -> Table:
    """Per setup: the hidden layers' variance, chi per layer, the predicted and the measured ratios."""
    rows = []
    for k, v in _distinct(r).items():
        p = r.predicted[k]
        book = "not modelled" if p.mean_ratio is None else Num(p.mean_ratio, sig=3)
        rows.append(
            (
                k,
                Num(p.sigma_w2, sig=3),
                join(Num(c, sig=3) for c in p.chi),
                Num(p.rms_ratio, sig=3),
                _measured(_logs(v.rms_ratio_init)),
                book,
                _measured(_logs(v.ratio_init)),
                kind(p.rms_ratio),
            )
        )
    return Table(
        (
            "setup",
            tx("{}, hidden layers", sigma_w2),
            tx("{}, layers 1 to 3", chi),
            "per-image ratio, predicted",
            "measured",
            "book's measure, predicted",
            "measured",
            "kind",
        ),
        tuple(rows),
        tx(
            "{} at initialisation, predicted by the mean-field theory and measured (geometric mean over {} "
            "seeds, in brackets the standard deviation of the logarithm): the root mean square over the "
            "images of the per-image gradients, and the book's measure, the norm of the mean gradient",
            speed_ratio(4),
            len(r.run.seeds),
        ),
    )


def training_table(r: RemediesSolution) -> Table:
    """Per setup: the ratio before and after training, the accuracy, the runs' fate, the first step."""
    rows = []
    for k, v in r.run.setups.items():
        after = v.geomean_trained
        rows.append(
            (
                k,
                Num(v.geomean_init, sig=3),
                "none" if after is None else Num(after, sig=3),
                Num(float(v.accuracy.mean()), sig=3, percent=True),
                ", ".join(sorted(set(v.status))),
                Num(float(v.update_norm.max()), sig=3),
            )
        )
    return Table(
        (
            "setup",
            "ratio at initialisation",
            tx("after {} epochs", r.run.epochs),
            "validation accuracy",
            "runs",
            "largest first step",
        ),
        tuple(rows),
        tx(
            "geometric means over {} seeds; a run is dead when its first hidden layer's gradient is "
            "exactly 0 after training, diverged when training overflowed",
            len(r.run.seeds),
        ),
    )


def epochs_words(n: int) -> str:
    """ "1 epoch", "3 epochs"."""
    return f"{n} epoch" + ("" if n == 1 else "s")


def statement():
    return tx(
        "The blog post {} recommends the ReLU (or leaky ReLU) activation, Xavier and He initialisation, and "
        "gradient clipping against vanishing and exploding gradients. On the book's deep [784, 30, 30, 30, 30, 10] "
        "network, measure the ratio {} at initialisation and after a short training for each remedy, against "
        "the sigmoid baseline and an exploding setup; predict it from theory; say which remedy fixes which "
        "problem.",
        Cite(SOURCE.key),
        speed_ratio(4),
    )


def steps(r: RemediesSolution) -> list[Step]:
    l = sympy.Symbol("l")
    product = sympy.Product(sympy.Pow(sympy.Symbol("chi_l"), sympy.Rational(-1, 2)), (l, 1, 3))
    return [
        Step(
            tx(
                "The measure: the ratio of the last to the first hidden layer's speed, above 1 when the gradient "
                "vanishes towards the input, below 1 when it explodes; within a factor {} of 1 (the least a sigmoid "
                "layer with weights of size at most 1 shrinks the gradient) it counts as balanced.",
                int(BALANCE),
            ),
            sympy.Eq(sympy.Symbol("r"), speed_ratio(4), evaluate=False),
        ),
        Step(
            tx(
                "The theory (the variance argument of {} and {}; the mean-field form of {}): with weights of "
                "variance {} the weighted inputs of a wide layer are Gaussian of variance {}, propagated layer "
                "by layer from each image's pixels, and the mean square of an image's gradient shrinks from one "
                "hidden layer to the one before by",
                Cite("glorot2010"),
                Cite("he2015"),
                Cite("poole2016"),
                sigma_w2 / sympy.Symbol("n_in"),
                sympy.Symbol("q_l"),
            ),
            sympy.Eq(sympy.Symbol("chi_l"), sigma_w2 * phi_p, evaluate=False),
        ),
        Step(
            tx(
                "so the predicted ratio is the product below. The sigmoid's derivative is at most 1/4, so {} "
                "is about 0.05 with the book's and with Xavier's initialisation; He's variance {} with the ReLU's {} gives {} "
                "exactly, and Xavier's variance with tanh ({} at 0) gives nearly 1.",
                chi,
                sympy.Eq(sigma_w2, 2),
                sympy.Eq(phi_p, sympy.Rational(1, 2)),
                sympy.Eq(chi, 1),
                sympy.Eq(sympy.Symbol("tanh'"), 1),
            ),
            sympy.Eq(sympy.Symbol("r"), product, evaluate=False),
        ),
        Step(
            tx(
                "Each setup, {} seeds of the network on the first 1,000 training images of {}. The per-image "
                "ratio (the root mean square over the images of {}) is what the product predicts. The book's "
                "measure, the norm of the mean over the images, is made of inner products of different images' "
                "gradients, which shrink by the pairs' own factor {} ({}): for the sigmoid and tanh the two measures "
                "agree, for the ReLU the book's reads about 1.8 where the per-image ratio is 1 (different images "
                "switch on different units, so their gradients point in more different directions and their "
                "mean is shorter), and the theory predicts both (the first table of the result).",
                len(r.run.seeds),
                r.data.words(),
                sympy.Symbol("||dC_x/db^l||"),
                sympy.Symbol("chi_c"),
                Cite("schoenholz2017"),
            ),
        ),
        Step(
            tx(
                "Then {} of SGD (mini-batch 10, {}, {}), clipping the gradient's global norm at {} "
                "where marked (rescaling the whole gradient keeps its direction, as {} propose; the blog "
                "describes clipping each component to an interval); the second table of the result.",
                epochs_words(r.run.epochs),
                sympy.Eq(sympy.Symbol("eta"), sympy.Float(f"{r.run.eta:.6g}")),
                sympy.Eq(sympy.Symbol("lambda"), sympy.Float(f"{r.run.lmbda:.6g}")),
                sympy.Eq(sympy.Symbol("c"), 1),
                Cite("pascanu2013"),
            ),
        ),
    ]


def findings(r: RemediesSolution) -> list[Finding]:
    s = r.run.setups
    relu, base, xav = s["ReLU, He"], s["sigmoid, book init"], s["sigmoid, Xavier"]
    clipped, wild = s["ReLU, N(0,1), clipped"], s["ReLU, N(0,1)"]
    return [
        Finding(
            tx("ReLU (with He) effectively addresses the vanishing gradient"),
            tx("derivative 1 for {}", sympy.Gt(z, 0)),
            tx(
                "{} = {} against the sigmoid's {}",
                speed_ratio(4),
                Num(relu.geomean_init, sig=2),
                Num(base.geomean_init, sig=2),
            ),
            Verdict.CONFIRMED,
        ),
        Finding(
            tx("Xavier and He initialisation make vanishing gradients less likely"),
            tx("stated"),
            tx(
                "only with a matched activation: sigmoid with Xavier still {}",
                Num(xav.geomean_init, sig=2),
            ),
            Verdict.CORRECTED,
        ),
        Finding(
            tx("gradient clipping keeps exploding gradients in check"),
            tx("clip to an interval"),
            tx(
                "largest step {} clipped, {} unclipped; unclipped runs: {}",
                Num(float(clipped.update_norm.max()), sig=2),
                Num(float(wild.update_norm.max()), sig=3),
                ", ".join(sorted(set(wild.status))),
            ),
            Verdict.CONFIRMED,
        ),
    ]


def corrections(r: RemediesSolution) -> list[Correction]:
    rms_he = r.run.setups["ReLU, He"].geomean_rms_init
    (he1, he2), (xa1, xa2) = r.weight_std["he"], r.weight_std["xavier"]
    at, left, right = r.relu_slopes
    relu_sym = sympy.Piecewise((0, z < 0), (z, True))
    return [
        Correction(
            Source("programmathically", "Weight Initialization"),
            "He initialization samples weights from a normal distribution with the following parameters "
            "for mean and standard deviation […] μ = 0 and σ = √(1/nₗ) or σ = √(2/nₗ)",
            tx(
                "He et al.'s standard deviation is {} ({}): the factor 2 makes up for the half of the "
                "units a ReLU switches off, so that {}. {} is LeCun's (and the book's) initialisation, "
                "under which a ReLU network's gradient loses half its mean square at every layer.",
                sympy.sqrt(2 / n_l, evaluate=False),
                Cite("he2015"),
                sympy.Eq(chi, sympy.Mul(2, sympy.Rational(1, 2), evaluate=False), evaluate=False),
                sympy.sqrt(1 / n_l, evaluate=False),
            ),
            tx(
                "Derived: with {} the factor is {}, a ratio of {} over three layers. Measured with He: "
                "per-image ratio {} ({}).",
                sympy.sqrt(1 / n_l, evaluate=False),
                sympy.Eq(chi, sympy.Rational(1, 2)),
                Num(2**1.5, sig=3),
                Num(rms_he, sig=3),
                seeds_label(len(r.run.seeds)),
            ),
        ),
        Correction(
            Source("programmathically", "Weight Initialization"),
            "Certain techniques such as He initialization and Xavier initialization ensure that the weights "
            "are close to 1.",
            tx(
                "They make the weights small, of standard deviation {} (He) or {} (Xavier): 0.05 to "
                "0.26 for layers of 784 to 30 inputs. What they keep close to 1 is the factor {} by which "
                "a layer scales the mean square of the signal and of the gradient.",
                sympy.sqrt(2 / n, evaluate=False),
                sympy.sqrt(2 / (sympy.Symbol("n_in") + sympy.Symbol("n_out")), evaluate=False),
                chi,
            ),
            tx(
                "Measured on [784, 30, 30, 30, 30, 10], seed 0: He weights of standard deviation {} "
                "(first layer) and {} (hidden), Xavier {} and {}; of all the weights, {} (He) and {} "
                "(Xavier) lie between 0.5 and 1.5 in magnitude.",
                Num(he1, sig=3),
                Num(he2, sig=3),
                Num(xa1, sig=3),
                Num(xa2, sig=3),
                Num(r.near_one["he"], sig=2, percent=True),
                Num(r.near_one["xavier"], sig=2, percent=True),
            ),
        ),
        Correction(
            Source("programmathically", "Use the ReLU Activation Function"),
            "You cannot differentiate the negative section of the ReLU function because it is 0. So as a "
            "convention, the derivative of negative values is just set to 0.",
            tx(
                "On {} the ReLU is the constant 0, whose derivative is 0: no convention is needed. Only "
                "{} is a kink, where the one-sided derivatives are 0 and 1. The leaky ReLU gives the "
                "negative side a nonzero derivative, 0.01, so that no unit's gradient is exactly 0.",
                sympy.Lt(z, 0),
                sympy.Eq(z, 0),
            ),
            tx(
                "Derived: SymPy differentiates {} to {}. Measured: the central difference quotient at "
                "{} is {}, the one-sided quotients at {} are {} and {}.",
                relu_sym,
                sympy.diff(relu_sym, z),
                sympy.Eq(z, -1),
                Num(at, sig=3),
                sympy.Eq(z, 0),
                Num(left, sig=3),
                Num(right, sig=3),
            ),
        ),
    ]


def _theory_check(r: RemediesSolution, book: bool) -> Check:
    """The mean-field prediction against the measurement, for every setup the theory models."""
    n_seeds, gaps, se = len(r.run.seeds), {}, 0.0
    for k, v in _distinct(r).items():
        p = r.predicted[k]
        predicted = p.mean_ratio if book else p.rms_ratio
        if predicted is None:
            continue
        mean, std = _logs(v.ratio_init if book else v.rms_ratio_init)
        gaps[k], se = abs(mean - np.log10(predicted)), max(se, std / np.sqrt(n_seeds))
    worst = max(gaps, key=gaps.get)
    what = (
        "the norm of the mean gradient (the book's measure)"
        if book
        else "the per-image gradients' root mean square"
    )
    return Check(
        tx("the mean-field theory predicts {} at initialisation for {}", speed_ratio(4), what),
        (
            tx("theory: each layer's {} (and, for the mean, the pairs' factor), by quadrature", chi),
            tx("{} seeds of the network on the images", n_seeds),
        ),
        max(gaps.values()),
        FINITE_WIDTH + 3 * se,
        detail=join(tx("{}: {}", k, Num(g, sig=2)) for k, g in gaps.items())
        + tx(
            " (decades, largest for {}); tolerance {} decades for the finite width 30 plus three standard "
            "errors of the seed mean",
            worst,
            Num(FINITE_WIDTH, sig=1),
        ),
        catches=tx(
            "He's variance {} instead of {} (a factor 2.8 in the ratio, 0.45 decades), a wrong derivative of "
            "an activation, or one layer too many or too few",
            1 / sympy.Symbol("n_in"),
            2 / sympy.Symbol("n_in"),
        ),
    )


def checks(r: RemediesSolution) -> list[Check]:
    kinds = sum(kind(r.predicted[k].rms_ratio) != kind(v.geomean_init) for k, v in r.run.setups.items())
    bound_gap = 0.0
    for v in r.run.setups.values():
        bound = r.run.eta * np.minimum(v.gradient_norm, v.clip_norm if v.clip_norm is not None else np.inf)
        bound_gap = max(bound_gap, float(np.max(np.abs(v.update_norm - bound) / bound)))
    bp, fd = r.tanh_ratio
    return [
        _theory_check(r, book=False),
        _theory_check(r, book=True),
        Check.count(
            tx("the theory and the book's measure agree on which setups vanish, balance or explode"),
            int(kinds),
            ("the kind of the predicted ratio", "the kind of the measured ratio (norm of the mean gradient)"),
            detail=join(tx("{}: {}", k, kind(v.geomean_init)) for k, v in r.run.setups.items()),
            catches=tx(
                "an initialisation that does not match its name (say He weights with Xavier's "
                "variance on the sigmoid)"
            ),
        ),
        Check(
            tx(
                "clipping by norm bounds every update: the step is {} times the smaller of the gradient's "
                "norm and {}",
                sympy.Symbol("eta"),
                sympy.Symbol("c"),
            ),
            ("parameters after minus before one step", "the bound from a separate backpropagation"),
            bound_gap,
            1e-9,
            detail=tx("largest relative deviation from the bound {:.2}", bound_gap),
            catches=tx("clipping applied to one layer only, or after the step"),
        ),
        Check.close(
            tx(
                "tanh with Xavier: the ratio from backpropagation equals the ratio from finite "
                "differences of the cost"
            ),
            bp,
            fd,
            ("backpropagation", "central differences of the cost, step 0.00001"),
            rtol=1e-6,
            catches=tx("a wrong derivative of tanh in backpropagation"),
        ),
    ]
