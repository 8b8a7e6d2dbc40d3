"""The change-log adapters: Salesforce OpportunityHistory and HubSpot property histories.

``salesforce.opportunity_changes`` reads OpportunityHistory records, each the whole
state of an opportunity after a change; ``hubspot.deal_changes`` rebuilds that state
at every moment a tracked property of a deal changed, from ``propertiesWithHistory``.
Every figure below is read off the records by hand; every record is accounted for.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.adapters import from_records, hubspot, salesforce, to_records
from salescore.errors import InvalidInputError, SalescoreError, SchemaError
from salescore.schema import TABLES, validate

FIXTURES = Path(__file__).parent / "fixtures"
COLUMNS = list(TABLES["deal_changes"].names)


def _json(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text(encoding="utf-8"))


def _accounted(result: Any) -> None:
    assert result.table == "deal_changes"
    assert result.accepted + result.n_rejected == result.rows_in
    assert set(result.frame.index).isdisjoint(result.rejected.index)
    assert list(result.frame.columns) == COLUMNS
    validate(result.frame, "deal_changes")


def _table(frame: pd.DataFrame, *columns: str) -> list[tuple[Any, ...]]:
    """The frame's rows as tuples, instants as "YYYY-MM-DD HH:MM" and dates as "YYYY-MM-DD"."""
    shown = frame[list(columns)].copy()
    if "changed_at" in shown:
        shown["changed_at"] = frame["changed_at"].dt.strftime("%Y-%m-%d %H:%M")
    if "close_date" in shown:
        shown["close_date"] = frame["close_date"].dt.strftime("%Y-%m-%d")
    return [tuple(row) for row in shown.to_numpy(dtype=object).tolist()]


# ------------------------------------------------------------------ Salesforce

# tests/fixtures/salesforce/opportunity_history.json: OpportunityHistory records as the
# REST API returns them (SOAP API Developer Guide, "OpportunityHistory":
# https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_objects_opportunityhistory.htm),
# three opportunities, with Salesforce's own ExpectedRevenue = Amount × Probability / 100
# on every record, one record in the Recycle Bin and one without CreatedDate.
OP1, OP2, OP3 = (f"0065e00000Op00{n}AAA" for n in (1, 2, 3))


def test_opportunity_history_fixture_gives_one_row_per_record() -> None:
    records = _json("salesforce/opportunity_history.json")
    result = salesforce.opportunity_changes(records)
    _accounted(result)
    frame = result.frame
    # Read off the records: OpportunityId, CreatedDate, StageName, Amount,
    # Probability / 100, CloseDate, ForecastCategory; the status from the stage.
    expected = [
        (OP2, "2024-01-15 14:05", "Prospecting", 30000.0, 0.10, "2024-05-31", "pipeline", "open"),
        (OP2, "2024-01-22 10:00", "Qualification", 30000.0, 0.20, "2024-05-31", "pipeline", "open"),
        (OP2, "2024-01-29 10:00", "Qualification", 34500.0, 0.20, "2024-05-31", "pipeline", "open"),
        (OP2, "2024-02-12 10:00", "Negotiation/Review", 34500.0, 0.83, "2024-05-31",
         "best_case", "open"),
        (OP3, "2023-11-20 08:00", "Proposal/Price Quote", 12000.5, 0.75, "2024-02-29",
         "pipeline", "open"),
        (OP3, "2024-02-29 17:30", "Closed Won", 12000.5, 1.0, "2024-02-29", "closed", "won"),
        (OP1, "2024-03-04 09:30", "Prospecting", 27600.0, 0.12, "2024-06-28", "pipeline", "open"),
    ]  # fmt: skip
    got = _table(
        frame,
        "deal_id",
        "changed_at",
        "stage",
        "value",
        "probability",
        "close_date",
        "forecast_category",
        "status",
    )
    assert got == expected
    assert frame.index.tolist() == [0, 1, 2, 3, 4, 5, 8]  # the records' positions
    assert frame["owner"].isna().all()  # OpportunityHistory does not record the owner
    assert result.rejected["reason"].to_dict() == {6: "deleted", 7: "CreatedDate: missing"}
    # Salesforce's own figure: ExpectedRevenue is Amount × Probability / 100, to the cent.
    stated = [records[position]["ExpectedRevenue"] for position in frame.index]
    weighted = (frame["value"] * frame["probability"]).tolist()
    assert weighted == pytest.approx(stated, abs=0.005)


