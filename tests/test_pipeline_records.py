"""Tests of salescore.pipeline.records: the Deal record and the canonical deals table."""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import InvalidInputError, SchemaError
from salescore.pipeline.deal import _COLUMNS
from salescore.pipeline.records import Deal, deals_to_frame, frame_to_deals
from salescore.schema.vocabularies import CURRENCIES as _CURRENCIES
from salescore.schema.vocabularies import FORECAST_CATEGORIES, STATUSES

# ------------------------------------------------------------------ strategies

_CODES = ("EUR", "USD", "SEK", "GBP", "JPY")
_FIRST = datetime.datetime(2020, 1, 1)
_LAST = datetime.datetime(2030, 12, 31, 23, 59, 59)

# A few hundred examples of whole tables (each one about 0.1 s) rather than the
# profile's thousand.
costly = settings(max_examples=min(settings().max_examples, 250))


def _labels(*examples: str) -> st.SearchStrategy[str | None]:
    """Missing, one of a few realistic labels, or any text (empty included)."""
    return st.one_of(st.none(), st.sampled_from(examples), st.text(max_size=12))


@st.composite
def deals(draw: Callable[[st.SearchStrategy[Any]], Any]) -> Deal:
    """Valid deals with realistic fields: values to the cent, dates in 2020–2030.

    The close date, when both dates are drawn, is on or after the day of creation.
    """
    deal_id = draw(
        st.one_of(
            st.integers(1, 10**9),
            st.integers(1, 999_999).map("D-{:06d}".format),
            st.text(min_size=1, max_size=10).filter(str.strip),
        )
    )
    created = draw(st.none() | st.datetimes(_FIRST, _LAST))
    earliest = _FIRST.date() if created is None else created.date()
    return Deal(
        deal_id=deal_id,
        account_id=draw(_labels("ACME-1", "globex", "0015g00000AbCdE")),
        owner=draw(_labels("ana", "bo.lind@example.com")),
        stage=draw(_labels("Prospecting", "Negotiation/Review", "contractsent")),
        value=draw(st.floats(0.0, 1e7).map(lambda amount: round(amount, 2) + 0.0)),
        probability=draw(st.none() | st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0)),
        currency=draw(st.none() | st.sampled_from(_CODES)),
        created=created,
        close_date=draw(st.none() | st.dates(earliest, _LAST.date())),
        status=draw(st.sampled_from(STATUSES)),
        forecast_category=draw(st.none() | st.sampled_from(FORECAST_CATEGORIES)),
        source=draw(_labels("referral", "Web", "cold call")),
        lost_reason=draw(_labels("competitor", "price", "no decision")),
    )


def deal_lists(*, max_size: int = 6) -> st.SearchStrategy[list[Deal]]:
    """Lists of deals with distinct ids."""
    return st.lists(deals(), max_size=max_size, unique_by=lambda deal: deal.deal_id)


@given(deals())
def test_strategy_draws_deals_within_its_stated_ranges(deal: Deal) -> None:
    assert 0.0 <= deal.value <= 1e7
    assert deal.value == round(deal.value, 2)
    assert deal.currency is None or deal.currency in _CODES
    if deal.close_date is not None:
        assert datetime.date(2020, 1, 1) <= deal.close_date <= datetime.date(2030, 12, 31)


# ----------------------------------------------------------------- golden figures


def test_seed_002_weighted_values() -> None:
    # Nutshell's article on the sales metrics a sales manager should track weighs each prospect by
    # its confidence: a deal worth 27,600 at 12 % is worth 27,600 × 0.12 = 3,312 in the
    # forecast, and one worth 34,500 at 83 % is worth 34,500 × 0.83 = 28,635.
    small = Deal(deal_id="seed-1", value=27_600, probability=0.12)
    large = Deal(deal_id="seed-2", value=34_500, probability=0.83)
    assert small.weighted_value == pytest.approx(3_312.0, rel=1e-12)
    assert large.weighted_value == pytest.approx(28_635.0, rel=1e-12)
    assert type(small.weighted_value) is float


def test_weighted_value_is_nan_when_the_probability_is_unknown() -> None:
    assert math.isnan(Deal(deal_id=1, value=500.0).weighted_value)
    assert Deal(deal_id=1, value=0.0, probability=0.5).weighted_value == 0.0


# ----------------------------------------------------------------- the record


def test_deal_defaults() -> None:
    deal = Deal(deal_id="D-1", value=100)
    assert attrs.asdict(deal) == {
        "deal_id": "D-1",
        "account_id": None,
        "owner": None,
        "stage": None,
        "value": 100.0,
        "probability": None,
        "currency": None,
        "created": None,
        "close_date": None,
        "status": "open",
        "forecast_category": None,
        "source": None,
        "lost_reason": None,
    }
    assert type(deal.value) is float


def test_fields_are_the_canonical_columns_in_order() -> None:
    assert tuple(field.name for field in attrs.fields(Deal)) == _COLUMNS


