"""score_customers on engine frames: the same scores, computed where the rows lie.

The scores are row-wise, so every engine's result must equal the pandas path's
exactly, in a frame of the same engine (lazy where the engine is).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from salescore.errors import InvalidInputError, SchemaError
from salescore.models import (
    fit_bgnbd,
    fit_gamma_gamma,
    load_cdnow_transactions,
    rfm_summary,
    score_customers,
)

from .harness import to_engine, to_pandas

pytest.importorskip("scipy")

# The native frame types each engine's result must have.
KINDS = {
    "polars": "DataFrame",
    "polars-lazy": "LazyFrame",
    "duckdb": "DuckDBPyRelation",
    "dask": "DataFrame",
    "spark": "DataFrame",
}


@pytest.fixture(scope="module")
def fitted() -> tuple[pd.DataFrame, Any, Any]:
    summary = rfm_summary(
        load_cdnow_transactions(),
        amount="amount",
        freq="D",
        time_unit="W",
        calibration_end="1997-09-30",
        observation_end="1998-06-30",
    )
    summary = summary[["frequency", "recency", "T", "monetary_value"]].reset_index()
    bgnbd = fit_bgnbd(summary["frequency"], summary["recency"], summary["T"])
    repeat = summary[summary["frequency"] > 0]
    gamma_gamma = fit_gamma_gamma(repeat["frequency"], repeat["monetary_value"])
    return summary, bgnbd, gamma_gamma


def test_every_engine_scores_as_pandas_does(
    engine: str, fitted: tuple[pd.DataFrame, Any, Any]
) -> None:
    summary, bgnbd, gamma_gamma = fitted
    options: dict[str, Any] = {
        "t": 39,
        "gamma_gamma": gamma_gamma,
        "months": 12,
        "discount_rate": 0.01,
    }
    want = score_customers(summary, bgnbd, **options)
    scored = score_customers(to_engine(summary, engine), bgnbd, **options)
    assert type(scored).__name__ == KINDS[engine]
    got = to_pandas(scored).sort_values("customer_id", ignore_index=True)
    assert list(got.columns) == list(want.columns)
    for column in ("probability_alive", "expected_purchases", "expected_value", "clv"):
        np.testing.assert_array_equal(got[column].to_numpy(), want[column].to_numpy())
    # The scores are the model's own, customer by customer.
    np.testing.assert_array_equal(
        want["probability_alive"].to_numpy(),
        bgnbd.probability_alive(summary["frequency"], summary["recency"], summary["T"]).to_numpy(),
    )


def test_refusals_come_before_any_row_is_read(
    engine: str, fitted: tuple[pd.DataFrame, Any, Any]
) -> None:
    summary, bgnbd, gamma_gamma = fitted
    native = to_engine(summary, engine)
    with pytest.raises(SchemaError, match=r"missing column 'age'"):
        score_customers(native, bgnbd, T="age")
    with pytest.raises(SchemaError, match=r"already has 'probability_alive'"):
        score_customers(to_engine(summary.assign(probability_alive=0.5), engine), bgnbd)
    with pytest.raises(InvalidInputError, match=r"months and discount_rate go together"):
        score_customers(native, bgnbd, gamma_gamma=gamma_gamma, months=12)
    with pytest.raises(InvalidInputError, match=r"\bt\b"):
        score_customers(native, bgnbd, t=-1.0)


def test_a_bad_history_fails_when_the_rows_are_computed(
    fitted: tuple[pd.DataFrame, Any, Any],
) -> None:
    pl = pytest.importorskip("polars")
    summary, bgnbd, _ = fitted
    bad = summary.assign(recency=summary["T"] + 1.0)  # recency after the end of observation
    with pytest.raises(InvalidInputError, match="recency"):
        score_customers(pl.from_pandas(bad), bgnbd)
    lazy = score_customers(pl.from_pandas(bad).lazy(), bgnbd)  # nothing computed yet
    with pytest.raises(Exception, match="recency"):
        lazy.collect()
