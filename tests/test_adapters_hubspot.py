"""Tests of salescore.adapters.hubspot: the fixture by hand, the report, properties.

The fixture ``tests/fixtures/hubspot/`` is written by hand from HubSpot's documented
property names and formats (CRM API v3 deals and pipelines): every value a string,
probabilities as fractions, dates as ISO 8601 moments in UTC. Its
``hs_projected_amount`` values follow HubSpot's formula, amount × stage probability.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.adapters import from_records, to_records
from salescore.adapters.hubspot import deals, stage_history
from salescore.errors import InvalidInputError, SalescoreError, SchemaError
from salescore.pipeline import weighted_pipeline, weighted_value

from .adapter_support import assert_accounted, canonical_frame

FIXTURES = Path(__file__).parent / "fixtures" / "hubspot"


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


_table = canonical_frame


# ------------------------------------------------------------ the fixture by hand


def test_fixture_deals_with_pipelines() -> None:
    result = deals(_load("deals.json"), stages=_load("pipelines.json"))
    expected = _table(
        "deals",
        {
            "deal_id": ["1002", "1003", "1004", "1005", "1012", "1013", "1014"],
            # Only 1002 carries an association to a company.
            "account_id": ["5790939450", None, None, None, None, None, None],
            "owner": [
                "52031447",
                "61200310",
                "61200310",
                "52031447",
                "52031447",
                "61200310",
                "52031447",
            ],
            # Labels from the pipelines, not the stage ids.
            "stage": [
                "Negotiation",
                "Appointment Scheduled",
                "Closed Won",
                "Closed Lost",
                "Qualified To Buy",
                "Appointment Scheduled",
                "Churned",
            ],
            "value": [34500.0, 1250.5, 9800.0, 4000.0, 18000.0, 800.0, 2200.0],
            # 1012 has no hs_deal_stage_probability: its stage's 0.4 stands in.
            "probability": [0.83, 0.2, 1.0, 0.0, 0.4, 0.2, 0.0],
            "currency": ["EUR", "USD", "USD", "USD", "SEK", "USD", "NOK"],
            "created": [
                "2024-01-10T08:15:00Z",
                "2024-04-20T14:00:00Z",
                "2024-02-01T09:00:00Z",
                "2024-01-15T10:00:00Z",
                "2024-04-02T13:45:12.345Z",
                "2024-04-03T09:00:00Z",
                "2023-11-20T10:00:00Z",
            ],
            # closedate moments become their UTC dates; 1003 has none; 1013's "next
            # quarter" is no date (left empty, with a warning).
            "close_date": [
                "2024-05-31",
                None,
                "2024-04-12",
                "2024-03-29",
                "2024-09-30",
                None,
                "2024-02-15",
            ],
            # 1004: hs_is_closed_won; 1005: hs_is_closed without the win; 1014 has no
            # hs_is_closed at all, but its stage "Churned" is closed in the pipelines.
            "status": ["open", "open", "won", "lost", "open", "open", "lost"],
            "forecast_category": [
                "commit",
                None,
                "closed",
                "omitted",
                "best_case",
                None,
                "omitted",
            ],
            "source": [
                "DIRECT_TRAFFIC",
                None,
                "ORGANIC_SEARCH",
                "PAID_SEARCH",
                "SOCIAL_MEDIA",
                None,
                "OFFLINE",
            ],
            "lost_reason": [None, None, None, "Chose a competitor", None, None, "Budget cut"],
        },
        [1, 2, 3, 4, 11, 12, 13],
    )
    pd.testing.assert_frame_equal(result.frame, expected)
    assert (
        "close_date left empty in 1 kept row: closedate: not in a recognised date format "
        "(use ISO 8601, such as 2025-12-31 or 2025-12-31T14:00:00Z) "
        "(e.g. row 12 ('1013'): 'next quarter')"
    ) in result.warnings


def test_fixture_rejects_each_awkward_record_with_its_reason() -> None:
    result = deals(_load("deals.json"), stages=_load("pipelines.json"))
    reasons = result.rejected["reason"].to_dict()
    assert reasons == {
        # 1001 comes twice (a repeated page): neither copy can be trusted over the other.
        0: "id: given in more than one record: '1001' (rows 0, 10)",
        10: "id: given in more than one record: '1001' (rows 0, 10)",
        5: "amount: missing",  # 1006: no amount yet
        6: "amount: not a plain number: '12,000'",  # 1007: a thousands separator
        7: "archived",  # 1008: in the recycle bin
        8: "dealstage: not a stage of the pipelines given: '1188001'",  # 1009: deleted pipeline
        9: "hs_deal_stage_probability: outside 0 to 1 (fraction): '45'",  # 1010: a percent
    }
    # The rejects keep the values as received (properties flattened).
    assert result.rejected.loc[6, "amount"] == "12,000"
    assert result.rejected.loc[7, "archived"] is True
    assert_accounted(result)
    assert result.rows_in == 14
    assert any("4 currencies" in warning for warning in result.warnings)


def test_fixture_without_pipelines_keeps_stage_ids_and_refuses_to_guess() -> None:
    result = deals(_load("deals.json"))
    frame = result.frame
    # 1009's stage is unknown, but hs_is_closed says it is open: it is kept.
    assert frame.index.tolist() == [1, 2, 3, 4, 8, 11, 12]
    assert frame.loc[8, "stage"] == "1188001"
    assert frame.loc[8, "status"] == "open"
    # 1012 (qualifiedtobuy) has no hs_deal_stage_probability: without the pipelines,
    # the default pipeline's 40 % for that stage is used, and a warning says so.
    assert frame["probability"][11] == 0.4
    assert any("1 deal has no hs_deal_stage_probability" in text for text in result.warnings)
    assert frame["status"].tolist() == ["open", "open", "won", "lost", "open", "open", "open"]
    # 1014 has neither hs_is_closed nor a known stage: whether it is open is not guessed.
    assert result.rejected.loc[13, "reason"] == (
        "dealstage: not a stage of HubSpot's default pipeline, so whether the deal is closed "
        "is unknown (pass stages=, the body of GET /crm/v3/pipelines/deals, or read the "
        "hs_is_closed and hs_is_closed_won properties too): '1067386'"
    )
    assert_accounted(result)


def test_weighted_forecast_equals_hs_projected_amount() -> None:
    records = _load("deals.json")["results"]
    result = deals(records, stages=_load("pipelines.json"))
    frame = result.frame
    projected = pd.Series(
        [float(records[i]["properties"]["hs_projected_amount"]) for i in frame.index],
        index=frame.index,
    )
    ours = weighted_value(frame["value"], frame["probability"])
    np.testing.assert_allclose(ours.to_numpy(), projected.to_numpy(), rtol=1e-12)
    # The open pipeline per currency, as the table function computes it.
    table = weighted_pipeline(frame, by="currency")
    open_deals = frame["status"] == "open"
    vendor = projected[open_deals].groupby(frame.loc[open_deals, "currency"]).sum()
    np.testing.assert_allclose(
        table["weighted_value"].sort_index().to_numpy(), vendor.sort_index().to_numpy()
    )
    # The Nutshell article's figures sit in two of the fixture's deals: 27,600 × 12 %
    # and 34,500 × 83 %.
    assert weighted_value(27600.0, 0.12) == pytest.approx(3312.0)
    assert table.loc["EUR", "weighted_value"] == pytest.approx(28635.0)


def test_export_with_property_names_reads_like_the_api() -> None:
    results = _load("deals.json")["results"]
    flat = [{**record["properties"], "archived": record["archived"]} for record in results]
    export = pd.DataFrame(flat)  # hs_object_id, not id, as an export has it
    from_export = deals(export, stages=_load("pipelines.json"))
    from_api = deals(results, stages=_load("pipelines.json"))
    pd.testing.assert_frame_equal(
        from_export.frame.drop(columns="account_id"), from_api.frame.drop(columns="account_id")
    )
    # The same reasons, each naming the id field the records have.
    named = from_export.rejected["reason"].str.replace("hs_object_id:", "id:", regex=False)
    assert named.to_dict() == from_api.rejected["reason"].to_dict()


def test_round_trip_through_from_records_is_lossless() -> None:
    frame = deals(_load("deals.json"), stages=_load("pipelines.json")).frame
    again = from_records(to_records(frame)).frame
    pd.testing.assert_frame_equal(again, frame.reset_index(drop=True))


def test_status_from_the_stage_alone_follows_hubspots_rule() -> None:
    # Without hs_is_closed_won: a closed stage at probability 1 is won, at 0 lost.
    stages = [
        {"id": "s-open", "label": "Open", "metadata": {"isClosed": False, "probability": 0.5}},
        {"id": "s-won", "label": "Won", "metadata": {"isClosed": True, "probability": 1.0}},
        {"id": "s-lost", "label": "Lost", "metadata": {"isClosed": "true", "probability": "0"}},
    ]
    records = [
        {"id": str(i), "amount": "100", "dealstage": stage}
        for i, stage in enumerate(["s-open", "s-won", "s-lost"])
    ]
    frame = deals(records, stages={"results": [{"id": "p", "stages": stages}]}).frame
    assert frame["status"].tolist() == ["open", "won", "lost"]
    assert frame["probability"].tolist() == [0.5, 1.0, 0.0]
    assert frame["stage"].tolist() == ["Open", "Won", "Lost"]


def test_a_deal_without_a_stage_is_open_only_if_hs_is_closed_says_so() -> None:
    records = [
        {"id": "1", "amount": "5", "dealstage": None, "hs_is_closed": "false"},
        {"id": "2", "amount": "5", "dealstage": None},
    ]
    result = deals(records)
    assert result.frame["status"].tolist() == ["open"]
    assert result.rejected["reason"].tolist() == [
        "dealstage: missing, so whether the deal is closed is unknown (read the hs_is_closed "
        "and hs_is_closed_won properties too, or pass stages=)"
    ]
    # With stages given, the reason does not tell the caller to pass them.
    stages = [{"id": "s", "label": "S", "metadata": {"probability": "0.5"}}]
    given = deals([*records, {"id": "3", "amount": "5", "dealstage": "s"}], stages=stages)
    assert given.rejected["reason"].tolist() == [
        "dealstage: missing, so whether the deal is closed is unknown (read the hs_is_closed "
        "and hs_is_closed_won properties too)",
        "dealstage: the stages given do not say whether this stage is closed "
        "(metadata.isClosed), so the deal's status is unknown (read the hs_is_closed and "
        "hs_is_closed_won properties too): 'S'",
    ]
    assert all("pass stages=" not in text for text in given.rejected["reason"])


# ------------------------------------------------------------ stage history


def test_fixture_stage_history() -> None:
    result = stage_history(_load("deals.json"), stages=_load("pipelines.json"))
    expected = _table(
        "stage_history",
        {
            "deal_id": ["1002"] * 3 + ["1003"] + ["1004"] * 3 + ["1014"] * 2,
            "stage": [
                "Discovery",
                "Proposal",
                "Negotiation",
                "Appointment Scheduled",
                "Appointment Scheduled",
                "Contract Sent",
                "Closed Won",
                "Discovery",
                "Churned",
            ],
            "entered": [
                "2024-01-10T08:15:00Z",
                "2024-02-01T10:00:00Z",
                "2024-03-15T16:30:00Z",
                "2024-04-20T14:00:00Z",
                "2024-02-01T09:00:00Z",
                "2024-03-01T09:00:00Z",
                "2024-04-12T15:20:00Z",
                "2023-11-20T10:00:00Z",
                "2024-02-15T09:10:00Z",
            ],
            "exited": [
                "2024-02-01T10:00:00Z",
                "2024-03-15T16:30:00Z",
                None,
                None,
                "2024-03-01T09:00:00Z",
                "2024-04-12T15:20:00Z",
                None,
                "2024-02-15T09:10:00Z",
                None,
            ],
        },
        list(range(1, 10)),
    )
    pd.testing.assert_frame_equal(result.frame, expected)
    # 1001's one visit is rejected: 1001 comes twice in the records.
    assert result.rejected["reason"].tolist() == [
        "id: given in more than one record (duplicate id)"
    ]
    assert result.rejected.loc[0, "stage_id"] == "1067381"
    assert_accounted(result)


def test_stage_history_rejects_bad_visits() -> None:
    records = [
        {
            "id": "1",
            "properties": {
                "hs_v2_date_entered_a": "2024-03-01T00:00:00Z",
                "hs_v2_date_exited_a": "2024-02-01T00:00:00Z",  # left before entering
                "hs_v2_date_entered_b": "soon",
                "hs_v2_date_exited_c": "2024-02-01T00:00:00Z",  # an exit without entry
                "hs_v2_date_entered_current_stage": "2024-03-01T00:00:00Z",  # not a stage
            },
        },
        {"id": "2", "archived": True, "properties": {"hs_v2_date_entered_a": "2024-01-01"}},
    ]
    result = stage_history(records)
    assert result.rows_in == 4
    assert result.accepted == 0
    reasons = result.rejected.set_index(["record", "stage_id"])["reason"].to_dict()
    assert reasons[0, "a"].startswith("exited is before entered")
    assert reasons[0, "b"].startswith("hs_v2_date_entered_b: not in a recognised date format")
    assert reasons[0, "c"] == "hs_v2_date_entered_c: missing"
    assert reasons[1, "a"] == "archived"
    assert_accounted(result)


def test_stage_history_checks_stages_when_given() -> None:
    records = [{"id": "1", "properties": {"hs_v2_date_entered_x": "2024-01-01T00:00:00Z"}}]
    result = stage_history(records, stages=[{"id": "y", "label": "Y", "metadata": {}}])
    assert result.rejected["reason"].tolist() == [
        "stage_id: not a stage of the pipelines given: 'x'"
    ]


# ------------------------------------------------------------ whole-call errors


@pytest.mark.parametrize("records", ["deals", 42, {"paging": {}}, [{"id": "1"}, "two"]])
def test_records_of_the_wrong_shape_are_refused_whole(records: object) -> None:
    with pytest.raises(SchemaError):
        deals(records)


def test_a_field_absent_from_every_record_is_refused_whole() -> None:
    with pytest.raises(SchemaError, match="'amount'"):
        deals([{"id": "1", "properties": {"dealstage": "closedwon"}}])
    with pytest.raises(SchemaError, match="'id'"):
        deals([{"properties": {"amount": "1", "dealstage": "closedwon"}}])


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        ("default", "stages must be"),
        ([{"label": "x"}], "no usable id"),
        ([{"id": "a", "metadata": {"probability": "40"}}], "fraction in"),
        ([{"id": "a", "metadata": {"isClosed": "yes"}}], "isClosed"),
        ([{"id": "p", "stages": "a"}], "list of mappings"),
    ],
)
def test_bad_pipelines_are_refused(stages: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        deals([], stages=stages)


def test_no_records_give_an_empty_table() -> None:
    for result in (deals([]), stage_history({"results": []})):
        assert result.rows_in == 0
        assert result.frame.empty


# ------------------------------------------------------------ properties

_KEYS = [
    "amount",
    "dealstage",
    "hs_deal_stage_probability",
    "hs_is_closed",
    "hs_is_closed_won",
    "closedate",
    "createdate",
    "deal_currency_code",
    "hs_manual_forecast_category",
    "hubspot_owner_id",
    "closed_lost_reason",
    "hs_v2_date_entered_closedwon",
    "hs_v2_date_exited_closedwon",
]
_ANY = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(["0.5", "1", "-3", "1e400", "true", "EUR", "closedwon", "2024-01-01", ""]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["id", "results"]), st.integers(), max_size=1),
)


@st.composite
def _any_records(draw: Any) -> list[Any]:
    records = []
    for _ in range(draw(st.integers(0, 6))):
        properties = draw(st.dictionaries(st.sampled_from(_KEYS), _ANY, max_size=len(_KEYS)))
        if draw(st.integers(0, 9)):  # mostly with the required fields, to reach the rows
            properties = {"amount": draw(_ANY), "dealstage": draw(_ANY), **properties}
        record = {"id": draw(_ANY), "properties": properties}
        if draw(st.booleans()):
            record["archived"] = draw(_ANY)
        records.append(record)
    return records


@settings(max_examples=200)
@given(_any_records(), st.booleans())
def test_arbitrary_records_are_all_accounted_for(records: list[Any], with_stages: bool) -> None:
    stages = _load("pipelines.json") if with_stages else None
    for adapter in (deals, stage_history):
        try:
            result = adapter(records, stages=stages)
        except SalescoreError:
            continue  # a whole-call refusal, such as no amount in any record
        assert_accounted(result)


_STAGES = {  # the fixture's default pipeline: id → (label, probability, closed)
    "appointmentscheduled": ("Appointment Scheduled", 0.2, False),
    "contractsent": ("Contract Sent", 0.9, False),
    "closedwon": ("Closed Won", 1.0, True),
    "closedlost": ("Closed Lost", 0.0, True),
}


@st.composite
def _valid_deal(draw: Any) -> dict[str, Any]:
    stage = draw(st.sampled_from(sorted(_STAGES)))
    properties: dict[str, Any] = {
        "amount": str(draw(st.integers(0, 10**11)) / 100),
        "dealstage": stage,
        "deal_currency_code": draw(st.sampled_from(["EUR", "usd", "NOK"])),
        "createdate": "2024-01-02T03:04:05.678Z",
        "closedate": draw(st.sampled_from([None, "2024-06-30T00:00:00Z"])),
    }
    if draw(st.booleans()):
        properties["hs_deal_stage_probability"] = str(draw(st.integers(0, 100)) / 100)
    if draw(st.booleans()):
        properties["hs_is_closed_won"] = "true" if stage == "closedwon" else "false"
    return {"id": "", "properties": properties, "archived": False}


@settings(max_examples=150)
@given(st.lists(_valid_deal(), max_size=8))
def test_valid_records_match_a_plain_python_reading(records: list[dict[str, Any]]) -> None:
    for number, record in enumerate(records):
        record["id"] = f"D{number}"
    result = deals(records, stages=_load("pipelines.json"))
    assert result.accepted == len(records)
    for position, record in enumerate(records):
        properties = record["properties"]
        label, stage_probability, closed = _STAGES[properties["dealstage"]]
        given_probability = properties.get("hs_deal_stage_probability")
        probability = stage_probability if given_probability is None else float(given_probability)
        row = result.frame.iloc[position]
        assert row["deal_id"] == record["id"]
        assert row["stage"] == label
        assert row["value"] == float(properties["amount"])
        assert row["probability"] == probability
        assert row["currency"] == properties["deal_currency_code"].upper()
        status = "open" if not closed else ("won" if label == "Closed Won" else "lost")
        assert row["status"] == status
        assert weighted_value(row["value"], row["probability"]) == pytest.approx(
            float(properties["amount"]) * probability
        )


# ------------------------------------------------------------ the default pipeline


def _listed_deal(deal_id: str, stage: str, amount: str) -> dict[str, Any]:
    """A deal as ``GET /crm/v3/objects/deals`` lists it with the default properties.

    The shape of HubSpot's CRM API | Deals list response (``id``, ``properties`` with
    ``amount``, ``closedate``, ``createdate``, ``dealname``, ``dealstage``,
    ``hs_lastmodifieddate``, ``hs_object_id``, ``pipeline``, then ``createdAt``,
    ``updatedAt``, ``archived``): no ``hs_is_closed`` and no probability unless asked
    for.
    """
    return {
        "id": deal_id,
        "properties": {
            "amount": amount,
            "closedate": "2024-03-31T00:00:00.000Z",
            "createdate": "2024-01-10T09:15:30.234Z",
            "dealname": f"Deal {deal_id}",
            "dealstage": stage,
            "hs_lastmodifieddate": "2024-01-15T14:22:10.456Z",
            "hs_object_id": deal_id,
            "pipeline": "default",
        },
        "createdAt": "2024-01-10T09:15:30.234Z",
        "updatedAt": "2024-01-15T14:22:10.456Z",
        "archived": False,
    }


_DEFAULT_STAGES = [
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
]


def test_default_pipeline_stages_are_known_without_stages_or_hs_is_closed() -> None:
    records = [_listed_deal(str(k), stage, "1000") for k, stage in enumerate(_DEFAULT_STAGES)]
    result = deals({"results": records})
    assert result.n_rejected == 0
    assert result.frame["status"].tolist() == ["open"] * 5 + ["won", "lost"]
    # HubSpot's default pipeline probabilities: 20, 40, 60, 80, 90, 100 and 0 %.
    assert result.frame["probability"].tolist() == [0.2, 0.4, 0.6, 0.8, 0.9, 1.0, 0.0]
    # Weighted: 1000 × (0.2 + 0.4 + 0.6 + 0.8 + 0.9) = 2900 in the open stages.
    open_deals = result.frame[result.frame["status"] == "open"]
    assert float((open_deals["value"] * open_deals["probability"]).sum()) == pytest.approx(2900.0)
    assert any("7 deals have no hs_deal_stage_probability" in text for text in result.warnings)
    # A stage's own probability, when the deal has one, is used as given.
    own = _listed_deal("9", "contractsent", "1000")
    own["properties"]["hs_deal_stage_probability"] = "0.75"
    assert deals([own]).frame["probability"].tolist() == [0.75]


def test_default_pipeline_labels_from_an_export_are_known_too() -> None:
    export = pd.DataFrame(
        {
            "hs_object_id": ["1", "2", "3"],
            "amount": [100.0, 200.0, 300.0],
            "dealstage": ["Contract Sent", "Closed Won", "Closed Lost"],
        }
    )
    frame = deals(export).frame
    assert frame["status"].tolist() == ["open", "won", "lost"]
    assert frame["stage"].tolist() == ["Contract Sent", "Closed Won", "Closed Lost"]


# ------------------------------------------------------------ hubspot-api-client objects


def test_hubspot_api_client_objects_are_read() -> None:
    from hubspot.crm.deals import (  # type: ignore[import-untyped]
        CollectionResponseSimplePublicObjectWithAssociationsForwardPaging,
        SimplePublicObject,
        SimplePublicObjectWithAssociations,
    )

    moment = datetime.datetime(2024, 1, 10, 9, 15, 30, tzinfo=datetime.UTC)

    def model(kind: Any, record: dict[str, Any]) -> Any:
        return kind(
            id=record["id"],
            properties=record["properties"],
            created_at=moment,
            updated_at=moment,
            archived=False,
        )

    records = [_listed_deal("11", "qualifiedtobuy", "2500"), _listed_deal("12", "closedwon", "n/a")]
    page = CollectionResponseSimplePublicObjectWithAssociationsForwardPaging(
        results=[model(SimplePublicObjectWithAssociations, record) for record in records]
    )
    from_page = deals(page)
    from_json = deals({"results": records})
    pd.testing.assert_frame_equal(from_page.frame, from_json.frame)
    assert from_page.frame["deal_id"].tolist() == ["11"]
    assert from_page.rejected["reason"].tolist() == ["amount: not a plain number: 'n/a'"]
    # A list of SimplePublicObject (what basic_api.get_by_id or batch reads return).
    singles = [model(SimplePublicObject, record) for record in records]
    assert deals(singles).frame["probability"].tolist() == [0.4]
