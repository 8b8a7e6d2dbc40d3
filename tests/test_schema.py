"""Tests of salescore.schema: the canonical tables and the frame check."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.errors import SchemaError
from salescore.pipeline._categories import FORECAST_CATEGORIES, STATUSES
from salescore.pipeline.records import _COLUMNS, Deal, deals_to_frame
from salescore.schema import KINDS, TABLES, Column, row_problems, validate

from .strategies import nonnegative_money, probabilities


def _deals(**changes: Any) -> pd.DataFrame:
    """Seed 002's two prospects ($27,600 at 12 %, $34,500 at 83 %) as a deals table."""
    frame = pd.DataFrame(
        {
            "deal_id": ["D-17", "D-18"],
            "value": [27_600.0, 34_500.0],
            "probability": [0.12, 0.83],
            "status": ["open", "open"],
            "currency": ["USD", "USD"],
            "created": pd.to_datetime(["2024-03-04 09:30", "2024-03-05 10:00"], utc=True),
            "close_date": pd.to_datetime(["2024-06-28", "2024-05-31"]),
        },
        index=pd.Index([10, 11]),
    )
    return frame.assign(**changes)


# ------------------------------------------------------------------ the tables


def test_tables_are_the_six_canonical_tables() -> None:
    assert list(TABLES) == [
        "deals",
        "stage_history",
        "accounts",
        "transactions",
        "leads",
        "activities",
    ]


def test_deals_table_agrees_with_the_deal_record() -> None:
    deals = TABLES["deals"]
    assert deals.names == _COLUMNS
    assert deals.required == ("deal_id", "value")
    assert deals.key == "deal_id"
    assert deals["status"].allowed == STATUSES
    assert deals["forecast_category"].allowed == FORECAST_CATEGORIES


def test_deals_to_frame_output_fits_the_schema() -> None:
    deals = [
        Deal(
            deal_id="D-17",
            value=27_600,
            probability=0.12,
            currency="usd",
            created="2024-03-04T09:30",
            close_date="2024-06-28",
            forecast_category="BestCase",
        ),
        Deal(deal_id=18, value=34_500, status="won"),
    ]
    validate(deals_to_frame(deals), "deals")


def test_empty_frames_have_the_canonical_dtypes() -> None:
    for spec in TABLES.values():
        empty = spec.empty()
        assert list(empty.columns) == list(spec.names)
        assert [str(dtype) for dtype in empty.dtypes] == [column.dtype for column in spec]
        validate(empty, spec)


def test_every_kind_has_a_dtype() -> None:
    for kind in KINDS:
        assert Column(name="x", kind=kind).dtype


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        Column(name="x", kind="money")


def test_table_lookup_by_name() -> None:
    deals = TABLES["deals"]
    assert "value" in deals
    assert "Amount" not in deals
    with pytest.raises(KeyError):
        deals["Amount"]


# ------------------------------------------------------------------ validate


def test_validate_accepts_seed_002_prospects() -> None:
    validate(_deals(), "deals")
    validate(_deals(), TABLES["deals"])


def test_validate_accepts_naive_created_and_string_dtype() -> None:
    frame = _deals(
        created=pd.to_datetime(["2024-03-04", "2024-03-05"]),
        deal_id=pd.Series(["D-17", "D-18"], index=[10, 11], dtype="string"),
    )
    validate(frame, "deals")


def test_validate_lists_every_problem_in_one_error() -> None:
    frame = _deals(probability=[12.0, 0.83], status=["open", "pending"], currency=["USD", "usd"])
    frame = frame.drop(columns="value").assign(close_date=["soon", "later"])
    with pytest.raises(SchemaError) as caught:
        validate(frame, "deals")
    message = str(caught.value)
    assert message.startswith("deals: 5 problems:")
    assert "missing required column 'value'" in message
    assert re.search(r"column 'close_date' has dtype \w+; it must be datetime64\[ns\]", message)
    # Bad values name the rows by their labels (10 and 11) and show the values.
    assert (
        "probability must be a fraction in [0, 1] (divide percentages by 100): 1 row: 10 (12.0)"
        in message
    )
    assert "status must be one of open, won, lost: 1 row: 11 ('pending')" in message
    assert (
        "currency must be an upper-case ISO 4217 code such as 'EUR': 1 row: 11 ('usd')" in message
    )


