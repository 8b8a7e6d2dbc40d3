"""Tests of salescore.schema: the canonical tables and the frame check."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.errors import InvalidInputError, SchemaError
from salescore.leads.response import response_report
from salescore.leads.sources import source_performance
from salescore.pipeline.deal import _COLUMNS
from salescore.pipeline.probabilities import fill_probabilities
from salescore.pipeline.records import Deal, deals_to_frame
from salescore.pipeline.stages import time_in_stage
from salescore.pipeline.tables import forecast_rollup, loss_reasons, weighted_pipeline
from salescore.retention.cohorts import cohort_retention
from salescore.retention.referrals import referral_report
from salescore.retention.usage import usage_summary
from salescore.schema import KINDS, TABLES, Column, Table, check_columns, row_problems, validate
from salescore.schema.vocabularies import FORECAST_CATEGORIES, STATUSES
from salescore.team.activity import activity_report
from salescore.team.productivity import productivity_report
from salescore.tiers.tables import (
    cold_accounts,
    declining_accounts,
    overdue_contacts,
    tier_accounts,
)
from salescore.value import profitability_by_source

from .strategies import nonnegative_money, probabilities


def _deals(**changes: Any) -> pd.DataFrame:
    """Nutshell's two prospects ($27,600 at 12 %, $34,500 at 83 %) as a deals table."""
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


