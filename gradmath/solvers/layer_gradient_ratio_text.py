"""The written solution, checks and figures of the ``layer-gradient-ratio`` problem
(:mod:`.layer_gradient_ratio` computes; this module only reads its typed result)."""

from __future__ import annotations

import math

import numpy as np
import sympy

from .. import chain_stats
from .. import meanfield as mf
from ..contract import (
    AnswerLine,
    Check,
    Figure,
    Finding,
    Panel,
    Series,
    Step,
    Table,
    Verdict,
    Writeup,
)
from ..notation import ordered
from ..sources import Source
from ..text import Cite, Num, Ref, Text, tx
from .layer_gradient_ratio import MEASURES, WIDE_INPUTS, WIDE_LAYER, LayerGradientRatio, book_ratios
from .mnist_common import seed_stat

__all__ = ["writeup", "checks", "figures"]

# --- symbols -----------------------------------------------------------------------------------------
# display symbols carry no assumptions, so that Eq(q^*, 0) stays an equation
q, q_star, chi_s, chi_c = sympy.symbols("q q^* chi chi_c")
sw2, sb2 = sympy.Symbol("sigma_w^2"), sympy.Symbol("sigma_b^2")
Z, n_in = sympy.Symbol("Z"), sympy.Symbol("n_in", positive=True)
phi, phi_p = sympy.Function("phi"), sympy.Function("phi_prime")
E = sympy.Function("E")
Normal = sympy.Function("N")
delta_l, delta_next = sympy.Symbol("delta^l"), sympy.Symbol("delta^l+1")
norm_l, norm_next = sympy.Symbol("||delta^l||"), sympy.Symbol("||delta^l+1||")
SIG = "sigmoid-default"
NAMES = {"sigmoid-default": "sigmoid, the book's initialisation", "sigmoid-xavier": "sigmoid, Xavier",
         "tanh-xavier": "tanh, Xavier", "relu-he": "ReLU, He", "leaky-relu-he": "leaky ReLU, He"}  # fmt: skip


def _variance_map():
    return sympy.Eq(
        sympy.Symbol("q_l+1"), ordered(sw2, E(phi(ordered(sympy.sqrt(sympy.Symbol("q_l")), Z)) ** 2)) + sb2
    )


def _chi_def(qq=q_star):
    return sympy.Eq(chi_s, ordered(sw2, E(phi_p(ordered(sympy.sqrt(qq), Z)) ** 2)))


def _ratio(r: LayerGradientRatio, name: str) -> float:
    return 1 / math.sqrt(r.theory[name].chi)


def _per_seed(m: np.ndarray, measure: str) -> np.ndarray:
    """Per seed, the geometric mean over the layer pairs of one measure."""
    return np.exp(np.mean(np.log(m[:, :, MEASURES.index(measure)]), axis=1))


def _q_text(r: LayerGradientRatio, name: str) -> Text:
    fp = r.theory[name].fixed
    if fp.kind == "stable":
        return tx("{}", Num(fp.q_star, sig=6))
    return {"zero": tx("0, approached slowly"), "every q": tx("every {}", q),
            "none": tx("none: {} grows", q)}[fp.kind]  # fmt: skip


def _config_table(r: LayerGradientRatio) -> Table:
    rows = []
    for name, c in mf.CONFIGS.items():
        t = r.theory[name]
        rows.append((NAMES[name], tx("{}", sympy.nsimplify(c.sigma_w2)), tx("{}", sympy.nsimplify(c.sigma_b2)),
                     _q_text(r, name), tx("{}", Num(t.chi, sig=5)), tx("{}", Num(_ratio(r, name), sig=4)),
                     tx("{}", Num(float(np.exp(np.mean(np.log(r.predicted[name][1])))), sig=3)),
                     tx("{}", seed_stat(_per_seed(r.measured[name], "mean")))))  # fmt: skip
    header = ("units, weights", tx("{}", sw2), tx("{}", sb2), tx("{}", q_star), tx("{}", chi_s),
              tx("{}", 1 / sympy.sqrt(chi_s)), "predicted, book's measure", f"measured ({r.seeds} seeds, ± std)")  # fmt: skip
    return Table(header, tuple(rows), tx("Per-layer growth of the gradient norm toward the output in the hidden "
                                         "layers of [784, 30, 30, 30, 30, 10] networks at initialisation."))  # fmt: skip