def test_validate_reports_repeated_keys_and_order_of_dates() -> None:
    frame = _deals(
        deal_id=["D-17", "D-17"],
        close_date=pd.to_datetime(["2024-03-01", "2024-05-31"]),
    )
    with pytest.raises(SchemaError) as caught:
        validate(frame, "deals")
    message = str(caught.value)
    assert "deal_id must be unique; repeated: 2 rows: 10 ('D-17'), 11 ('D-17')" in message
    assert "close_date is before the date of created: 1 row: 10" in message


def test_close_date_on_the_day_of_creation_passes() -> None:
    validate(_deals(close_date=pd.to_datetime(["2024-03-04", "2024-03-05"])), "deals")


def test_validate_reports_missing_values_where_not_allowed() -> None:
    frame = _deals(value=[27_600.0, np.nan], deal_id=["D-17", None])
    with pytest.raises(SchemaError, match=r"value is missing: 1 row: 11") as caught:
        validate(frame, "deals")
    assert "deal_id is missing: 1 row: 11" in str(caught.value)


def test_validate_strict_reports_unknown_columns() -> None:
    frame = _deals(Amount=[1.0, 2.0])
    validate(frame, "deals")
    with pytest.raises(SchemaError, match=r"unknown column 'Amount' \(strict=True\)"):
        validate(frame, "deals", strict=True)


def test_validate_of_each_table() -> None:
    utc = pd.to_datetime(["2024-03-04 09:00", "2024-03-05 10:00"], utc=True)
    validate(
        pd.DataFrame(
            {
                "deal_id": ["A", "A"],
                "stage": ["Lead", "Won"],
                "entered": utc,
                "exited": [utc[1], pd.NaT],
            }
        ),
        "stage_history",
    )
    validate(
        pd.DataFrame(
            {
                "account_id": [1, 2],
                "annual_revenue": [5.0, 3.0],
                "tier": ["A", None],
                "region": ["north", "south"],
            }
        ),
        "accounts",
    )
    validate(
        pd.DataFrame({"customer_id": ["c1", "c1"], "date": utc, "amount": [9.5, 0.0]}),
        "transactions",
    )
    validate(
        pd.DataFrame(
            {
                "lead_id": ["L1", "L2"],
                "created": utc,
                "first_contact": [utc[0], pd.NaT],
                "converted": [True, False],
            }
        ),
        "leads",
    )
    validate(
        pd.DataFrame({"owner": ["ana", "ben"], "date": utc, "kind": ["call", "visit"]}),
        "activities",
    )


def test_validate_reports_exit_before_entry_and_response_before_creation() -> None:
    utc = pd.to_datetime(["2024-03-04 09:00", "2024-03-05 10:00"], utc=True)
    history = pd.DataFrame(
        {"deal_id": ["A"], "stage": ["Lead"], "entered": utc[1:], "exited": utc[:1]}
    )
    with pytest.raises(SchemaError, match=r"exited is before entered: 1 row: 0"):
        validate(history, "stage_history")
    leads = pd.DataFrame(
        {"lead_id": ["L1"], "created": utc[1:], "first_contact": utc[:1], "converted": [False]}
    )
    with pytest.raises(SchemaError, match=r"first_contact is before created: 1 row: 0"):
        validate(leads, "leads")