def test_tables_are_the_seven_canonical_tables() -> None:
    assert list(TABLES) == [
        "deals",
        "stage_history",
        "deal_changes",
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


# ------------------------------------------------------------------ check_columns

# Nutshell's two prospects under a CRM's own column names.
_CRM_NAMES = {"deal_id": "Id", "value": "Amount", "probability": "Probability"}


def _crm_deals(**changes: Any) -> pd.DataFrame:
    return _deals().rename(columns=_CRM_NAMES).assign(**changes)


def test_check_columns_accepts_the_callers_names() -> None:
    check_columns(_crm_deals(), "deals", _CRM_NAMES)
    check_columns(_crm_deals(), TABLES["deals"], _CRM_NAMES)


def test_check_columns_lists_missing_and_mistyped_columns_in_one_error() -> None:
    frame = _crm_deals(Amount=["27,600", "34,500"], close_date=["2024-06-28", "2024-05-31"])
    wanted = {**_CRM_NAMES, "status": "Status", "stage": "Stage", "close_date": "close_date"}
    with pytest.raises(SchemaError) as caught:
        check_columns(frame.drop(columns="Probability"), "deals", wanted)
    lines = str(caught.value).splitlines()
    assert lines[0] == "deals: 3 problems:"
    assert lines[1].startswith("- missing columns 'Probability', 'Status', 'Stage' (it has [")
    assert lines[1].endswith("); pass the names your table uses as keyword arguments")
    assert re.fullmatch(
        r"- column 'Amount' has dtype \w+; it must be numeric \(float64\)", lines[2]
    )
    assert re.fullmatch(
        r"- column 'close_date' must hold datetimes \(datetime64, naive or tz-aware\); "
        r"it has dtype \w+ \(convert it with pandas.to_datetime\)",
        lines[3],
    )


def test_check_columns_gives_one_problem_on_one_line() -> None:
    with pytest.raises(SchemaError) as caught:
        check_columns(_crm_deals().drop(columns="Amount"), "deals", _CRM_NAMES)
    message = str(caught.value)
    assert message.startswith("deals: missing column 'Amount' (it has ['Id', 'Probability'")
    assert "\n" not in message


def test_check_columns_skips_columns_mapped_to_none() -> None:
    check_columns(_crm_deals(), "deals", {**_CRM_NAMES, "status": None, "currency": None})


def test_check_columns_reads_labels_and_flags_of_any_dtype() -> None:
    """Text, ids, choices, currencies and flags are checked by value in the calculations."""
    frame = pd.DataFrame(
        {
            "deal_id": [1.0, 2.0],
            "stage": pd.Categorical(["Prospecting", "Closing"]),
            "status": [0, 1],
            "currency": [None, None],
            "converted": [1, None],
        }
    )
    check_columns(frame, "deals", {name: name for name in frame.columns if name != "converted"})
    check_columns(frame, "leads", {"converted": "converted", "lead_id": "deal_id"})


def test_check_columns_accepts_naive_and_aware_datetimes_for_dates() -> None:
    frame = _deals(close_date=pd.to_datetime(["2024-06-28", "2024-05-31"], utc=True))
    check_columns(frame, "deals", {"close_date": "close_date", "created": "created"})
    check_columns(
        frame.assign(created=frame["created"].dt.tz_localize(None)), "deals", {"created": "created"}
    )


def test_check_columns_refuses_booleans_and_timedeltas_as_numbers() -> None:
    frame = _deals(value=[True, False], probability=pd.to_timedelta([1, 2], unit="D"))
    with pytest.raises(SchemaError, match=r"deals: 2 problems:\n- column 'value' has dtype bool"):
        check_columns(frame, "deals", {"value": "value", "probability": "probability"})


def test_check_columns_kinds_describe_other_columns_and_frames() -> None:
    accounts = pd.DataFrame({"annual_revenue": [1.0], "previous_revenue": ["1"]})
    read = {"annual_revenue": "annual_revenue", "previous_revenue": "previous_revenue"}
    with pytest.raises(SchemaError, match=r"accounts: column 'previous_revenue' has dtype"):
        check_columns(accounts, "accounts", read, kinds={"previous_revenue": "number"})
    # A kind replaces the table's: a number read as a label is not checked for dtype.
    check_columns(accounts, "accounts", read, kinds={"previous_revenue": "text"})
    customers = pd.DataFrame({"hours": ["4"]})
    with pytest.raises(SchemaError, match=r"customers: column 'hours' has dtype"):
        check_columns(customers, "customers", {"hours": "hours"}, kinds={"hours": "number"})


def test_check_columns_others_need_only_be_present() -> None:
    frame = _deals(region=[object(), 3])
    check_columns(frame, "deals", {"value": "value"}, others=["region"])
    check_columns(frame, "deals", {"value": "value"}, others="region")
    with pytest.raises(SchemaError, match=r"missing columns 'segment', 'team'"):
        check_columns(frame, "deals", {"value": "value"}, others=["segment", "team", "region"])


def test_check_columns_reports_repeated_names_with_the_rest() -> None:
    frame = pd.concat([_deals(), _deals()[["value"]]], axis=1)
    with pytest.raises(SchemaError) as caught:
        check_columns(frame, "deals", {"value": "value", "stage": "Stage"})
    assert str(caught.value).splitlines() == [
        "deals: 2 problems:",
        "- more than one column is named 'value'",
        f"- missing column 'Stage' (it has {list(frame.columns)!r}); pass the names your "
        "table uses as keyword arguments",
    ]


def test_check_columns_refuses_bad_calls() -> None:
    with pytest.raises(SchemaError, match="deals must be a pandas DataFrame; got dict"):
        check_columns({"value": [1.0]}, "deals", {"value": "value"})
    with pytest.raises(InvalidInputError, match="'amount' is not a column of the deals table"):
        check_columns(_deals(), "deals", {"amount": "value"})
    with pytest.raises(InvalidInputError, match="'hours' is not a column of 'customers', not a"):
        check_columns(_deals(), "customers", {"hours": "value"})
    with pytest.raises(InvalidInputError, match="kind must be one of id, text"):
        check_columns(_deals(), "deals", {"value": "value"}, kinds={"value": "money"})
    with pytest.raises(InvalidInputError, match="table must be a str or a Table"):
        check_columns(_deals(), 3, {"value": "value"})  # type: ignore[arg-type]


_NUMERIC_DEALS = ("value", "probability")
_TEMPORAL_DEALS = ("created", "close_date")


@given(
    missing=st.sets(st.sampled_from(_NUMERIC_DEALS + _TEMPORAL_DEALS + ("status", "deal_id"))),
    retyped=st.sets(st.sampled_from(_NUMERIC_DEALS + _TEMPORAL_DEALS)),
)
@settings(max_examples=100)
def test_check_columns_reports_exactly_the_problems_made(
    missing: set[str], retyped: set[str]
) -> None:
    """Oracle: the error names each dropped column and each column turned into text."""
    frame = _deals(status=["open", "won"])
    for name in retyped:
        frame[name] = frame[name].astype(str)
    frame = frame.drop(columns=sorted(missing))
    wanted = ("deal_id", "status", *_NUMERIC_DEALS, *_TEMPORAL_DEALS)
    # The caller's names: each canonical name in capitals.
    renamed = frame.rename(columns=str.upper)
    read = {name: name.upper() for name in wanted}
    wrong = sorted(retyped - missing, key=wanted.index)
    if not missing and not wrong:
        check_columns(renamed, "deals", read)
        return
    with pytest.raises(SchemaError) as caught:
        check_columns(renamed, "deals", read)
    message = str(caught.value)
    problems = (1 if missing else 0) + len(wrong)
    assert message.startswith("deals: " if problems == 1 else f"deals: {problems} problems:")
    gone = [name.upper() for name in wanted if name in missing]
    if gone:
        assert f"{', '.join(map(repr, gone))} (it has" in message
    mistyped = re.findall(r"column '(\w+)' (?:has dtype|must hold datetimes)", message)
    assert mistyped == [name.upper() for name in wrong]


# ------------------------------------------------------- table functions use it

_D = pd.to_datetime(["2024-01-10", "2024-02-10"])


def _two_problems(frame: pd.DataFrame, drop: str, retype: str) -> pd.DataFrame:
    """The frame without one column and with another as text: two column problems."""
    return frame.drop(columns=drop).assign(**{retype: frame[retype].astype(str)})


_PIPELINE = pd.DataFrame(
    {
        "deal_id": ["D1", "D2"],
        "status": ["open", "lost"],
        "stage": ["Proposal", "Proposal"],
        "value": [27_600.0, 34_500.0],
        "probability": [0.12, 0.83],
        "forecast_category": ["commit", "pipeline"],
        "lost_reason": [None, "price"],
        "currency": ["USD", "USD"],
        "close_date": _D,
    }
)
_HISTORY = pd.DataFrame(
    {"deal_id": ["D1", "D1"], "stage": ["A", "B"], "entered": _D, "exited": [_D[1], pd.NaT]}
)
_ACCOUNTS = pd.DataFrame(
    {
        "account_id": ["a1", "a2"],
        "size": ["large", "small"],
        "region": ["north", "south"],
        "industry": ["it", "it"],
        "annual_revenue": [70_000.0, 0.0],
        "previous_revenue": [100_000.0, 10.0],
        "last_contact": _D,
        "tier": ["A", "B"],
        "temperature": [0.5, 0.1],
    }
)
_LEADS = pd.DataFrame(
    {
        "lead_id": ["L1", "L2"],
        "owner": ["Ann", "Bo"],
        "source": ["web", "ads"],
        "created": _D,
        "first_contact": _D,
        "converted": [True, False],
        "value": [1_000.0, 0.0],
    }
)
_LOG = pd.DataFrame({"customer_id": ["c1", "c2"], "date": _D, "amount": [10.0, 20.0]})
_ACTIVITIES = pd.DataFrame({"owner": ["Ann", "Bo"], "date": _D, "kind": ["call", "visit"]})
_CUSTOMERS = pd.DataFrame(
    {
        "customer_id": ["c1", "c2"],
        "source": ["referral", "cold"],
        "referred_by": ["c9", None],
        "revenue": [5_000.0, 1_000.0],
        "value": [9_000.0, 8_000.0],
        "hours": [60.0, 10.0],
    }
)

TWO_PROBLEMS: list[tuple[str, Callable[[], object], str, str, str]] = [
    (
        "weighted_pipeline",
        lambda: weighted_pipeline(_two_problems(_PIPELINE, "status", "probability")),
        "deals",
        "status",
        "probability",
    ),
    (
        "weighted_pipeline by period",
        lambda: weighted_pipeline(_two_problems(_PIPELINE, "value", "close_date"), freq="M"),
        "deals",
        "value",
        "close_date",
    ),
    (
        "forecast_rollup",
        lambda: forecast_rollup(_two_problems(_PIPELINE, "forecast_category", "value")),
        "deals",
        "forecast_category",
        "value",
    ),
    (
        "loss_reasons",
        lambda: loss_reasons(_two_problems(_PIPELINE, "lost_reason", "close_date")),
        "deals",
        "lost_reason",
        "close_date",
    ),
    (
        "fill_probabilities",
        lambda: fill_probabilities(_two_problems(_PIPELINE, "stage", "probability"), {"A": 0.1}),
        "deals",
        "stage",
        "probability",
    ),
    (
        "time_in_stage",
        lambda: time_in_stage(_two_problems(_HISTORY, "stage", "entered")),
        "stage_history",
        "stage",
        "entered",
    ),
    (
        "tier_accounts",
        lambda: tier_accounts(
            _two_problems(_ACCOUNTS, "region", "annual_revenue"), today="2024-03-01"
        ),
        "accounts",
        "region",
        "annual_revenue",
    ),
    (
        "overdue_contacts",
        lambda: overdue_contacts(_two_problems(_ACCOUNTS, "tier", "last_contact"), today=_D[1]),
        "accounts",
        "tier",
        "last_contact",
    ),
    (
        "cold_accounts",
        lambda: cold_accounts(_two_problems(_ACCOUNTS, "account_id", "temperature")),
        "accounts",
        "account_id",
        "temperature",
    ),
    (
        "declining_accounts",
        lambda: declining_accounts(_two_problems(_ACCOUNTS, "annual_revenue", "previous_revenue")),
        "accounts",
        "annual_revenue",
        "previous_revenue",
    ),
    (
        "response_report",
        lambda: response_report(_two_problems(_LEADS, "owner", "first_contact")),
        "leads",
        "owner",
        "first_contact",
    ),
    (
        "source_performance",
        lambda: source_performance(_two_problems(_LEADS, "converted", "value"), value="value"),
        "leads",
        "converted",
        "value",
    ),
    (
        "cohort_retention",
        lambda: cohort_retention(
            _two_problems(_LOG, "customer_id", "amount"), amount="amount", measure="revenue"
        ),
        "transactions",
        "customer_id",
        "amount",
    ),
    (
        "usage_summary",
        lambda: usage_summary(_two_problems(_LOG, "customer_id", "date")),
        "events",
        "customer_id",
        "date",
    ),
    (
        "referral_report",
        lambda: referral_report(_two_problems(_CUSTOMERS, "source", "revenue"), revenue="revenue"),
        "customers",
        "source",
        "revenue",
    ),
    (
        "productivity_report",
        lambda: productivity_report(_two_problems(_PIPELINE, "status", "close_date"), 4),
        "deals",
        "status",
        "close_date",
    ),
    (
        "activity_report",
        lambda: activity_report(_two_problems(_ACTIVITIES, "kind", "date"), {"call": 2}),
        "activities",
        "kind",
        "date",
    ),
    (
        "profitability_by_source",
        lambda: profitability_by_source(
            _two_problems(_CUSTOMERS, "source", "hours"), hourly_cost=50.0
        ),
        "customers",
        "source",
        "hours",
    ),
]


@pytest.mark.parametrize(
    ("call", "table", "dropped", "retyped"),
    [case[1:] for case in TWO_PROBLEMS],
    ids=[case[0] for case in TWO_PROBLEMS],
)
def test_table_functions_report_a_missing_and_a_mistyped_column_at_once(
    call: Callable[[], object], table: str, dropped: str, retyped: str
) -> None:
    with pytest.raises(SchemaError) as caught:
        call()
    lines = str(caught.value).splitlines()
    assert lines[0] == f"{table}: 2 problems:"
    assert lines[1].startswith(f"- missing column {dropped!r} (it has [")
    assert lines[1].endswith("pass the names your table uses as keyword arguments")
    assert re.match(
        rf"- column {retyped!r} (has dtype \w+; it must be numeric|must hold dat)", lines[2]
    )
    assert len(lines) == 3


def test_table_functions_report_under_the_callers_names() -> None:
    deals = _PIPELINE.rename(columns={"value": "Amount", "probability": "Probability"})
    deals = _two_problems(deals, "status", "Amount")
    with pytest.raises(SchemaError) as caught:
        weighted_pipeline(deals, value="Amount", probability="Probability", status="Stage")
    message = str(caught.value)
    assert "missing column 'Stage'" in message
    assert "column 'Amount' has dtype" in message


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


# ------------------------------------------------------------- hostile input (issue 14)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kinds": "bogus"}, "kinds must be a mapping"),
        ({"kinds": {"value": 3}}, "kind must be one of id, text"),
        ({"kinds": {3: "number"}}, "kinds must map column names"),
        ({"columns": "bogus"}, "columns must be a mapping"),
        ({"columns": None}, "columns must be a mapping"),
        ({"columns": {"value": ["value"]}}, r"columns\['value'\] must be a column name"),
        ({"columns": {pd.NA: "value"}}, "columns must map canonical column names"),
        ({"others": 5}, "others must be a column name or an iterable"),
        ({"others": np.array(5.0)}, "others must be a column name or an iterable"),
        ({"others": {"a": "b"}}, "others must be a column name or an iterable"),
        ({"others": [None]}, "others must hold column names"),
    ],
)
def test_check_columns_refuses_malformed_options(options: dict[str, Any], message: str) -> None:
    # kinds="bogus" used to raise ValueError from dict(), columns="bogus" AttributeError
    # and others=5 TypeError: none a SalescoreError.
    arguments: dict[str, Any] = {"columns": {"value": "value"}, **options}
    with pytest.raises(InvalidInputError, match=message):
        check_columns(_deals(), "deals", arguments.pop("columns"), **arguments)