def test_deal_id_keeps_its_type() -> None:
    assert Deal(deal_id="0042", value=1).deal_id == "0042"
    assert Deal(deal_id=42, value=1).deal_id == 42
    from_numpy = Deal(deal_id=np.int64(42), value=1).deal_id
    assert type(from_numpy) is int
    assert from_numpy == 42
    assert type(Deal(deal_id=np.str_("D-1"), value=1).deal_id) is str


def test_numbers_of_any_real_kind_become_floats() -> None:
    deal = Deal(deal_id=1, value=np.int64(27_600), probability=np.float64(0.12))
    assert type(deal.value) is float
    assert type(deal.probability) is float
    assert deal.probability == 0.12


def test_status_currency_and_category_are_normalised() -> None:
    deal = Deal(
        deal_id="D-1", value=1, status=" WON ", currency="sek", forecast_category="BestCase"
    )
    assert (deal.status, deal.currency, deal.forecast_category) == ("won", "SEK", "best_case")
    # Salesforce's API value "Forecast" is the category it shows as "Commit"; HubSpot
    # writes OMIT for omitted.
    assert Deal(deal_id=1, value=1, forecast_category="Forecast").forecast_category == "commit"
    assert Deal(deal_id=1, value=1, forecast_category="OMIT").forecast_category == "omitted"
    assert Deal(deal_id=1, value=1, currency="Eur").currency == "EUR"


@pytest.mark.parametrize(
    "given_date",
    [
        datetime.date(2024, 6, 28),
        datetime.datetime(2024, 6, 28, 17, 45),
        pd.Timestamp("2024-06-28 17:45"),
        np.datetime64("2024-06-28T17:45:00.000000001"),
        np.datetime64("2024-06-28", "D"),
        "2024-06-28",
        "2024-06-28T17:45:00",
    ],
)
def test_close_date_of_every_accepted_kind_is_a_date(given_date: object) -> None:
    close_date = Deal(deal_id=1, value=1, close_date=given_date).close_date
    assert type(close_date) is datetime.date
    assert close_date == datetime.date(2024, 6, 28)


@pytest.mark.parametrize(
    ("given_time", "expected"),
    [
        (datetime.date(2024, 3, 4), pd.Timestamp("2024-03-04")),
        (datetime.datetime(2024, 3, 4, 9, 30, 15, 250), pd.Timestamp("2024-03-04 09:30:15.000250")),
        (pd.Timestamp("2024-03-04 09:30"), pd.Timestamp("2024-03-04 09:30")),
        (
            np.datetime64("2024-03-04T09:30:00.123456789"),
            pd.Timestamp("2024-03-04 09:30:00.123456789"),
        ),
        ("2024-03-04T09:30", pd.Timestamp("2024-03-04 09:30")),
        ("2024-03-04", pd.Timestamp("2024-03-04")),
    ],
)
def test_created_of_every_accepted_kind_keeps_the_time(
    given_time: object, expected: pd.Timestamp
) -> None:
    created = Deal(deal_id=1, value=1, created=given_time).created
    assert type(created) is pd.Timestamp
    assert created == expected
    assert created.unit == "ns"
    assert created.tzinfo is None


@pytest.mark.parametrize(
    "missing",
    [None, math.nan, np.float64("nan"), pd.NA, pd.NaT],
    ids=["None", "nan", "np.nan", "pd.NA", "NaT"],
)
def test_missing_markers_of_optional_fields_become_none(missing: object) -> None:
    deal = Deal(
        deal_id=1,
        value=1,
        account_id=missing,
        owner=missing,
        stage=missing,
        probability=missing,
        currency=missing,
        created=missing,
        close_date=missing,
        forecast_category=missing,
        source=missing,
        lost_reason=missing,
    )
    assert deal == Deal(deal_id=1, value=1)


def test_missing_datetime64_is_none() -> None:
    not_a_time = np.datetime64("NaT")
    deal = Deal(deal_id=1, value=1, created=not_a_time, close_date=not_a_time)
    assert deal.created is None
    assert deal.close_date is None


def test_close_date_on_the_day_of_creation_is_allowed() -> None:
    deal = Deal(deal_id=1, value=1, created="2024-03-04T18:00", close_date="2024-03-04")
    assert deal.close_date == datetime.date(2024, 3, 4)


def test_a_lost_reason_on_a_deal_that_is_not_lost_is_kept() -> None:
    # CRMs let users fill in the reason at any stage; the record keeps what it is given.
    deal = Deal(deal_id=1, value=1, status="open", lost_reason="price")
    assert deal.lost_reason == "price"


