"""Hypothesis runs the same examples on every run of ``pytest`` (its ``ci`` profile: derandomised, no
example database), so that CI passes or fails for a reason that can be reproduced. Exploration is one
variable away and finds what a fixed set cannot (four latent failures were found that way)::

    HYPOTHESIS_PROFILE=explore pytest --hypothesis-seed=7     # random examples, a new seed each time

Fix what it finds; keep the example with ``@example`` so that the default run covers it from then on.
"""

import os

import pytest
from hypothesis import settings

settings.register_profile("explore", settings.get_profile("default"), derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def quick_solution():
    """``quick_solution(id)``: ``gradmath.solve(id, quick=True)``, solved once per test run (the tests
    only read solutions; several modules need the same ones)."""
    import functools

    import gradmath

    return functools.cache(lambda pid: gradmath.solve(pid, quick=True))
