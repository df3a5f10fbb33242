"""What the four MNIST solvers share: the data they run on, seed counts and their limits, seed statistics.

Not a problem of its own (it registers nothing). The experiments themselves live in
:mod:`gradmath.experiments`; this module turns run options into their arguments and their results
into the pieces of a write-up that every MNIST solver uses the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy
from scipy.special import stdtrit

from ..contract import Step, Table
from ..experiments.protocol import BOOK_IMAGES, is_book_scale
from ..notation import ordered, ordered_sum
from ..registry import RunOptions
from ..text import Code, Num, Text, tx

__all__ = [
    "COLORS",
    "book_printed",
    "ETA_SYMBOL",
    "FULL_DATA_COMMAND",
    "DataInfo",
    "data_info",
    "load_data",
    "seed_count",
    "seed_stat",
    "seeds_label",
    "prediction_halfwidth",
    "delta_step",
    "norms_table",
    "speed",
    "speed_ratio",
]

#: the book's plot colours (generate_gradient.py), one per hidden layer
COLORS = ("#2A6EA6", "#FFA933", "#FF5555", "#55AA55")
#: the learning rate's symbol
ETA_SYMBOL = sympy.Symbol("eta", positive=True)
#: how to run the experiments at the book's scale
FULL_DATA_COMMAND = Code("python -m gradmath.report --mnist PATH")


@dataclass(frozen=True)
class DataInfo:
    """Which MNIST the experiments ran on: sizes, whether it is the book's scale, and its provenance.

    ``provenance`` is the loader's (:class:`~gradmath.datasets.MnistData`): "canonical" (the decompressed
    files match the canonical MNIST's MD5s), "modified", "unverified" or "embedded".
    """

    n_train: int
    n_validation: int
    book_scale: bool
    provenance: str
    source: str

    @property
    def embedded(self) -> bool:
        return self.provenance == "embedded"

    def words(self) -> Text:
        """The data in words, e.g. "the embedded subset of real MNIST (4,000 training and ...)"."""
        sizes = f"{self.n_train:,} training and {self.n_validation:,} validation images"
        if not (self.book_scale or self.embedded):
            sizes += ", not the book's 50,000 / 10,000 split"
        what = {
            "embedded": "the embedded subset of real MNIST",
            "canonical": "the canonical MNIST, verified by MD5",
            "modified": "a modified copy of MNIST",
        }.get(self.provenance, "MNIST whose files could not be verified")
        return tx("{} ({})", what, sizes)

    def short(self) -> str:
        """The data in a few words for a summary cell: "the full MNIST" or e.g. "embedded, 4,000 images"."""
        if self.book_scale and self.provenance == "canonical":
            return "the full MNIST"
        what = {"embedded": "embedded", "canonical": "canonical MNIST", "modified": "modified MNIST"}
        return f"{what.get(self.provenance, 'unverified MNIST')} {self.n_train:,} images"


def load_data(options: RunOptions):
    """The MNIST data of the run options (the embedded subset when none is given)."""
    if options.data is not None:
        return options.data
    from ..datasets import load_mnist

    return load_mnist()


def data_info(data) -> DataInfo:
    """Describe ``data`` (an :class:`~gradmath.datasets.MnistData`)."""
    return DataInfo(
        len(data.train.y), len(data.validation.y), is_book_scale(data), data.provenance, data.source
    )


def seed_count(options: RunOptions, default: int, quick: int) -> int:
    """The number of seeds: ``options.seeds`` (checked by :meth:`Problem.checked_options`), else the default."""
    if options.seeds is None:
        return quick if options.quick else default
    return options.seeds


def seed_stat(values, percent: bool = False) -> Num:
    """Mean ± standard deviation (ddof=1) of per-seed values, as a :class:`Num`."""
    v = np.asarray(values, dtype=float)
    return Num(float(v.mean()), err=float(v.std(ddof=1)) if len(v) > 1 else None, percent=percent)


def seeds_label(n: int) -> str:
    """The label every seed statistic carries."""
    return f"mean ± std over {n} seeds"


def prediction_halfwidth(values, level: float = 0.95) -> float:
    """Half-width of the Student-t prediction interval for one more independent run: t s sqrt(1 + 1/n)."""
    v = np.asarray(values, dtype=float)
    n = len(v)
    if n < 2:
        raise ValueError(f"a prediction interval needs at least 2 runs, got {n}")
    return float(stdtrit(n - 1, 0.5 + level / 2) * v.std(ddof=1) * np.sqrt(1 + 1 / n))


def speed(l) -> sympy.Symbol:
    """The book's speed of learning of hidden layer ``l``: the symbol ‖δˡ‖."""
    return sympy.Symbol(f"||delta^{l}||", positive=True)


def speed_ratio(last, first=1) -> sympy.Expr:
    """‖δ^last‖ / ‖δ^first‖, unevaluated."""
    return sympy.Mul(speed(last), sympy.Pow(speed(first), -1, evaluate=False), evaluate=False)


def delta_step(n_images: int = BOOK_IMAGES) -> Step:
    """The book's definition of the speed of learning of a layer (sec. 5.1)."""
    l, n, x = sympy.Symbol("l"), sympy.Symbol("n"), sympy.Symbol("x")
    mean = sympy.Sum(sympy.Symbol("dC_x/db^l_j") / n, (x, 1, n))
    return Step(
        tx(
            "The book's speed of learning of hidden layer {} is the length {} of the vector of mean bias "
            "gradients over the {} training images ({}):",
            l,
            speed(l),
            sympy.Eq(n, n_images),
            "the book's gradient program",
        ),
        sympy.Eq(sympy.Symbol("delta^l_j"), mean, evaluate=False),
    )


def l2_update(batch: sympy.Expr) -> sympy.Eq:
    """w′ = (1 − ηλ/n) w − (η/``batch``) ∇_w C: the book's L2-regularised gradient step (ch. 3), in its
    order, on mini-batches of size ``batch`` (``n`` for full-batch descent)."""
    w, n, lam = sympy.symbols("w n lambda", positive=True)
    update = ordered_sum(ordered(ordered_sum(1, -ETA_SYMBOL * lam / n), w),
                         -ordered(ETA_SYMBOL / batch, sympy.Symbol("nabla_w C")))  # fmt: skip
    return sympy.Eq(sympy.Symbol("w'"), update, evaluate=False)


def book_printed(h: int, value: float) -> str:
    """A speed of the book's table as it prints it: two decimals for 2 hidden layers, three for more
    (0.060 and 0.070, not 0.06 and 0.07)."""
    return f"{value:.{2 if h == 2 else 3}f}"


def norms_table(mean: dict, std: dict, book: dict, n_seeds: int) -> Table:
    """Per depth and hidden layer: our speed (mean ± std over seeds) beside the book's one run."""
    rows = []
    for h in sorted(mean):
        for j in range(h):
            rows.append(
                (
                    tx("{}", h),
                    tx("{}", j + 1),
                    Num(float(mean[h][j]), err=float(std[h][j])),
                    book_printed(h, float(book[h][j])),
                )
            )
    return Table(("hidden layers", "layer", seeds_label(n_seeds), "book (one run)"), tuple(rows))