# ----------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"deal_id": "", "value": 1}, "deal_id must be a non-empty str or an int; got str ''"),
        ({"deal_id": "  ", "value": 1}, "deal_id must be a non-empty str or an int; got str '  '"),
        ({"deal_id": True, "value": 1}, "deal_id must be a non-empty str or an int; got bool True"),
        ({"deal_id": 4.0, "value": 1}, "deal_id must be a non-empty str or an int; got float 4.0"),
        ({"deal_id": None, "value": 1}, "deal_id must be a non-empty str or an int; got NoneType"),
        (
            {"deal_id": "D-9", "value": -1},
            "value (deal 'D-9') must be a finite number >= 0; got -1.0",
        ),
        (
            {"deal_id": "D-9", "value": math.nan},
            "value (deal 'D-9') must be a finite number >= 0; got nan",
        ),
        (
            {"deal_id": "D-9", "value": math.inf},
            "value (deal 'D-9') must be a finite number >= 0; got inf",
        ),
        ({"deal_id": "D-9", "value": "100"}, "value (deal 'D-9') must be a number; got str '100'"),
        ({"deal_id": "D-9", "value": None}, "value (deal 'D-9') must be a number; got NoneType"),
        ({"deal_id": "D-9", "value": True}, "value (deal 'D-9') must be a number; got bool True"),
        (
            {"deal_id": 7, "value": 1, "probability": -0.1},
            "probability (deal 7) must be a fraction in [0, 1] or None; got -0.1",
        ),
        (
            {"deal_id": 7, "value": 1, "probability": math.inf},
            "probability (deal 7) must be a fraction in [0, 1] or None; got inf",
        ),
        (
            {"deal_id": 7, "value": 1, "probability": "0.5"},
            "probability (deal 7) must be a number; got str '0.5'",
        ),
        (
            {"deal_id": 7, "value": 1, "owner": 12},
            "owner (deal 7) must be a str or None; got int 12",
        ),
        (
            {"deal_id": 7, "value": 1, "stage": 3.5},
            "stage (deal 7) must be a str or None; got float 3.5",
        ),
        (
            {"deal_id": 7, "value": 1, "currency": "usdollar"},
            "currency (deal 7) must be an ISO 4217 code, three letters such as 'EUR' "
            "or 'USD'; got str 'usdollar'",
        ),
        (
            {"deal_id": 7, "value": 1, "currency": "ABC"},
            "currency (deal 7) must be an ISO 4217 code",
        ),
        (
            {"deal_id": 7, "value": 1, "status": "closed won"},
            "status (deal 7) must be one of 'open', 'won', 'lost'; got 'closed won'",
        ),
        (
            {"deal_id": 7, "value": 1, "status": None},
            "status (deal 7) must be one of 'open', 'won', 'lost'; got None",
        ),
        (
            {"deal_id": 7, "value": 1, "forecast_category": "maybe"},
            "forecast_category (deal 7) must be one of omitted, pipeline",
        ),
        (
            {"deal_id": 7, "value": 1, "close_date": "28/06/2024"},
            "close_date (deal 7) must be a date, a datetime, a pandas Timestamp, a numpy "
            "datetime64 or an ISO 8601 string, or None; got str '28/06/2024'",
        ),
        (
            {"deal_id": 7, "value": 1, "close_date": 20240628},
            "close_date (deal 7) must be a date, a datetime",
        ),
        (
            {"deal_id": 7, "value": 1, "close_date": datetime.date(9999, 12, 31)},
            "close_date (deal 7) must be between 1677-09-22 and 2262-04-11 (the range of "
            "datetime64[ns]); got datetime.date(9999, 12, 31)",
        ),
        (
            {"deal_id": 7, "value": 1, "created": "1492-10-12"},
            "created (deal 7) must be between 1677-09-22 and 2262-04-11",
        ),
        (
            {"deal_id": 7, "value": 1, "created": np.datetime64("3000-01-01")},
            "created (deal 7) must be between 1677-09-22 and 2262-04-11",
        ),
        (
            {
                "deal_id": "D-3",
                "value": 1,
                "created": "2024-03-04T09:30",
                "close_date": "2024-03-03",
            },
            "close_date (deal 'D-3') must not be before the day the deal was created; got "
            "close_date 2024-03-03 and created 2024-03-04 09:30:00",
        ),
    ],
)
def test_invalid_fields_are_refused_naming_field_value_and_deal(
    fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        Deal(**fields)


@pytest.mark.parametrize("percent", [12, 12.5, 83.0, 100, 1.5])
def test_probability_given_as_a_percentage_gets_a_hint(percent: float) -> None:
    expected = (
        f"probability (deal 'D-2') must be a fraction in [0, 1] or None; got {float(percent)!r}, "
        "which looks like a percentage: divide by 100"
    )
    with pytest.raises(InvalidInputError, match=re.escape(expected)):
        Deal(deal_id="D-2", value=34_500, probability=percent)


@pytest.mark.parametrize("probability", [100.5, 250.0, -12.0])
def test_probability_that_cannot_be_a_percentage_gets_no_hint(probability: float) -> None:
    with pytest.raises(InvalidInputError, match=r"or None; got -?[0-9.]+$"):
        Deal(deal_id="D-2", value=1, probability=probability)


def test_errors_are_value_errors() -> None:
    with pytest.raises(ValueError, match="value"):
        Deal(deal_id=1, value=-5)


def test_deal_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        Deal("D-1", 100.0)  # type: ignore[call-arg]


def test_deal_is_frozen_and_evolve_validates_again() -> None:
    deal = Deal(deal_id="D-1", value=27_600, probability=0.12, created="2024-03-04")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        deal.value = 5.0  # type: ignore[misc]
    changed = attrs.evolve(deal, probability=0.5, currency="usd")
    assert changed.weighted_value == 13_800.0
    assert changed.currency == "USD"
    assert deal.probability == 0.12
    with pytest.raises(InvalidInputError, match=re.escape("probability (deal 'D-1')")):
        attrs.evolve(deal, probability=50)
    with pytest.raises(InvalidInputError, match=re.escape("close_date (deal 'D-1') must not")):
        attrs.evolve(deal, close_date="2024-03-01")
    with pytest.raises(InvalidInputError, match=re.escape("status (deal 'D-9')")):
        attrs.evolve(deal, deal_id="D-9", status="pending")


def test_equal_deals_are_equal_and_hash_alike() -> None:
    first = Deal(deal_id="D-1", value=100, status="WON", created="2024-03-04T09:30")
    second = Deal(
        deal_id="D-1",
        value=100.0,
        status="won",
        created=np.datetime64("2024-03-04T09:30"),
    )
    assert first == second
    assert hash(first) == hash(second)
    assert len({first, second, attrs.evolve(first)}) == 1
    assert first != attrs.evolve(first, value=101)


# ----------------------------------------------------------------- from_mapping


def test_from_mapping_with_canonical_keys() -> None:
    deal = Deal.from_mapping({"deal_id": "D-1", "value": 27_600, "probability": 0.12})
    assert deal == Deal(deal_id="D-1", value=27_600, probability=0.12)


def test_from_mapping_reads_a_salesforce_opportunity() -> None:
    # Field API names of Salesforce's Opportunity object; probability already divided by
    # 100, as the conventions page asks of adapters.
    opportunity = {
        "Id": "0065g00000XyZaBQAV",
        "AccountId": "0015g00000AbCdEQAZ",
        "OwnerId": "0055g00000QrStUAAV",
        "StageName": "Negotiation/Review",
        "Amount": 34_500.0,
        "Probability": 0.83,
        "CurrencyIsoCode": "usd",
        "CreatedDate": "2024-01-15T08:12:40",
        "CloseDate": "2024-04-30",
        "ForecastCategoryName": "Best Case",
        "LeadSource": "Partner Referral",
    }
    fields = {
        "deal_id": "Id",
        "account_id": "AccountId",
        "owner": "OwnerId",
        "stage": "StageName",
        "value": "Amount",
        "probability": "Probability",
        "currency": "CurrencyIsoCode",
        "created": "CreatedDate",
        "close_date": "CloseDate",
        "forecast_category": "ForecastCategoryName",
        "source": "LeadSource",
    }
    deal = Deal.from_mapping(opportunity, fields=fields)
    assert deal.deal_id == "0065g00000XyZaBQAV"
    assert deal.weighted_value == pytest.approx(28_635.0, rel=1e-12)  # Nutshell's example
    assert deal.currency == "USD"
    assert deal.forecast_category == "best_case"
    assert deal.created == pd.Timestamp("2024-01-15 08:12:40")
    assert deal.close_date == datetime.date(2024, 4, 30)
    assert deal.status == "open"


def test_from_mapping_reads_a_hubspot_deal_ignoring_other_properties() -> None:
    # HubSpot deal properties; hs_is_closed_won and pipeline name no canonical field.
    properties = {
        "hs_object_id": 18_273_645,
        "dealname": "Acme renewal",
        "amount": 27_600,
        "hs_deal_stage_probability": 0.12,
        "dealstage": "contractsent",
        "closedate": "2024-06-28T00:00:00",
        "createdate": "2024-02-01T10:00:00",
        "hs_manual_forecast_category": "COMMIT",
        "hubspot_owner_id": "31415926",
        "hs_is_closed_won": False,
        "pipeline": "default",
    }
    fields = {
        "deal_id": "hs_object_id",
        "value": "amount",
        "probability": "hs_deal_stage_probability",
        "stage": "dealstage",
        "close_date": "closedate",
        "created": "createdate",
        "forecast_category": "hs_manual_forecast_category",
        "owner": "hubspot_owner_id",
    }
    with pytest.raises(
        InvalidInputError,
        match=re.escape(
            "Deal.from_mapping (deal 18273645): unknown keys 'dealname', 'hs_is_closed_won', "
            "'pipeline'"
        ),
    ):
        Deal.from_mapping(properties, fields=fields)
    deal = Deal.from_mapping(properties, fields=fields, strict=False)
    assert deal.deal_id == 18_273_645
    assert deal.weighted_value == pytest.approx(3_312.0, rel=1e-12)  # Nutshell's example
    assert deal.forecast_category == "commit"
    assert deal.close_date == datetime.date(2024, 6, 28)


def test_from_mapping_canonical_key_left_unmapped_is_unknown() -> None:
    # With value read from "Amount", a "value" key is not read, so it is reported.
    with pytest.raises(InvalidInputError, match=r"unknown key 'value'"):
        Deal.from_mapping({"deal_id": 1, "Amount": 5.0, "value": 6.0}, fields={"value": "Amount"})


def test_from_mapping_reads_rows_of_a_frame_with_missing_values() -> None:
    rows = pd.DataFrame(
        {"deal_id": ["a", "b"], "value": [1.0, 2.0], "probability": [0.5, np.nan]}
    ).to_dict("records")
    deals = [Deal.from_mapping(row) for row in rows]
    assert [deal.probability for deal in deals] == [0.5, None]


def test_from_mapping_errors_name_field_value_and_deal() -> None:
    with pytest.raises(
        InvalidInputError, match=re.escape("Deal.from_mapping (deal 'D-4'): missing key 'value'")
    ):
        Deal.from_mapping({"deal_id": "D-4"})
    with pytest.raises(
        InvalidInputError, match=re.escape("missing keys 'Id' for deal_id, 'Amount' for value")
    ):
        Deal.from_mapping({"Name": "x"}, fields={"deal_id": "Id", "value": "Amount"})
    with pytest.raises(
        InvalidInputError, match=re.escape("probability (deal 'D-4') must be a fraction")
    ):
        Deal.from_mapping(
            {"deal_id": "D-4", "Amount": 1.0, "p": 10},
            fields={"value": "Amount", "probability": "p"},
        )
    with pytest.raises(InvalidInputError, match=re.escape("(values 'x')")):
        Deal.from_mapping({"deal_id": "D-4", "value": 1.0, "Colour": "x"})


def test_from_mapping_refuses_bad_options() -> None:
    with pytest.raises(InvalidInputError, match=r"fields: 'amount' is not a field of Deal"):
        Deal.from_mapping({"deal_id": 1, "value": 1}, fields={"amount": "Amount"})
    with pytest.raises(InvalidInputError, match=r"more than one field is read from key 'X'"):
        Deal.from_mapping({"X": 1, "value": 1}, fields={"deal_id": "X", "owner": "X"})
    with pytest.raises(InvalidInputError, match=r"fields must be a mapping"):
        Deal.from_mapping({"deal_id": 1, "value": 1}, fields=["value"])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"mapping must be a mapping"):
        Deal.from_mapping([("deal_id", 1)])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"strict must be True or False; got str 'no'"):
        Deal.from_mapping({"deal_id": 1, "value": 1}, strict="no")  # type: ignore[arg-type]


