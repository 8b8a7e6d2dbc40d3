"""book_distribution on engine frames: a book of open deals checked and reduced where it lives.

Polars and DuckDB hand over the two columns, so their record must be the pandas one,
array for array. Dask and Spark reduce each partition to a record and convolve them:
exact books must give the pandas outcomes and probabilities (to 1e-12), lattice books
the same mean, standard deviation, total and count, with quantiles within the carried
error bounds of the pandas ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import ForecastDistribution, book_distribution
from salescore.datasets import sample
from salescore.errors import InvalidInputError, SchemaError

from .harness import to_engine

_PER_PARTITION = ("dask", "spark")


def _same_summary(got: ForecastDistribution, want: ForecastDistribution) -> None:
    assert got.deals == want.deals
    for name in ("mean", "std", "total"):
        assert getattr(got, name) == pytest.approx(getattr(want, name), rel=1e-12, abs=0.0)


def _same_record(got: ForecastDistribution, want: ForecastDistribution) -> None:
    _same_summary(got, want)
    assert got.method == want.method
    np.testing.assert_allclose(got.outcomes, want.outcomes, rtol=1e-12, atol=0.0)
    np.testing.assert_allclose(got.probabilities, want.probabilities, rtol=1e-12, atol=0.0)


def _book(size: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "deal_id": [f"D{number:04d}" for number in range(size)],
            "amount": rng.integers(1, 60, size) * 1_000.0,
            "chance": rng.uniform(0.05, 0.95, size).round(3),
        }
    )


def test_the_articles_two_prospects_with_a_certain_and_a_hopeless_deal(engine: str) -> None:
    # Nutshell's example (Norwegian edition): 27,600 at 12 % and 34,500 at 83 %; beside
    # them a deal certain to close (10,000 at 100 %) and one that will not (5,000 at 0 %).
    # By hand: the certain deal shifts every outcome by 10,000;
    #   neither won: 0.88 * 0.17 = 0.1496 -> 10,000
    #   the first:   0.12 * 0.17 = 0.0204 -> 37,600
    #   the second:  0.88 * 0.83 = 0.7304 -> 44,500
    #   both:        0.12 * 0.83 = 0.0996 -> 72,100
    # mean 0.12 * 27,600 + 0.83 * 34,500 + 10,000 = 3,312 + 28,635 + 10,000 = 41,947;
    # total 27,600 + 34,500 + 10,000 + 5,000 = 77,100.
    book = pd.DataFrame(
        {
            "deal_id": ["N1", "N2", "N3", "N4"],
            "value": [27_600.0, 34_500.0, 10_000.0, 5_000.0],
            "probability": [0.12, 0.83, 1.0, 0.0],
        }
    )
    dist = book_distribution(to_engine(book, engine))
    assert dist.deals == 4
    assert dist.total == 77_100.0
    assert dist.mean == pytest.approx(41_947.0, rel=1e-12)
    np.testing.assert_allclose(dist.outcomes, [10_000.0, 37_600.0, 44_500.0, 72_100.0])
    np.testing.assert_allclose(dist.probabilities, [0.1496, 0.0204, 0.7304, 0.0996], rtol=1e-12)
    assert dist.method == "exact"


def test_a_small_book_equals_the_pandas_record(engine: str) -> None:
    # 14 uncertain deals: enumerated exactly by pandas (2**14 outcomes); on Dask and
    # Spark each partition is enumerated and the exact convolution keeps every sum.
    book = _book(14, seed=1)
    options: dict[str, Any] = {"value": "amount", "probability": "chance"}
    want = book_distribution(book, **options)
    got = book_distribution(to_engine(book, engine), **options)
    assert want.method == "exact"
    _same_record(got, want)


def test_a_large_book_is_within_the_carried_bounds(engine: str) -> None:
    book = _book(400, seed=2)
    options: dict[str, Any] = {"value": "amount", "probability": "chance"}
    want = book_distribution(book, **options)
    got = book_distribution(to_engine(book, engine), **options)
    assert want.method == got.method == "lattice"
    if engine not in _PER_PARTITION:  # the same two columns, read as arrays
        assert np.array_equal(got.outcomes, want.outcomes)
        assert np.array_equal(got.probabilities, want.probabilities)
        assert got.value_error == want.value_error
        return
    _same_summary(got, want)
    # Each record's quantiles are within its value_error of the true ones, so the two
    # records' quantiles are within the sum of their bounds of each other.
    bound = got.value_error + want.value_error
    for level in np.linspace(0.01, 0.99, 25):
        assert abs(got.quantile(level) - want.quantile(level)) <= bound
    # The partitions' bounds are each at most 0.001 of their uncertain value; the
    # convolution's rounding adds at most half a step per book.
    assert got.value_error <= 0.001 * got.total + got.total / (1 << 20) * 3


def test_the_sample_crms_open_pipeline(engine: str) -> None:
    # salescore's bundled sample CRM: its open deals with the stage probabilities.
    deals = sample().deals
    book = deals.loc[deals["status"] == "open", ["deal_id", "value", "probability"]]
    want = book_distribution(book.reset_index(drop=True))
    got = book_distribution(to_engine(book.reset_index(drop=True), engine))
    if engine in _PER_PARTITION:
        _same_summary(got, want)
        assert abs(got.quantile(0.5) - want.quantile(0.5)) <= got.value_error + want.value_error
    else:
        assert np.array_equal(got.outcomes, want.outcomes)
        assert np.array_equal(got.probabilities, want.probabilities)


@pytest.mark.parametrize(
    ("column", "bad", "message"),
    [
        (
            "value",
            -5.0,
            r"deals: value must be a finite number >= 0; not so for 1 row "
            r"\(for example deal_id='B2', value=-5.0, probability=0.5\)",
        ),
        ("value", np.inf, r"value must be a finite number >= 0; not so for 1 row"),
        (
            "probability",
            40.0,
            r"probability must be a fraction in \[0, 1\]; not so for 1 row "
            r"\(for example deal_id='B2', value=200.0, probability=40.0\); values above 1 "
            r"look like percentages",
        ),
        (
            "probability",
            -0.5,
            r"must be a fraction in \[0, 1\]; not so for 1 row \(for "
            r"example deal_id='B2', value=200.0, probability=-0.5\)$",
        ),
    ],
)
def test_a_bad_row_is_named_as_pandas_names_it(
    engine: str, column: str, bad: float, message: str
) -> None:
    book = pd.DataFrame(
        {"deal_id": ["B1", "B2", "B3"], "value": [100.0, 200.0, 300.0], "probability": [0.5] * 3}
    )
    book.loc[1, column] = bad
    with pytest.raises(InvalidInputError, match=message):
        book_distribution(book)
    with pytest.raises(InvalidInputError, match=message):
        book_distribution(to_engine(book, engine))


def test_a_missing_value_is_refused_unless_skipped(engine: str) -> None:
    book = pd.DataFrame(
        {
            "deal_id": ["M1", "M2", "M3", "M4"],
            "value": [100.0, np.nan, 300.0, 400.0],
            "probability": [0.5, 0.5, None, 0.25],
        }
    )
    native = to_engine(book, engine)
    with pytest.raises(InvalidInputError, match=r"known for every deal; not so for 2 rows .*M2"):
        book_distribution(native)
    # skipna: the two deals left, 100 at 50 % and 400 at 25 %: mean 50 + 100 = 150.
    got = book_distribution(native, skipna=True)
    assert got.deals == 2
    assert got.mean == pytest.approx(150.0, rel=1e-12)
    np.testing.assert_allclose(got.outcomes, [0.0, 100.0, 400.0, 500.0])
    np.testing.assert_allclose(got.probabilities, [0.375, 0.375, 0.125, 0.125], rtol=1e-12)


@pytest.mark.parametrize("engine", ["polars", "duckdb"], indirect=True)
def test_missing_and_text_columns_are_refused(engine: str) -> None:
    book = pd.DataFrame({"value": [1.0], "probability": ["high"]})
    with pytest.raises(SchemaError, match="missing column 'chance'"):
        book_distribution(to_engine(book, engine), probability="chance")
    with pytest.raises(SchemaError, match="'probability' has dtype"):
        book_distribution(to_engine(book, engine))


@pytest.mark.parametrize("engine", _PER_PARTITION, indirect=True)
def test_sampling_is_refused_where_books_are_combined(engine: str) -> None:
    with pytest.raises(InvalidInputError, match="method='monte_carlo' is refused on a"):
        book_distribution(to_engine(_book(5, seed=3), engine), method="monte_carlo")


@pytest.mark.parametrize("engine", ["polars", "duckdb"], indirect=True)
def test_sampling_on_one_machine_is_the_pandas_sample(engine: str) -> None:
    book = _book(30, seed=4)
    options: dict[str, Any] = {
        "value": "amount",
        "probability": "chance",
        "method": "monte_carlo",
        "seed": 9,
    }
    want = book_distribution(book, **options)
    got = book_distribution(to_engine(book, engine), **options)
    assert np.array_equal(got.outcomes, want.outcomes)
    assert np.array_equal(got.probabilities, want.probabilities)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0.0, 1e6, allow_nan=False),
            st.floats(0.0, 1.0, allow_nan=False),
        ),
        max_size=40,
    )
)
def test_polars_equals_pandas_on_any_book(rows: list[tuple[float, float]]) -> None:
    pytest.importorskip("polars")
    book = pd.DataFrame(rows, columns=["value", "probability"], dtype="float64")
    want = book_distribution(book)
    got = book_distribution(to_engine(book, "polars"))
    assert (got.mean, got.std, got.total, got.deals) == (
        want.mean,
        want.std,
        want.total,
        want.deals,
    )
    assert np.array_equal(got.outcomes, want.outcomes)
    assert np.array_equal(got.probabilities, want.probabilities)
