"""Tests of salescore.adapters.generic: any CRM's records through a mapping, and back."""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.adapters.generic import from_records, to_records
from salescore.errors import InvalidInputError, SalescoreError, SchemaError
from salescore.pipeline._categories import FORECAST_CATEGORIES, STATUSES
from salescore.schema import TABLES, validate

from .strategies import nonnegative_money, probabilities

_NAMES = {"deal_id": "Id", "value": "Amount", "probability": "Probability", "stage": "Stage"}


def test_nutshell_prospects_in_percent() -> None:
    # The Nutshell article's worked figures: $27,600 at 12 % adds $3,312; $34,500 at
    # 83 % adds $28,635.
    records = [
        {"Id": "P-1", "Amount": "27600", "Probability": 12, "Stage": "Proposal"},
        {"Id": "P-2", "Amount": 34_500.0, "Probability": "83", "Stage": "Negotiation"},
    ]
    result = from_records(records, _NAMES, probability_scale="percent")
    weighted = result.frame["value"] * result.frame["probability"]
    assert weighted.tolist() == [3312.0, 28635.0]
    assert result.frame["status"].tolist() == ["open", "open"]  # no status field: open
    validate(result.frame, "deals")


def test_fraction_scale_refuses_percentages() -> None:
    result = from_records([{"Id": "P-1", "Amount": 1, "Probability": 12}], _NAMES)
    assert result.accepted == 0
    assert result.rejected["reason"].tolist() == ["Probability: outside 0 to 1 (fraction): 12"]


def test_unmapped_fields_are_reported_in_a_warning() -> None:
    result = from_records([{"Id": "A", "Amount": 1, "Colour": "red"}], _NAMES)
    assert result.warnings == ("fields not mapped to a deals column were ignored: 'Colour'",)


def test_columns_read_under_their_canonical_names_by_default() -> None:
    result = from_records([{"deal_id": 7, "value": 10, "status": "Won", "currency": "nok"}])
    row = result.frame.iloc[0]
    assert (row["deal_id"], row["value"], row["status"], row["currency"]) == (7, 10.0, "won", "NOK")


def test_other_tables() -> None:
    leads = from_records(
        [
            {
                "id": "L1",
                "at": "2024-03-04T09:30:00Z",
                "first": "2024-03-04T09:34:00Z",
                "won": "true",
            },
            {"id": "L2", "at": "2024-03-04T10:00:00Z", "first": None, "won": False},
            {"id": "L3", "at": "2024-03-04T10:00:00Z", "first": "2024-03-04T09:00:00Z", "won": 0},
        ],
        {"lead_id": "id", "created": "at", "first_contact": "first", "converted": "won"},
        table="leads",
    )
    assert leads.frame["converted"].dtype == bool
    assert leads.frame["converted"].tolist() == [True, False]
    assert leads.rejected["reason"].tolist() == [
        "first_contact is before created (2024-03-04 09:00:00)"
    ]
    activities = from_records(
        [{"owner": "ana", "date": "2024-03-04", "kind": "Call"}], table="activities"
    )
    assert activities.frame["kind"].tolist() == ["call"]


def test_whole_call_errors() -> None:
    with pytest.raises(SchemaError, match=r"required field 'Amount' absent from every record"):
        from_records([{"Id": "A"}], _NAMES)
    with pytest.raises(SchemaError, match="records must be a list of mappings"):
        from_records("Id,Amount\nA,1", _NAMES)
    with pytest.raises(InvalidInputError, match="'Worth' not a column of deals"):
        from_records([], {"Worth": "Amount"})
    with pytest.raises(
        InvalidInputError, match="columns 'deal_id' and 'value' both read field 'x'"
    ):
        from_records([], {"deal_id": "x", "value": "x"})
    with pytest.raises(InvalidInputError, match="table must be one of"):
        from_records([], table="opportunities")
    with pytest.raises(InvalidInputError, match="probability_scale must be"):
        from_records([], probability_scale="percentage")