def _book_table(r: LayerGradientRatio) -> Table:
    rows = []
    for h, ratios in book_ratios().items():
        m = r.book_nets[h][:, :, MEASURES.index("mean")]
        for k, b in enumerate(ratios):
            rows.append((tx("{}", h), tx("{} to {}", k + 1, k + 2), tx(f"{float(b):.2f}"),
                         tx("{}", Num(float(r.book_predicted[h][1][k]), sig=3)),
                         tx("{}", seed_stat(m[:, k]))))  # fmt: skip
    return Table(
        ("hidden layers", "layers", "book", "predicted", f"measured ({r.seeds} seeds, ± std)"), tuple(rows),
        tx("The growth of the norm of the mean gradient from one hidden layer to the next, measured on the very "
           "networks of {} (the same seeds, the same 1,000 images): the ratios of that section's speeds.",
           Ref("mnist-initial-norms", "the initial-speeds problem")),
    )  # fmt: skip


def _steps(r: LayerGradientRatio) -> list[Step]:
    return (_theory_steps(r) + [Step(_other_configurations(r))] + _measure_steps(r)
            + [Step(_width_text(r)), _depth_step(r)])  # fmt: skip


def _theory_steps(r: LayerGradientRatio) -> list[Step]:
    sig = r.theory[SIG]
    return [
        Step(
            tx(
                "In a hidden layer with {} inputs, each pre-activation is a sum of {} independent terms with "
                "weights of variance {} plus a bias of variance {}; for wide layers it is Gaussian, with a "
                "variance that follows the variance map",
                n_in,
                n_in,
                sw2 / n_in,
                sb2,
            ),
            _variance_map(),
            label="eq-variance-map",
        ),
        Step(
            tx(
                "It settles at a fixed point {}. Backpropagation, {}, sums {} terms per component, so the mean "
                "squared norm of {} is multiplied by",
                q_star,
                sympy.Eq(
                    delta_l, ordered(phi_p(sympy.Symbol("z^l")), ordered(sympy.Symbol("w^l+1.T"), delta_next))
                ),
                n_in,
                delta_l,
            ),
            _chi_def(),
            label="eq-chi",
        ),
        Step(
            tx(
                "per layer, and the norm grows by {} per layer toward the output ({}). For the book's sigmoid "
                "network ({}, {}): {} and {}, so the norm grows {}-fold per layer. The table of the result "
                "gives every configuration, and {} maps {} over the plane of the two variances.",
                1 / sympy.sqrt(chi_s),
                Cite("poole2016"),
                sympy.Eq(sw2, 1),
                sympy.Eq(sb2, 1),
                sympy.Eq(q_star, sympy.Float(sig.fixed.q_star, 8)),
                sympy.Eq(chi_s, sympy.Float(sig.chi, 6)),
                Num(_ratio(r, SIG), sig=4),
                Ref("phase", "a figure"),
                chi_s,
            ),
        ),
    ]


