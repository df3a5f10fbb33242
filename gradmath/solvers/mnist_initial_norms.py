"""Sec. 5.1, the table of initial speeds: ‖δˡ‖ of each hidden layer just after initialisation.

The book prints one run of its ``generate_gradient.py`` on its first 1,000 training images:
0.07, 0.31 / 0.012, 0.060, 0.283 / 0.003, 0.017, 0.070, 0.285 for two, three and four hidden layers of 30.
Here every seed is a run: the book's numbers are compared with where one run of ours falls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from ..contract import AnswerLine, Check, Figure, Finding, Panel, Series, Step, Table, Verdict, Writeup
from ..experiments.initial import (
    MAX_SEEDS,
    InitialNorms,
    NeuronGradients,
    initial_norms,
    neuron_gradients,
)
from ..experiments.protocol import BOOK_IMAGES, BOOK_INITIAL_NORMS, book_images, network_sizes
from ..network import Network
from ..notation import ordered
from ..oracles import finite_difference_bias_gradient
from ..registry import Problem, problem
from ..sources import Source
from ..text import Num, join, tx
from .mnist_common import (
    COLORS,
    DataInfo,
    book_printed,
    data_info,
    delta_step,
    load_data,
    norms_table,
    prediction_halfwidth,
    seed_count,
    seeds_label,
    speed,
)

DEPTHS = (2, 3, 4)


@dataclass(frozen=True)
class InitialNormsResult:
    """The norms over seeds, the book's values, and the independent measurements the checks compare."""

    norms: InitialNorms
    bars: NeuronGradients
    book: dict[int, np.ndarray]
    data: DataInfo
    log_mean: dict[int, np.ndarray]  # mean over seeds of log10 of each layer's norm
    halfwidth: dict[int, np.ndarray]  # log10 half-width of the 95 % prediction interval for one run
    not_increasing: int  # (seed, depth) runs whose norms do not increase strictly layer by layer
    backprop: tuple[np.ndarray, np.ndarray]  # delta^1, delta^4 of [784, 30 x 4, 10], seed 0, by backprop
    differences: tuple[np.ndarray, np.ndarray]  # the same by central differences of the cost


