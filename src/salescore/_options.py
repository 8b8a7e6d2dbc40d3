"""Keyword options validated: one of a few strings, a flag, a count, one number.

The bottom layer's option checks, re-exported by :mod:`salescore._arrays`. Each
takes the option's name, for the message of the :class:`InvalidInputError` it raises,
and refuses what a truth value or a float conversion would silently accept (the
string ``"False"``, a duration counted in its own unit, an integer beyond float range).
"""

from __future__ import annotations

import math
import numbers
import operator

import numpy as np

from .errors import InvalidInputError

__all__ = ["option_choice", "option_count", "option_flag", "option_number"]


def option_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """Validate a keyword option that takes one of a few strings."""
    if type(value) is str and value in choices:
        return value
    if isinstance(value, str) and value in choices:
        return choices[choices.index(value)]  # a plain str for a subclass such as np.str_
    listed = ", ".join(repr(choice) for choice in choices)
    raise InvalidInputError(f"{name} must be one of {listed}; got {value!r}")


def option_flag(name: str, value: object) -> bool:
    """Validate a keyword option that must be True or False.

    Only ``bool`` and NumPy's ``bool_`` are accepted: a string such as ``"False"`` or
    ``"no"``, a number, ``None`` or ``pd.NA`` is refused rather than read by its truth
    value, which would turn ``"False"`` into True.
    """
    if value is True or value is False:
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    raise InvalidInputError(
        f"{name} must be True or False; got {type(value).__name__} {value!r:.60}"
    )


def option_count(name: str, value: object, *, maximum: int | None = None) -> int:
    """Validate a keyword option that must be a non-negative integer (at most ``maximum``).

    ``maximum`` bounds options that size a computation (months, bins, draws), so that a
    mistyped 2**70 is refused at once instead of running for ever.
    """
    if isinstance(value, (bool, np.bool_, np.timedelta64)):
        raise InvalidInputError(f"{name} must be a non-negative integer; got {value!r}")
    if type(value) is int:
        count = value
    else:
        try:
            count = operator.index(value)  # type: ignore[arg-type]
        except TypeError:
            raise InvalidInputError(
                f"{name} must be a non-negative integer; got {type(value).__name__} {value!r:.60}"
            ) from None
    if count < 0:
        raise InvalidInputError(f"{name} must be a non-negative integer; got {count}")
    if maximum is not None and count > maximum:
        raise InvalidInputError(f"{name} must be at most {maximum:,}; got {count!r:.60}")
    return count


def option_number(name: str, value: object, *, allow_nan: bool = False) -> float:
    """Validate a keyword option or record field that must be one real number.

    Refused with :class:`InvalidInputError`: booleans, strings, complex numbers,
    durations and dates (``np.timedelta64`` is a NumPy integer, whose count in its own
    unit would pass for a number), integers and fractions beyond float range, and NaN
    unless ``allow_nan``. Infinity passes; the caller checks the range.
    """
    if isinstance(value, (bool, np.bool_, np.timedelta64, np.datetime64)) or not isinstance(
        value, (numbers.Real, np.floating, np.integer)
    ):
        raise InvalidInputError(
            f"{name} must be a number; got {type(value).__name__} {value!r:.60}"
        )
    try:
        number = float(value)
    except (OverflowError, TypeError, ValueError):
        raise InvalidInputError(
            f"{name} must be a number within float range; got {value!r:.60}"
        ) from None
    if math.isnan(number) and not allow_nan:
        raise InvalidInputError(f"{name} must be a number; got nan")
    return number
