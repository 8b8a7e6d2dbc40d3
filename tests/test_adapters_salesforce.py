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
    """Moments as the canonical tables hold them: naive datetime64[ns] in UTC."""
    stamps = pd.Series(list(moments), dtype=object)
    return pd.to_datetime(stamps, utc=True).dt.tz_localize(None).astype("datetime64[ns]")


def _days(*days: str | None) -> pd.Series[Any]:
    return pd.to_datetime(pd.Series(list(days), dtype=object)).astype(np.dtype("datetime64[ns]"))


def _opportunity_id(n: int) -> str:
    return f"0065e00000Op{n:03d}AAA"


# ------------------------------------------------------------------ opportunities


def test_opportunities_fixture_converts_to_the_expected_deals() -> None:
    result = salesforce.opportunities(
        _json("opportunities.json"), fields={"lost_reason": "Loss_Reason__c"}
    )
    # Op011 (position 10) is kept: its CloseDate 2024-13-01 is left empty, with a warning.
    accepted = [1, 2, 3, 4, 5, 8, 11, 14]
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
                    "0015e00000Ac011AAA",
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
                    "0055e00000Us003AAA",
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
                    "Qualification",
                    "Closed Lost",
                ],
                dtype=object,
            ),
            "value": [27_600.0, 34_500.0, 12_000.5, 18_250.0, 8_000.0, 15_000.0, 7_300.0, 3_100.0],
            # Probability is a percent field: 12 is 0.12; a null stays unknown (NaN).
            "probability": [0.12, 0.83, 1.0, 0.0, 0.4, math.nan, 0.2, 0.0],
            "currency": pd.Series(
                ["USD", "USD", "USD", "USD", "EUR", "GBP", "USD", "EUR"], dtype=object
            ),
            "created": _utc(
                "2024-03-04T09:30:00Z",
                "2024-01-15T14:05:00Z",
                "2023-11-20T08:00:00Z",
                "2024-01-02T10:00:00Z",
                "2024-04-01T07:45:30Z",
                "2024-02-20T09:00:00Z",
                "2024-03-22T10:30:00Z",
                "2024-03-30T15:45:00Z",
            ),
            "close_date": _days(
                "2024-06-28",
                "2024-05-31",
                "2024-02-29",
                "2024-03-15",
                "2024-07-15",
                "2024-06-14",
                None,
                "2024-04-19",
            ),
            "status": pd.Series(
                ["open", "open", "won", "lost", "open", "open", "open", "lost"], dtype=object
            ),
            # ForecastCategory's API values; ForecastCategoryName's label where it is null.
            "forecast_category": pd.Series(
                [
                    "pipeline",
                    "best_case",
                    "closed",
                    "omitted",
                    "pipeline",
                    "commit",
                    "pipeline",
                    "omitted",
                ],
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
                    "Web",
                    "Phone Inquiry",
                ],
                dtype=object,
            ),
            "lost_reason": pd.Series(
                [None, None, None, "Lost to competitor", None, None, None, "No budget"],
                dtype=object,
            ),
        }
    )
    expected.index = pd.Index([n - 1 for n in accepted])  # the input positions
    pd.testing.assert_frame_equal(result.frame, expected, check_index_type=False)
    validate(result.frame, "deals")