@problem("mnist-initial-norms", source=Source("nielsen", "sec. 5.1"), order=130)
class MnistInitialNorms(Problem):
    title = tx("Speed of learning of each hidden layer at initialisation")
    quick = "5 seeds instead of 20"
    uses = frozenset({"seeds", "data"})
    max_seeds = (MAX_SEEDS, "500 seeds take about 8 s here")

    def compute(self, options) -> InitialNormsResult:
        n_seeds = seed_count(options, 20, 5)
        data = load_data(options)
        X, y = book_images(data)
        progress = options.sub(0.0, 0.8).progress
        # a seed takes about 15 ms: less than starting a worker process, so the seeds run here
        r = initial_norms(X, y, DEPTHS, n_seeds, n_jobs=1, progress=progress)
        logs = {h: np.log10(r.norms[h]) for h in DEPTHS}
        half = {h: np.array([prediction_halfwidth(logs[h][:, j]) for j in range(h)]) for h in DEPTHS}
        rising = sum(int(not np.all(np.diff(row) > 0)) for h in DEPTHS for row in r.norms[h])
        net = Network(network_sizes(4), seed=0)
        g = net.bias_gradients(X, y)
        fd = (finite_difference_bias_gradient(net, X, y, 0), finite_difference_bias_gradient(net, X, y, 3))
        options.report(1.0, "initial norms: done")
        return InitialNormsResult(
            norms=r,
            bars=neuron_gradients(X, y, (784, 30, 30, 10), seed=0, top=6),
            book={h: np.array(v) for h, v in BOOK_INITIAL_NORMS.items()},
            data=data_info(data),
            log_mean={h: v.mean(axis=0) for h, v in logs.items()},
            halfwidth=half,
            not_increasing=rising,
            backprop=(g[0], g[3]),
            differences=fd,
        )

    def answer(self, r: InitialNormsResult) -> dict:
        return {
            "mean": r.norms.mean,
            "std": r.norms.std,
            "book": r.book,
            "norms": r.norms.norms,
            "seeds": len(r.norms.seeds),
            "n_images": r.norms.n_images,
            "neuron_gradients": {1: r.bars.delta[0], 2: r.bars.delta[1]},
        }

    def _scores(self, r: InitialNormsResult) -> dict[int, np.ndarray]:
        """Per depth and layer: |log10 book - mean log10 ours| in units of the prediction half-width."""
        return {h: np.abs(np.log10(r.book[h]) - r.log_mean[h]) / r.halfwidth[h] for h in DEPTHS}

    def explain(self, r: InitialNormsResult) -> Writeup:
        n = len(r.norms.seeds)
        inside = sum(int(np.sum(s <= 1)) for s in self._scores(r).values())
        confirmed = inside == 9 and r.not_increasing == 0
        verdict = Verdict.CONFIRMED if confirmed else Verdict.NOT_REPRODUCED
        four = join(Num(float(m), err=float(s)) for m, s in zip(r.norms.mean[4], r.norms.std[4], strict=True))
        return Writeup(
            statement=tx(
                "For [784, 30, 30, 10], [784, 30, 30, 30, 10] and [784, 30, 30, 30, 30, 10] networks with "
                "the "
                "book's initialisation, compute the speed of learning {} of each hidden layer on the first "
                "{} training images. The book finds 0.07, 0.31 / 0.012, 0.060, 0.283 / 0.003, 0.017, 0.070, "
                "0.285: early layers learn much more slowly than later ones.",
                speed("l"),
                f"{BOOK_IMAGES:,}",
            ),
            answer_text=tx(
                "Each hidden layer starts about five times slower than the next: with four hidden layers the "
                "speeds are {} ({}). {} of the book's 9 printed speeds lie within the 95 % interval of one "
                "run of ours.",
                four,
                seeds_label(n),
                inside,
            ),
            steps=self._steps(r),
            answer_lines=[
                AnswerLine(
                    tx("speeds {} at initialisation, ours ({}) and the book's", speed("l"), seeds_label(n)),
                    norms_table(r.norms.mean, r.norms.std, r.book, n),
                    key="mean",
                ),
                AnswerLine(
                    tx("data"), tx("the first {} training images of {}", f"{BOOK_IMAGES:,}", r.data.words())
                ),
            ],
            findings=[
                Finding(
                    tx("at initialisation {} (4 hidden layers)", sympy.StrictLessThan(speed(1), speed(2))),
                    tx("0.003, 0.017, 0.070, 0.285 (one run)"),
                    tx("{} (mean ± std, {} seeds)", four, n),
                    verdict,
                )
            ],
            verdict=verdict,
            verdict_reason=tx(
                "{} of the book's 9 speeds lie within the 95 % interval where one run of ours falls ({} "
                "on {}), and {} of {} runs have speeds increasing strictly from the first hidden layer to "
                "the last.",
                inside,
                seeds_label(n),
                r.data.words(),
                3 * n - r.not_increasing,
                3 * n,
            ),
        )

    def _steps(self, r: InitialNormsResult) -> list[Step]:
        n = len(r.norms.seeds)
        N, s, t = sympy.symbols("N s t_N-1", positive=True)
        rows = []
        for h in DEPTHS:
            for j in range(h - 1):
                ratio = r.norms.norms[h][:, j + 1] / r.norms.norms[h][:, j]
                rows.append(
                    (
                        tx("{}", h),
                        tx("{}", sympy.Eq(sympy.Symbol("l"), j + 1)),
                        Num(float(ratio.mean()), err=float(ratio.std(ddof=1))),
                        Num(float(r.book[h][j + 1] / r.book[h][j]), sig=2),
                    )
                )
        ratios = Table(
            ("hidden layers", "from layer", seeds_label(n), "book"),
            tuple(rows),
            tx(
                "how many times faster layer {} learns than layer {}",
                sympy.Symbol("l") + 1,
                sympy.Symbol("l"),
            ),
        )
        return [
            delta_step(),
            Step(
                tx(
                    "For each of {} seeds, initialise the network with the book's weights, drawn from a "
                    "normal distribution of variance {}, and biases of variance 1, and compute every {} with "
                    "one backpropagation pass over the first {} training images of {}.",
                    n,
                    1 / sympy.Symbol("n_in"),
                    sympy.Symbol("delta^l"),
                    f"{BOOK_IMAGES:,}",
                    r.data.words(),
                )
            ),
            Step(
                tx(
                    "The book prints one run. The speeds are positive and skewed, so we compare on the "
                    "logarithmic scale: one more run falls, with probability 0.95, within the mean of the "
                    "logarithms over the {} seeds plus or minus the half-width (Student's {}, {} the "
                    "standard "
                    "deviation of the logarithms)",
                    N,
                    sympy.Symbol("t"),
                    s,
                ),
                sympy.Eq(sympy.Symbol("h"), ordered(t, s, sympy.sqrt(1 + 1 / N)), evaluate=False),
            ),
            Step(
                tx(
                    "Each layer learns about five times faster than the one before it, in the book's run as "
                    "in ours:"
                ),
                table=ratios,
            ),
        ]

    def checks(self, r: InitialNormsResult) -> list[Check]:
        n = len(r.norms.seeds)
        out = [_book_check(r, h, score, n) for h, score in self._scores(r).items()]
        out.append(
            Check.count(
                tx("early hidden layers learn slower than later ones, {} in every run", _rising()),
                r.not_increasing,
                (
                    "the book's table: every hidden layer faster than the one before",
                    "backpropagation, every seed",
                ),
                detail=tx(
                    "{} of {} runs (seeds times depths) do not increase strictly", r.not_increasing, 3 * n
                ),
                catches=tx("hidden layers stored in reverse order, or gradients taken from the wrong layer"),
                verdict=Verdict.CONFIRMED if r.not_increasing == 0 else Verdict.NOT_REPRODUCED,
            )
        )
        return out + [_gradient_check(r)]

    def figures(self, r: InitialNormsResult) -> list[Figure]:
        n = len(r.norms.seeds)
        caption = tx(
            "Speed of learning {} of each hidden layer at initialisation: {} (bars), each seed (dots), and "
            "the "
            "book's values (crosses); logarithmic scale.",
            speed("l"),
            seeds_label(n),
        )
        panels = [_norms_panel(r, h) for h in DEPTHS]
        return [
            Figure("initial-speeds", caption, panels, ncols=3, width=9.6, height=3.2),
            _bars_figure(r),
        ]


