"""What the report says about its own run: options, data, software, machine (the ``meta`` of the JSON)."""

from __future__ import annotations

import datetime as _dt
from typing import Any

__all__ = ["describe_run", "describe_data"]


def describe_data(data: Any) -> dict[str, Any]:
    """The MNIST data in words: its description and provenance where the data object gives them."""
    if data is None:
        from gradmath.datasets import load_mnist

        data = load_mnist()
    sizes = {name: (len(getattr(data, name)) if getattr(data, name, None) is not None else 0)
             for name in ("train", "validation", "test")}  # fmt: skip
    description = getattr(data, "description", None)
    if not isinstance(description, str) or not description:
        test = f"{sizes['test']:,} test images" if sizes["test"] else "no test images"
        source = str(getattr(data, "source", "unknown source"))
        where = "the embedded subset of real digits shipped with gradmath" if source == "embedded" else source
        description = (
            f"MNIST ({where}): {sizes['train']:,} training / {sizes['validation']:,} validation / {test}"
        )
    provenance = getattr(data, "provenance", None)
    if not isinstance(provenance, str) or not provenance:
        provenance = str(getattr(data, "source", "unknown"))
    return {"description": description, "provenance": provenance, **sizes}


def describe_run(args: Any, data: Any, workers: int) -> dict[str, Any]:
    """The ``meta`` dict: version, date, options, data, software, machine, BLAS."""
    import gradmath

    from .environment import blas, machine, versions

    return {
        "version": getattr(gradmath, "__version__", "?"),
        "generated": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d"),
        "options": {
            "quick": bool(args.quick),
            "seeds": args.seeds,
            "mnist": args.mnist,
            "download": bool(args.download),
            "only": args.only,
            "jobs": workers,
        },
        "data": describe_data(data),
        "versions": versions(),
        "machine": machine(),
        "blas": blas(),
    }