def _other_configurations(r: LayerGradientRatio) -> Text:
    return tx(
                "For ReLU with He's {} the map is {}: every {} is a fixed point and {} whatever {}, because half "
                "the units are active, {}. For tanh with Xavier's variance ({} for equal widths) and {}, the "
                "variance decays to {} and {}, so {} there. Leaky ReLU with He multiplies {} by {} per layer: no "
                "fixed point, and {}. The sigmoid's derivative is at most {}, at a mean activation of {}: with {} no "
                "variance reaches {} (Xavier leaves {}).",
                sympy.Eq(sw2, 2),
                sympy.Eq(sympy.Symbol("q_l+1"), sympy.Symbol("q_l")),
                q,
                sympy.Eq(chi_s, 1),
                q,
                sympy.Eq(E(phi_p(Z) ** 2), sympy.Rational(1, 2)),
                sympy.Eq(sw2, 1),
                sympy.Eq(sb2, 0),
                sympy.Eq(q_star, 0),
                sympy.Eq(phi_p(0), 1),
                sympy.Eq(chi_s, 1),
                q,
                1 + sympy.Symbol("alpha") ** 2,
                sympy.Eq(chi_s, 1 + sympy.Symbol("alpha") ** 2),
                sympy.Rational(1, 4),
                sympy.Rational(1, 2),
                sympy.Le(sw2, 16),
                sympy.Eq(chi_s, 1),
                sympy.Eq(chi_s, sympy.Float(r.theory["sigmoid-xavier"].chi, 3)),
            )  # fmt: skip


def _measure_steps(r: LayerGradientRatio) -> list[Step]:
    cs = r.first_correlation
    pr = r.predicted
    return [
        Step(
            tx(
                "What is predicted: {} describes the mean over the images of one image's {}. The book measures "
                "the norm of the mean over its 1,000 images, whose square is {} of the per-image squared norms "
                "plus the rest in the inner products {} of pairs of images; these shrink by {} per layer, which "
                "by Cauchy–Schwarz is at most {}, with equality when the two images' pre-activations are fully "
                "correlated. In the book's network two images' first-layer pre-activations have correlation "
                "{} on average (the biases dominate), and since {} the correlations tend to 1: both measures "
                "grow about alike ({} and {} predicted for the first pair of layers). With ReLU and He weights "
                "the correlation is {} and approaches 1 only slowly, so the norm of the mean gradient grows by "
                "{} per layer (geometric mean over the three pairs) although {} ({}).",
                chi_s,
                sympy.Symbol("||delta_x||") ** 2,
                sympy.Rational(1, r.n_images),
                sympy.Symbol("delta_x cdot delta_x'"),
                chi_c,
                chi_s,
                Num(cs[SIG], sig=2),
                sympy.Lt(chi_s, 1),
                Num(float(pr[SIG][0][0]), sig=3),
                Num(float(pr[SIG][1][0]), sig=3),
                Num(cs["relu-he"], sig=2),
                Num(float(np.exp(np.mean(np.log(pr["relu-he"][1])))), sig=3),
                sympy.Eq(chi_s, 1),
                Ref("predicted-vs-measured", "see the figure of predicted against measured ratios"),
            )
        ),  # fmt: skip
        Step(
            tx(
                "The first hidden layer is fed by the pixels, not by the fixed point: its variance {} (mean "
                "over the images) differs from {}, so the first ratio is {} rather than {}. The output error "
                "{} of the cross-entropy cost sets the scale of the last hidden layer's {}, not the ratios "
                "between hidden layers. The second table of the result sets the prediction for each of the "
                "book's networks beside the book's ratios and ours.",
                sympy.Symbol("q^1"),
                q_star,
                Num(float(pr[SIG][0][0]), sig=3),
                Num(_ratio(r, SIG), sig=3),
                sympy.Symbol("a^L") - sympy.Symbol("y"),
                delta_l,
            ),
        ),  # fmt: skip
    ]


