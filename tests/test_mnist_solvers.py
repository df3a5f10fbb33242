"""The four MNIST solvers (sec. 5.1 and blog 004) on their quick configurations of the embedded data.

Expected values come from the book (its printed norms and accuracies, typed in here), from
hand-derived constants, or from independent implementations (Network.train and bias_gradients against
the stacked trainer), never from the solvers' own output.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy import stats

import gradmath
from gradmath.contract import Verdict
from gradmath.experiments.depth import DepthAccuracy, shuffles
from gradmath.experiments.protocol import network_sizes
from gradmath.registry import problem_class
from gradmath.solvers.mnist_common import DataInfo, prediction_halfwidth
from gradmath.solvers.mnist_depth_accuracy import DepthResult, MnistDepthAccuracy

# The book's printed values (ch. 5, sec. 5.1), typed in from the text.
BOOK_NORMS = {2: [0.07, 0.31], 3: [0.012, 0.060, 0.283], 4: [0.003, 0.017, 0.070, 0.285]}
BOOK_ACCURACY = {1: 0.9648, 2: 0.9690, 3: 0.9657, 4: 0.9653}
IDS = ("mnist-initial-norms", "mnist-training-speed", "mnist-depth-accuracy", "remedies")


@pytest.fixture(scope="module")
def data():
    return gradmath.load_mnist()


@pytest.fixture(scope="module")
def solved(quick_solution):
    return {pid: quick_solution(pid) for pid in IDS}  # data=None: the embedded subset


# --- mnist-initial-norms ------------------------------------------------------------------------


def test_initial_norms_book_within_three_std(solved):
    # The book prints one run; it must lie within 3 standard deviations of our seeds' mean (a criterion
    # independent of the solver's prediction interval).
    a = solved["mnist-initial-norms"].answer
    assert a["seeds"] == 5 and a["n_images"] == 1000
    for h in (2, 3, 4):
        np.testing.assert_array_equal(a["book"][h], BOOK_NORMS[h])
        norms = a["norms"][h]
        mean, std = norms.mean(axis=0), norms.std(axis=0, ddof=1)
        assert np.all(np.abs(np.array(BOOK_NORMS[h]) - mean) <= 3 * std), (h, mean, std)


def test_initial_norms_each_layer_faster_than_the_one_before(solved):
    # Book: each hidden layer is 4 to 6 times faster than the one before (0.017/0.003 ... 0.285/0.070).
    for h in (2, 3, 4):
        m = solved["mnist-initial-norms"].answer["mean"][h]
        assert np.all(m[1:] / m[:-1] > 3.0) and np.all(m[1:] / m[:-1] < 8.0)


def test_initial_norms_verdict_and_checks(solved):
    sol = solved["mnist-initial-norms"]
    assert sol.passed and sol.verdict == Verdict.CONFIRMED
    assert [f.name for f in sol.figures] == ["initial-speeds", "mnist-initial-gradient-bars"]
    bars = sol.figures[1].panels
    assert all(len(p.series[0].y) == 6 and np.all(np.asarray(p.series[0].y) >= 0) for p in bars)


# --- mnist-training-speed -----------------------------------------------------------------------


def test_training_speed_epoch_zero_is_the_initial_network(solved, data):
    # Epoch 0 is recorded before any update: the initial norms of seed 0, computed by the Network.
    X, y = data.train.X[:1000], data.train.y[:1000]
    norms = solved["mnist-training-speed"].answer["norms"]
    for h in (2, 3, 4):
        net = gradmath.Network(network_sizes(h), seed=0)
        expected = [np.linalg.norm(g) for g in net.bias_gradients(X, y)[:-1]]
        np.testing.assert_allclose(norms[h][0], expected, rtol=1e-12)


def test_training_speed_vanishing_grows_with_depth(solved):
    a = solved["mnist-training-speed"].answer
    assert a["epochs"] == 150 and a["seeds"] == 2 and len(a["slowdown_seeds"]) == 2
    r = a["final_ratio"]
    assert 1 < r[2] < r[3] < r[4]
    # about five-fold per layer (the initial table): the 4-layer slowdown is between 4^3 / 4 and 6^3 * 4
    assert 16 < np.exp(np.mean(np.log(a["slowdown_seeds"]))) < 900


def test_training_speed_quick_is_inconclusive(solved):
    sol = solved["mnist-training-speed"]
    assert sol.verdict == Verdict.INCONCLUSIVE and sol.passed
    assert "150" in sol.verdict_reason.plain()


# --- mnist-depth-accuracy -----------------------------------------------------------------------


def test_depth_accuracy_equals_network_train(solved, data):
    # Seed 0 of the solver against the plain Network.train with the same initialisation and shuffles
    # (an independent trainer): the same accuracy up to at most two borderline images of 1,000.
    a = solved["mnist-depth-accuracy"].answer
    assert a["book"] == BOOK_ACCURACY and a["lmbda"] == pytest.approx(0.4)  # 5.0 x 4,000 / 50,000
    for h in (1, 2):
        net = gradmath.Network(network_sizes(h), seed=0)
        net.train(data.train.X, data.train.y, 3, 10, 0.1, 0.4, seed=shuffles(0))
        assert abs(a["accuracy"][h][0] - net.accuracy(data.validation.X, data.validation.y)) <= 0.002
        np.testing.assert_allclose(a["history"][h][:, -1], a["accuracy"][h])


def test_depth_accuracy_on_embedded_data_is_inconclusive(solved):
    sol = solved["mnist-depth-accuracy"]
    assert sol.verdict == Verdict.INCONCLUSIVE and sol.passed
    assert "--mnist" in sol.verdict_reason.plain()
    assert len(sol.checks) == 2  # no claim check: the data cannot decide it


def _decided(means, stds, seeds=6):
    """A book-scale DepthResult whose final accuracies have exactly the given means and stds."""
    unit = stats.zscore(np.arange(seeds, dtype=float), ddof=1)  # mean 0, std 1 exactly
    history = {
        h: (m + s * unit)[:, None] * np.ones((1, 30))
        for h, m, s in zip((1, 2, 3, 4), means, stds, strict=True)
    }
    run = DepthAccuracy(
        history, 30, 10, 0.1, 5.0, 50_000, 10_000, tuple(range(seeds)), (1.0,) * seeds, (1.0,) * seeds, 1.0
    )
    info = DataInfo(50_000, 10_000, True, "canonical", "test")
    return DepthResult(run, info, False, dict(BOOK_ACCURACY), 0.0, 1.0, 0, 40_000)


def test_depth_accuracy_book_scale_verdicts():
    # The 3-seed full-data reference (96.45 +- 0.04, 97.00 +- 0.08, 96.25 +- 0.39, 95.82 +- 0.36)
    # confirms the book; shallow nets 1.5 points below the book's do not.
    solver = MnistDepthAccuracy()
    good = _decided([0.9645, 0.9700, 0.9625, 0.9582], [0.0004, 0.0008, 0.0039, 0.0036])
    claim = solver.checks(good)[-1]
    # |96.48 - 96.45| / (t_5 0.04 sqrt(7/6)) = 0.29 and |96.90 - 97.00| / (t_5 0.08 sqrt(7/6)) = 0.36
    half = stats.t.ppf(0.975, 5) * np.sqrt(1 + 1 / 6)
    assert claim.agreement == pytest.approx(max(0.03 / (0.04 * half), 0.10 / (0.08 * half)), rel=1e-6)
    assert claim.passed and solver._verdict(good)[0] == Verdict.CONFIRMED
    bad = _decided([0.9500, 0.9550, 0.9625, 0.9582], [0.0004, 0.0008, 0.0039, 0.0036])
    assert not solver.checks(bad)[-1].passed and solver._verdict(bad)[0] == Verdict.NOT_REPRODUCED
    deeper_helps = _decided([0.9645, 0.9700, 0.9750, 0.9760], [0.0004, 0.0008, 0.0039, 0.0036])
    assert solver._verdict(deeper_helps)[0] == Verdict.NOT_REPRODUCED


def test_prediction_halfwidth_coverage():
    # One more normal draw falls within mean +- halfwidth of 5 earlier draws 95 % of the time.
    rng = np.random.default_rng(0)
    v = rng.normal(size=(4000, 6))
    half = np.array([prediction_halfwidth(row[:5]) for row in v])
    hits = np.abs(v[:, 5] - v[:, :5].mean(axis=1)) <= half
    assert abs(hits.mean() - 0.95) < 0.015


# --- remedies -----------------------------------------------------------------------------------


def test_remedies_ratios(solved):
    a = solved["remedies"].answer
    r = a["ratio_init"]
    assert abs(np.log(r["ReLU, He"])) < abs(np.log(r["sigmoid, book init"]))
    assert abs(np.log(r["leaky ReLU, He"])) < abs(np.log(r["sigmoid, book init"]))
    # sigmoid: sigma' <= 1/4 per layer; N(0,1) weights with ReLU: gain sqrt(30/2) per layer over 3 layers
    assert r["sigmoid, book init"] > 4**2
    assert r["ReLU, N(0,1)"] < 1 / 4
    # the per-image ratio, which the per-layer factor predicts: (30 x 1/2)^(-3/2) over three layers
    assert a["table"]["ReLU, N(0,1)"]["rms_ratio_init"] == pytest.approx(15**-1.5, rel=0.35)
    assert a["predicted_ratio"]["ReLU, He"] == pytest.approx(1.0, rel=1e-9)  # chi = 2 x 1/2


def test_remedies_clipping_bounds_the_update(solved):
    table = solved["remedies"].answer["table"]
    assert table["ReLU, N(0,1), clipped"]["max_update_norm"] == pytest.approx(0.1)  # eta x c
    assert table["ReLU, N(0,1)"]["max_update_norm"] > 10.0


def test_remedies_corrections_and_verdict(solved):
    sol = solved["remedies"]
    assert sol.passed and sol.verdict == Verdict.CORRECTED
    quotes = [c.quote.unicode() for c in sol.corrections]
    assert any("√(1/nₗ) or σ = √(2/nₗ)" in q for q in quotes)
    assert any("close to 1" in q for q in quotes)
    assert any("negative section" in q for q in quotes)
    he_std = re.search(r"He weights of standard deviation ([0-9.]+)", sol.corrections[1].evidence.plain())
    assert float(he_std.group(1)) == pytest.approx(np.sqrt(2 / 784), rel=0.03)


# --- contract, rendering and bad input ----------------------------------------------------------


@pytest.mark.parametrize("pid", IDS)
def test_seed_limits_refused_at_once(pid, data):
    cls = problem_class(pid)
    with pytest.raises(ValueError, match="seeds must be an integer in \\[2, "):
        gradmath.solve(pid, seeds=999, data=data)
    assert {"seeds", "data"} <= cls.uses


def test_bad_data_refused():
    with pytest.raises(TypeError, match="MnistData"):
        gradmath.solve("remedies", quick=True, data=object())