# ----------------------------------------------------------------- deals_to_frame

_DTYPES = {
    "deal_id": "object",
    "account_id": "object",
    "owner": "object",
    "stage": "object",
    "value": "float64",
    "probability": "float64",
    "currency": "object",
    "created": "datetime64[ns]",
    "close_date": "datetime64[ns]",
    "status": "object",
    "forecast_category": "object",
    "source": "object",
    "lost_reason": "object",
}


def _check_canonical(table: pd.DataFrame, rows: int) -> None:
    assert list(table.columns) == list(_DTYPES)
    assert {name: str(dtype) for name, dtype in table.dtypes.items()} == _DTYPES
    assert type(table.index) is pd.RangeIndex
    assert table.index.equals(pd.RangeIndex(rows))


def test_deals_to_frame_columns_dtypes_and_values() -> None:
    deals = [
        Deal(
            deal_id="D-1",
            value=27_600,
            probability=0.12,
            created="2024-03-04T09:30",
            close_date="2024-06-28",
            owner="ana",
            currency="EUR",
        ),
        Deal(deal_id=2, value=34_500, status="lost", lost_reason="competitor"),
    ]
    table = deals_to_frame(deals)
    _check_canonical(table, 2)
    assert table["deal_id"].tolist() == ["D-1", 2]
    assert table["owner"].tolist() == ["ana", None]
    assert table["lost_reason"].tolist() == [None, "competitor"]
    assert table["value"].tolist() == [27_600.0, 34_500.0]
    assert table["probability"].iloc[0] == 0.12
    assert math.isnan(table["probability"].iloc[1])
    assert table["created"].iloc[0] == pd.Timestamp("2024-03-04 09:30")
    assert table["close_date"].iloc[0] == pd.Timestamp("2024-06-28")
    assert table["created"].isna().tolist() == [False, True]
    assert table["close_date"].isna().tolist() == [False, True]