def _width_text(r: LayerGradientRatio) -> Text:
    typ = {w: float(np.exp(np.mean(np.log(r.width_ratios[("gaussian", w)][:, 2])))) for w in r.widths}
    # the chain's typical decay (vanishing-typical)
    exact = -chain_stats.stationary_chain(m=201).mean_log_factor()
    n = len(r.width_ratios[("gaussian", 1)])
    return tx("Width decides how far the chain of single neurons is from the layer: in random sigmoid networks of "
              "{} layers the typical per-layer ratio of one input's gradient is {} at width 1 ({} seeds; the "
              "chain of {}, whose factor's logarithm averages exactly {}, a factor {}, while its mean square "
              "is {}), {} at width 10, {} at width 30 and "
              "{} at width {}, converging to {} (see {}). In a wide layer each component of {} sums many "
              "terms, so its squared norm concentrates at its mean and the typical decay approaches the mean-"
              "square decay; a single neuron's factor is skewed, and by Jensen's inequality its typical size "
              "is smaller than its root mean square: the chain overstates the decay.", r.depth, Num(typ[1], sig=3),
              n, Ref("vanishing-typical", "the typical-factor problem"), Num(-exact, sig=4), Num(math.exp(exact), sig=4),
              chi_s, Num(typ[10], sig=3), Num(typ[30], sig=3), Num(typ[r.widths[-1]], sig=4),
              r.widths[-1], Num(_ratio(r, SIG), sig=4), Ref("widths", "the width figure"),
              delta_l)  # fmt: skip


def _depth_step(r: LayerGradientRatio) -> Step:
    n = len(next(iter(r.depth_ratios.values())))
    rows = tuple((tx("{}", d), seed_stat(v[:, 0]), seed_stat(v[:, 2])) for d, v in r.depth_ratios.items())
    return Step(
        tx("Depth changes nothing once the first layers have reached the fixed point: in random networks of "
           "the book's width 30 fed MNIST images, the per-layer ratio (geometric mean over the layers after the "
           "first two; mean ± std over {} seeds) is the same at every depth, {} % above the {} of an "
           "infinitely wide layer at {} layers (the finite-width offset of the width figure):", n,
           Num(100 * (float(r.depth_ratios[max(r.depth_ratios)][:, 0].mean()) / _ratio(r, SIG) - 1), sig=2),
           Num(_ratio(r, SIG), sig=3), max(r.depth_ratios)),
        table=Table(("hidden layers", "root mean square ratio", "typical ratio"), rows))  # fmt: skip


def writeup(r: LayerGradientRatio) -> Writeup:
    sig = _per_seed(r.measured[SIG], "mean")
    book = np.concatenate(list(book_ratios().values()))
    verdict = Verdict.CONFIRMED if _within_spread(r) else Verdict.NOT_REPRODUCED
    return Writeup(
        statement=tx(
            "The book's table of initial speeds shows the gradient's norm growing about five-fold per hidden "
            "layer toward the output (0.07 → 0.31; 0.012 → 0.060 → 0.283; 0.003 → 0.017 → 0.070 → 0.285), "
            "while a typical factor {} of the chain of single neurons suggests about ten-fold. Predict the "
            "per-layer ratio from the theory of signal propagation in wide random networks ({}; {}) for "
            "the book's initialisation and for the remedies of {}, and compare it with measurements.",
            sympy.Abs(sympy.Symbol("w") * sympy.Function("sigma_prime")(sympy.Symbol("z"))),
            Cite("poole2016"),
            Cite("schoenholz2017"),
            Cite("programmathically"),
        ),  # fmt: skip
        answer_text=tx(
            "With weights {} and biases {}, the variance settles at {} and each layer multiplies the mean "
            "squared gradient by {}: the norm grows {}-fold per layer, and {} seeds measure {} (± std) in the "
            "book's networks, with the book's six ratios ({}) inside the seed spread. Xavier with tanh "
            "and He with ReLU sit at {}, the edge of chaos, but Xavier with the sigmoid leaves {}.",
            Normal(0, 1 / n_in),
            Normal(0, 1),
            sympy.Eq(q_star, sympy.Float(r.theory[SIG].fixed.q_star, 5)),
            sympy.Eq(chi_s, sympy.Float(r.theory[SIG].chi, 4)),
            Num(_ratio(r, SIG), sig=3),
            r.seeds,
            seed_stat(sig),
            ", ".join(f"{b:.1f}" for b in book),
            sympy.Eq(chi_s, 1),
            sympy.Eq(chi_s, sympy.Float(r.theory["sigmoid-xavier"].chi, 3)),
        ),  # fmt: skip
        steps=_steps(r),
        answer_lines=[
            AnswerLine("per configuration", _config_table(r), key="ratio"),
            AnswerLine("the book's networks", _book_table(r), key="book"),
        ],
        findings=[
            Finding(
                tx("the gradient's norm grows about five-fold per hidden layer toward the output"),
                tx("{}", ", ".join(f"{b:.1f}" for b in book)),
                tx("{} predicted; {} (± std, {} seeds)", Num(_ratio(r, SIG), sig=3), seed_stat(sig), r.seeds),
                verdict,
            ),  # fmt: skip
        ],
        verdict=verdict,
        verdict_reason=tx(
            "the mean-field ratio {} agrees with the measured {} within the seed spread, and so do the "
            "book's ratios.",
            Num(_ratio(r, SIG), sig=3),
            seed_stat(sig),
        )
        if verdict == Verdict.CONFIRMED
        else tx("the measured ratio lies outside the seed spread of the prediction."),  # fmt: skip
        corrections=[
            _xavier_correction(r),
        ],
    )


