"""The strategies draw what they promise."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from . import strategies as sst


@given(sst.probabilities())
def test_probabilities_are_fractions(p: float) -> None:
    assert 0.0 <= p <= 1.0


@given(sst.retentions(), sst.discount_rates())
def test_retention_and_discount_ranges(r: float, d: float) -> None:
    assert 0.0 <= r < 1.0
    assert 0.0 <= d <= 0.5


@given(sst.money(), sst.nonnegative_money(), sst.hours(), sst.counts())
def test_amounts_are_finite_and_signed_as_promised(m: float, s: float, h: float, n: int) -> None:
    assert math.isfinite(m)
    assert math.isfinite(s)
    assert s >= 0.0
    assert round(m, 2) == m
    assert round(s, 2) == s
    assert h >= 0.0
    assert n >= 0


@given(sst.same_length(sst.money(), sst.hours(), min_size=2, max_size=7))
def test_same_length_draws_equal_lengths(columns: tuple[list[float], ...]) -> None:
    first, second = columns
    assert 2 <= len(first) == len(second) <= 7


@given(st.lists(sst.money(), min_size=1, max_size=10), st.sampled_from(sst.KINDS))
def test_as_kind_builds_each_container(values: list[float], kind: sst.Kind) -> None:
    built = sst.as_kind(values, kind)
    if kind == "scalar":
        assert built == values[0]
    elif kind == "ndarray":
        assert isinstance(built, np.ndarray)
        assert built.dtype == np.float64
        assert built.tolist() == values
    else:
        assert isinstance(built, pd.Series)
        assert built.tolist() == values
        assert built.index.is_unique
