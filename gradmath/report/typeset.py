"""The document memoised: when every result comes from the cache, so does the Typst source built from them.

A rebuild in which nothing changed (the same cached results, the same report code, the same run
description) would build the same Typst source again: the solutions are unpickled, every formula is
printed, every table laid out. The source, the names of its figure files, the JSON and the lines the
run prints are therefore kept under a key made of

- a hash of the report's own code (``gradmath/report/*.py``: a layout change builds afresh) and the
  Typst version;
- each result's cache key and the size and time of its cache file;
- the run's description (options, data, software, machine, date: see :mod:`.meta`).

Typst still compiles the PDF every time. Any miss (a result not cached, a figure file gone) falls
back to the full build, which then stores the entry.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .cache import ResultCache, hash_files, library_version

__all__ = ["document_key", "report_hash", "entry_for", "figure_files"]

_REPORT = Path(__file__).resolve().parent


def report_hash() -> str:
    """A hash of the report's code and of the Typst compiler's version."""
    return hash_files(list(_REPORT.glob("*.py")), _REPORT) + "|" + library_version("typst")


def document_key(jobs: list, cache: ResultCache, meta: dict) -> str | None:
    """The key of the document for these jobs, or None unless every result is in the cache."""
    if not cache.enabled:
        return None
    parts: list[Any] = [report_hash()]
    for job in jobs:
        stat = cache.solution_stat(job.key) if job.key is not None else None
        if stat is None:
            return None
        parts.append([job.key, *stat])
    parts.append(meta)
    raw = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def entry_for(source: str, outcomes: list, jobs: list, style: str, json_text: str | None) -> dict:
    """What is kept: the Typst source, where each figure file comes from, and the JSON."""
    keys = {j.id: j.key for j in jobs}
    figures = {}
    for o in outcomes:
        if o.solution is None:
            continue
        for j, fig in enumerate(o.solution.figures):
            name = o.figures.get(fig.name)
            if name is not None:
                figures[name] = [keys[o.id], style, j]
    return {"source": source, "figures": figures, "json": json_text}


def figure_files(entry: dict, cache: ResultCache) -> dict[str, bytes] | None:
    """The figure files a kept document needs, from the figure cache (None if one is missing)."""
    files = {}
    for name, (key, style, j) in entry["figures"].items():
        svg = cache.load_figure(key, style, j)
        if svg is None:
            return None
        files[name] = svg
    return files
