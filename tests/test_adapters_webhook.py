"""Tests of salescore.adapters.webhook: a webhook payload in, JSON-ready metrics out."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.adapters.webhook import SOURCES, deal_metrics
from salescore.errors import InvalidInputError, SchemaError

FIXTURES = Path(__file__).parent / "fixtures" / "salesforce"
_NAMES = {"deal_id": "id", "value": "amount", "probability": "chance", "currency": "currency"}
# The Nutshell article's worked figures: $27,600 at 12 % adds $3,312; $34,500 at 83 % adds $28,635.
_SEED = [
    {"id": "D-17", "amount": 27_600, "chance": 0.12, "currency": "USD"},
    {"id": "D-18", "amount": "34500.00", "chance": "0.83", "currency": "usd"},
]


def test_nutshell_prospects_payload() -> None:
    metrics = deal_metrics({"records": _SEED}, mapping=_NAMES)
    assert metrics == {
        "counts": {"rows_in": 2, "accepted": 2, "rejected": 0},
        "deals": [
            {
                "deal_id": "D-17",
                "status": "open",
                "currency": "USD",
                "value": 27600.0,
                "probability": 0.12,
                "weighted_value": 3312.0,
            },
            {
                "deal_id": "D-18",
                "status": "open",
                "currency": "USD",
                "value": 34500.0,
                "probability": 0.83,
                "weighted_value": 28635.0,
            },
        ],
        "pipeline": [{"currency": "USD", "deals": 2, "value": 62100.0, "weighted_value": 31947.0}],
        "rejected": [],
        "warnings": [],
    }


@pytest.mark.parametrize(
    "payload",
    [
        json.dumps(_SEED),
        json.dumps({"records": _SEED}).encode(),
        {"results": _SEED},
        {"data": _SEED},
        _SEED,
    ],
)
def test_payload_shapes(payload: object) -> None:
    metrics = deal_metrics(payload, mapping=_NAMES)
    assert [deal["weighted_value"] for deal in metrics["deals"]] == [3312.0, 28635.0]


def test_a_single_record_is_a_payload_of_one() -> None:
    metrics = deal_metrics(_SEED[0], mapping=_NAMES)
    assert metrics["counts"] == {"rows_in": 1, "accepted": 1, "rejected": 0}


def test_salesforce_payload_matches_expected_revenue() -> None:
    body = (FIXTURES / "opportunities.json").read_text(encoding="utf-8")
    metrics = deal_metrics(body, source="salesforce")
    assert json.loads(json.dumps(metrics)) == metrics  # JSON types only
    # Op011's unreadable CloseDate is left empty: it is kept, with a warning.
    assert metrics["counts"] == {"rows_in": 14, "accepted": 8, "rejected": 6}
    records = {record["Id"]: record for record in json.loads(body)["records"]}
    for deal in metrics["deals"]:
        # Salesforce's ExpectedRevenue is Amount × Probability / 100.
        assert deal["weighted_value"] == records[deal["deal_id"]]["ExpectedRevenue"]
    assert metrics["pipeline"] == [
        # 27,600 × 12 % + 34,500 × 83 % + 7,300 × 20 % = 3,312 + 28,635 + 1,460.
        {"currency": "USD", "deals": 3, "value": 69400.0, "weighted_value": 33407.0},
        {"currency": "EUR", "deals": 1, "value": 8000.0, "weighted_value": 3200.0},
        # Probability null in Salesforce: the weighted value is unknown, not 0.
        {"currency": "GBP", "deals": 1, "value": 15000.0, "weighted_value": None},
    ]
    assert {"row": 5, "reason": "deleted"} in metrics["rejected"]
    assert len(metrics["warnings"]) == 2


def test_no_open_deal_means_an_empty_pipeline() -> None:
    metrics = deal_metrics(
        [{"id": "A", "amount": 5, "status": "won"}], mapping={"deal_id": "id", "value": "amount"}
    )
    assert metrics["pipeline"] == []
    assert metrics["deals"][0]["weighted_value"] is None


def test_every_source_names_an_adapter() -> None:
    for module, name in SOURCES.values():
        adapter = getattr(importlib.import_module(f"salescore.adapters.{module}"), name)
        assert callable(adapter)


def test_whole_call_errors() -> None:
    with pytest.raises(SchemaError, match="payload is not valid JSON"):
        deal_metrics("{not json", mapping=_NAMES)
    with pytest.raises(SchemaError, match="payload must be JSON text"):
        deal_metrics(42, mapping=_NAMES)
    with pytest.raises(SchemaError, match="required field 'amount' absent from every record"):
        deal_metrics([{"id": "A"}], mapping=_NAMES)
    with pytest.raises(InvalidInputError, match="source must be one of salesforce, hubspot"):
        deal_metrics([], source="zoho")
    with pytest.raises(InvalidInputError, match="mapping is for source='records' only"):
        deal_metrics([], source="salesforce", mapping=_NAMES)


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(),
    st.text(max_size=6),
    st.sampled_from(["", "0.5", "1e3", "EUR", "won", "lost", "open", "1,0"]),
)


@given(
    st.lists(
        st.dictionaries(st.sampled_from(("id", "amount", "chance", "currency", "status")), _VALUES),
        max_size=8,
    )
)
@settings(max_examples=200)
def test_any_payload_gives_json_or_a_whole_call_error(records: list[dict[str, Any]]) -> None:
    try:
        metrics = deal_metrics(records, mapping=_NAMES)
    except SchemaError:
        return  # a whole-call refusal: a required field absent from every record
    assert json.loads(json.dumps(metrics, allow_nan=False)) == metrics
    counts = metrics["counts"]
    assert counts["accepted"] + counts["rejected"] == counts["rows_in"] == len(records)
    assert len(metrics["deals"]) == counts["accepted"]


# ------------------------------------------------------------------ hostile input


def test_json_text_nested_thousands_deep_is_refused_as_a_schema_error() -> None:
    # json.loads raised RecursionError, which is not a ValueError.
    with pytest.raises(SchemaError, match="nested too deeply"):
        deal_metrics("[" * 10_000 + "]" * 10_000)


def test_a_json_integer_of_more_digits_than_python_reads_is_refused() -> None:
    with pytest.raises(SchemaError, match="not valid JSON"):
        deal_metrics('[{"deal_id": "D1", "value": 1' + "0" * 5_000 + "}]")