def test_a_record_without_amount_is_rejected_and_counted() -> None:
    records = [
        {"OpportunityId": "006A1", "StageName": "Prospecting", "Amount": 1000.0,
         "CloseDate": "2024-06-28", "CreatedDate": "2024-03-04T09:30:00.000+0000"},
        {"OpportunityId": "006A1", "StageName": "Qualification", "Amount": None,
         "CloseDate": "2024-06-28", "CreatedDate": "2024-03-08T09:30:00.000+0000"},
    ]  # fmt: skip
    result = salesforce.opportunity_changes(records)
    _accounted(result)
    assert result.accepted == 1
    assert result.rejected["reason"].tolist() == ["Amount: missing"]


def test_stage_statuses_come_from_the_standard_stages_or_the_org() -> None:
    records = [
        {"OpportunityId": "006A1", "StageName": "Signed", "Amount": 500.0,
         "CloseDate": "2024-06-28", "CreatedDate": "2024-03-04T09:30:00Z"},
        {"OpportunityId": "006A2", "StageName": "closed lost", "Amount": 700.0,
         "CloseDate": "2024-05-01", "CreatedDate": "2024-03-05T09:30:00Z"},
    ]  # fmt: skip
    standard = salesforce.opportunity_changes(records)
    _accounted(standard)
    assert standard.frame["status"].tolist() == ["lost"]  # "Closed Lost", any case
    assert standard.rejected["reason"].tolist() == [
        "StageName: not among Salesforce's standard stages, so the status is unknown (pass "
        "stages=, your org's stages): 'Signed'"
    ]
    mapped = salesforce.opportunity_changes(
        records, stages={"signed": "won", "Closed Lost": "lost"}
    )
    assert mapped.frame["status"].tolist() == ["won", "lost"]
    org = [
        {"ApiName": "Signed", "IsClosed": True, "IsWon": True},
        {"MasterLabel": "Closed Lost", "IsClosed": True, "IsWon": False},
    ]
    assert salesforce.opportunity_changes(records, stages=org).frame["status"].tolist() == [
        "won",
        "lost",
    ]


def test_records_at_the_same_moment_are_kept_only_when_they_agree() -> None:
    first = {"OpportunityId": "006A1", "StageName": "Prospecting", "Amount": 1000.0,
             "Probability": 10, "CloseDate": "2024-06-28",
             "CreatedDate": "2024-03-04T09:30:00.000+0000"}  # fmt: skip
    repeat = dict(first)
    other = {**first, "Amount": 1200.0}
    later = {**first, "OpportunityId": "006A2", "Amount": 1200.0}
    result = salesforce.opportunity_changes([first, repeat, later])
    _accounted(result)
    assert result.frame.index.tolist() == [0, 2]
    assert result.rejected["reason"].tolist() == [
        "CreatedDate: a repeat of another record of the opportunity, at the same moment "
        "with the same state: row 0"
    ]
    clash = salesforce.opportunity_changes([first, other, later])
    _accounted(clash)
    assert clash.frame.index.tolist() == [2]
    different = (
        "CreatedDate: records of the opportunity at the same moment hold different states, "
        "so which came last is unknown: rows 0, 1"
    )
    assert clash.rejected["reason"].tolist() == [different, different]