def test_deals_to_frame_of_nothing_is_an_empty_canonical_table() -> None:
    _check_canonical(deals_to_frame([]), 0)
    _check_canonical(deals_to_frame(iter(())), 0)


def test_deals_to_frame_takes_any_iterable() -> None:
    table = deals_to_frame(Deal(deal_id=i, value=i) for i in range(3))
    _check_canonical(table, 3)


def test_deals_to_frame_refuses_repeated_ids_listing_them() -> None:
    deals = [Deal(deal_id=i % 3, value=1) for i in range(7)] + [Deal(deal_id="3", value=1)]
    with pytest.raises(InvalidInputError, match=r"deal_id must be unique; repeated: 0, 1, 2$"):
        deals_to_frame(deals)


def test_deals_to_frame_refuses_what_is_not_a_deal() -> None:
    with pytest.raises(
        InvalidInputError, match=r"1 of 2 items are not \(0-based positions: \[1\] dict\)"
    ):
        deals_to_frame([Deal(deal_id=1, value=1), {"deal_id": 2, "value": 1}])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError, match=r"deals must be an iterable of Deal records"):
        deals_to_frame(pd.DataFrame({"deal_id": [1], "value": [1.0]}))  # type: ignore[arg-type]


# ----------------------------------------------------------------- frame_to_deals