def test_validate_flag_and_tier_and_kind() -> None:
    frame = pd.DataFrame(
        {"lead_id": ["L1"], "created": pd.to_datetime(["2024-01-01"]), "converted": ["yes"]}
    )
    with pytest.raises(SchemaError, match=r"column 'converted' has dtype \w+; it must be bool"):
        validate(frame, "leads")
    with pytest.raises(SchemaError, match=r"tier must be one of A, B, C, D: 1 row: 0 \('E'\)"):
        validate(pd.DataFrame({"account_id": ["x"], "tier": ["E"]}), "accounts")
    activities = pd.DataFrame(
        {"owner": ["ana"], "date": pd.to_datetime(["2024-01-01"]), "kind": ["lunch"]}
    )
    with pytest.raises(SchemaError, match=r"kind must be one of call, visit, email, meeting"):
        validate(activities, "activities")


def test_validate_values_of_the_wrong_type_do_not_crash() -> None:
    frame = _deals(status=[["open"], "open"], deal_id=[{"id": 1}, "D-18"], stage=[3, "Proposal"])
    with pytest.raises(SchemaError) as caught:
        validate(frame, "deals")
    message = str(caught.value)
    assert "status must be a str: 1 row: 10 (['open'])" in message
    assert "deal_id must be a non-blank str or an int: 1 row: 10 ({'id': 1})" in message
    assert "stage must be a str: 1 row: 10 (3)" in message


def test_validate_refuses_non_frames_and_unknown_tables() -> None:
    with pytest.raises(SchemaError, match="deals must be a pandas DataFrame; got dict"):
        validate({"deal_id": [1]}, "deals")  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="table must be one of deals, stage_history"):
        validate(_deals(), "opportunities")


def test_date_with_time_of_day_is_a_problem() -> None:
    frame = _deals(close_date=pd.to_datetime(["2024-06-28 12:00", "2024-05-31 00:00"]))
    with pytest.raises(SchemaError, match=r"close_date must be a date \(midnight"):
        validate(frame, "deals")


def test_repeated_column_names_are_reported() -> None:
    frame = pd.concat([_deals(), _deals()[["value"]]], axis=1)
    with pytest.raises(SchemaError, match="more than one column is named 'value'"):
        validate(frame, "deals")


# ------------------------------------------------------------------ row_problems


def test_row_problems_names_each_rows_problems() -> None:
    frame = _deals(value=[-5.0, 34_500.0], probability=[0.12, 1.5])
    assert row_problems(frame, "deals").tolist() == [
        "value must be finite and >= 0 (-5.0)",
        "probability must be a fraction in [0, 1] (divide percentages by 100) (1.5)",
    ]
    assert row_problems(frame, "deals").index.tolist() == [10, 11]


def test_row_problems_refuses_column_problems() -> None:
    with pytest.raises(SchemaError, match=re.escape("deals: missing required column 'value'")):
        row_problems(_deals().drop(columns="value"), "deals")


# ------------------------------------------------------------------ properties


@given(
    st.lists(st.tuples(nonnegative_money(), probabilities()), min_size=1, max_size=20),
    st.data(),
)
@settings(max_examples=200)
def test_one_bad_probability_is_reported_at_its_label(
    rows: list[tuple[float, float]], data: st.DataObject
) -> None:
    """Valid tables pass; one percentage among fractions is named by its row label."""
    labels = [f"r{n}" for n in range(len(rows))]
    frame = pd.DataFrame(
        {
            "deal_id": [f"D-{n}" for n in range(len(rows))],
            "value": [value for value, _ in rows],
            "probability": [probability for _, probability in rows],
        },
        index=labels,
    )
    validate(frame, "deals")
    assert row_problems(frame, "deals").isna().all()
    bad = data.draw(st.integers(0, len(rows) - 1))
    percent = data.draw(st.floats(1.0, 100.0, exclude_min=True))
    frame.loc[labels[bad], "probability"] = percent
    with pytest.raises(SchemaError, match=f"1 row: '{labels[bad]}'"):
        validate(frame, "deals")
    problems = row_problems(frame, "deals")
    assert problems.notna().tolist() == [n == bad for n in range(len(rows))]