def _xavier_correction(r: LayerGradientRatio):
    from ..contract import Correction

    return Correction(
        Source("programmathically", "Weight Initialization"),
        "The adjusted standard deviation helps constrain the weights to a range that makes exploding and "
        "vanishing gradients less likely.",
        tx("Only with a matching activation: He's {} balances ReLU ({}) and Xavier's variance balances tanh at "
           "{}; with the sigmoid, Xavier leaves {}, a {}-fold decay per layer.", sympy.Eq(sw2, 2), sympy.Eq(chi_s, 1),
           sympy.Eq(sb2, 0), sympy.Eq(chi_s, sympy.Float(r.theory["sigmoid-xavier"].chi, 3)),
           Num(_ratio(r, "sigmoid-xavier"), sig=3)),
        tx("Gauss–Hermite quadrature and SciPy's adaptive quadrature agree on {} to {}; measured in {} seeds: {} "
           "(± std).", chi_s, Num(1e-10, sig=1), r.seeds,
           seed_stat(_per_seed(r.measured["sigmoid-xavier"], "mean"))),
    )  # fmt: skip


def _within_spread(r: LayerGradientRatio) -> bool:
    m = _per_seed(r.measured[SIG], "mean")
    pred = float(np.exp(np.mean(np.log(r.predicted[SIG][1]))))
    return abs(m.mean() - pred) <= m.std(ddof=1)


# --- checks -------------------------------------------------------------------------------------------


def checks(r: LayerGradientRatio) -> list[Check]:
    out = []
    for name, t in r.theory.items():
        out.append(Check.close(
            tx("{} for {}: Gauss–Hermite against adaptive quadrature", chi_s, NAMES[name]), t.chi, t.chi_quad,
            ("Gauss–Hermite, 200 nodes (closed form for ReLU)",
             "SciPy's adaptive quadrature against the normal density"), rtol=1e-9,
            catches=tx("a quadrature with too few nodes, or a wrong derivative {}", phi_p(Z))))  # fmt: skip
        out.append(Check.within_se(
            tx("{} for {}: theory against a random layer of width {}", chi_s, NAMES[name], f"{WIDE_LAYER:,}"),
            t.chi_mc, t.chi_mc_se,
            t.chi, (f"Monte Carlo, {WIDE_INPUTS} inputs through one random layer", tx("mean-field {}", chi_s)),
            catches=tx("a weight variance scaled by {} instead of {} (a factor {} off)", 1 / n_in ** 2, 1 / n_in, n_in)))  # fmt: skip
    stable = [n for n, t in r.theory.items() if t.fixed.kind == "stable"]
    out.append(Check.close(
        tx("{} is a fixed point of the variance map ({})", q_star, ", ".join(NAMES[n] for n in stable)),
        max(r.theory[n].map_residual for n in stable), 0.0,
        ("Brent's root finder (SciPy) on the Gauss–Hermite map",
         tx("the map evaluated by SciPy's adaptive quadrature at that {}", q_star)), atol=1e-10,
        catches=tx("a fixed point of the wrong map (for example without {})", sb2)))  # fmt: skip
    out += _measurement_checks(r)
    return out