def test_frame_to_deals_fills_absent_optional_columns() -> None:
    table = pd.DataFrame({"value": [27_600.0, 34_500.0], "deal_id": ["a", "b"]})
    assert frame_to_deals(table) == [
        Deal(deal_id="a", value=27_600.0),
        Deal(deal_id="b", value=34_500.0),
    ]


def test_frame_to_deals_reads_other_dtypes_and_missing_markers() -> None:
    table = pd.DataFrame(
        {
            "deal_id": pd.array([7, 8, 9], dtype="Int64"),
            "value": [1, 2, 3],
            "probability": pd.array([0.25, None, 1.0], dtype="Float64"),
            "owner": ["ana", None, np.nan],  # a str column with NaN on pandas 3
            "created": pd.Series(
                [pd.Timestamp("2024-01-02 03:04"), pd.NaT, pd.Timestamp("2024-01-03")],
                dtype="datetime64[s]",
                index=["x", "y", "z"],
            ),
            "close_date": ["2024-02-01", None, "2024-02-03"],
            "status": pd.Categorical(["open", "WON", "lost"]),
        },
        index=pd.Index(["x", "y", "z"], name="row"),
    )
    deals = frame_to_deals(table)
    assert [deal.deal_id for deal in deals] == [7, 8, 9]
    assert [deal.probability for deal in deals] == [0.25, None, 1.0]
    assert [deal.owner for deal in deals] == ["ana", None, None]
    assert [deal.created for deal in deals] == [
        pd.Timestamp("2024-01-02 03:04"),
        None,
        pd.Timestamp("2024-01-03"),
    ]
    assert deals[1].close_date is None
    assert [deal.status for deal in deals] == ["open", "won", "lost"]
    _check_canonical(deals_to_frame(deals), 3)


def test_frame_to_deals_names_the_row_and_the_deal_of_an_invalid_row() -> None:
    table = pd.DataFrame({"deal_id": ["a", "b"], "value": [1.0, -2.0]}, index=pd.Index([101, 102]))
    expected = "deals row 102: value (deal 'b') must be a finite number >= 0; got -2.0"
    with pytest.raises(InvalidInputError, match=re.escape(expected)):
        frame_to_deals(table)
    percent = pd.DataFrame({"deal_id": ["a"], "value": [1.0], "probability": [40.0]})
    with pytest.raises(InvalidInputError, match=r"deals row 0: .*looks like a percentage"):
        frame_to_deals(percent)


def test_frame_to_deals_refuses_repeated_ids_listing_rows() -> None:
    table = pd.DataFrame({"deal_id": ["a", "b", "a"], "value": [1.0, 2.0, 3.0]})
    with pytest.raises(InvalidInputError, match=re.escape("repeated: 'a' (rows 0, 2)")):
        frame_to_deals(table)


def test_frame_to_deals_schema_errors() -> None:
    with pytest.raises(SchemaError, match=r"deals: missing columns 'deal_id', 'value'"):
        frame_to_deals(pd.DataFrame({"owner": ["ana"]}))
    with pytest.raises(SchemaError, match=r"deals must be a pandas DataFrame; got list"):
        frame_to_deals([Deal(deal_id=1, value=1)])  # type: ignore[arg-type]
    twice = pd.DataFrame([["a", 1.0, "x", "y"]], columns=["deal_id", "value", "owner", "owner"])
    with pytest.raises(SchemaError, match=r"more than one column is named 'owner'"):
        frame_to_deals(twice)