def _rising():
    return sympy.StrictLessThan(speed(1), speed(2))


def _book_check(r: InitialNormsResult, h: int, score: np.ndarray, n: int) -> Check:
    """The book's speeds for ``h`` hidden layers against the interval where one run of ours falls."""
    lines = join(
        tx(
            "layer {}: book {}, ours {} (interval {} to {})",
            j + 1,
            book_printed(h, float(r.book[h][j])),
            Num(float(r.norms.mean[h][j]), err=float(r.norms.std[h][j])),
            Num(10 ** (r.log_mean[h][j] - r.halfwidth[h][j]), sig=3),
            Num(10 ** (r.log_mean[h][j] + r.halfwidth[h][j]), sig=3),
        )
        for j in range(h)
    )
    return Check(
        tx("{} hidden layers: each of the book's initial speeds lies where one run of ours falls", h),
        ("the book's gradient program (one run)", tx("{} seeds here, 95 % prediction interval", n)),
        float(score.max()),
        1.0,
        verdict=Verdict.CONFIRMED if score.max() <= 1 else Verdict.NOT_REPRODUCED,
        detail=tx(
            "{}; agreement is the largest distance of the book's value from our mean, in half-widths of the "
            "interval (logarithmic scale)",
            lines,
        ),
        catches=tx(
            "a wrong initial scale (weights of variance 1 instead of {}) or the mean of per-image gradient "
            "norms instead of the norm of the mean gradient changes the speeds by a factor of 2 or more, "
            "beyond the interval",
            1 / sympy.Symbol("n_in"),
        ),
        book=", ".join(book_printed(h, float(v)) for v in r.book[h]),
        computed=join(
            Num(float(m), err=float(e)) for m, e in zip(r.norms.mean[h], r.norms.std[h], strict=True)
        ).plain(),
    )


