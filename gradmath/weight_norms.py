"""The size of random weight matrices: ‖w‖₂ for ``w`` with entries ``N(0, 1/n_in)`` (the book's
initialisation), asymptotically and at finite size.

As both sizes grow in proportion, the largest singular value tends to the edge of the Marchenko–Pastur
law, ``1 + √(n_out/n_in)`` (Bai and Yin); at finite size it lies below the edge, by about
``1.2 n^(−2/3)`` relative (the Tracy–Widom shift), and it fluctuates. :func:`weight_norm_law` gives the
finite-size mean and spread by Monte Carlo, and :func:`weight_norm_zscores` compares a network's
weights with it. Used by section 5.2 (eq. 124): ``‖(wʲ)ᵀ‖₂`` bounds how much a pair ``Σ′(zʲ⁻¹)(wʲ)ᵀ``
can amplify the gradient.

Examples
--------
>>> marchenko_pastur_edge(30, 30)
2.0
>>> law = weight_norm_law(30, 30, samples=200)
>>> 1.8 < law.mean < 2.0
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import validate

__all__ = [
    "marchenko_pastur_edge",
    "WeightNormLaw",
    "weight_norm_law",
    "weight_norm_laws",
    "WeightNormZ",
    "weight_norm_zscores",
    "LAW_MAX_DRAWS",
]


# --- the size of the weights --------------------------------------------------------------------


def marchenko_pastur_edge(n_out: int, n_in: int) -> float:
    """``1 + √(n_out / n_in)``: the limit of ``‖w‖₂`` for ``w`` with entries ``N(0, 1/n_in)`` as both
    sizes grow in proportion (the edge of the Marchenko–Pastur law; Bai and Yin)."""
    return 1.0 + math.sqrt(n_out / n_in)


@dataclass(frozen=True)
class WeightNormLaw:
    """The distribution of ``‖w‖₂`` for an ``(n_out, n_in)`` matrix of ``N(0, 1/n_in)`` entries."""

    n_out: int
    n_in: int
    mean: float
    sd: float
    samples: int

    @property
    def se(self) -> float:
        """Standard error of ``mean``."""
        return self.sd / math.sqrt(self.samples)


#: the most Gaussian numbers :func:`weight_norm_law` draws at once (400 MB of float64)
LAW_MAX_DRAWS = 50_000_000


def weight_norm_law(n_out: int, n_in: int, samples: int = 2000, seed: int = 0) -> WeightNormLaw:
    """Mean and standard deviation of ``‖w‖₂`` at this finite size, by Monte Carlo over ``samples``
    independent matrices (the finite-size mean lies below :func:`marchenko_pastur_edge`)."""
    n_out = validate.integer(n_out, "n_out", 1)
    n_in = validate.integer(n_in, "n_in", 1)
    samples = validate.integer(samples, "samples", 2)
    if samples * n_out * n_in > LAW_MAX_DRAWS:
        raise ValueError(f"samples × n_out × n_in = {samples * n_out * n_in:,} exceeds {LAW_MAX_DRAWS:,} Gaussian "
                         "numbers (400 MB): use fewer samples")  # fmt: skip
    rng = np.random.default_rng([seed, n_out, n_in])
    s = np.linalg.svd(rng.standard_normal((samples, n_out, n_in)) / math.sqrt(n_in), compute_uv=False)[:, 0]
    return WeightNormLaw(n_out, n_in, float(s.mean()), float(s.std(ddof=1)), samples)


def weight_norm_laws(sizes: Sequence[int], samples: int = 2000, seed: int = 0) -> tuple[WeightNormLaw, ...]:
    """:func:`weight_norm_law` for each ``wʲ``, ``j = 2..L``, of a network of these sizes (input first):
    the matrices of the pairs ``G_j``. One Monte Carlo per distinct shape."""
    shapes = list(zip(sizes[2:], sizes[1:-1], strict=True))
    laws = {shape: weight_norm_law(*shape, samples=samples, seed=seed) for shape in set(shapes)}
    return tuple(laws[shape] for shape in shapes)


@dataclass(frozen=True)
class WeightNormZ:
    """The network's ``‖wʲ‖₂`` of one shape against its finite-size law."""

    law: WeightNormLaw
    measured: float  # the mean over the matrices of that shape
    count: int
    z: float  # (measured − law.mean) in standard errors of the difference


def weight_norm_zscores(laws: Sequence[WeightNormLaw], norms: Sequence[float]) -> list[WeightNormZ]:
    """Group the measured norms by shape and compare each group's mean with its law: the standard error
    of the difference is ``sd √(1/count + 1/samples)`` (the network's matrices and the Monte Carlo's)."""
    groups: dict[tuple[int, int], list[float]] = {}
    by_shape: dict[tuple[int, int], WeightNormLaw] = {}
    for law, s in zip(laws, norms, strict=True):
        groups.setdefault((law.n_out, law.n_in), []).append(float(s))
        by_shape[(law.n_out, law.n_in)] = law
    out = []
    for shape, values in groups.items():
        law, mean = by_shape[shape], float(np.mean(values))
        se = law.sd * math.sqrt(1 / len(values) + 1 / law.samples)
        out.append(WeightNormZ(law, mean, len(values), (mean - law.mean) / se))
    return out