def _measurement_checks(r: LayerGradientRatio) -> list[Check]:
    out = []
    for name in (SIG, "relu-he"):
        m = r.measured[name]
        for measure, which in (("rms", 0), ("mean", 1)):
            per_seed = _per_seed(m, measure)
            pred = float(np.exp(np.mean(np.log(r.predicted[name][which]))))
            label = (
                "root mean square over images"
                if measure == "rms"
                else "norm of the mean (the book's measure)"
            )
            out.append(Check(
                tx("{}: predicted per-layer ratio, {}", NAMES[name], label), ("mean-field propagation of the 1,000 "
                   "images", f"{r.seeds} random [784, 30, 30, 30, 30, 10] networks"),
                abs(per_seed.mean() - pred), per_seed.std(ddof=1),
                catches=tx("the chain's ten-fold decay, or {} where {} applies", chi_s, chi_c),
                detail=tx("predicted {}, measured {} (± std over seeds)", Num(pred, sig=4), seed_stat(per_seed)),
                verdict=Verdict.CONFIRMED if name == SIG and measure == "mean" else None))  # fmt: skip
    book = np.concatenate(list(book_ratios().values()))
    all_mean = np.concatenate([r.book_nets[h][:, :, 1].ravel() for h in (2, 3, 4)])
    farthest = float(np.max(np.abs(np.log(book) - np.log(all_mean).mean())))
    out.append(Check(
        tx("the book's six ratios lie within the spread of ours"), ("the book's printed norms",
           f"{r.seeds} seeds of the book's three networks"),
        farthest, 2 * float(np.log(all_mean).std(ddof=1)),
        catches=tx("a prediction or measurement off by the chain's factor of 2"),
        detail=tx("the largest distance of a book ratio's logarithm from the mean logarithm of ours is {}, "
                  "against twice the standard deviation of our logarithms",
                  Num(farthest, sig=2)),
        book=", ".join(f"{b:.2f}" for b in book), verdict=Verdict.CONFIRMED))  # fmt: skip
    depths = sorted(r.depth_ratios)
    shallow, deep = r.depth_ratios[depths[0]][:, 0], r.depth_ratios[depths[-1]][:, 0]
    se = math.hypot(shallow.std(ddof=1) / math.sqrt(len(shallow)), deep.std(ddof=1) / math.sqrt(len(deep)))
    out.append(Check.within_se(
        tx("the per-layer ratio does not change with depth ({} against {} hidden layers)", depths[0], depths[-1]),
        float(deep.mean()), se, float(shallow.mean()),
        (f"{depths[-1]}-layer random networks", f"{depths[0]}-layer random networks"), n_se=3.0,
        detail=tx("{} layers: {}; {} layers: {} (mean ± std over seeds); the difference is {} standard errors",
                  depths[-1], seed_stat(deep), depths[0], seed_stat(shallow),
                  Num(abs(float(deep.mean() - shallow.mean())) / se, sig=2)),
        catches=tx("a ratio that compounds with depth (a total taken for a per-layer ratio, or a drift of {})",
                   sympy.Symbol("q"))))  # fmt: skip
    wide = r.width_ratios[("gaussian", r.widths[-1])][:, 0]
    out.append(Check.close(
        tx("at width {} the measured ratio approaches {}", r.widths[-1], 1 / sympy.sqrt(chi_s)), float(wide.mean()),
        1 / math.sqrt(r.theory[SIG].chi), ("random sigmoid network, Gaussian inputs", "mean-field theory"),
        rtol=0.01,
        detail=tx("root mean square ratio per layer at width {}: {} (one network); {} = {}", r.widths[-1],
                  Num(float(wide[0]), sig=4),
                  1 / sympy.sqrt(chi_s), Num(1 / math.sqrt(r.theory[SIG].chi), sig=6)),
        catches=tx("a width-independent error in {}", chi_s)))  # fmt: skip
    return out


