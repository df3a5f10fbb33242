"""Numbers as a reader should see them: digits matched to what is known, one rule for every printer.

:func:`decimal` splits a float into a mantissa string and a power of ten, with a given number of
significant digits. :func:`with_uncertainty` rounds an uncertainty to two significant digits (one when
its three leading digits are 355 or more, the Particle Data Group's rule) and the value to the same
decimal place, so that ``0.811712 +- 0.000298`` reads ``0.81171 +- 0.00030`` and ``96.4512 +- 0.0412``
reads ``96.45 +- 0.04``.

Examples
--------
>>> decimal(0.000012345, 3)
Decimal(mantissa='1.23', exponent=-5)
>>> with_uncertainty(0.811712, 0.000298)
Uncertain(mantissa='0.81171', error='0.00030', exponent=None)
>>> with_uncertainty(96.4512, 0.0412)
Uncertain(mantissa='96.45', error='0.04', exponent=None)
"""

from __future__ import annotations

import math
from typing import NamedTuple

__all__ = ["Decimal", "Uncertain", "decimal", "with_uncertainty", "SCI_BELOW", "SCI_ABOVE"]

#: magnitudes outside [SCI_BELOW, SCI_ABOVE) are written as a x 10^n
SCI_BELOW = 1e-4
SCI_ABOVE = 1e6


class Decimal(NamedTuple):
    """A number as ``mantissa x 10^exponent`` (``exponent`` None: plain decimal)."""

    mantissa: str
    exponent: int | None = None


class Uncertain(NamedTuple):
    """``(mantissa +- error) x 10^exponent``."""

    mantissa: str
    error: str
    exponent: int | None = None


def _special(value: float) -> str | None:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return None


def decimal(value: float, sig: int = 6) -> Decimal:
    """``value`` with ``sig`` significant digits; trailing zeros after the point are dropped."""
    value = float(value)
    special = _special(value)
    if special is not None:
        return Decimal(special)
    if value == 0:
        return Decimal("0")
    text = f"{value:.{sig}g}"
    if "e" in text:
        mant, exp = text.split("e")
        exp_i = int(exp)
        if SCI_BELOW <= abs(value) < SCI_ABOVE:  # Python chose e-notation; write it out in full
            return Decimal(_strip(f"{value:.{max(sig - 1 - exp_i, 0)}f}"))
        return Decimal(_strip(mant), exp_i)
    if abs(value) < SCI_BELOW or abs(value) >= SCI_ABOVE:
        mant, exp = f"{value:.{sig - 1}e}".split("e")
        return Decimal(_strip(mant), int(exp))
    return Decimal(text)


def _strip(text: str) -> str:
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def with_uncertainty(value: float, error: float) -> Uncertain:
    """``value +- error`` rounded to the uncertainty's precision (two significant digits of it)."""
    value, error = float(value), abs(float(error))
    if not math.isfinite(error) or error == 0 or not math.isfinite(value):
        d = decimal(value, 6)
        return Uncertain(d.mantissa, "0" if error == 0 else str(error), d.exponent)
    lead = math.floor(math.log10(error))
    three = int(round(error / 10 ** (lead - 2)))  # the three leading digits, 100..1000
    if three >= 950:  # rounds up to 1000: two digits of the next power
        lead, keep = lead + 1, 2
    else:
        keep = 2 if three <= 354 else 1
    place = lead - keep + 1  # the decimal place of the last digit kept
    scale = max(abs(value), error)
    exponent = None
    if scale < SCI_BELOW or scale >= SCI_ABOVE:
        exponent = math.floor(math.log10(scale))
        value, error, place = value / 10**exponent, error / 10**exponent, place - exponent
    decimals = max(-place, 0)
    mant = f"{round(value, -place):.{decimals}f}"
    err = f"{round(error, -place):.{decimals}f}"
    if err.strip("0.") == "":  # rounding took it to zero: show one more digit
        err = f"{error:.{decimals + 1}f}"
        mant = f"{value:.{decimals + 1}f}"
    if mant in ("-0", "-0.0") or (mant.startswith("-") and float(mant) == 0):
        mant = mant[1:]
    return Uncertain(mant, err, exponent)
