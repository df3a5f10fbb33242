"""map_seeds: a seed's result depends only on the seed, bit for bit, whatever the backend and n_jobs.

The reference is the plain loop in this process (``n_jobs=1``); the others are joblib's process pool
(loky, two workers) and a Dask cluster (``dask.distributed.LocalCluster(processes=False)``).
"""

from __future__ import annotations

import joblib
import numpy as np
import pytest

from gradmath.experiments import depth_accuracy, training_speed
from gradmath.parallel import MAX_JOBS, map_seeds


def _tiny():
    rng = np.random.default_rng(7)
    X = rng.random((120, 784)) * (rng.random((120, 784)) < 0.2)  # sparse, with blank columns
    X[:, :40] = 0.0
    return X, rng.integers(0, 10, 120)


def _run_all(n_jobs):
    X, y = _tiny()
    depth = depth_accuracy(X[:100], y[:100], X[100:], y[100:], (1, 3), seeds=3, epochs=2, n_jobs=n_jobs)
    speed = training_speed(X, y, (2, 4), epochs=6, seeds=3, figure_seeds=1, n_jobs=n_jobs)
    return depth, speed


def _assert_identical(a, b):
    depth_a, speed_a = a
    depth_b, speed_b = b
    for h in depth_a.history:
        assert np.array_equal(depth_a.history[h], depth_b.history[h])
    assert len(speed_a.runs) == len(speed_b.runs) == 3
    for ra, rb in zip(speed_a.runs, speed_b.runs, strict=True):
        assert ra.seed == rb.seed and sorted(ra.norms) == sorted(rb.norms)
        for h in ra.norms:
            assert np.array_equal(ra.norms[h], rb.norms[h])  # bitwise


@pytest.fixture(scope="module")
def reference():
    return _run_all(1)


def test_seed_results_differ_between_seeds(reference):
    # A sanity check on the reference: different seeds give different runs (else "identical" means little).
    depth, speed = reference
    assert not np.array_equal(speed.runs[0].norms[4], speed.runs[1].norms[4])
    assert sorted(speed.runs[0].norms) == [2, 4] and sorted(speed.runs[1].norms) == [4]  # figure_seeds=1


def test_process_pool_gives_identical_results(reference):
    _assert_identical(reference, _run_all(2))


def test_dask_cluster_gives_identical_results(reference):
    distributed = pytest.importorskip("dask.distributed")
    import joblib

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster), joblib.parallel_config(backend="dask"):
            with distributed.get_task_stream() as stream:
                result = _run_all(None)
    assert len(stream.data) == 5  # two groups of the depth seeds, three speed runs: all through Dask
    _assert_identical(reference, result)


def test_map_seeds_order_progress_and_arguments():
    seen = []
    out = map_seeds(divmod, [7, 3, 9], args=(4,), n_jobs=2, progress=lambda f, m: seen.append(f))
    assert out == [(1, 3), (0, 3), (2, 1)]  # the order of the seeds, whatever the completion order
    assert seen == pytest.approx([1 / 3, 2 / 3, 1.0])


def _pids(_seed: int) -> int:
    import os

    return os.getpid()


def _map_in_a_worker(_: int) -> list[int]:
    return map_seeds(_pids, [0, 1, 2])


def test_no_pool_inside_a_pool():
    # In a worker process of another pool (the report's), the seeds run in that worker; in the main
    # process they spread over worker processes.
    import concurrent.futures as cf
    import multiprocessing as mp
    import os

    with cf.ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
        inner = pool.submit(_map_in_a_worker, 0).result()
    assert len(set(inner)) == 1 and inner[0] != os.getpid()
    # the default n_jobs is every core: worker processes, unless there is only one (then joblib runs here)
    spread = os.getpid() not in map_seeds(_pids, [0, 1, 2])
    assert spread == (joblib.cpu_count() > 1)


@pytest.mark.parametrize("bad", [0, 2.0, "2", True])
def test_map_seeds_rejects_bad_n_jobs(bad):
    with pytest.raises(TypeError, match="n_jobs"):
        map_seeds(divmod, [1, 2], args=(2,), n_jobs=bad)


def test_map_seeds_limits_n_jobs():
    with pytest.raises(ValueError, match=str(MAX_JOBS)):
        map_seeds(divmod, [1, 2], args=(2,), n_jobs=MAX_JOBS + 1)
