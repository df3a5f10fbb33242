"""Argument validators: one place where every public parameter is checked, once.

Each validator takes the value and the parameter's name and returns the value in its canonical
type, or raises :class:`TypeError` (wrong kind of value) or :class:`ValueError` (right kind, outside
the allowed range) with a message that names the parameter, what was expected and what was given.
No validator coerces silently: ``2.7`` is not an integer, ``"0.5"`` is not a number and ``"no"``
is not a boolean.

Examples
--------
>>> integer(3, "depth", lo=1, hi=10)
3
>>> integer(2.7, "n_examples")
Traceback (most recent call last):
...
TypeError: n_examples must be an integer, got float 2.7
>>> real(True, "eta")
Traceback (most recent call last):
...
TypeError: eta must be a real number, got bool True
"""

from __future__ import annotations

import difflib
import math
import numbers
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "integer",
    "real",
    "boolean",
    "choice",
    "integer_sequence",
    "optional_callable",
    "path_like",
    "suggest",
]


def _given(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _num(x: float) -> str:
    """A limit as a reader reads it: 5,000,000 rather than 5e+06."""
    if float(x).is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:g}"


def _range_text(lo: float | None, hi: float | None, lo_open: bool = False, hi_open: bool = False) -> str:
    if lo is not None and hi is not None:
        return f"in {'(' if lo_open else '['}{_num(lo)}, {_num(hi)}{')' if hi_open else ']'}"
    if lo is not None:
        return f"{'>' if lo_open else '>='} {_num(lo)}"
    if hi is not None:
        return f"{'<' if hi_open else '<='} {_num(hi)}"
    return ""


def integer(value: Any, name: str, lo: int | None = None, hi: int | None = None, *, why_hi: str = "") -> int:
    """``value`` as an ``int`` in ``[lo, hi]``; bools, floats and strings are refused.

    ``why_hi`` says why the upper limit exists (for example "a larger depth takes over a minute");
    it is appended to the message when ``value > hi``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_given(value)}")
    value = int(value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        reason = f" ({why_hi})" if why_hi and hi is not None and value > hi else ""
        raise ValueError(f"{name} must be an integer {_range_text(lo, hi)}{reason}, got {_num(value)}")
    return value


def real(
    value: Any,
    name: str,
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
    finite: bool = True,
) -> float:
    """``value`` as a ``float`` in the given range; bools, strings and complex numbers are refused."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_given(value)}")
    value = float(value)
    if math.isnan(value) or (finite and math.isinf(value)):
        raise ValueError(f"{name} must be a finite real number, got {value}")
    bad_lo = lo is not None and (value <= lo if lo_open else value < lo)
    bad_hi = hi is not None and (value >= hi if hi_open else value > hi)
    if bad_lo or bad_hi:
        raise ValueError(f"{name} must be {_range_text(lo, hi, lo_open, hi_open)}, got {value:g}")
    return value


def boolean(value: Any, name: str) -> bool:
    """``value`` as a ``bool``: only ``True``/``False`` (or NumPy booleans) are accepted."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_given(value)}")
    return bool(value)


def suggest(word: str, known: Iterable[str], n: int = 3) -> str:
    """A "did you mean ...?" clause for a misspelt ``word`` among ``known`` ("" if nothing is close)."""
    close = difflib.get_close_matches(str(word), list(known), n=n, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"


def choice(value: Any, name: str, options: Sequence[str]) -> str:
    """``value`` as one of the strings ``options``; a near miss is named in the message."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {', '.join(map(repr, options))}, got {_given(value)}")
    if value not in options:
        raise ValueError(
            f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}{suggest(value, options)}"
        )
    return value


def integer_sequence(
    value: Any,
    name: str,
    *,
    min_len: int = 1,
    max_len: int | None = None,
    lo: int | None = None,
    hi: int | None = None,
) -> tuple[int, ...]:
    """``value`` as a tuple of ints (each in ``[lo, hi]``), e.g. layer sizes ``(784, 30, 10)``."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a sequence of integers, got {_given(value)}")
    items = list(value)
    if len(items) < min_len or (max_len is not None and len(items) > max_len):
        span = f"{min_len} to {max_len}" if max_len is not None else f"at least {min_len}"
        raise ValueError(f"{name} must have {span} entries, got {len(items)}")
    return tuple(integer(v, f"{name}[{i}]", lo, hi) for i, v in enumerate(items))


def optional_callable(value: Any, name: str) -> Callable | None:
    """``value`` if it is callable or ``None``; anything else is refused."""
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be a callable or None, got {_given(value)}")
    return value


def path_like(value: Any, name: str) -> Path:
    """``value`` as a :class:`~pathlib.Path`: a non-empty ``str`` or an ``os.PathLike`` of ``str``.

    Bytes, numbers and ``""`` are refused (``Path("")`` would silently mean the current folder).
    """
    if isinstance(value, (str, os.PathLike)):
        text = os.fspath(value)
        if isinstance(text, str) and text != "":
            return Path(text)
        if isinstance(text, str):
            raise ValueError(f"{name} must be a non-empty path, got ''")
    raise TypeError(f"{name} must be a path (str or os.PathLike), got {_given(value)}")