def test_a_warehouse_export_in_snake_case_reads_the_same() -> None:
    records = _json("salesforce/opportunity_history.json")
    export = pd.DataFrame(records).drop(columns="attributes")
    export.columns = [
        {"OpportunityId": "opportunity_id", "CreatedDate": "created_date",
         "StageName": "stage_name", "CloseDate": "close_date", "IsDeleted": "is_deleted",
         "ForecastCategory": "forecast_category", "ExpectedRevenue": "expected_revenue"}.get(
            name, name.lower()
        )
        for name in export.columns
    ]  # fmt: skip
    from_export = salesforce.opportunity_changes(export)
    from_api = salesforce.opportunity_changes(records)
    pd.testing.assert_frame_equal(from_export.frame, from_api.frame)
    assert from_export.rejected["reason"].tolist() == ["deleted", "CreatedDate: missing"]


def test_round_trip_through_to_records_and_from_records() -> None:
    frame = salesforce.opportunity_changes(_json("salesforce/opportunity_history.json")).frame
    again = from_records(to_records(frame, table="deal_changes"), table="deal_changes")
    assert again.accepted == again.rows_in == len(frame)
    pd.testing.assert_frame_equal(again.frame, frame.reset_index(drop=True))


NO_AMOUNT = {"OpportunityId": "1", "StageName": "Prospecting", "CloseDate": "2024-01-01",
             "CreatedDate": "2024-01-01T00:00:00Z"}  # fmt: skip


def test_salesforce_refusals() -> None:
    with pytest.raises(SchemaError, match="records must be"):
        salesforce.opportunity_changes("OpportunityHistory")
    with pytest.raises(SchemaError, match="'Amount'"):
        salesforce.opportunity_changes([NO_AMOUNT])
    with pytest.raises(InvalidInputError, match="stages"):
        salesforce.opportunity_changes([], stages={"Signed": "done"})
    assert salesforce.opportunity_changes([]).rows_in == 0


# ------------------------------------------------------------------ HubSpot


def _entry(value: str | None, timestamp: str, source: str = "CRM_UI") -> dict[str, Any]:
    """One PropertyHistory entry of the CRM API v3 (value, timestamp, sourceType, ...)."""
    return {"value": value, "timestamp": timestamp, "sourceType": source,
            "sourceId": "userId:910901", "updatedByUserId": 910901}  # fmt: skip


# The deal's last values are those of HubSpot's example deal in "CRM API | Deals"
# (https://developers.hubspot.com/docs/api-reference/crm-deals-v3/guide): amount
# "1500.00", closedate "2019-12-07T16:50:06.678Z", dealstage "contractsent",
# hubspot_owner_id "910901", and its id "7891023" from the guide's batch-read example
# with propertiesWithHistory. The earlier entries are ours, in the API's
# PropertyHistory shape, listed newest first as HubSpot lists them.
DEAL = {
    "id": "7891023",
    "properties": {"amount": "1500.00", "dealstage": "contractsent"},
    "propertiesWithHistory": {
        "dealstage": [
            _entry("contractsent", "2019-11-20T10:00:00.000Z"),
            _entry("appointmentscheduled", "2019-10-01T09:00:00.000Z", "API"),
        ],
        "amount": [
            _entry("1500.00", "2019-11-05T15:30:00.000Z"),
            _entry("1200.00", "2019-10-01T09:00:00.000Z", "API"),
        ],
        "closedate": [
            _entry("2019-12-07T16:50:06.678Z", "2019-11-20T10:00:00.000Z"),
            _entry("2019-11-30T00:00:00.000Z", "2019-10-01T09:00:00.000Z", "API"),
        ],
        "hubspot_owner_id": [_entry("910901", "2019-10-01T09:00:00.000Z", "API")],
        "dealname": [_entry("New deal", "2019-10-01T09:00:00.000Z", "API")],
    },
    "archived": False,
}


def test_hubspot_history_gives_the_state_at_each_moment() -> None:
    result = hubspot.deal_changes({"results": [DEAL]}, stages=_json("hubspot/pipelines.json"))
    _accounted(result)
    assert result.warnings == ()
    # Three moments: creation (1 Oct), the amount raised (5 Nov), the stage and close
    # date moved together (20 Nov). Probabilities are the stages' in the pipelines.
    expected = [
        ("2019-10-01 09:00", "Appointment Scheduled", 1200.0, 0.2, "2019-11-30", "open"),
        ("2019-11-05 15:30", "Appointment Scheduled", 1500.0, 0.2, "2019-11-30", "open"),
        ("2019-11-20 10:00", "Contract Sent", 1500.0, 0.9, "2019-12-07", "open"),
    ]
    got = _table(
        result.frame, "changed_at", "stage", "value", "probability", "close_date", "status"
    )
    assert got == expected
    assert set(result.frame["deal_id"]) == {"7891023"}
    assert set(result.frame["owner"]) == {"910901"}