def test_empty_records_give_an_empty_canonical_table() -> None:
    result = from_records([], _NAMES)
    assert (result.rows_in, result.accepted, result.n_rejected) == (0, 0, 0)
    pd.testing.assert_frame_equal(result.frame, TABLES["deals"].empty(), check_index_type=False)


def test_to_records_is_json_ready() -> None:
    frame = from_records(
        [
            {
                "Id": "A",
                "Amount": 5,
                "created": "2024-03-04T09:30:00+01:00",
                "close_date": "2024-06-28",
                "Probability": None,
            }
        ],
        _NAMES,
    ).frame
    records = to_records(frame, _NAMES)
    assert json.loads(json.dumps(records)) == records
    assert records[0]["created"] == "2024-03-04T08:30:00+00:00"
    assert records[0]["close_date"] == "2024-06-28"
    assert records[0]["Probability"] is None


# ------------------------------------------------------------------ properties

# Blank text reads as missing (CRMs write "" for an unset field), so it is not drawn.
_TEXT = st.one_of(
    st.none(),
    st.sampled_from(["Web", "Partner", "ana", "ben"]),
    st.text(min_size=1, max_size=8).filter(str.strip),
)
_MOMENTS = st.datetimes(
    min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2035, 12, 31)
)


@st.composite
def canonical_deals(draw: Callable[[st.SearchStrategy[Any]], Any]) -> pd.DataFrame:
    """Valid canonical deals tables, as the adapters produce them."""
    size = draw(st.integers(0, 8))
    ids = draw(
        st.lists(
            st.one_of(st.text(min_size=1, max_size=6).filter(str.strip), st.integers(0, 10**12)),
            min_size=size,
            max_size=size,
            unique=True,
        )
    )
    rows = []
    for deal_id in ids:
        created = draw(st.one_of(st.none(), _MOMENTS))
        close = draw(st.one_of(st.none(), _MOMENTS.map(lambda moment: moment.date())))
        if created is not None and close is not None and close < created.date():
            close = created.date()
        rows.append(
            {
                "deal_id": deal_id,
                "account_id": draw(st.one_of(st.none(), st.sampled_from(["acme", "globex"]))),
                "owner": draw(_TEXT),
                "stage": draw(_TEXT),
                "value": draw(nonnegative_money()),
                "probability": draw(st.one_of(st.just(math.nan), probabilities())),
                "currency": draw(st.one_of(st.none(), st.sampled_from(["EUR", "USD", "NOK"]))),
                "created": pd.NaT if created is None else pd.Timestamp(created),
                "close_date": pd.NaT if close is None else pd.Timestamp(close),
                "status": draw(st.sampled_from(STATUSES)),
                "forecast_category": draw(
                    st.one_of(st.none(), st.sampled_from(FORECAST_CATEGORIES))
                ),
                "source": draw(_TEXT),
                "lost_reason": draw(_TEXT),
            }
        )
    spec = TABLES["deals"]
    if not rows:
        frame = spec.empty()
        # The canonical convention: naive datetime64[ns] holding UTC.
        frame["created"] = frame["created"].astype("datetime64[ns]")
        return frame
    frame = pd.DataFrame(rows, columns=list(spec.names))
    for column in spec:
        if column.dtype == "object":
            frame[column.name] = pd.Series(
                [
                    None if value is None or value is np.nan else value
                    for value in frame[column.name]
                ],
                dtype=object,
            )
        elif column.kind == "timestamp":
            # The canonical convention: naive datetime64[ns] holding UTC.
            frame[column.name] = pd.to_datetime(frame[column.name]).astype("datetime64[ns]")
        elif column.kind == "date":
            frame[column.name] = frame[column.name].astype(np.dtype("datetime64[ns]"))
        else:
            frame[column.name] = frame[column.name].astype(np.float64)
    validate(frame, "deals")
    return frame