def _gradient_check(r: InitialNormsResult) -> Check:
    """Backpropagation's delta^1 and delta^4 against central differences of the cost."""
    rel = max(
        float(np.linalg.norm(f - b) / np.linalg.norm(b))
        for f, b in zip(r.differences, r.backprop, strict=True)
    )
    return Check(
        tx(
            "the speeds come from correct gradients: {} and {} of backpropagation equal central differences "
            "of the cost",
            sympy.Symbol("delta^1"),
            sympy.Symbol("delta^4"),
        ),
        ("backpropagation", "central differences of the cost, step 0.00001"),
        rel,
        1e-6,
        detail=tx(
            "[784, 30, 30, 30, 30, 10], seed 0: {} = {}, {} = {}; largest relative difference of the "
            "vectors {:.2}",
            speed(1),
            Num(float(np.linalg.norm(r.backprop[0])), sig=6),
            speed(4),
            Num(float(np.linalg.norm(r.backprop[1])), sig=6),
            rel,
        ),
        catches=tx(
            "a missing factor {} or a transposed weight matrix in backpropagation", sympy.Symbol("sigma'")
        ),
    )


def _norms_panel(r: InitialNormsResult, h: int) -> Panel:
    n, layers = len(r.norms.seeds), np.arange(1, h + 1)
    seeds = np.tile(layers, (n, 1)).ravel() + 0.12
    return Panel(
        series=[
            Series(
                seeds,
                r.norms.norms[h].ravel(),
                "seeds",
                "scatter",
                style={"alpha": 0.35, "s": 8, "color": "gray"},
            ),
            Series(layers, r.norms.mean[h], "mean ± std", "errorbar", yerr=r.norms.std[h]),
            Series(layers, r.book[h], "book", "scatter", style={"marker": "x", "s": 60, "color": "#FF5555"}),
        ],
        title=f"{h} hidden layers",
        xlabel="hidden layer",
        ylabel=r"$\|\delta^l\|$",
        yscale="log",
        legend=h == 2,
        integer_x=True,
    )


def _bars_figure(r: InitialNormsResult) -> Figure:
    """The book's bar picture: |dC/db_j| of six neurons of each hidden layer of [784, 30, 30, 10]."""
    top = 1.1 * max(float(np.abs(d).max()) for d in r.bars.delta)
    bars = [
        Panel(
            series=[
                Series(
                    np.arange(1, 7),
                    np.abs(r.bars.delta[j]),
                    f"hidden layer {j + 1}",
                    "bar",
                    style={"color": COLORS[j]},
                )
            ],
            title=f"hidden layer {j + 1}",
            xlabel="neuron $j$",
            ylabel=r"$|\partial C/\partial b_j|$",
            ylim=(0.0, top),
            legend=False,
            integer_x=True,
        )
        for j in range(2)
    ]
    caption = tx(
        "The book's picture: {} of the first six neurons of each hidden layer of a [784, 30, 30, 10] network "
        "just after initialisation (seed 0, {} images); {} = {} and {} = {}. The second hidden layer's bars "
        "are mostly larger.",
        sympy.Abs(sympy.Symbol("dC/db_j")),
        f"{BOOK_IMAGES:,}",
        speed(1),
        Num(r.bars.layer_norms[0], sig=3),
        speed(2),
        Num(r.bars.layer_norms[1], sig=3),
    )
    return Figure("mnist-initial-gradient-bars", caption, bars, ncols=2)