def test_frame_to_deals_refuses_unknown_columns_unless_told() -> None:
    table = pd.DataFrame({"deal_id": ["a"], "value": [1.0], "Amount": [1.0], "region": ["north"]})
    with pytest.raises(SchemaError, match=r"deals: unknown columns 'Amount', 'region'; "):
        frame_to_deals(table)
    assert frame_to_deals(table, strict=False) == [Deal(deal_id="a", value=1.0)]
    with pytest.raises(InvalidInputError, match=r"strict must be True or False; got int 0"):
        frame_to_deals(table.drop(columns=["Amount", "region"]), strict=0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given_time", "expected"),
    [
        # The timestamp convention: an aware time is stored as its UTC wall-clock time.
        ("2024-03-04T09:30:00+01:00", pd.Timestamp("2024-03-04 08:30")),
        (pd.Timestamp("2024-03-04", tz="UTC"), pd.Timestamp("2024-03-04")),
        (
            datetime.datetime(
                2024, 3, 4, 0, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
            ),
            pd.Timestamp("2024-03-03 22:30"),
        ),
    ],
)
def test_an_aware_created_is_stored_in_utc(given_time: object, expected: pd.Timestamp) -> None:
    created = Deal(deal_id=7, value=1, created=given_time).created
    assert created == expected
    assert created is not None
    assert created.tzinfo is None
    assert created.unit == "ns"


def test_an_aware_close_date_gives_its_date_in_utc() -> None:
    # 23:30 on 30 June in Oslo (UTC+2 in summer) is 21:30 UTC the same day; 01:30 on
    # 1 July in Oslo is 23:30 UTC on 30 June.
    assert Deal(deal_id=7, value=1, close_date="2024-06-30T23:30+02:00").close_date == (
        datetime.date(2024, 6, 30)
    )
    assert Deal(deal_id=7, value=1, close_date="2024-07-01T01:30+02:00").close_date == (
        datetime.date(2024, 6, 30)
    )


def test_frame_to_deals_reads_a_timezone_aware_created_in_utc() -> None:
    # Adapter output: created aware (UTC or another zone), close_date naive.
    table = pd.DataFrame(
        {
            "deal_id": ["a", "b"],
            "value": [1.0, 2.0],
            "created": pd.to_datetime(["2024-01-02 03:04", "2024-01-02 00:30"]).tz_localize(
                "Europe/Oslo"
            ),
            "close_date": pd.to_datetime(["2024-01-02", "2024-01-01"]),
        }
    )
    deals = frame_to_deals(table)
    # Oslo is UTC+1 in January: 03:04 → 02:04 UTC; 00:30 on 2 Jan → 23:30 UTC on 1 Jan,
    # so deal b's close date (1 Jan) is not before its creation date.
    assert [deal.created for deal in deals] == [
        pd.Timestamp("2024-01-02 02:04"),
        pd.Timestamp("2024-01-01 23:30"),
    ]
    naive = table.assign(created=pd.to_datetime(["2024-01-02 02:04", "2024-01-01 23:30"]))
    assert frame_to_deals(naive) == deals
    pd.testing.assert_frame_equal(deals_to_frame(deals), deals_to_frame(frame_to_deals(naive)))


def test_frame_to_deals_of_an_empty_table() -> None:
    assert frame_to_deals(deals_to_frame([])) == []
    assert frame_to_deals(pd.DataFrame({"deal_id": [], "value": []})) == []


# ----------------------------------------------------------------- properties


@costly
@given(deal_lists())
def test_round_trip_deals_to_frame_to_deals(deals_: list[Deal]) -> None:
    assert frame_to_deals(deals_to_frame(deals_)) == deals_


@costly
@given(deal_lists())
def test_round_trip_frame_to_deals_to_frame(deals_: list[Deal]) -> None:
    table = deals_to_frame(deals_)
    _check_canonical(table, len(deals_))
    again = deals_to_frame(frame_to_deals(table))
    pd.testing.assert_frame_equal(again, table, check_exact=True)


@given(deals())
def test_weighted_value_lies_between_zero_and_the_value(deal: Deal) -> None:
    weighted = deal.weighted_value
    if deal.probability is None:
        assert math.isnan(weighted)
    else:
        assert 0.0 <= weighted <= deal.value


@given(deals())
def test_evolve_without_changes_gives_an_equal_record(deal: Deal) -> None:
    copy = attrs.evolve(deal)
    assert copy == deal
    assert hash(copy) == hash(deal)
    assert Deal.from_mapping(attrs.asdict(deal)) == deal


@given(deals(), st.floats(1.0, 100.0, exclude_min=True))
def test_any_percentage_like_probability_is_refused_with_the_hint(
    deal: Deal, percent: float
) -> None:
    with pytest.raises(InvalidInputError, match="looks like a percentage: divide by 100"):
        attrs.evolve(deal, probability=percent)


# ----------------------------------------------------------------- currency table


def test_currency_table_holds_active_codes_only() -> None:
    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in _CURRENCIES)
    assert {"EUR", "USD", "SEK", "JPY", "CHF", "XCG", "ZWG", "SLE", "VES"} <= _CURRENCIES
    # Withdrawn: Croatian kuna, old leone, RTGS dollar, convertible peso, Antillean guilder.
    assert not {"HRK", "SLL", "ZWL", "CUC", "ANG", "DEM", "VEF"} & _CURRENCIES


