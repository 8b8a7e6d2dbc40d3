"""Tests of salescore.adapters.pipedrive: the fixtures by hand, the report, properties.

The fixtures ``tests/fixtures/pipedrive/`` are written by hand from Pipedrive's
documented API v1 fields: ``probability`` a percentage or null, ``status`` open, won,
lost or deleted, times as ``"YYYY-MM-DD HH:MM:SS"`` in UTC, ``user_id`` and ``org_id``
as objects. Their ``weighted_value`` follows Pipedrive's formula, value × probability
/ 100 with the stage's ``deal_probability`` for a deal without one. The CSV is an
export with the API's field names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.adapters import from_records, to_records
from salescore.adapters.pipedrive import deals
from salescore.errors import InvalidInputError, SalescoreError, SchemaError
from salescore.pipeline import weighted_pipeline, weighted_value

from .adapter_support import assert_accounted, canonical_frame

FIXTURES = Path(__file__).parent / "fixtures" / "pipedrive"


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _table(rows: dict[str, list[Any]], index: list[int]) -> pd.DataFrame:
    return canonical_frame("deals", rows, index)


# ------------------------------------------------------------ the fixtures by hand


def test_fixture_deals_with_stages() -> None:
    result = deals(_load("deals.json"), stages=_load("stages.json"))
    expected = _table(
        {
            "deal_id": [101, 103, 104, 105, 107, 112, 113],
            # org_id objects give their "value"; 112 has a plain id (v2 style).
            "account_id": [501, None, 503, 504, None, 505, None],
            # user_id objects give their "name"; 112's and 113's are plain ints, with no
            # owner_name to name them: the id as text.
            "owner": [
                "Kari Nordmann",
                "Ola Hansen",
                "Ola Hansen",
                "Kari Nordmann",
                "Ola Hansen",
                "9001",
                "9001",
            ],
            "stage": [
                "Contact Made",
                "Demo Scheduled",
                "Negotiations Started",
                "Proposal Made",
                "Demo Scheduled",
                "Lead In",
                "Lead In",
            ],
            # 107's value came as the string "3500.50": a plain number, accepted.
            "value": [27600.0, 1200.0, 9800.0, 4000.0, 3500.5, 18000.0, 700.0],
            # 103 has a null probability: its weighted_value 480 / value 1200 = 0.4.
            "probability": [0.12, 0.4, 1.0, 0.0, 0.4, 0.25, 0.1],
            "currency": ["EUR", "USD", "USD", "USD", "EUR", "SEK", "USD"],
            "created": [
                "2024-03-04 09:30:00Z",
                "2024-04-20 14:00:00Z",
                "2024-02-01 09:00:00Z",
                "2024-01-15 10:00:00Z",
                "2024-03-11 09:00:00Z",
                "2024-04-02 13:45:12Z",
                None,  # 113's "04/03/2024 9:30" is no date: left empty, with a warning
            ],
            # Open deals: expected_close_date; 104 won and 105 lost: won_time / lost_time.
            "close_date": [
                "2024-06-28",
                None,
                "2024-04-12",
                "2024-03-29",
                "2024-08-15",
                "2024-09-30",
                None,
            ],
            "status": ["open", "open", "won", "lost", "open", "open", "open"],
            "lost_reason": [None, None, None, "Price too high", None, None, None],
        },
        [0, 2, 3, 4, 6, 11, 13],
    )
    pd.testing.assert_frame_equal(result.frame, expected)


def test_fixture_rejects_each_awkward_record_with_its_reason() -> None:
    result = deals(_load("deals.json"), stages=_load("stages.json"))
    assert result.rejected["reason"].to_dict() == {
        # 102 comes twice (the second page repeated it): both copies are rejected.
        1: "id: given in more than one record: 102 (rows 1, 12)",
        12: "id: given in more than one record: 102 (rows 1, 12)",
        5: "deleted",  # 106: status "deleted"
        7: "value: not a plain number: '€3,500'",  # 108: a currency sign and a separator
        8: "probability: outside 0 to 100 (percent): 130",  # 109
        9: "status: unknown value (expected 'open', 'won', 'lost', 'deleted'): 'frozen'",
        10: "stage_id: unknown stage 99 (not in stages)",  # 111: another pipeline's stage
    }
    assert result.rejected.loc[5, "status"] == "deleted"  # the original values are kept
    assert_accounted(result)
    assert result.rows_in == 14
    assert result.warnings == (
        "created left empty in 1 kept row: add_time: not in a recognised date format (use "
        "ISO 8601, such as 2025-12-31 or 2025-12-31T14:00:00Z) (e.g. row 13 (113): "
        "'04/03/2024 9:30')",
        "the deals are in 3 currencies (USD: 4, EUR: 2, SEK: 1 rows); values are kept "
        "with their codes and never summed across currencies: convert them or group by "
        "currency",
    )


def test_fixture_without_stages_keeps_missing_probabilities_with_a_warning() -> None:
    result = deals(_load("deals.json"))
    frame = result.frame
    # 111's stage is not checked without stages, so it is kept, under its id.
    assert frame.index.tolist() == [0, 2, 3, 4, 6, 10, 11, 13]
    assert frame.loc[10, "stage"] == "99"
    # Null probabilities are read from the deals' own weighted_value: 103's
    # 480 / 1200 = 0.4 and 111's 6000 / 6000 = 1.0.
    assert frame["probability"][2] == 0.4
    assert frame["probability"][10] == 1.0
    assert not any("no probability" in text for text in result.warnings)
    # Without a weighted_value either, the probability stays missing, with a warning.
    bare = [{**record, "weighted_value": None} for record in _load("deals.json")["data"]]
    without = deals(bare)
    assert np.isnan(without.frame["probability"][2])  # not guessed
    assert any(
        text.startswith("2 deals have no probability, no weighted_value")
        for text in without.warnings
    )
    assert_accounted(result)


def test_weighted_forecast_equals_weighted_value() -> None:
    records = _load("deals.json")["data"]
    frame = deals(records, stages=_load("stages.json")).frame
    vendor = pd.Series([records[i]["weighted_value"] for i in frame.index], index=frame.index)
    ours = weighted_value(frame["value"], frame["probability"])
    np.testing.assert_allclose(ours.to_numpy(), vendor.to_numpy(dtype=float), rtol=1e-12)
    table = weighted_pipeline(frame, by="currency")
    open_deals = frame["status"] == "open"
    totals = vendor[open_deals].groupby(frame.loc[open_deals, "currency"]).sum()
    np.testing.assert_allclose(
        table["weighted_value"].sort_index().to_numpy(), totals.sort_index().to_numpy(float)
    )
    # The Nutshell article's worked figures: the 27,600 deal at 12 % adds 3,312.
    assert weighted_value(frame["value"], frame["probability"])[0] == pytest.approx(3312.0)


def test_csv_export() -> None:
    export = pd.read_csv(FIXTURES / "deals_export.csv")
    result = deals(export, stages=_load("stages.json"))
    expected = _table(
        {
            "deal_id": [201, 202, 203, 204],
            "account_id": [601, 602, 603, None],  # a float column with a gap: ints back
            "owner": ["9001", "9001", "9002", "9002"],  # an export's plain ids
            "stage": ["Contact Made", "Proposal Made", "Negotiations Started", "Demo Scheduled"],
            "value": [5000.0, 2500.0, 12000.0, 3000.0],
            # 202's empty probability cell takes its stage's 60 %.
            "probability": [0.3, 0.6, 1.0, 0.0],
            "currency": ["EUR", "EUR", "USD", "USD"],
            "created": [
                "2024-05-01 10:00:00Z",
                "2024-05-02 10:00:00Z",
                "2024-01-05 09:00:00Z",
                "2024-02-10 09:00:00Z",
            ],
            "close_date": ["2024-07-31", "2024-08-15", "2024-04-30", "2024-03-01"],
            "status": ["open", "open", "won", "lost"],
            "lost_reason": [None, None, None, "Chose a competitor"],
        },
        [0, 1, 2, 3],
    )
    pd.testing.assert_frame_equal(result.frame, expected)
    assert result.rejected["reason"].to_dict() == {
        4: "deleted",
        5: "value: not a plain number: '1 200'",  # a digit-group space is not guessed
    }
    weighted = weighted_value(result.frame["value"], result.frame["probability"])
    assert weighted.tolist() == export.loc[:3, "weighted_value"].astype(float).tolist()
    # Read as text throughout, the same export gives the same numbers, ids as text.
    as_text = deals(
        pd.read_csv(FIXTURES / "deals_export.csv", dtype=str), stages=_load("stages.json")
    )
    pd.testing.assert_frame_equal(
        as_text.frame.drop(columns=["deal_id", "account_id"]),
        result.frame.drop(columns=["deal_id", "account_id"]),
    )
    assert as_text.frame["deal_id"].tolist() == ["201", "202", "203", "204"]


def test_round_trip_through_from_records_is_lossless() -> None:
    frame = deals(_load("deals.json"), stages=_load("stages.json")).frame
    again = from_records(to_records(frame)).frame
    pd.testing.assert_frame_equal(again, frame.reset_index(drop=True))


def test_api_v2_records() -> None:
    # API v2: owner_id instead of user_id, is_deleted, plain ids.
    records = [
        {
            "id": 1,
            "value": 100.0,
            "status": "open",
            "owner_id": 7,
            "org_id": 3,
            "is_deleted": False,
        },
        {
            "id": 2,
            "value": 50.0,
            "status": "open",
            "owner_id": 8,
            "org_id": None,
            "is_deleted": True,
        },
    ]
    result = deals(records)
    assert result.frame["owner"].tolist() == ["7"]
    assert result.frame["account_id"].tolist() == [3]
    assert result.rejected["reason"].tolist() == ["deleted"]


def test_close_dates_of_closed_and_open_deals() -> None:
    records = [
        # Won, without won_time: close_time, not the lost_time of an earlier loss.
        {"id": 1, "value": 1, "status": "won", "close_time": "2024-05-06 07:08:09",
         "lost_time": "2023-01-01 00:00:00"},
        # Lost without any time: the expected close date is all there is.
        {"id": 2, "value": 1, "status": "lost", "expected_close_date": "2024-01-02"},
        # Open: only the expected close date counts, not a close_time left by a reopening.
        {"id": 3, "value": 1, "status": "open", "close_time": "2023-05-05 00:00:00"},
    ]  # fmt: skip
    frame = deals(records).frame
    assert frame["close_date"].tolist()[:2] == [
        pd.Timestamp("2024-05-06"),
        pd.Timestamp("2024-01-02"),
    ]
    assert frame["close_date"].isna().tolist() == [False, False, True]


# ------------------------------------------------------------ whole-call errors


@pytest.mark.parametrize("records", ["deals", 42, {"success": False}, [{"id": 1}, None]])
def test_records_of_the_wrong_shape_are_refused_whole(records: object) -> None:
    with pytest.raises(SchemaError):
        deals(records)


def test_a_field_absent_from_every_record_is_refused_whole() -> None:
    with pytest.raises(SchemaError, match="'status'"):
        deals([{"id": 1, "value": 10}])


def test_null_data_is_no_deals() -> None:
    result = deals({"success": True, "data": None})
    assert result.rows_in == 0
    assert result.frame.empty


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        ("stages", "stages must be"),
        ([{"name": "x"}], "no integer id"),
        ([{"id": 1, "deal_probability": 0.5e3}], "from 0 to 100"),
        ([{"id": 1, "deal_probability": "40"}], "from 0 to 100"),
    ],
)
def test_bad_stages_are_refused(stages: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        deals([], stages=stages)


def test_stages_as_a_dataframe() -> None:
    stages = pd.DataFrame({"id": [3], "name": ["Demo"], "deal_probability": [40]})
    records = [{"id": 1, "value": 10, "status": "open", "stage_id": 3, "probability": None}]
    frame = deals(records, stages=stages).frame
    assert (frame.loc[0, "stage"], frame.loc[0, "probability"]) == ("Demo", 0.4)


# ------------------------------------------------------------ properties

_KEYS = [
    "value",
    "status",
    "probability",
    "stage_id",
    "currency",
    "add_time",
    "won_time",
    "lost_time",
    "close_time",
    "expected_close_date",
    "user_id",
    "owner_id",
    "org_id",
    "lost_reason",
    "deleted",
    "is_deleted",
]
_ANY = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(["50", "open", "won", "lost", "deleted", "EUR", "2024-01-01 10:00:00", ""]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["id", "value", "name"]), st.integers(), max_size=2),
)


@st.composite
def _any_records(draw: Any) -> list[Any]:
    records = []
    for _ in range(draw(st.integers(0, 6))):
        record = draw(st.dictionaries(st.sampled_from(_KEYS), _ANY, max_size=len(_KEYS)))
        if draw(st.integers(0, 9)):  # mostly with the required fields, to reach the rows
            record = {"value": draw(_ANY), "status": draw(_ANY), **record}
        records.append({"id": draw(_ANY), **record})
    return records


@settings(max_examples=200)
@given(_any_records(), st.booleans())
def test_arbitrary_records_are_all_accounted_for(records: list[Any], with_stages: bool) -> None:
    stages = _load("stages.json") if with_stages else None
    try:
        result = deals(records, stages=stages)
    except SalescoreError:
        return  # a whole-call refusal, such as no status in any record
    assert_accounted(result)


_STAGE_CHANCE = {1: 10, 2: 20, 3: 40, 4: 60, 5: 80}  # the fixture's stages


@st.composite
def _valid_deal(draw: Any) -> dict[str, Any]:
    return {
        "value": draw(st.integers(0, 10**11)) / 100,
        "currency": draw(st.sampled_from(["EUR", "USD"])),
        "probability": draw(st.one_of(st.none(), st.integers(0, 100))),
        "status": draw(st.sampled_from(["open", "won", "lost"])),
        "stage_id": draw(st.sampled_from(sorted(_STAGE_CHANCE))),
        "user_id": {"id": draw(st.integers(1, 99)), "name": "Seller"},
        "add_time": "2024-01-02 03:04:05",
    }


@settings(max_examples=150)
@given(st.lists(_valid_deal(), max_size=8))
def test_valid_records_match_pipedrives_weighted_value(records: list[dict[str, Any]]) -> None:
    for number, record in enumerate(records):
        record["id"] = number + 1
    result = deals(records, stages=_load("stages.json"))
    assert result.accepted == len(records)
    frame = result.frame
    for position, record in enumerate(records):
        percent = record["probability"]
        if percent is None:
            percent = _STAGE_CHANCE[record["stage_id"]]
        # Pipedrive's weighted value, written as its documentation states it.
        vendor = record["value"] * percent / 100
        row = frame.iloc[position]
        assert row["deal_id"] == record["id"]
        assert row["status"] == record["status"]
        assert row["owner"] == record["user_id"]["name"]
        assert weighted_value(row["value"], row["probability"]) == pytest.approx(vendor, abs=1e-6)


# ------------------------------------------------------------ weighted_value and owner names


def _v1_deal(**fields: Any) -> dict[str, Any]:
    """A deal in the shape of Pipedrive's API v1 ``GET /v1/deals`` items.

    The API reference's example response gives ``user_id`` as an object (``id``,
    ``name``, ``email``, ``has_pic``, ``pic_hash``, ``active_flag``, ``value``), the
    owner's name again as ``owner_name``, and ``weighted_value`` beside ``value`` and a
    nullable ``probability``.
    """
    deal: dict[str, Any] = {
        "id": 1,
        "title": "Deal One",
        "value": 5000,
        "currency": "EUR",
        "probability": None,
        "status": "open",
        "stage_id": 2,
        "user_id": {
            "id": 8877,
            "name": "Creator",
            "email": "john.doe@pipedrive.com",
            "has_pic": False,
            "pic_hash": None,
            "active_flag": True,
            "value": 8877,
        },
        "owner_name": "Creator",
        "add_time": "2019-05-29 04:21:51",
        "weighted_value": 2500,
        "weighted_value_currency": "EUR",
    }
    deal.update(fields)
    return deal


def test_a_null_probability_is_read_from_the_deals_own_weighted_value() -> None:
    records = [
        _v1_deal(),  # 2500 / 5000 = 0.5
        _v1_deal(id=2, value=34500, weighted_value=28635),  # 28635 / 34500 = 0.83
        _v1_deal(id=3, value=0, weighted_value=0),  # no ratio of a zero value
        _v1_deal(id=4, value=1000, weighted_value=1200),  # more than the value
        _v1_deal(id=5, probability=12, weighted_value=600),  # its own 12 % wins
    ]
    # Without stages: the weighted value is the only source for deals 1 and 2.
    result = deals(records)
    assert result.frame["deal_id"].tolist() == [1, 2, 3, 5]
    probabilities = result.frame["probability"].tolist()
    assert probabilities[:2] == [pytest.approx(0.5), pytest.approx(0.83)]
    assert np.isnan(probabilities[2])
    assert probabilities[3] == 0.12
    assert result.rejected["reason"].tolist() == [
        "weighted_value: more than the value, so no probability: 1200.0"
    ]
    # Deal 3 (value 0) has nothing to read: counted in the warning.
    assert any(text.startswith("1 deal has no probability") for text in result.warnings)
    # With stages, the deal's own weighted value still comes first (stage 2 is 20 %).
    staged = deals(records[:2], stages=[{"id": 2, "name": "Contact Made", "deal_probability": 20}])
    assert staged.frame["probability"].tolist() == [pytest.approx(0.5), pytest.approx(0.83)]


def test_owners_are_names_when_the_records_carry_them() -> None:
    records = [
        _v1_deal(),
        _v1_deal(id=2, user_id=8877, owner_name="Creator"),  # a plain id beside owner_name
        _v1_deal(id=3, user_id=8878, owner_name=None),  # no name anywhere: the id
    ]
    assert deals(records).frame["owner"].tolist() == ["Creator", "Creator", "8878"]