def test_validate_refuses_a_multiindex_header() -> None:
    # Two header rows, one of them with a repeated name: frame[name] is a frame, whose
    # missing .dtype used to raise AttributeError.
    for header in ([("deal_id", "a"), ("value", "b")], [("deal_id", "a"), ("deal_id", "b")]):
        frame = pd.DataFrame([["D-1", 1.0]], columns=pd.MultiIndex.from_tuples(header))
        with pytest.raises(SchemaError, match="MultiIndex"):
            validate(frame, "deals")
        with pytest.raises(SchemaError, match="MultiIndex"):
            row_problems(frame, "deals")


def test_validate_strict_goes_through_the_flag_check() -> None:
    for value in ("no", "False", 0, None, pd.NA):
        with pytest.raises(InvalidInputError, match="strict must be True or False"):
            validate(_deals(), "deals", strict=value)  # type: ignore[arg-type]
    validate(_deals(), "deals", strict=np.False_)  # type: ignore[arg-type]  # a NumPy bool
    with pytest.raises(SchemaError, match="unknown column"):
        validate(_deals(Amount=[1.0, 2.0]), "deals", strict=np.True_)  # type: ignore[arg-type]


def test_complex_numbers_are_not_numbers() -> None:
    # A complex value column used to pass the dtype check and be cast to its real part
    # with only numpy's ComplexWarning.
    frame = _deals(value=[27_600.0 + 1j, 34_500.0])
    with pytest.raises(SchemaError, match="column 'value' has dtype complex128; it must be"):
        validate(frame, "deals")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": None}, "name must be a non-empty str"),
        ({"name": ""}, "name must be a non-empty str"),
        ({"kind": None}, "kind must be one of"),
        ({"kind": ["number"]}, "kind must be one of"),
        ({"required": "no"}, "required must be True or False"),
        ({"nullable": pd.NA}, "nullable must be True or False"),
        ({"unique": 1}, "unique must be True or False"),
        ({"allowed": "open"}, "allowed must be None or a sequence of str"),
        ({"allowed": [1, 2]}, "allowed must be None or a sequence of str"),
        ({"minimum": 10**400}, "minimum must be a number within float range"),
        ({"minimum": math.inf}, "minimum must be None or a finite number"),
        ({"minimum": "0"}, "minimum must be a number"),
        ({"description": None}, "description must be a str"),
    ],
)
def test_column_records_refuse_invalid_fields(fields: dict[str, Any], message: str) -> None:
    # These used to build a Column that broke later (or, for a kind, raised ValueError).
    with pytest.raises(InvalidInputError, match=message):
        Column(**{"name": "x", "kind": "number", **fields})


def test_table_records_refuse_invalid_fields() -> None:
    column = Column(name="x", kind="number")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": 3}, "name must be a non-empty str"),
        ({"columns": [1]}, "columns must be a sequence of Column"),
        ({"columns": None}, "columns must be a sequence of Column"),
        ({"columns": (column, column)}, r"distinct names; repeated: \['x'\]"),
        ({"description": b"x"}, "description must be a str"),
    ]
    for fields, message in cases:
        with pytest.raises(InvalidInputError, match=message):
            Table(**{"name": "t", "columns": (column,), **fields})
    # A list of columns is read as a tuple; a name that is not a str is in no table.
    table = Table(name="t", columns=[column])
    assert table.columns == (column,)
    assert pd.NA not in table


def test_table_lookup_of_a_name_that_is_not_a_string() -> None:
    # pd.NA == "deal_id" is pd.NA, whose truth value used to raise TypeError.
    with pytest.raises(KeyError):
        TABLES["deals"][pd.NA]