def test_a_value_beyond_float_range_is_refused_by_name() -> None:
    with pytest.raises(
        InvalidInputError, match=r"value \(deal 'D1'\) must be a number within float range"
    ):
        Deal(deal_id="D1", value=10**400)


def test_withdrawn_currencies_are_kept_for_history() -> None:
    # The kuna was withdrawn when Croatia took the euro (2023); an old deal in kuna
    # is still worth kuna.
    deal = Deal(deal_id="old", value=1_000.0, currency="hrk")
    assert deal.currency == "HRK"
    assert "HRK" not in _CURRENCIES  # not an active code


def test_an_account_id_may_be_an_int_as_the_schema_allows() -> None:
    # Pipedrive numbers organisations (org_id 7); the canonical account_id is an id,
    # int or str, so the pipedrive adapter's frame must go into frame_to_deals.
    deal = Deal(deal_id=11, account_id=np.int64(7), value=100.0, status="open")
    assert deal.account_id == 7
    assert type(deal.account_id) is int
    table = pd.DataFrame(
        {
            "deal_id": [11, 12],
            "account_id": pd.Series([7, None], dtype=object),  # as the adapters give ids
            "value": [100.0, 50.0],
            "status": "open",
        }
    )
    assert [d.account_id for d in frame_to_deals(table)] == [7, None]
    with pytest.raises(InvalidInputError, match=r"account_id \(deal 11\) must be a str, an int"):
        Deal(deal_id=11, account_id=True, value=100.0, status="open")


# ------------------------------------------------------------ hostile inputs (issue 14)


@pytest.mark.parametrize("field", ["value", "probability"])
@pytest.mark.parametrize(
    ("number", "message"),
    [
        (10**400, "must be a number within float range"),
        (-(10**400), "must be a number within float range"),
        (np.timedelta64(1, "h"), "must be a number; got timedelta64"),
        (np.datetime64("2024-01-01"), "must be a number; got datetime64"),
        (Fraction(10**400, 3), "must be a number within float range"),
        (complex(0.5, 0.0), "must be a number; got complex"),
    ],
    ids=["10**400", "-10**400", "timedelta64", "datetime64", "Fraction", "complex"],
)
def test_number_fields_go_through_option_number(field: str, number: object, message: str) -> None:
    # np.timedelta64 (a NumPy integer) crashed in float() with TypeError; 10**400 and
    # huge Fractions are beyond float range.
    with pytest.raises(InvalidInputError, match=rf"{field} \(deal 'D1'\) {message}"):
        Deal(**{"deal_id": "D1", "value": 1.0, field: number})


@pytest.mark.parametrize("deals", [np.array(5.0), np.zeros((2, 2)), b"deals"])
def test_deals_to_frame_refuses_arrays_that_are_not_one_dimensional(deals: object) -> None:
    # A 0-d array is an Iterable by its type but raised TypeError: iteration over a 0-d array.
    with pytest.raises(InvalidInputError, match="deals must be an iterable of Deal records"):
        deals_to_frame(deals)  # type: ignore[arg-type]


@pytest.mark.parametrize("flag", ["False", "no", 0, 1, None, pd.NA])
def test_strict_must_be_a_bool(flag: object) -> None:
    table = deals_to_frame([Deal(deal_id="D1", value=1.0)])
    with pytest.raises(InvalidInputError, match="strict must be True or False"):
        frame_to_deals(table, strict=flag)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="strict must be True or False"):
        Deal.from_mapping({"deal_id": "D1", "value": 1.0}, strict=flag)  # type: ignore[arg-type]


def test_frame_to_deals_refuses_multiindex_headers_and_list_ids() -> None:
    table = deals_to_frame([Deal(deal_id="D1", value=1.0)])
    headed = table.copy()
    headed.columns = pd.MultiIndex.from_arrays([table.columns, table.columns])
    with pytest.raises(SchemaError, match="MultiIndex"):
        frame_to_deals(headed)
    with pytest.raises(SchemaError, match="lists, dicts or sets"):
        frame_to_deals(table.assign(deal_id=pd.Series([["D1"]], dtype=object)))


@pytest.mark.parametrize("field", ["deal_id", "account_id"])
@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        (10**400, "must fit a 64-bit integer"),
        (2**63, "must fit a 64-bit integer"),
        (np.timedelta64(3, "h"), "must be a"),
    ],
    ids=["10**400", "2**63", "timedelta64"],
)
def test_integer_ids_fit_64_bits(field: str, identifier: object, message: str) -> None:
    # np.timedelta64(3, "h") is a NumPy integer and was read as the id 3; ids beyond
    # 64 bits cannot be held by an integer column of the deals table.
    fields: dict[str, Any] = {"deal_id": "D1", "value": 1.0, field: identifier}
    with pytest.raises(InvalidInputError, match=f"{field}.* {message}"):
        Deal(**fields)
    assert Deal(**{**fields, field: 2**63 - 1}).__getattribute__(field) == 2**63 - 1
