"""Tests of salescore.adapters.salesforce against hand-written Salesforce fixtures.

The fixtures in ``tests/fixtures/salesforce/`` were written by hand from Salesforce's
documented field names and formats (Opportunity, OpportunityHistory, Lead, Task; the
REST query response shape; a Data Loader CSV export). Their ``ExpectedRevenue`` values
follow Salesforce's own definition, ``Amount × Probability / 100``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salescore
from salescore.adapters import salesforce
from salescore.errors import InvalidInputError, SalescoreError, SchemaError
from salescore.schema import validate

FIXTURES = Path(__file__).parent / "fixtures" / "salesforce"


def _json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _utc(*moments: str | None) -> pd.Series[Any]:
    stamps = pd.Series(list(moments), dtype=object)
    return pd.to_datetime(stamps, utc=True).astype(pd.DatetimeTZDtype("ns", "UTC"))


def _days(*days: str | None) -> pd.Series[Any]:
    return pd.to_datetime(pd.Series(list(days), dtype=object)).astype(np.dtype("datetime64[ns]"))


def _opportunity_id(n: int) -> str:
    return f"0065e00000Op{n:03d}AAA"


# ------------------------------------------------------------------ opportunities


def test_opportunities_fixture_converts_to_the_expected_deals() -> None:
    result = salesforce.opportunities(
        _json("opportunities.json"), fields={"lost_reason": "Loss_Reason__c"}
    )
    accepted = [1, 2, 3, 4, 5, 8, 14]
    expected = pd.DataFrame(
        {
            "deal_id": pd.Series([_opportunity_id(n) for n in accepted], dtype=object),
            "account_id": pd.Series(
                [
                    "0015e00000Ac001AAA",
                    "0015e00000Ac002AAA",
                    "0015e00000Ac003AAA",
                    "0015e00000Ac004AAA",
                    "0015e00000Ac005AAA",
                    None,
                    "0015e00000Ac014AAA",
                ],
                dtype=object,
            ),
            "owner": pd.Series(
                [
                    "0055e00000Us001AAA",
                    "0055e00000Us001AAA",
                    "0055e00000Us002AAA",
                    "0055e00000Us002AAA",
                    "0055e00000Us003AAA",
                    "0055e00000Us002AAA",
                    "0055e00000Us002AAA",
                ],
                dtype=object,
            ),
            "stage": pd.Series(
                [
                    "Prospecting",
                    "Negotiation/Review",
                    "Closed Won",
                    "Closed Lost",
                    "Proposal/Price Quote",
                    "Id. Decision Makers",
                    "Closed Lost",
                ],
                dtype=object,
            ),
            "value": [27_600.0, 34_500.0, 12_000.5, 18_250.0, 8_000.0, 15_000.0, 3_100.0],
            # Probability is a percent field: 12 is 0.12; a null stays unknown (NaN).
            "probability": [0.12, 0.83, 1.0, 0.0, 0.4, math.nan, 0.0],
            "currency": pd.Series(["USD", "USD", "USD", "USD", "EUR", "GBP", "EUR"], dtype=object),
            "created": _utc(
                "2024-03-04T09:30:00Z",
                "2024-01-15T14:05:00Z",
                "2023-11-20T08:00:00Z",
                "2024-01-02T10:00:00Z",
                "2024-04-01T07:45:30Z",
                "2024-02-20T09:00:00Z",
                "2024-03-30T15:45:00Z",
            ),
            "close_date": _days(
                "2024-06-28",
                "2024-05-31",
                "2024-02-29",
                "2024-03-15",
                "2024-07-15",
                "2024-06-14",
                "2024-04-19",
            ),
            "status": pd.Series(
                ["open", "open", "won", "lost", "open", "open", "lost"], dtype=object
            ),
            # ForecastCategory's API values; ForecastCategoryName's label where it is null.
            "forecast_category": pd.Series(
                ["pipeline", "best_case", "closed", "omitted", "pipeline", "commit", "omitted"],
                dtype=object,
            ),
            "source": pd.Series(
                [
                    "Web",
                    "Partner Referral",
                    "Phone Inquiry",
                    "Web",
                    "Trade Show",
                    "Web",
                    "Phone Inquiry",
                ],
                dtype=object,
            ),
            "lost_reason": pd.Series(
                [None, None, None, "Lost to competitor", None, None, "No budget"], dtype=object
            ),
        }
    )
    expected.index = pd.Index([n - 1 for n in accepted])  # the input positions
    pd.testing.assert_frame_equal(result.frame, expected, check_index_type=False)
    validate(result.frame, "deals")


def test_opportunities_fixture_rejects_each_awkward_record_with_a_reason() -> None:
    result = salesforce.opportunities(_json("opportunities.json"))
    assert (result.rows_in, result.accepted, result.n_rejected) == (14, 7, 7)
    reasons = result.rejected["reason"].to_dict()
    assert reasons[5] == "deleted"  # IsDeleted: in the Recycle Bin
    assert reasons[6] == "Amount: missing"  # Salesforce allows a null Amount
    assert reasons[8] == "Probability: 150.0 is outside 0 to 100 (percent)"
    assert reasons[9] == "close_date is before the date of created (2024-01-31 00:00:00)"
    assert reasons[10].startswith("CloseDate: not a date and time")  # 2024-13-01
    assert reasons[11] == reasons[12] == f"duplicate deal_id {_opportunity_id(12)!r} (rows 11, 12)"
    # The rejected rows keep every field as received, the nested attributes included.
    assert result.rejected.loc[8, "Probability"] == 150.0
    assert result.rejected["attributes"].tolist()[0] == {
        "type": "Opportunity",
        "url": "/services/data/v61.0/sobjects/Opportunity/0065e00000Op006AAA",
    }
    assert result.warnings == (
        "the deals are in 3 currencies (USD: 4, EUR: 2, GBP: 1 rows); values are kept with "
        "their codes and never summed across currencies: convert them or group by currency",
    )


def test_weighted_forecast_equals_salesforce_expected_revenue() -> None:
    """Sum of value × probability per currency == sum of Salesforce's ExpectedRevenue."""
    records = _json("opportunities.json")["records"]
    result = salesforce.opportunities(records)
    frame = result.frame
    ours = (frame["value"] * frame["probability"]).groupby(frame["currency"]).sum(min_count=1)
    stated = pd.Series(
        [records[position]["ExpectedRevenue"] for position in frame.index], index=frame.index
    )
    theirs = stated.astype(float).groupby(frame["currency"]).sum(min_count=1)
    pd.testing.assert_series_equal(ours, theirs, check_names=False)
    # The open USD pipeline is seed 002's two prospects: 3,312 + 28,635.
    pipeline = salescore.weighted_pipeline(frame, by="currency")
    assert pipeline.loc["USD", "weighted_value"] == 31_947.0
    assert (
        salescore.weighted_forecast(
            frame.loc[(frame["currency"] == "USD") & (frame["status"] == "open"), "value"],
            frame.loc[(frame["currency"] == "USD") & (frame["status"] == "open"), "probability"],
        )
        == 31_947.0
    )