def test_hubspot_order_of_entries_does_not_matter() -> None:
    oldest_first = json.loads(json.dumps(DEAL))
    for entries in oldest_first["propertiesWithHistory"].values():
        entries.reverse()
    shuffled = hubspot.deal_changes([oldest_first]).frame
    pd.testing.assert_frame_equal(shuffled, hubspot.deal_changes([DEAL]).frame)


def test_prismatic_search_payload_has_no_tracked_history() -> None:
    # tests/fixtures/real/prismatic_hubspot_search_deals.json (Prismatic's example
    # payload, https://prismatic.io/docs/example-payloads/hubspot/actions/searchDeals.json):
    # its one deal has the history of dealname only, so no change of its state is known.
    body = _json("real/prismatic_hubspot_search_deals.json")["data"]
    result = hubspot.deal_changes(body)
    _accounted(result)
    assert result.rows_in == 0
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("1 deal has no history of dealstage, amount")


def test_hubspot_missing_amount_or_close_date_rejects_the_moment() -> None:
    deal = {"id": "1", "propertiesWithHistory": {
        "dealstage": [_entry("qualifiedtobuy", "2024-04-01T08:00:00Z")],
        "closedate": [_entry("2024-09-30T00:00:00Z", "2024-04-01T08:00:00Z")],
        "amount": [_entry("5000", "2024-04-03T08:00:00Z"), _entry("", "2024-04-02T08:00:00Z")],
    }}  # fmt: skip
    no_close = {"id": "2", "propertiesWithHistory": {
        "dealstage": [_entry("qualifiedtobuy", "2024-04-01T08:00:00Z")],
        "amount": [_entry("10", "2024-04-01T08:00:00Z")],
    }}  # fmt: skip
    result = hubspot.deal_changes([deal, no_close])
    _accounted(result)
    assert result.frame["changed_at"].tolist() == [pd.Timestamp("2024-04-03 08:00")]
    assert result.rejected["reason"].tolist() == [
        "amount: not yet set at this moment",  # 1 April: no amount entry yet
        "amount: missing",  # 2 April: set to "" (cleared)
        "closedate: no history (ask for it in propertiesWithHistory)",
    ]


def test_hubspot_rows_that_cannot_be_placed_or_are_ambiguous_are_rejected() -> None:
    deal = {"id": "1", "archived": False, "propertiesWithHistory": {
        "dealstage": [_entry("closedlost", "2024-05-01T08:00:00Z"),
                      _entry("qualifiedtobuy", "2024-04-01T08:00:00Z")],
        "closedate": [_entry("2024-09-30T00:00:00Z", "2024-04-01T08:00:00Z")],
        "amount": [_entry("10", "2024-04-01T08:00:00Z"), _entry("12", "2024-04-01T08:00:00Z"),
                   _entry("11", "yesterday")],
    }}  # fmt: skip
    gone = {**deal, "id": "2", "archived": True}
    result = hubspot.deal_changes([deal, gone])
    _accounted(result)
    assert result.rows_in == 6  # two moments and one unplaced entry per deal
    assert result.frame.index.tolist() == []
    reasons = result.rejected["reason"].tolist()
    ambiguous = (
        "amount: two values at the same latest moment, so which holds is unknown: '10', '12'"
    )
    assert reasons[:3] == [
        ambiguous,
        ambiguous,
        "amount timestamp: not in a recognised date format (use ISO 8601, such as 2025-12-31 "
        "or 2025-12-31T14:00:00Z): 'yesterday'",
    ]
    assert reasons[3:5] == ["archived; " + ambiguous] * 2