@given(canonical_deals())
@settings(max_examples=100)  # four imports per example, each some milliseconds of pandas
def test_round_trip_canonical_to_records_and_back_is_lossless(frame: pd.DataFrame) -> None:
    mapping = {"deal_id": "Id", "value": "Amount", "close_date": "CloseDate"}
    back = from_records(to_records(frame, mapping), mapping)
    assert back.n_rejected == 0
    pd.testing.assert_frame_equal(back.frame, frame, check_index_type=False)
    # Rows of the frame itself (Timestamps, NaN) read back the same way.
    again = from_records(frame.to_dict("records"))
    pd.testing.assert_frame_equal(again.frame, frame, check_index_type=False)
    # And so does the frame as an export.
    pd.testing.assert_frame_equal(from_records(frame).frame, frame, check_index_type=False)


_FIELDS = ("Id", "Amount", "Probability", "Stage", "status", "currency", "created", "close_date")
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(),
    st.text(max_size=10),
    st.sampled_from(["", "12", "83.5", "1,000", "won", "lost", "EUR", "2024-03-04", "true"]),
    st.lists(st.integers(), max_size=2),
)


@given(
    st.lists(st.dictionaries(st.sampled_from(_FIELDS), _VALUES, max_size=8), max_size=12),
    st.sampled_from(["fraction", "percent"]),
)
@settings(max_examples=200)
def test_arbitrary_records_are_all_accounted_for(records: list[dict[str, Any]], scale: str) -> None:
    try:
        result = from_records(records, _NAMES, probability_scale=scale)
    except SalescoreError:
        return  # a whole-call refusal (a required field absent from every record)
    assert result.accepted + result.n_rejected == result.rows_in == len(records)
    assert set(result.frame.index) | set(result.rejected.index) == set(range(len(records)))
    validate(result.frame, "deals")
    assert result.rejected["reason"].map(lambda reason: isinstance(reason, str) and reason).all()


# ------------------------------------------------------------------ status from the stage


def test_an_unknown_stage_is_named_as_written_even_with_colons_in_the_stages() -> None:
    # Stage names may hold ": " ("Stage: Demo"); the reason shows the deal's own stage,
    # and without stage_status it says which option gives the stages their statuses.
    records = [{"ID": "1", "Amount": 100, "Stage": "Stage: Demo"}]
    mapping = {"deal_id": "ID", "value": "Amount", "stage": "Stage", "status": "Stage"}
    given = from_records(records, mapping, stage_status={"Stage: Won": "won"})
    assert given.rejected["reason"].tolist() == [
        "Stage: stage not in stage_status, so the status is unknown: 'Stage: Demo'"
    ]
    alone = from_records(records, mapping)
    (reason,) = alone.rejected["reason"].tolist()
    assert "stage_status=" in reason
    assert reason.endswith(": 'Stage: Demo'")
    assert "not in stage_status" not in reason  # stage_status was not given


def test_status_is_derived_from_the_stage_field_with_stage_status() -> None:
    # One "Stage" field says both the stage and, for closed deals, the outcome, as in
    # SuiteCRM's sales_stage or a spreadsheet's stage column.
    records = [
        {"ID": "1", "Amount": 100, "Stage": "Prospecting"},
        {"ID": "2", "Amount": 200, "Stage": "Closed Won"},
        {"ID": "3", "Amount": 300, "Stage": "closed lost"},
        {"ID": "4", "Amount": 400, "Stage": "Dormant"},
    ]
    mapping = {"deal_id": "ID", "value": "Amount", "stage": "Stage", "status": "Stage"}
    table = {"Prospecting": "open", "Closed Won": "won", "Closed Lost": "lost"}
    result = from_records(records, mapping, stage_status=table)
    assert result.frame[["stage", "status"]].to_dict("records") == [
        {"stage": "Prospecting", "status": "open"},
        {"stage": "Closed Won", "status": "won"},
        {"stage": "closed lost", "status": "lost"},
    ]
    assert result.rejected["reason"].tolist() == [
        "Stage: stage not in stage_status, so the status is unknown: 'Dormant'"
    ]
    # Without naming status, stage_status alone derives it from the stage field.
    alone = from_records(
        records[:3], {"deal_id": "ID", "value": "Amount", "stage": "Stage"}, stage_status=table
    )
    assert alone.frame["status"].tolist() == ["open", "won", "lost"]
    # A status field, where a record has one, wins over its stage.
    own = [{**records[0], "Outcome": "lost"}, {**records[1], "Outcome": None}]
    mixed = from_records(
        own,
        {"deal_id": "ID", "value": "Amount", "stage": "Stage", "status": "Outcome"},
        stage_status=table,
    )
    assert mixed.frame["status"].tolist() == ["lost", "won"]