def test_opportunities_fixture_rejects_each_awkward_record_with_a_reason() -> None:
    result = salesforce.opportunities(_json("opportunities.json"))
    assert (result.rows_in, result.accepted, result.n_rejected) == (14, 8, 6)
    reasons = result.rejected["reason"].to_dict()
    assert reasons[5] == "deleted"  # IsDeleted: in the Recycle Bin
    assert reasons[6] == "Amount: missing"  # Salesforce allows a null Amount
    assert reasons[8] == "Probability: outside 0 to 100 (percent): 150.0"
    assert reasons[9] == "close_date is before the date of created (2024-01-31 00:00:00)"
    assert 10 not in reasons  # CloseDate 2024-13-01: an optional value, left empty
    assert (
        reasons[11]
        == reasons[12]
        == (f"Id: given in more than one record: {_opportunity_id(12)!r} (rows 11, 12)")
    )
    # The rejected rows keep every field as received, the nested attributes included.
    assert result.rejected.loc[8, "Probability"] == 150.0
    assert result.rejected["attributes"].tolist()[0] == {
        "type": "Opportunity",
        "url": "/services/data/v61.0/sobjects/Opportunity/0065e00000Op006AAA",
    }
    assert result.warnings == (
        "close_date left empty in 1 kept row: CloseDate: not in a recognised date format "
        "(use ISO 8601, such as 2025-12-31 or 2025-12-31T14:00:00Z) "
        f"(e.g. row 10 ({_opportunity_id(11)!r}): '2024-13-01')",
        "the deals are in 3 currencies (USD: 5, EUR: 2, GBP: 1 rows); values are kept with "
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
    # The open USD pipeline is the Nutshell article's two prospects, 3,312 + 28,635,
    # plus Op011 (kept without its unreadable close date): 7,300 × 20 % = 1,460.
    pipeline = salescore.weighted_pipeline(frame, by="currency")
    assert pipeline.loc["USD", "weighted_value"] == 31_947.0 + 1_460.0
    assert (
        salescore.weighted_forecast(
            frame.loc[(frame["currency"] == "USD") & (frame["status"] == "open"), "value"],
            frame.loc[(frame["currency"] == "USD") & (frame["status"] == "open"), "probability"],
        )
        == 33_407.0
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
    # Row 8's CloseDate 28/06/2024 is day-first: left empty, with a warning; kept.
    assert result.frame.index.tolist() == [0, 1, 2, 3, 6, 8]
    assert result.frame["value"].tolist() == [
        27_600.0,
        34_500.0,
        12_000.5,
        8_000.0,
        18_250.0,
        6_400.0,
    ]
    assert result.frame["status"].tolist() == ["open", "open", "won", "open", "lost", "open"]
    assert result.frame["created"].iloc[0] == pd.Timestamp("2024-03-04 09:30")  # naive UTC
    assert result.frame["close_date"].isna().tolist()[-1]  # row 8
    assert result.rejected["reason"].to_dict() == {
        4: "Amount: not a plain number: '1,250.00'",  # thousands separators are not guessed
        5: "Amount: missing",
        7: "deleted",
    }
    assert result.warnings[0] == (
        "close_date left empty in 1 kept row: CloseDate: not in a recognised date format "
        "(use ISO 8601, such as 2025-12-31 or 2025-12-31T14:00:00Z) "
        "(e.g. row 8 ('0065e00000Ex009AAA'): '28/06/2024')"
    )
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
        "IsWon: true while IsClosed is false",
        "IsClosed: not true or false: 'yes'",
        # Without the flags, the stage would tell; C has no StageName either.
        "StageName: missing, and no IsClosed and IsWon to tell the status",
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
        2: "StageName: same stage as the record before (merged into its visit): row 1",
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
        4: (
            "CreatedDate: not in a recognised date format (use ISO 8601, such as "
            "2025-12-31 or 2025-12-31T14:00:00Z): 'yesterday'"
        ),
        5: "IsConverted: missing",
    }
    assert result.warnings == (
        "1 tasks were ignored for an unreadable WhoId or CreatedDate",
        "1 tasks were ignored for being logged before their lead was created",
    )
    # The five-minute mark of the 2007 lead response management study: lead 1 was
    # reached within it, lead 2 was not.
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


# ------------------------------------------------------------------ real shapes


def _data_plan() -> list[dict[str, Any]]:
    """Opportunities of a sample app's data plan (``sf data import tree`` format).

    The first three records of ``config/data/samples/sample-Opportunities.json`` in
    the public repository awesomeandrey/minlopro-dx, without their ``Description``
    and ``Type``: no ``Id``, ``IsClosed``, ``IsWon`` or ``CreatedDate`` (Salesforce sets
    them on import), an ``attributes.referenceId`` per record, and ``AccountId`` as a
    reference to another record of the plan.
    """
    return [
        {
            "attributes": {"type": "Opportunity", "referenceId": "OpportunityRef1"},
            "AccountId": "@AccountRef1",
            "Amount": 581.9,
            "CloseDate": "2025-04-22",
            "CurrencyIsoCode": "USD",
            "LeadSource": "Partner",
            "Name": "Tillman-Pfeffer",
            "Probability": 37,
            "StageName": "Qualification",
        },
        {
            "attributes": {"type": "Opportunity", "referenceId": "OpportunityRef2"},
            "AccountId": "@AccountRef1",
            "Amount": 1051.9,
            "CloseDate": "2026-01-08",
            "CurrencyIsoCode": "USD",
            "LeadSource": "Other",
            "Name": "Kuvalis LLC",
            "Probability": 15,
            "StageName": "Negotiation/Review",
        },
        {
            "attributes": {"type": "Opportunity", "referenceId": "OpportunityRef3"},
            "AccountId": "@AccountRef1",
            "Amount": 1177.4,
            "CloseDate": "2025-12-18",
            "CurrencyIsoCode": "USD",
            "LeadSource": "Advertisement",
            "Name": "Fritsch-Keeling",
            "Probability": 37,
            "StageName": "Qualification",
        },
    ]


def test_a_data_plan_without_id_is_refused_with_the_option_that_reads_it() -> None:
    with pytest.raises(SchemaError, match=r"need fields=\{'deal_id': \.\.\.\}") as caught:
        salesforce.opportunities(_data_plan())
    assert "ids are never made up" in str(caught.value)
    result = salesforce.opportunities(_data_plan(), fields={"deal_id": "attributes.referenceId"})
    assert result.n_rejected == 0
    assert result.frame["deal_id"].tolist() == [
        "OpportunityRef1",
        "OpportunityRef2",
        "OpportunityRef3",
    ]
    # No IsClosed / IsWon: the standard stages say Qualification and Negotiation/Review
    # are open.
    assert result.frame["status"].tolist() == ["open", "open", "open"]
    # 581.9 × 0.37 + 1051.9 × 0.15 + 1177.4 × 0.37 = 215.303 + 157.785 + 435.638
    weighted = float((result.frame["value"] * result.frame["probability"]).sum())
    assert weighted == pytest.approx(808.726)
    by_name = salesforce.opportunities(_data_plan(), fields={"deal_id": "Name"})
    assert by_name.frame["deal_id"].tolist()[0] == "Tillman-Pfeffer"


def test_status_from_the_stage_name_with_standard_or_org_stages() -> None:
    records = [
        {"Id": "A", "Amount": 10.0, "StageName": "Closed Won"},
        {"Id": "B", "Amount": 10.0, "StageName": "closed lost"},  # case is not a stage
        {"Id": "C", "Amount": 10.0, "StageName": "Id. Decision Makers"},
        {"Id": "D", "Amount": 10.0, "StageName": "Signed"},
    ]
    standard = salesforce.opportunities(records)
    assert standard.frame["status"].tolist() == ["won", "lost", "open"]
    assert standard.rejected["reason"].tolist() == [
        "StageName: not among Salesforce's standard stages, so the status is unknown (pass "
        "stages=, your org's stages, or read IsClosed and IsWon): 'Signed'"
    ]
    # The org's stages, as OpportunityStage records (SELECT ApiName, IsClosed, IsWon ...).
    org = [
        {"ApiName": "Closed Won", "IsClosed": True, "IsWon": True},
        {"ApiName": "closed lost", "IsClosed": True, "IsWon": False},
        {"ApiName": "Id. Decision Makers", "IsClosed": False, "IsWon": False},
        {"MasterLabel": "Signed", "IsClosed": True, "IsWon": True},
    ]
    assert salesforce.opportunities(records, stages=org).frame["status"].tolist() == [
        "won",
        "lost",
        "open",
        "won",
    ]
    only = salesforce.opportunities(records, stages={"Signed": "won"})
    assert only.frame["deal_id"].tolist() == ["D"]
    # With stages given, the reason says to extend them, not to pass them.
    assert only.rejected["reason"].tolist()[0] == (
        "StageName: not among the stages given, so the status is unknown (add it to "
        "stages=, or read IsClosed and IsWon): 'Closed Won'"
    )
    # Flags, where a record has them, win over its stage.
    flagged = [{"Id": "E", "Amount": 1.0, "StageName": "Signed", "IsClosed": True, "IsWon": False}]
    assert salesforce.opportunities(flagged).frame["status"].tolist() == ["lost"]
    with pytest.raises(InvalidInputError, match="stages must map stage names"):
        salesforce.opportunities(records, stages={"Signed": "closed"})


def test_lower_case_field_names_are_read() -> None:
    # A report export whose headers are the API names in lower case.
    export = pd.DataFrame(
        {
            "id": ["006A1", "006A2"],
            "amount": [27600.0, 34500.0],
            "probability": [12.0, 83.0],
            "stagename": ["Prospecting", "Closed Won"],
            "closedate": ["2024-06-28", "2024-05-31"],
            "isclosed": [False, True],
            "iswon": [False, True],
            "ownerid": ["005A", "005B"],
        }
    )
    result = salesforce.opportunities(export)
    assert result.frame[["deal_id", "value", "probability", "status", "owner"]].to_dict(
        "records"
    ) == [
        {
            "deal_id": "006A1",
            "value": 27600.0,
            "probability": 0.12,
            "status": "open",
            "owner": "005A",
        },
        {
            "deal_id": "006A2",
            "value": 34500.0,
            "probability": 0.83,
            "status": "won",
            "owner": "005B",
        },
    ]
    both = export.assign(Amount=[1.0, 2.0])
    with pytest.raises(SchemaError, match="'amount', 'Amount' differ only in case"):
        salesforce.opportunities(both)
    # Naming the field to read settles it.
    chosen = salesforce.opportunities(both, fields={"value": "Amount"})
    assert chosen.frame["value"].tolist() == [1.0, 2.0]


def test_a_warehouse_sync_table_is_read_as_it_is() -> None:
    # Fivetran's Salesforce ``opportunity`` table: the API fields in snake_case, flags
    # as booleans, plus _fivetran_deleted / _fivetran_synced (column names as listed by
    # Fivetran's salesforce_source dbt package, macros/get_opportunity_columns.sql).
    table = pd.DataFrame(
        {
            "id": ["006A1", "006A2", "006A3", "006A4"],
            "is_closed": [False, True, True, False],
            "is_won": [False, True, False, False],
            "is_deleted": [False, False, False, False],
            "stage_name": ["Prospecting", "Closed Won", "Closed Lost", "Negotiation/Review"],
            "close_date": ["2024-06-28", "2024-05-31", "2024-04-30", "9999-12-31"],
            "amount": [27600.0, 12000.5, 18250.0, 34500.0],
            "probability": [12.0, 100.0, 0.0, 83.0],
            "created_date": pd.to_datetime(
                ["2024-03-04 09:30", "2023-11-20 08:00", "2024-01-02 10:00", "2024-01-15 14:05"]
            ),
            "owner_id": ["005A", "005A", "005B", "005B"],
            "account_id": ["001A", "001B", "001C", "001D"],
            "forecast_category": ["Pipeline", "Closed", "Omitted", "Forecast"],
            "lead_source": ["Web", "Web", "Partner Referral", "Web"],
            "currency_iso_code": ["USD", "USD", "USD", "USD"],
            "_fivetran_deleted": [False, False, True, False],
            "_fivetran_synced": pd.to_datetime(["2024-06-01"] * 4),
        }
    )
    result = salesforce.opportunities(table)
    frame = result.frame
    assert frame["deal_id"].tolist() == ["006A1", "006A2", "006A4"]
    assert result.rejected["reason"].tolist() == ["deleted"]  # _fivetran_deleted
    assert frame["status"].tolist() == ["open", "won", "open"]
    assert frame["forecast_category"].tolist() == ["pipeline", "closed", "commit"]
    assert frame["currency"].tolist() == ["USD"] * 3
    assert str(frame["created"].dtype) == "datetime64[ns]"
    # 9999-12-31, a "no end date": no date, with a warning; the deal is kept.
    assert frame["close_date"].isna().tolist() == [False, False, True]
    assert any(
        text.startswith("close_date left empty (no date) in 1 kept row") for text in result.warnings
    )
    # Open weighted pipeline: 27,600 × 12 % + 34,500 × 83 % = 3,312 + 28,635 (Nutshell's
    # worked figures).
    open_deals = frame[frame["status"] == "open"]
    assert float((open_deals["value"] * open_deals["probability"]).sum()) == 31_947.0


def test_simple_salesforce_query_results_are_read() -> None:
    from collections import OrderedDict

    # simple-salesforce's query() and query_all() return the REST query response as
    # an OrderedDict: totalSize, done, records; each record has "attributes" (type,
    # url) (Salesforce REST API Developer Guide, "Execute a SOQL Query", example
    # response body; simple-salesforce README, "Queries").
    def record(n: int, stage: str, amount: float, probability: float) -> OrderedDict[str, Any]:
        return OrderedDict(
            [
                (
                    "attributes",
                    OrderedDict(
                        [
                            ("type", "Opportunity"),
                            ("url", f"/services/data/v59.0/sobjects/Opportunity/006A{n}"),
                        ]
                    ),
                ),
                ("Id", f"006A{n}"),
                ("Amount", amount),
                ("Probability", probability),
                ("StageName", stage),
                ("IsClosed", stage.startswith("Closed")),
                ("IsWon", stage == "Closed Won"),
                (
                    "Owner",
                    OrderedDict([("attributes", {"type": "User"}), ("Name", "Kari Nordmann")]),
                ),
            ]
        )

    records = [record(1, "Prospecting", 27600.0, 12.0), record(2, "Closed Won", 9800.0, 100.0)]
    complete = OrderedDict([("totalSize", 2), ("done", True), ("records", records)])
    result = salesforce.opportunities(complete, fields={"owner": "Owner.Name"})
    assert result.frame["status"].tolist() == ["open", "won"]
    assert result.frame["owner"].tolist() == ["Kari Nordmann", "Kari Nordmann"]
    assert result.warnings == ()
    first_page = OrderedDict(
        [
            ("totalSize", 3222),
            ("done", False),
            ("nextRecordsUrl", "/services/data/v59.0/query/01gRO0000016PIAYA2-2000"),
            ("records", records),
        ]
    )
    paged = salesforce.opportunities(first_page)
    assert paged.accepted == 2
    assert paged.warnings[0].startswith("the query response is one page: it holds 2 of its 3222")


def test_an_unknown_forecast_category_keeps_the_deal() -> None:
    records = [
        {
            "Id": "A",
            "Amount": 10.0,
            "IsClosed": False,
            "IsWon": False,
            "ForecastCategory": "Upside",
        },
        {
            "Id": "B",
            "Amount": 10.0,
            "IsClosed": False,
            "IsWon": False,
            "ForecastCategory": "Pipeline",
        },
    ]
    result = salesforce.opportunities(records)
    assert result.frame["forecast_category"].tolist() == [None, "pipeline"]
    assert result.n_rejected == 0
    assert result.warnings[0].startswith(
        "forecast_category left empty in 1 kept row: ForecastCategory: unknown value"
    )
    assert result.emptied["column"].tolist() == ["forecast_category"]


# ------------------------------------------------------------------ hostile input


def test_a_lead_without_a_created_date_is_rejected_though_a_task_names_it() -> None:
    # The hostile-input sweep found this call raising TypeError (a missing lead date
    # compared with the task's); the lead must be rejected with its reason instead.
    result = salesforce.leads(
        [{"Id": "L1", "CreatedDate": None, "IsConverted": False}],
        [{"WhoId": "L1", "CreatedDate": "2024-03-04T10:20:00Z"}],
    )
    assert (result.rows_in, result.accepted, result.n_rejected) == (1, 0, 1)
    assert result.rejected["reason"].tolist() == ["CreatedDate: missing"]


def test_a_lead_without_a_created_date_keeps_the_others_first_contacts() -> None:
    result = salesforce.leads(
        [
            {"Id": "L1", "CreatedDate": None, "IsConverted": False},
            {"Id": "L2", "CreatedDate": "2024-03-04T09:00:00Z", "IsConverted": False},
        ],
        [
            {"WhoId": "L1", "CreatedDate": "2024-03-04T10:20:00Z"},
            {"WhoId": "L2", "CreatedDate": "2024-03-04T09:04:00Z"},
        ],
    )
    assert result.frame["lead_id"].tolist() == ["L2"]
    # L2's task is logged 4 minutes after it was created: 09:04 UTC, naive.
    assert result.frame["first_contact"].tolist() == [pd.Timestamp("2024-03-04 09:04")]


@pytest.mark.parametrize("kind", ["list", "dict"])
def test_values_nested_thousands_deep_are_refused_with_a_schema_error(kind: str) -> None:
    value: Any = 1
    for _ in range(5_000):  # beyond Python's recursion limit
        value = [value] if kind == "list" else {"a": value}
    with pytest.raises(SchemaError, match="nested too deeply"):
        salesforce.opportunities([{"Id": "1", "StageName": value, "Amount": value}])
