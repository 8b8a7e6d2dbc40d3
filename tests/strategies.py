"""Hypothesis strategies for salescore's tests.

Magnitudes are bounded to what a sales book holds (amounts below 10^9 and rounded to
cents, hours below 10^4, no subnormal fractions), so that properties are checked where
the library is used rather than where floating point breaks down. ``as_kind`` turns a
list of drawn floats into each of the three kinds of input the container contract
covers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import pandas as pd
from hypothesis import strategies as st

__all__ = [
    "KINDS",
    "Kind",
    "as_kind",
    "counts",
    "discount_rates",
    "hours",
    "money",
    "nonnegative_money",
    "probabilities",
    "retentions",
    "same_length",
]

Kind = Literal["scalar", "ndarray", "series"]
KINDS: tuple[Kind, ...] = ("scalar", "ndarray", "series")


def _cents(amount: float) -> float:
    return round(amount, 2) + 0.0  # + 0.0 turns -0.0 into 0.0


def money(*, max_value: float = 1e9) -> st.SearchStrategy[float]:
    """Amounts of money in one currency, to the cent, possibly negative (a loss)."""
    return st.floats(-max_value, max_value, allow_nan=False, allow_infinity=False).map(_cents)


def nonnegative_money(*, max_value: float = 1e9) -> st.SearchStrategy[float]:
    """Spend, costs and values that cannot be negative, to the cent."""
    return st.floats(0.0, max_value, allow_nan=False, allow_infinity=False).map(_cents)


def probabilities() -> st.SearchStrategy[float]:
    """Fractions in [0, 1], with the end points drawn often."""
    return st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0, allow_subnormal=False))


def retentions(*, max_value: float = 0.999) -> st.SearchStrategy[float]:
    """Retention probabilities below 1, so that infinite sums converge."""
    return st.floats(0.0, max_value, allow_subnormal=False)


def discount_rates(*, max_value: float = 0.5) -> st.SearchStrategy[float]:
    """Discount rates per period, from 0 to 50 %."""
    return st.one_of(st.just(0.0), st.floats(0.0, max_value, allow_subnormal=False))


def hours(*, max_value: float = 1e4) -> st.SearchStrategy[float]:
    """Selling hours, >= 0."""
    return st.floats(0.0, max_value, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def counts(*, max_value: int = 10**6) -> st.SearchStrategy[int]:
    """Counts of customers, deals or periods."""
    return st.integers(0, max_value)


def same_length(
    *elements: st.SearchStrategy[float], min_size: int = 1, max_size: int = 20
) -> st.SearchStrategy[tuple[list[float], ...]]:
    """Lists of equal length, one per strategy, for the arguments of one call."""

    @st.composite
    def build(draw: Callable[[st.SearchStrategy[Any]], Any]) -> tuple[list[float], ...]:
        size = draw(st.integers(min_size, max_size))
        return tuple(draw(st.lists(element, min_size=size, max_size=size)) for element in elements)

    return build()


def as_kind(values: list[float], kind: Kind, *, index: pd.Index[Any] | None = None) -> Any:
    """One argument as the given kind: its first value, a float64 array, or a Series.

    Series get a shuffled string index (so that positional and label alignment
    differ) unless ``index`` is given.
    """
    if kind == "scalar":
        return values[0]
    array = np.asarray(values, dtype=np.float64)
    if kind == "ndarray":
        return array
    if index is None:
        index = pd.Index([f"id{len(values) - i}" for i in range(len(values))])
    return pd.Series(array, index=index)