def test_stage_and_status_may_read_the_same_field() -> None:
    records = [{"id": "1", "amount": 5, "state": "won"}, {"id": "2", "amount": 5, "state": "Open"}]
    mapping = {"deal_id": "id", "value": "amount", "stage": "state", "status": "state"}
    result = from_records(records, mapping)
    assert result.frame["status"].tolist() == ["won", "open"]
    assert result.frame["stage"].tolist() == ["won", "Open"]
    # Other columns still may not share a field.
    with pytest.raises(InvalidInputError, match="both read field 'amount'"):
        from_records(records, {"deal_id": "id", "value": "amount", "lost_reason": "amount"})
    with pytest.raises(InvalidInputError, match="stage_status must map stage names"):
        from_records(records, mapping, stage_status={"won": "closed"})
    with pytest.raises(SchemaError, match="required field 'state' absent"):
        from_records([{"id": "1", "amount": 5}], mapping, stage_status={"won": "won"})
    with pytest.raises(InvalidInputError, match="stage_status is for table='deals'"):
        from_records([], {"lead_id": "id"}, table="leads", stage_status={"a": "won"})


def test_field_names_are_matched_without_regard_to_case() -> None:
    records = [{"ID": "1", "AMOUNT": "27600", "Probability": 12}]
    result = from_records(
        records,
        {"deal_id": "id", "value": "amount", "probability": "PROBABILITY"},
        probability_scale="percent",
    )
    assert result.frame[["deal_id", "value", "probability"]].to_dict("records") == [
        {"deal_id": "1", "value": 27600.0, "probability": 0.12}
    ]
    with pytest.raises(SchemaError, match="'amount', 'Amount' differ only in case"):
        from_records([{"id": "1", "amount": 1, "Amount": 2}], {"deal_id": "id", "value": "AMOUNT"})
    # A mapped name that is exactly one of them is read as named.
    exact = from_records(
        [{"id": "1", "amount": 1, "Amount": 2}], {"deal_id": "id", "value": "Amount"}
    )
    assert exact.frame["value"].tolist() == [2.0]


def test_timestamps_are_naive_utc() -> None:
    result = from_records(
        [{"id": "1", "amount": 1, "created": "2024-03-04T10:30:00+01:00"}],
        {"deal_id": "id", "value": "amount"},
    )
    assert str(result.frame["created"].dtype) == "datetime64[ns]"
    assert result.frame["created"].tolist() == [pd.Timestamp("2024-03-04 09:30")]
    # Written back with its UTC offset, read back the same.
    assert to_records(result.frame)[0]["created"] == "2024-03-04T09:30:00+00:00"


# ------------------------------------------------------------------ hostile input


@pytest.mark.parametrize("value", [[], {}, ["properties"], pd.NA, 3])
def test_a_properties_option_that_is_no_column_name_is_refused(value: Any) -> None:
    # It was looked up in each record and raised TypeError (unhashable) for a list.
    with pytest.raises(InvalidInputError, match="properties must be a column name"):
        from_records([{"deal_id": "D1", "value": 1.0}], properties=value)


@pytest.mark.parametrize("value", [None, "", ["records"], pd.NA])
def test_a_source_that_is_no_name_is_refused(value: Any) -> None:
    with pytest.raises(InvalidInputError, match="source must be a non-empty str"):
        from_records([{"deal_id": "D1", "value": 1.0}], source=value)


def test_a_probability_scale_of_pd_na_is_refused_by_name() -> None:
    with pytest.raises(InvalidInputError, match="probability_scale"):
        from_records([{"deal_id": "D1", "value": 1.0}], probability_scale=pd.NA)  # type: ignore[arg-type]