def test_expected_revenue_that_disagrees_is_reported() -> None:
    records = [
        {
            "Id": "A",
            "Amount": 100.0,
            "Probability": 10.0,
            "ExpectedRevenue": 10.0,
            "IsClosed": False,
            "IsWon": False,
        },
        {
            "Id": "B",
            "Amount": 100.0,
            "Probability": 10.0,
            "ExpectedRevenue": 20.0,
            "IsClosed": False,
            "IsWon": False,
        },
    ]
    result = salesforce.opportunities(records)
    assert result.warnings == (
        "ExpectedRevenue differs from Amount × Probability / 100 for 1 opportunity ('B'); "
        "the forecast uses Amount and Probability",
    )


def test_csv_export_converts_like_the_api_records() -> None:
    export = pd.read_csv(FIXTURES / "opportunities.csv")
    result = salesforce.opportunities(export)
    assert result.frame.index.tolist() == [0, 1, 2, 3, 6]
    assert result.frame["value"].tolist() == [27_600.0, 34_500.0, 12_000.5, 8_000.0, 18_250.0]
    assert result.frame["status"].tolist() == ["open", "open", "won", "open", "lost"]
    assert result.frame["created"].iloc[0] == pd.Timestamp("2024-03-04 09:30", tz="UTC")
    assert result.rejected["reason"].to_dict() == {
        4: "Amount: not a plain number: '1,250.00'",  # thousands separators are not guessed
        5: "Amount: missing",
        7: "deleted",
        8: "CloseDate: not a date and time in 1677-09-22 to 2262-04-11: '28/06/2024'",
    }
    # Every value as text (read_csv(dtype=str)) gives the same canonical frame.
    as_text = salesforce.opportunities(pd.read_csv(FIXTURES / "opportunities.csv", dtype=str))
    pd.testing.assert_frame_equal(as_text.frame, result.frame)
    # ExpectedRevenue of the export matches too.
    stated = export.loc[result.frame.index, "ExpectedRevenue"]
    weighted = result.frame["value"] * result.frame["probability"]
    assert np.allclose(weighted, stated, rtol=0, atol=0.005)


def test_status_needs_is_closed_with_is_won() -> None:
    records = [
        {"Id": "A", "Amount": 1.0, "IsClosed": False, "IsWon": True},
        {"Id": "B", "Amount": 1.0, "IsClosed": "yes", "IsWon": False},
        {"Id": "C", "Amount": 1.0, "IsClosed": True, "IsWon": None},
    ]
    reasons = salesforce.opportunities(records).rejected["reason"].tolist()
    assert reasons == [
        "IsWon is true but IsClosed is false",
        "IsClosed: not true or false: 'yes'",
        "IsWon: missing",
    ]