def test_hubspot_unknown_stage_and_stage_tables() -> None:
    deal = {"id": "9", "propertiesWithHistory": {
        "dealstage": [_entry("1234567", "2024-04-01T08:00:00Z")],
        "amount": [_entry("10", "2024-04-01T08:00:00Z")],
        "closedate": [_entry("2024-09-30T00:00:00Z", "2024-04-01T08:00:00Z")],
    }}  # fmt: skip
    default = hubspot.deal_changes([deal])
    _accounted(default)
    assert default.rejected["reason"].str.contains("pass stages=").all()
    stages = [{"id": "1234567", "label": "Signed", "metadata": {"probability": "1.0",
                                                               "isClosed": "true"}}]  # fmt: skip
    signed = hubspot.deal_changes([deal], stages=stages).frame
    assert signed[["stage", "probability", "status"]].to_dict("records") == [
        {"stage": "Signed", "probability": 1.0, "status": "won"}
    ]


def test_hubspot_client_objects_with_datetimes() -> None:
    class Deal:  # what hubspot-api-client's SimplePublicObjectWithAssociations gives
        def to_dict(self) -> dict[str, Any]:
            moment = pd.Timestamp("2024-04-01T08:00:00Z").to_pydatetime()
            return {"id": "5", "properties": {}, "properties_with_history": {
                "dealstage": [{"value": "closedwon", "timestamp": moment,
                               "source_type": "CRM_UI"}],
                "amount": [{"value": "42", "timestamp": moment, "source_type": "CRM_UI"}],
                "closedate": [{"value": "2024-04-01T00:00:00Z", "timestamp": moment,
                               "source_type": "CRM_UI"}],
            }}  # fmt: skip

    frame = hubspot.deal_changes([Deal()]).frame
    assert frame[["deal_id", "value", "status"]].to_dict("records") == [
        {"deal_id": "5", "value": 42.0, "status": "won"}
    ]


def test_hubspot_refusals_and_repeated_ids() -> None:
    with pytest.raises(SchemaError, match="records must be"):
        hubspot.deal_changes(42)
    with pytest.raises(InvalidInputError, match="stages"):
        hubspot.deal_changes([DEAL], stages="default")
    twice = hubspot.deal_changes([DEAL, DEAL])
    _accounted(twice)
    assert twice.accepted == 0
    assert set(twice.rejected["reason"]) == {"id: given in more than one record (duplicate id)"}
    bad = hubspot.deal_changes([{"id": "1", "propertiesWithHistory": {"amount": "10"}}])
    _accounted(bad)
    assert bad.rejected["reason"].tolist() == [
        "amount: history is not a list of values with timestamps"
    ]


# ------------------------------------------------------------------ properties

STAGES = ["appointmentscheduled", "qualifiedtobuy", "contractsent", "closedwon", "closedlost"]
# Whole hours in one week of 2024: collisions between properties are likely.
hours = st.integers(min_value=0, max_value=24 * 7)
histories = st.fixed_dictionaries(
    {
        "dealstage": st.lists(st.tuples(hours, st.sampled_from(STAGES)), max_size=4),
        "amount": st.lists(st.tuples(hours, st.integers(0, 10_000)), max_size=4),
        "closedate": st.lists(st.tuples(hours, st.integers(0, 365)), max_size=4),
    }
)
START = pd.Timestamp("2024-01-01")


