"""book_distribution on a pandas DataFrame: forecast_distribution of two columns, with rows named.

The record must be forecast_distribution's for the same columns; the books of any
split of the rows must convolve (combine_distributions) into the whole book's
distribution; bad rows are named by deal id. The engines' side is in
tests/engines/test_books.py.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import (
    ForecastDistribution,
    book_distribution,
    combine_distributions,
    forecast_distribution,
)
from salescore.errors import InvalidInputError, SchemaError


def _identical(got: ForecastDistribution, want: ForecastDistribution) -> None:
    for name in ("mean", "std", "total", "deals", "method", "value_error", "probability_error"):
        assert getattr(got, name) == getattr(want, name) or (
            np.isnan(getattr(got, name)) and np.isnan(getattr(want, name))
        ), name
    np.testing.assert_array_equal(got.outcomes, want.outcomes)
    np.testing.assert_array_equal(got.probabilities, want.probabilities)


def _book() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    return pd.DataFrame(
        {
            "deal_id": [f"D{number}" for number in range(200)],
            "value": rng.integers(1, 80, 200) * 500.0,
            "probability": rng.uniform(0.05, 0.95, 200),
        }
    )


@pytest.mark.parametrize("method", ["auto", "lattice", "monte_carlo"])
def test_the_record_is_forecast_distributions_for_the_columns(method: str) -> None:
    book = _book()
    got = book_distribution(book, method=method, seed=3)  # type: ignore[arg-type]
    want = forecast_distribution(book["value"], book["probability"], method=method, seed=3)  # type: ignore[arg-type]
    _identical(got, want)


def test_columns_under_other_names_and_an_index_that_is_not_a_range() -> None:
    book = _book().rename(columns={"value": "amount", "probability": "p"}).iloc[::-1]
    got = book_distribution(book, value="amount", probability="p")
    want = forecast_distribution(book["amount"].to_numpy(), book["p"].to_numpy())
    _identical(got, want)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 500), st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.9, 1.0])),
        max_size=12,
    ),
    st.lists(st.integers(0, 12), max_size=3),
)
def test_the_books_of_a_split_convolve_into_the_whole_book(
    rows: list[tuple[int, float]], cuts: list[int]
) -> None:
    # Whole-number values: every sum is exact in floating point, so the exact books'
    # convolution and the exact enumeration of the whole book have the same outcomes.
    book = pd.DataFrame(rows, columns=["value", "probability"], dtype="float64")
    edges = [0, *sorted(min(cut, len(book)) for cut in cuts), len(book)]
    parts = [book.iloc[start:end] for start, end in itertools.pairwise(edges)]
    whole = book_distribution(book, method="exact")
    combined = combine_distributions(*(book_distribution(part, method="exact") for part in parts))
    assert combined.deals == whole.deals
    assert combined.total == whole.total
    assert combined.mean == pytest.approx(whole.mean, rel=1e-12, abs=1e-12)
    np.testing.assert_array_equal(combined.outcomes, whole.outcomes)
    np.testing.assert_allclose(combined.probabilities, whole.probabilities, rtol=1e-9, atol=1e-15)


def test_rows_without_an_id_column_are_named_by_their_values() -> None:
    book = pd.DataFrame({"value": [1.0, -2.0, -3.0], "probability": [0.5, 0.5, 0.5]})
    with pytest.raises(
        InvalidInputError,
        match=r"^deals: value must be a finite number >= 0; not so for 2 rows \(for example "
        r"value=-2.0, probability=0.5; value=-3.0, probability=0.5\)$",
    ):
        book_distribution(book)


def test_a_probability_below_zero_gets_no_percentage_hint() -> None:
    book = pd.DataFrame({"deal_id": [7, 8], "value": [1.0, 2.0], "probability": [50.0, -0.1]})
    with pytest.raises(InvalidInputError, match=r"for 2 rows \(for example deal_id=7, .*-0.1\)$"):
        book_distribution(book)


def test_skipna_leaves_out_the_unknown_deals() -> None:
    book = pd.DataFrame(
        {"deal_id": ["A", "B", "C"], "value": [100.0, pd.NA, 300.0], "probability": [0.5, 0.2, 1.0]}
    ).astype({"value": "Float64"})
    with pytest.raises(InvalidInputError, match=r"not so for 1 row \(for example deal_id='B'"):
        book_distribution(book)
    # A: 100 at 50 %; C: 300 certain -> 300 or 400, half each.
    got = book_distribution(book, skipna=True)
    np.testing.assert_array_equal(got.outcomes, [300.0, 400.0])
    np.testing.assert_array_equal(got.probabilities, [0.5, 0.5])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: book_distribution([[1.0, 0.5]]), InvalidInputError, "must be a pandas DataFrame"),
        (lambda: book_distribution(_book(), value=None), InvalidInputError, "value"),  # type: ignore[arg-type]
        (lambda: book_distribution(_book(), probability="p"), SchemaError, "'p'"),
        (lambda: book_distribution(_book(), max_outcomes=1.5), InvalidInputError, "max_outcomes"),  # type: ignore[arg-type]
        (lambda: book_distribution(_book(), skipna="yes"), InvalidInputError, "skipna"),  # type: ignore[arg-type]
        (lambda: book_distribution(_book(), method="exact"), InvalidInputError, "at most 20"),
    ],
)
def test_wrong_calls_are_refused(call: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()  # type: ignore[operator]