def test_query_response_and_record_list_give_the_same_result() -> None:
    response = _json("opportunities.json")
    from_response = salesforce.opportunities(response)
    from_list = salesforce.opportunities(response["records"])
    pd.testing.assert_frame_equal(from_response.frame, from_list.frame)


def test_whole_call_errors() -> None:
    with pytest.raises(SchemaError, match=r"'IsClosed', 'IsWon' absent from every record"):
        salesforce.opportunities([{"Id": "A", "Amount": 1.0}])
    with pytest.raises(SchemaError, match="records must be a list of mappings"):
        salesforce.opportunities("SELECT Id FROM Opportunity")
    with pytest.raises(InvalidInputError, match="fields: keys must be among"):
        salesforce.opportunities([], fields={"amount": "Amount__c"})


def test_fields_map_custom_fields() -> None:
    records = [
        {
            "Id": "A",
            "Net_Amount__c": "900.00",
            "IsClosed": True,
            "IsWon": False,
            "Reason__c": "Price",
        }
    ]
    result = salesforce.opportunities(
        records, fields={"value": "Net_Amount__c", "lost_reason": "Reason__c"}
    )
    assert result.frame[["value", "status", "lost_reason"]].to_dict("records") == [
        {"value": 900.0, "status": "lost", "lost_reason": "Price"}
    ]


# ------------------------------------------------------------------ stage history


def test_opportunity_history_fixture_gives_visits() -> None:
    result = salesforce.opportunity_history(_json("opportunity_history.json"))
    op1, op2, op3 = (_opportunity_id(n) for n in (1, 2, 3))
    expected = pd.DataFrame(
        {
            "deal_id": pd.Series([op2, op2, op2, op3, op3, op1], dtype=object),
            "stage": pd.Series(
                [
                    "Prospecting",
                    "Qualification",
                    "Negotiation/Review",
                    "Proposal/Price Quote",
                    "Closed Won",
                    "Prospecting",
                ],
                dtype=object,
            ),
            "entered": _utc(
                "2024-01-15T14:05Z",
                "2024-01-22T10:00Z",
                "2024-02-12T10:00Z",
                "2023-11-20T08:00Z",
                "2024-02-29T17:30Z",
                "2024-03-04T09:30Z",
            ),
            "exited": _utc(
                "2024-01-22T10:00Z", "2024-02-12T10:00Z", None, "2024-02-29T17:30Z", None, None
            ),
        }
    )
    expected.index = pd.Index([0, 1, 3, 4, 5, 8])
    pd.testing.assert_frame_equal(result.frame, expected, check_index_type=False)
    assert result.rejected["reason"].to_dict() == {
        2: "merged into the visit of row 1 (same stage)",  # only the amount changed
        6: "deleted",
        7: "CreatedDate: missing",
    }
    assert result.accepted + result.n_rejected == result.rows_in == 9


def test_history_feeds_the_stage_functions() -> None:
    history = salesforce.opportunity_history(_json("opportunity_history.json")).frame
    days = salescore.time_in_stage(history, as_of=pd.Timestamp("2024-03-31", tz="UTC"))
    # Qualification from 22 Jan 10:00 to 12 Feb 10:00: 21 days, in one visit.
    assert days.loc[(_opportunity_id(2), "Qualification"), "days"] == 21.0
    assert days.loc[(_opportunity_id(2), "Qualification"), "visits"] == 1
    funnel = salescore.stage_funnel(
        history,
        stages=[
            "Prospecting",
            "Qualification",
            "Proposal/Price Quote",
            "Negotiation/Review",
            "Closed Won",
        ],
    )
    # Reaching a stage counts for the stages before it: op 3 starts at the proposal.
    assert funnel["reached"].tolist() == [3, 2, 2, 2, 1]


def test_history_records_out_of_order_are_sorted_per_opportunity() -> None:
    records = _json("opportunity_history.json")
    shuffled = [records[n] for n in (8, 3, 0, 5, 1, 4, 2, 6, 7)]
    result = salesforce.opportunity_history(shuffled)
    ordered = salesforce.opportunity_history(records)
    pd.testing.assert_frame_equal(
        result.frame.sort_values(["deal_id", "entered"]).reset_index(drop=True),
        ordered.frame.sort_values(["deal_id", "entered"]).reset_index(drop=True),
    )


# ------------------------------------------------------------------ leads