def _stamp(hour: int) -> str:
    return (START + pd.Timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(name: str, value: Any) -> str:
    if name == "closedate":
        return (START + pd.Timedelta(days=value)).strftime("%Y-%m-%dT00:00:00Z")
    return str(value)


def _oracle(history: dict[str, list[tuple[int, Any]]]) -> list[tuple[Any, ...]]:
    """The accepted rows, by a plain loop over the moments: (hour, stage, amount, close)."""
    rows = []
    for moment in sorted({hour for entries in history.values() for hour, _ in entries}):
        state: dict[str, Any] = {}
        clear = True
        for name, entries in history.items():
            held = [(hour, value) for hour, value in entries if hour <= moment]
            if not held:
                clear = False
                continue
            latest = max(hour for hour, _ in held)
            values = {value for hour, value in held if hour == latest}
            clear &= len(values) == 1
            state[name] = values.pop()
        if clear and len(state) == 3:
            close = START + pd.Timedelta(days=state["closedate"])
            rows.append((moment, state["dealstage"], float(state["amount"]), close))
    return rows


@given(history=histories, seed=st.integers(0, 2**16))
def test_hubspot_rows_match_a_plain_loop_over_the_moments(
    history: dict[str, list[tuple[int, Any]]], seed: int
) -> None:
    shuffled = {name: list(entries) for name, entries in history.items()}
    for entries in shuffled.values():
        random.Random(seed).shuffle(entries)  # the order of entries must not matter
    record = {
        "id": "1",
        "propertiesWithHistory": {
            name: [_entry(_text(name, value), _stamp(hour)) for hour, value in entries]
            for name, entries in shuffled.items()
        },
    }
    result = hubspot.deal_changes([record])
    _accounted(result)
    moments = {hour for entries in history.values() for hour, _ in entries}
    assert result.rows_in == len(moments)
    frame = result.frame
    hour = (frame["changed_at"] - START) // pd.Timedelta(hours=1)
    got = list(
        zip(
            hour.tolist(),
            frame["stage"].tolist(),
            frame["value"].tolist(),
            frame["close_date"].tolist(),
            strict=True,
        )
    )
    assert got == _oracle(history)
    won = result.frame["stage"].eq("closedwon").to_numpy()
    assert (result.frame["status"].to_numpy()[won] == "won").all()
    assert np.isin(result.frame["status"], ["open", "won", "lost"]).all()


# ------------------------------------------------------------------ garbage

hostile_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**400, 2**63, -1, 0]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(
        ["", "2024-03-04", "2024-03-04T10:20:00Z", "2024-03-04T10:20:00.000+0000",
         "9999-12-31", "Closed Won", "closedwon", "Prospecting", "true", "1,5", "NaN", "\x00"]
    ),
)  # fmt: skip
hostile_values = st.recursive(
    hostile_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
SALESFORCE_FIELDS = (
    "OpportunityId",
    "CreatedDate",
    "StageName",
    "Amount",
    "Probability",
    "CloseDate",
    "ForecastCategory",
    "CurrencyIsoCode",
    "Id",
    "IsDeleted",
)
entries = st.lists(
    st.fixed_dictionaries({"value": hostile_values, "timestamp": hostile_values}) | hostile_values,
    max_size=3,
)
hubspot_records = st.lists(
    st.fixed_dictionaries(
        {
            "id": hostile_scalars,
            "propertiesWithHistory": st.dictionaries(
                st.sampled_from(["dealstage", "amount", "closedate", "hubspot_owner_id"]),
                entries | hostile_values,
                max_size=4,
            )
            | hostile_values,
            "archived": hostile_scalars,
        }
    ),
    max_size=3,
)


def _only_salescore_errors(call: Any) -> Any:
    try:
        return call()
    except SalescoreError:
        return None


@given(
    records=st.lists(
        st.dictionaries(st.sampled_from(SALESFORCE_FIELDS), hostile_values, max_size=10),
        max_size=4,
    ),
    as_frame=st.booleans(),
)
def test_salesforce_garbage_raises_only_salescore_errors_and_counts_every_record(
    records: list[dict[str, Any]], as_frame: bool
) -> None:
    given_records: Any = pd.DataFrame.from_records(records) if as_frame and records else records
    result = _only_salescore_errors(lambda: salesforce.opportunity_changes(given_records))
    if result is not None:
        _accounted(result)
        assert result.rows_in == len(given_records)


@given(records=hubspot_records, stages=st.none() | hostile_values)
def test_hubspot_garbage_raises_only_salescore_errors_and_counts_every_row(
    records: list[dict[str, Any]], stages: Any
) -> None:
    result = _only_salescore_errors(lambda: hubspot.deal_changes(records, stages=stages))
    if result is not None:
        _accounted(result)