# --- figures ------------------------------------------------------------------------------------------


def figures(r: LayerGradientRatio) -> list[Figure]:
    return [_phase_figure(r), _predicted_vs_measured(r), _width_figure(r)]


def _phase_figure(r: LayerGradientRatio) -> Figure:
    panels = []
    markers = {"sigmoid": ("sigmoid-default", "sigmoid-xavier"), "tanh": ("tanh-xavier",)}
    short = {"sigmoid-default": "book", "sigmoid-xavier": "Xavier", "tanh-xavier": "Xavier"}
    for act, (w2, b2, chi) in r.phase.items():
        series = [Series(w2, b2, None, kind="heatmap", y2=np.log10(chi), style={"label": r"$\log_{10}\chi$"}),
                  Series(w2, b2, r"$\chi = 1$", kind="contour", y2=chi, style={"levels": [1.0]})]  # fmt: skip
        for name in markers[act]:
            c = mf.CONFIGS[name]
            series.append(Series(c.sigma_w2, c.sigma_b2, short[name], kind="point"))
        panels.append(
            Panel(
                series,
                title=act,
                xlabel=r"$\sigma_w^2$",
                ylabel=r"$\sigma_b^2$",
                legend=False,
                xscale="log" if act == "sigmoid" else "linear",
            )
        )
    return Figure("phase", tx("The factor {} per layer over ({}, {}) for sigmoid and tanh units, with the edge of "
                              "chaos {} and the initialisations of the text.", chi_s, sw2, sb2, sympy.Eq(chi_s, 1)),
                  panels, ncols=2, height=3.0)  # fmt: skip


def _predicted_vs_measured(r: LayerGradientRatio) -> Figure:
    series = []
    for k, (name, m) in enumerate(r.measured.items()):
        for which, measure, marker in ((0, "rms", "o"), (1, "mean", "s")):
            pred = float(np.exp(np.mean(np.log(r.predicted[name][which]))))
            per_seed = _per_seed(m, measure)
            label = NAMES[name] if which == 1 else None
            series.append(Series([pred], [per_seed.mean()], label, kind="errorbar", yerr=[per_seed.std(ddof=1)],
                                 style={"marker": marker, "color": f"C{k}"}))  # fmt: skip
    series.append(
        Series([0.9, 5.5], [0.9, 5.5], "predicted = measured", style={"linestyle": ":", "color": "0.4"})
    )
    panel = Panel(series, xlabel="predicted ratio per layer", ylabel=f"measured ({r.seeds} seeds, ± std)",
                  xscale="log", yscale="log")  # fmt: skip
    return Figure("predicted-vs-measured", tx("Predicted against measured per-layer ratios for every configuration: "
                                              "circles the root mean square over images, squares the norm of the "
                                              "mean (the book's measure). ReLU and leaky ReLU with He's "
                                              "initialisation nearly coincide."), [panel])  # fmt: skip


def _width_figure(r: LayerGradientRatio) -> Figure:
    series = []
    for inputs, style in (("gaussian", "-"), ("mnist", "--")):
        shown = {"gaussian": "Gaussian", "mnist": "MNIST"}[inputs]
        ys = [float(np.exp(np.mean(np.log(r.width_ratios[(inputs, w)][:, 2])))) for w in r.widths]
        series.append(
            Series(
                list(r.widths),
                ys,
                f"typical ratio, {shown} inputs",
                style={"linestyle": style, "marker": "o"},
            )
        )
    series.append(Series(None, 1 / math.sqrt(r.theory[SIG].chi), r"$1/\sqrt{\chi}$", kind="hline"))
    panel = Panel(series, xlabel="width (units per hidden layer)", ylabel="ratio per layer", xscale="log")
    return Figure("widths", tx("The typical per-layer ratio of one input's gradient in random sigmoid networks of "
                               "{} layers against their width: the chain (width 1) overstates the decay; wide "
                               "layers approach {}.", r.depth, 1 / sympy.sqrt(chi_s)), [panel])  # fmt: skip