def test_leads_fixture_with_tasks() -> None:
    result = salesforce.leads(_json("leads.json"), _json("tasks.json"))
    expected = pd.DataFrame(
        {
            "lead_id": pd.Series(
                ["00Q5e00000Ld001AAA", "00Q5e00000Ld002AAA", "00Q5e00000Ld003AAA"], dtype=object
            ),
            "source": pd.Series(["Web", "Phone Inquiry", None], dtype=object),
            "owner": pd.Series(
                ["0055e00000Us001AAA", "0055e00000Us002AAA", "0055e00000Us001AAA"], dtype=object
            ),
            "created": _utc("2024-03-04T09:30Z", "2024-03-04T10:00Z", "2024-03-05T08:15Z"),
            # Lead 1: its first call 4 minutes later; lead 2: the deleted call is not
            # used, the email at 10:45 is; lead 3: its only task predates it.
            "first_contact": _utc("2024-03-04T09:34Z", "2024-03-04T10:45Z", None),
            "converted": [False, True, False],
            "channel": pd.Series(["Call", "Email", None], dtype=object),
        }
    )
    pd.testing.assert_frame_equal(result.frame, expected, check_index_type=False)
    assert result.rejected["reason"].to_dict() == {
        3: "deleted",
        4: "CreatedDate: not a date and time in 1677-09-22 to 2262-04-11: 'yesterday'",
        5: "IsConverted: missing",
    }
    assert result.warnings == (
        "1 tasks were ignored for an unreadable WhoId or CreatedDate",
        "1 tasks were ignored for being logged before their lead was created",
    )
    # Seed 002's five-minute mark: lead 1 was reached within it, lead 2 was not.
    waits = salescore.response_times(result.frame["created"], result.frame["first_contact"])
    assert waits.tolist()[:2] == [pd.Timedelta(minutes=4), pd.Timedelta(minutes=45)]
    assert salescore.sla_attainment(waits, within=pd.Timedelta(minutes=5)) == pytest.approx(1 / 3)


def test_leads_without_tasks_have_no_first_contact() -> None:
    result = salesforce.leads(_json("leads.json"))
    assert result.frame["first_contact"].isna().all()


# ------------------------------------------------------------------ properties

_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 200),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(
        [
            "",
            "true",
            "false",
            "12.5",
            "1,000",
            "BestCase",
            "Commit",
            "EUR",
            "usd",
            "2024-03-04",
            "2024-03-04T09:30:00.000+0000",
            "2024-13-01",
        ]
    ),
    st.lists(st.integers(), max_size=1),
)
_OPPORTUNITY_FIELDS = (
    "Id",
    "Amount",
    "Probability",
    "IsClosed",
    "IsWon",
    "IsDeleted",
    "StageName",
    "ForecastCategory",
    "ForecastCategoryName",
    "CloseDate",
    "CreatedDate",
    "CurrencyIsoCode",
    "ExpectedRevenue",
    "OwnerId",
    "AccountId",
    "LeadSource",
)


@given(st.lists(st.dictionaries(st.sampled_from(_OPPORTUNITY_FIELDS), _VALUES), max_size=10))
@settings(max_examples=300)
def test_arbitrary_opportunities_are_all_accounted_for(records: list[dict[str, Any]]) -> None:
    try:
        result = salesforce.opportunities(records)
    except SalescoreError:
        return  # a whole-call refusal: a required field absent from every record
    assert result.accepted + result.n_rejected == result.rows_in == len(records)
    assert sorted([*result.frame.index, *result.rejected.index]) == list(range(len(records)))
    validate(result.frame, "deals")
    assert result.frame["probability"].dropna().between(0.0, 1.0).all()


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(("Id", "OpportunityId", "StageName", "CreatedDate", "IsDeleted")),
            _VALUES,
        ),
        max_size=10,
    )
)
@settings(max_examples=200)
def test_arbitrary_history_is_all_accounted_for(records: list[dict[str, Any]]) -> None:
    try:
        result = salesforce.opportunity_history(records)
    except SalescoreError:
        return
    assert result.accepted + result.n_rejected == result.rows_in == len(records)
    validate(result.frame, "stage_history")


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(("Id", "CreatedDate", "IsConverted", "IsDeleted", "LeadSource")),
            _VALUES,
        ),
        max_size=8,
    ),
    st.lists(
        st.dictionaries(
            st.sampled_from(("WhoId", "CreatedDate", "TaskSubtype", "IsDeleted")), _VALUES
        ),
        max_size=8,
    ),
)
@settings(max_examples=200)
def test_arbitrary_leads_and_tasks_are_all_accounted_for(
    leads: list[dict[str, Any]], tasks: list[dict[str, Any]]
) -> None:
    try:
        result = salesforce.leads(leads, tasks)
    except SalescoreError:
        return
    assert result.accepted + result.n_rejected == result.rows_in == len(leads)
    validate(result.frame, "leads")
