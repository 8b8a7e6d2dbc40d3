"""Tests of salescore.money: dated exchange rates, conversions, and where rates come from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import IndexMismatchError, InvalidInputError, SchemaError
from salescore.money import ExchangeRates, convert, convert_amounts, read_rates

from . import strategies as sst

# A Nordic company's books in euros: the krona's rate changed on 1 April 2026.
NORDIC = ExchangeRates(
    base="EUR",
    currencies=["SEK", "SEK", "USD", "NOK"],
    valid_from=["2026-01-01", "2026-04-01", "2026-01-01", "2026-02-01"],
    rates=[11.5, 11.0, 1.1, 11.75],
)

# Each example builds a rates table and a frame and joins them (about 0.1 s): a few
# hundred examples explore the tables' shapes as well as the profile's thousand.
costly = settings(max_examples=min(settings().max_examples, 250))


def _deals(**columns: Any) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    frame["close_date"] = pd.to_datetime(frame["close_date"])
    return frame


# ------------------------------------------------------------------ hand-worked


# Salesforce's own example of dated exchange rates (Salesforce Help, "About Advanced
# Currency Management", as quoted in "Dated Exchange Rates versus Conversion Rate",
# simplysfdc.com, 6 February 2014,
# http://www.simplysfdc.com/2014/02/dated-exchange-rates-versus-conversion.html):
# "the exchange rate on January 1 was 1 USD to 1.39 AUD, but on February 1, it changed
# to 1 USD to 1.42 AUD. Your opportunities that closed between January 1 and February 1
# use the first exchange rate (1 = 1.39), while opportunities that closed after
# February 1 used the second exchange rate (1 = 1.42)", and "each rate is in effect until
# either the end of time or the day before the next start date". The example names no
# year; 2014 is the year of the post. The corporate currency is USD.
AUSTRALIA = ExchangeRates(
    base="USD",
    currencies=["AUD", "AUD"],
    valid_from=["2014-01-01", "2014-02-01"],
    rates=[1.39, 1.42],
)


def test_a_deal_between_two_rate_changes_converts_at_the_earlier_rate() -> None:
    # AUD 13,900 closed on 15 January, between the changes of 1 January and 1 February:
    # 13,900 / 1.39 = 10,000 USD. On 31 January, the last day of the first range, the
    # same rate: 14,200 / 1.39 = 10,215.83 USD (to the cent), not 14,200 / 1.42.
    deals = _deals(
        value=[13_900.0, 14_200.0],
        currency=["AUD", "AUD"],
        close_date=["2014-01-15", "2014-01-31"],
    )
    out = convert(deals, to="USD", rates=AUSTRALIA)
    assert out["value"].tolist() == pytest.approx([10_000.0, 14_200 / 1.39], rel=1e-15)
    assert round(out["value"].iloc[1], 2) == 10_215.83
    assert out["currency"].tolist() == ["USD", "USD"]


def test_a_deal_on_the_exact_change_date_takes_the_new_rate() -> None:
    # Closed on 1 February, the StartDate of the second rate: 14,200 / 1.42 = 10,000 USD.
    deals = _deals(value=[14_200.0], currency=["AUD"], close_date=["2014-02-01"])
    assert convert(deals, to="USD", rates=AUSTRALIA)["value"].tolist() == [
        pytest.approx(10_000.0, rel=1e-15)
    ]
    assert np.asarray(AUSTRALIA.rate("AUD", ["2014-01-31", "2014-02-01"])).tolist() == [1.39, 1.42]
    # A rate changes at midnight: the last moment of 31 January is still in the first range.
    assert AUSTRALIA.rate("AUD", "2014-01-31 23:59:59") == 1.39


def test_the_last_rate_stays_in_force() -> None:
    assert AUSTRALIA.rate("AUD", "2030-06-30") == 1.42


def test_a_cross_rate_goes_through_the_corporate_currency() -> None:
    # SEK 115,000 on 31 March 2026 in USD: 115,000 / 11.5 = 10,000 EUR, × 1.1 = 11,000 USD.
    # NOK 117,500 on 1 May in SEK: 117,500 / 11.75 = 10,000 EUR, × 11.0 (the krona's rate
    # from 1 April) = 110,000 SEK.
    deals = _deals(
        value=[115_000.0, 117_500.0],
        currency=["SEK", "NOK"],
        close_date=["2026-03-31", "2026-05-01"],
    )
    assert convert(deals.iloc[:1], to="USD", rates=NORDIC)["value"].tolist() == [
        pytest.approx(11_000.0, rel=1e-15)
    ]
    assert convert(deals.iloc[1:], to="SEK", rates=NORDIC)["value"].tolist() == [
        pytest.approx(110_000.0, rel=1e-15)
    ]


def test_a_rate_less_row_is_refused_by_its_label() -> None:
    # D2 closed on 31 December 2025, before the first krona rate (1 January 2026).
    deals = _deals(
        value=[115_000.0, 50_000.0, 8_000.0],
        currency=["SEK", "SEK", "EUR"],
        close_date=["2026-03-31", "2025-12-31", "2026-03-31"],
    ).set_axis(["D1", "D2", "D3"])
    with pytest.raises(InvalidInputError) as caught:
        convert(deals, to="EUR", rates=NORDIC)
    message = str(caught.value)
    assert message == (
        "frame: cannot convert 'value' to EUR: no SEK rate is in force on 'close_date', "
        "before 2026-01-01; 1 row: 'D2' ('2025-12-31')"
    )


def test_every_reason_is_named_with_its_rows() -> None:
    deals = _deals(
        value=[1.0] * 8,
        currency=["SEK", None, "XYZ", "DKK", "SEK", "EUR", "USD", "usd"],
        close_date=[
            "2026-03-31",
            "2026-03-31",
            "2026-03-31",
            "2026-03-31",
            None,
            None,  # in the target currency: needs neither a rate nor a date
            "2025-06-30",
            "2025-07-31",
        ],
    ).set_axis([f"D{k}" for k in range(1, 9)])
    with pytest.raises(InvalidInputError) as caught:
        convert(deals, to="EUR", rates=NORDIC, value="value")
    assert str(caught.value).splitlines() == [
        "frame: cannot convert 'value' to EUR; 5 problems:",
        "- 'currency' is missing; 1 row: 'D2'",
        "- 'currency' is not an ISO 4217 code such as 'EUR'; 1 row: 'D3' ('XYZ')",
        "- 'close_date' is missing (NaT), and the rate depends on the date; 1 row: 'D5' ('SEK')",
        "- the rates table has no rate of DKK (it has rates of NOK, SEK, USD against EUR); "
        "1 row: 'D4'",
        "- no USD rate is in force on 'close_date', before 2026-01-01; "
        "2 rows: 'D7' ('2025-06-30'), 'D8' ('2025-07-31')",
    ]


def test_a_long_list_of_rows_is_cut_with_the_count() -> None:
    deals = _deals(value=[1.0] * 7, currency=["SEK"] * 7, close_date=["2025-01-01"] * 7)
    with pytest.raises(InvalidInputError, match=r"7 rows: 0 .*, 4 \('2025-01-01'\), …$"):
        convert(deals, to="EUR", rates=NORDIC)


def test_the_target_currency_needs_a_rate_on_the_date() -> None:
    # EUR 1,000 on 15 January 2026 in NOK: the first krone rate is from 1 February.
    deals = _deals(value=[1_000.0], currency=["EUR"], close_date=["2026-01-15"])
    with pytest.raises(InvalidInputError, match="no NOK rate is in force on 'close_date', before"):
        convert(deals, to="NOK", rates=NORDIC)
    with pytest.raises(InvalidInputError, match="has no rate of GBP"):
        convert(deals, to="GBP", rates=NORDIC)


def test_rows_in_the_target_currency_need_no_rate_and_no_date() -> None:
    deals = _deals(value=[5.0, 7.0], currency=["GBP", "gbp"], close_date=[None, "1900-01-01"])
    out = convert(deals, to="GBP", rates=NORDIC)
    assert out["value"].tolist() == [5.0, 7.0]
    assert out["currency"].tolist() == ["GBP", "GBP"]


def test_unknown_amounts_stay_unknown_but_still_need_a_rate() -> None:
    deals = _deals(
        value=[np.nan, 110_000.0], currency=["SEK", "SEK"], close_date=["2026-04-01"] * 2
    )
    assert convert(deals, to="EUR", rates=NORDIC)["value"].tolist() == [
        pytest.approx(np.nan, nan_ok=True),
        pytest.approx(10_000.0, rel=1e-15),
    ]
    early = deals.assign(close_date=pd.to_datetime(["2025-01-01", "2026-04-01"]))
    with pytest.raises(InvalidInputError, match="before 2026-01-01; 1 row: 0"):
        convert(early, to="EUR", rates=NORDIC)


def test_convert_keeps_the_rows_columns_and_index_and_changes_no_input() -> None:
    deals = _deals(
        deal_id=["D1", "D2"],
        value=[115_000, 8_000],  # integers: converted to float64
        currency=pd.Series(["SEK", "EUR"], dtype="category"),
        close_date=["2026-03-31", "2026-03-31"],
        owner=["ana", "bo"],
    ).set_axis([10, 10])  # repeated labels are kept, never aligned on
    before = deals.copy(deep=True)
    out = convert(deals, to="EUR", rates=NORDIC)
    pd.testing.assert_frame_equal(deals, before)
    assert list(out.columns) == list(deals.columns)
    assert out.index.equals(deals.index)
    assert out["value"].dtype == np.float64
    assert out["value"].tolist() == pytest.approx([10_000.0, 8_000.0], rel=1e-15)
    assert out["owner"].tolist() == ["ana", "bo"]


def test_convert_reads_other_column_names() -> None:
    transactions = pd.DataFrame(
        {
            "amount": [115_000.0],
            "ccy": ["SEK"],
            "date": pd.to_datetime(["2026-02-01"]),
        }
    )
    out = convert(transactions, to="EUR", rates=NORDIC, value="amount", currency="ccy", date="date")
    assert out["amount"].tolist() == [pytest.approx(10_000.0, rel=1e-15)]


def test_an_aware_date_is_read_on_the_utc_calendar() -> None:
    # 00:30 on 1 April in Stockholm (UTC+2) is 22:30 UTC on 31 March: the March rate.
    deals = pd.DataFrame(
        {
            "value": [115_000.0],
            "currency": ["SEK"],
            "close_date": pd.to_datetime(["2026-04-01 00:30"]).tz_localize("Europe/Stockholm"),
        }
    )
    assert convert(deals, to="EUR", rates=NORDIC)["value"].tolist() == [
        pytest.approx(10_000.0, rel=1e-15)
    ]


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"to": "euro"}, InvalidInputError, "to must be an ISO 4217 currency code"),
        ({"rates": {"SEK": 11.5}}, InvalidInputError, "rates must be an ExchangeRates table"),
        ({"value": None}, InvalidInputError, "value must be a column name"),
        ({"currency": "value"}, InvalidInputError, "three different columns"),
        ({"date": "closed"}, SchemaError, "missing column 'closed'"),
    ],
)
def test_convert_refuses_bad_options(change: dict[str, Any], error: type, match: str) -> None:
    deals = _deals(value=[1.0], currency=["SEK"], close_date=["2026-03-31"])
    arguments: dict[str, Any] = {"to": "EUR", "rates": NORDIC} | change
    with pytest.raises(error, match=match):
        convert(deals, **arguments)


def test_convert_refuses_infinite_and_overflowing_amounts() -> None:
    deals = _deals(value=[np.inf], currency=["SEK"], close_date=["2026-03-31"])
    with pytest.raises(InvalidInputError, match=r"must hold finite amounts; 1 row: 0 \(inf\)"):
        convert(deals, to="EUR", rates=NORDIC)
    tiny = ExchangeRates(base="EUR", currencies=["SEK"], valid_from=["2026-01-01"], rates=[1e-10])
    huge = deals.assign(value=[1e300])
    with pytest.raises(InvalidInputError, match="beyond float range"):
        convert(huge, to="EUR", rates=tiny)


def test_text_dates_are_refused_with_a_hint() -> None:
    deals = pd.DataFrame({"value": [1.0], "currency": ["SEK"], "close_date": ["2026-03-31"]})
    with pytest.raises(SchemaError, match=r"pandas\.to_datetime"):
        convert(deals, to="EUR", rates=NORDIC)


# ------------------------------------------------------------------ convert_amounts


def test_convert_amounts_follows_the_container_contract() -> None:
    assert convert_amounts(115_000, "SEK", "2026-03-31", to="EUR", rates=NORDIC) == (
        pytest.approx(10_000.0, rel=1e-15)
    )
    assert isinstance(convert_amounts(1.0, "EUR", pd.NaT, to="EUR", rates=NORDIC), float)
    array = convert_amounts(
        np.array([115_000.0, 110_000.0]),
        ["SEK", "SEK"],
        ["2026-03-31", "2026-04-01"],
        to="EUR",
        rates=NORDIC,
    )
    assert isinstance(array, np.ndarray)
    assert array.tolist() == pytest.approx([10_000.0, 10_000.0], rel=1e-15)
    index = pd.Index(["D1", "D2"])
    series = convert_amounts(
        pd.Series([115_000.0, 1_100.0], index=index),
        pd.Series(["SEK", "USD"], index=index),
        pd.Timestamp("2026-03-31"),
        to="EUR",
        rates=NORDIC,
    )
    assert isinstance(series, pd.Series)
    assert series.index.equals(index)
    assert series.tolist() == pytest.approx([10_000.0, 1_000.0], rel=1e-15)


def test_convert_amounts_refuses_unaligned_and_unequal_arguments() -> None:
    amounts = pd.Series([1.0, 2.0], index=["a", "b"])
    reordered = pd.Series(pd.to_datetime(["2026-03-01"] * 2), index=["b", "a"])
    with pytest.raises(IndexMismatchError, match="amounts and dates"):
        convert_amounts(amounts, "SEK", reordered, to="EUR", rates=NORDIC)
    with pytest.raises(InvalidInputError, match="amounts has 2 elements but currencies has 3"):
        convert_amounts([1.0, 2.0], ["SEK"] * 3, "2026-03-01", to="EUR", rates=NORDIC)
    early = pd.Series(pd.to_datetime(["2026-03-01", "2020-01-01"]), index=["a", "b"])
    with pytest.raises(InvalidInputError, match=r"no SEK rate .* 1 element: 'b'"):
        convert_amounts(amounts, "SEK", early, to="EUR", rates=NORDIC)
    with pytest.raises(InvalidInputError, match="amounts must be finite"):
        convert_amounts([np.inf], "SEK", "2026-03-01", to="EUR", rates=NORDIC)
    with pytest.raises(InvalidInputError, match="currencies must be an ISO 4217 code, or"):
        convert_amounts([1.0], {"SEK"}, "2026-03-01", to="EUR", rates=NORDIC)


# ------------------------------------------------------------------ the rates table


def test_rate_answers_in_the_callers_container() -> None:
    assert NORDIC.rate("sek", dt.date(2026, 4, 1)) == 11.0
    assert NORDIC.rate("EUR", "1900-01-01") == 1.0  # the base is 1 at every date
    dates = pd.Series([pd.Timestamp("2026-03-31"), pd.NaT], index=["x", "y"])
    out = NORDIC.rate("SEK", dates)
    assert isinstance(out, pd.Series)
    assert out.index.equals(dates.index)
    assert out.iloc[0] == 11.5
    assert np.isnan(out.iloc[1])
    days = np.array(["2026-01-01", "2026-04-01"], dtype="datetime64[ns]")
    assert np.asarray(NORDIC.rate("SEK", days)).tolist() == [11.5, 11.0]


def test_rate_refuses_a_currency_without_rates_and_an_early_date() -> None:
    with pytest.raises(InvalidInputError, match="currency: the rates table has no rate of DKK"):
        NORDIC.rate("DKK", "2026-03-31")
    with pytest.raises(InvalidInputError, match="currency must be an ISO 4217"):
        NORDIC.rate("Kronor", "2026-03-31")
    with pytest.raises(InvalidInputError, match=r"before 2026-01-01.*1 date: 1 \('2025-12-31'\)"):
        NORDIC.rate("SEK", ["2026-03-31", "2025-12-31"])


def test_the_record_reads_codes_in_any_case_and_withdrawn_codes() -> None:
    rates = ExchangeRates(
        base="eur", currencies=["hrk"], valid_from=[pd.Timestamp("2022-01-01")], rates=[7.5]
    )
    assert rates.base == "EUR"
    assert rates.currencies.tolist() == ["HRK"]
    assert rates.rate("HRK", "2022-06-01") == 7.5


def test_the_record_holds_read_only_copies() -> None:
    given = np.array([11.5, 11.0])
    rates = ExchangeRates(
        base="EUR", currencies=["SEK", "SEK"], valid_from=["2026-01-01", "2026-04-01"], rates=given
    )
    given[0] = 99.0
    assert rates.rate("SEK", "2026-02-01") == 11.5
    with pytest.raises(ValueError, match="read-only"):
        rates.rates[0] = 1.0


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"base": "EURO"}, "base must be an ISO 4217 currency code"),
        ({"currencies": ["SEK", "XYZ"]}, r"'currencies' must hold ISO 4217 .*1 row: 1 \('XYZ'\)"),
        ({"currencies": ["SEK", None]}, r"1 row: 1 \(None\)"),
        ({"valid_from": ["2026-01-01", "2026-04-01 12:00"]}, "without a time of day"),
        ({"valid_from": ["2026-01-01", None]}, "'valid_from' must hold a date; 1 row: 1"),
        ({"valid_from": ["2026-01-01", "9999-12-31"]}, "valid_from"),
        ({"rates": [11.5, 0.0]}, r"finite number > 0 .*1 row: 1 \(0.0\)"),
        ({"rates": [11.5, np.nan]}, "finite number > 0"),
        ({"rates": [11.5, np.inf]}, "finite number > 0"),
        ({"valid_from": ["2026-01-01", "2026-01-01"]}, "pair must appear once; 2 rows"),
        ({"currencies": ["EUR", "SEK"]}, "the rate of the base currency EUR must be 1"),
        ({"rates": [11.5]}, "one element per rate; they have 2, 2 and 1"),
        ({"currencies": "SEK"}, "currencies must be a one-dimensional sequence"),
        ({"rates": 11.5}, "rates must be a one-dimensional sequence"),
        ({"valid_from": [["2026-01-01"], ["2026-04-01"]]}, "one-dimensional"),
    ],
)
def test_the_record_refuses_bad_tables(fields: dict[str, Any], match: str) -> None:
    good: dict[str, Any] = {
        "base": "EUR",
        "currencies": ["SEK", "SEK"],
        "valid_from": ["2026-01-01", "2026-04-01"],
        "rates": [11.5, 11.0],
    }
    with pytest.raises(InvalidInputError, match=match):
        ExchangeRates(**(good | fields))


def test_the_record_refuses_series_on_different_indexes() -> None:
    with pytest.raises(IndexMismatchError, match="currencies and rates"):
        ExchangeRates(
            base="EUR",
            currencies=pd.Series(["SEK", "NOK"], index=[0, 1]),
            valid_from=["2026-01-01", "2026-01-01"],
            rates=pd.Series([11.5, 11.75], index=[1, 0]),
        )


def test_a_base_rate_of_one_may_be_listed() -> None:
    rates = ExchangeRates(
        base="EUR", currencies=["EUR", "SEK"], valid_from=["2026-01-01"] * 2, rates=[1.0, 11.5]
    )
    assert rates.rate("EUR", "2020-01-01") == 1.0  # before its row too: the base is always 1


def test_to_frame_and_from_frame_round_trip() -> None:
    frame = NORDIC.to_frame()
    assert frame["currency"].tolist() == ["NOK", "SEK", "SEK", "USD"]
    assert frame["valid_from"].dtype == np.dtype("datetime64[ns]")
    again = ExchangeRates.from_frame(frame, base="EUR")
    pd.testing.assert_frame_equal(again.to_frame(), frame)


def test_from_frame_names_the_frames_rows() -> None:
    table = pd.DataFrame(
        {
            "ccy": ["SEK", "SEK", "NOK"],
            "start": pd.to_datetime(["2026-01-01", "2026-04-01", "2026-02-01"]),
            "per_euro": [11.5, -1.0, 11.75],
        },
        index=["r1", "r2", "r3"],
    )
    with pytest.raises(
        InvalidInputError, match=r"frame: 'per_euro' must be .* 1 row: 'r2' \(-1.0\)"
    ):
        ExchangeRates.from_frame(
            table, base="EUR", currency="ccy", valid_from="start", rate="per_euro"
        )
    with pytest.raises(SchemaError, match="missing column 'rate'"):
        ExchangeRates.from_frame(table, base="EUR", currency="ccy", valid_from="start")


# ------------------------------------------------------------------ Salesforce records

# The fields of Salesforce's DatedConversionRate object (Salesforce, Object Reference,
# "DatedConversionRate": IsoCode, picklist, "ISO code of the currency"; ConversionRate,
# double, "Conversion rate of this currency type against the corporate currency";
# StartDate, date, "The date on which the effective dated exchange rate starts";
# NextStartDate, date, read only, "The date on which the next effective dated exchange
# rate will start. Effectively the day after the end date for this exchange rate."),
# https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_datedconversionrate.htm
# as the REST API returns them for SELECT IsoCode, ConversionRate, StartDate,
# NextStartDate FROM DatedConversionRate (each record with its "attributes", in a query
# response with totalSize, done and records, which simple-salesforce's query_all
# returns). The rates are those of Salesforce Help's example above; the first range of
# a currency starts at the beginning of time (Help: a range can be "as large as all of
# time"), written here as 0001-01-01, and the last runs to 9999-12-31.
SALESFORCE_RESPONSE = {
    "totalSize": 3,
    "done": True,
    "records": [
        {
            "attributes": {"type": "DatedConversionRate", "url": "/services/data/v60.0/x/1"},
            "IsoCode": "AUD",
            "ConversionRate": 1.39,
            "StartDate": "0001-01-01",
            "NextStartDate": "2014-02-01",
        },
        {
            "attributes": {"type": "DatedConversionRate", "url": "/services/data/v60.0/x/2"},
            "IsoCode": "AUD",
            "ConversionRate": 1.42,
            "StartDate": "2014-02-01",
            "NextStartDate": "9999-12-31",
        },
        {
            "attributes": {"type": "DatedConversionRate", "url": "/services/data/v60.0/x/3"},
            "IsoCode": "USD",
            "ConversionRate": 1.0,
            "StartDate": "0001-01-01",
            "NextStartDate": "9999-12-31",
        },
    ],
}


def test_salesforce_dated_conversion_rates_convert_as_salesforce_does() -> None:
    rates = ExchangeRates.from_salesforce(SALESFORCE_RESPONSE, base="USD")
    # The first range is open at its start: 1.39 on any early date.
    assert np.asarray(rates.rate("AUD", ["1990-05-01", "2014-01-31", "2014-02-01"])).tolist() == [
        1.39,
        1.39,
        1.42,
    ]
    deals = _deals(
        value=[13_900.0, 14_200.0], currency=["AUD", "AUD"], close_date=["2014-01-15", "2014-02-01"]
    )
    assert convert(deals, to="USD", rates=rates)["value"].tolist() == pytest.approx(
        [10_000.0, 10_000.0], rel=1e-15
    )


def test_salesforce_records_come_as_a_list_or_an_export() -> None:
    records = SALESFORCE_RESPONSE["records"]
    assert isinstance(records, list)
    from_list = ExchangeRates.from_salesforce(records, base="USD").to_frame()
    export = pd.DataFrame(records).drop(columns="attributes").rename(columns=str.lower)
    from_export = ExchangeRates.from_salesforce(export, base="usd").to_frame()
    pd.testing.assert_frame_equal(from_list, from_export)
    assert from_list["valid_from"].iloc[0] == pd.Timestamp("1677-09-22")


def test_salesforce_records_with_a_gap_are_refused() -> None:
    # The record of the second range was filtered out of the query: the first rate must
    # not be stretched over it.
    fields = ("IsoCode", "ConversionRate", "StartDate", "NextStartDate")
    records = [
        dict(zip(fields, ("AUD", 1.39, "2014-01-01", "2014-02-01"), strict=True)),
        dict(zip(fields, ("AUD", 1.45, "2014-03-01", None), strict=True)),
    ]
    with pytest.raises(InvalidInputError, match=r"not one unbroken history.*0 \(AUD from"):
        ExchangeRates.from_salesforce(records, base="USD")
    with pytest.raises(InvalidInputError, match="names a later rate that is not among"):
        ExchangeRates.from_salesforce(records[:1], base="USD")


@pytest.mark.parametrize(
    ("records", "error", "match"),
    [
        ("records", SchemaError, "records must be a list of DatedConversionRate"),
        ([{"IsoCode": "AUD"}], SchemaError, "missing fields ConversionRate, StartDate"),
        ([("AUD", 1.39)], SchemaError, "are not, the first at position 0"),
        (
            [{"IsoCode": "AUD", "ConversionRate": "1,39", "StartDate": "2014-01-01"}],
            InvalidInputError,
            r"records: 'ConversionRate' must be a finite number > 0 .*1 record: 0",
        ),
        (
            [{"IsoCode": "AUD", "ConversionRate": 1.39, "StartDate": "1 Jan 2014"}],
            InvalidInputError,
            "StartDate and NextStartDate must be dates",
        ),
    ],
)
def test_salesforce_records_that_cannot_be_read_are_refused(
    records: object, error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        ExchangeRates.from_salesforce(records, base="USD")


# ------------------------------------------------------------------ a rates file


def test_read_rates_reads_a_csv_file(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(
        "\ufeffcurrency,valid_from,rate,source\n"
        "SEK,2026-01-01,11.5,ECB\n"
        "\n"
        "sek,2026-04-01,11.0,ECB\n"
        "USD,2026-01-01,1.1,ECB\n",
        encoding="utf-8",
    )
    rates = read_rates(path, base="EUR")
    assert rates.to_frame()["rate"].tolist() == [11.5, 11.0, 1.1]
    assert read_rates(str(path), base="EUR").rate("SEK", "2026-04-01") == 11.0


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        ("currency,rate\nSEK,11.5\n", SchemaError, "missing column 'valid_from'"),
        ('currency,valid_from,rate\nSEK,2026-01-01,"11,5"\n', InvalidInputError, "line"),
        ("currency,valid_from,rate\nSEK,01.04.2026,11.5\n", InvalidInputError, "ISO 8601 dates"),
        (
            "currency,valid_from,rate\nSEK,2026-01-01,11.5\nSEK,2026-01-01,11.0\n",
            InvalidInputError,
            r"pair must appear once; 2 lines: 2 \('SEK 2026-01-01'\), 3",
        ),
        ("currency,valid_from,rate\nKRONA,2026-01-01,11.5\n", InvalidInputError, "1 line: 2"),
        ("", InvalidInputError, "it is empty"),
        ("currency,valid_from,rate\nSEK,2026-01-01,11.5,x\n", InvalidInputError, "as CSV"),
    ],
)
def test_read_rates_refuses_a_bad_file(tmp_path: Path, text: str, error: type, match: str) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(error, match=match):
        read_rates(path, base="EUR")


def test_read_rates_refuses_what_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot read rates file"):
        read_rates(tmp_path / "missing.csv", base="EUR")
    with pytest.raises(InvalidInputError, match="it is a directory"):
        read_rates(tmp_path, base="EUR")
    with pytest.raises(InvalidInputError, match="path must be a str or a path"):
        read_rates(None, base="EUR")  # type: ignore[arg-type]
    (tmp_path / "latin.csv").write_bytes(
        "currency,valid_from,rate\nSEK,2026-01-01,11.5 kr\xf6\n".encode("latin-1")
    )
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        read_rates(tmp_path / "latin.csv", base="EUR")


# ------------------------------------------------------------------ properties

CODES = ("SEK", "NOK", "USD", "GBP")
START = pd.Timestamp("2020-01-01")
rate_values = st.floats(0.01, 1000.0, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@st.composite
def tables(draw: st.DrawFn) -> ExchangeRates:
    """Rates of four currencies against EUR, each from 2020-01-01, with up to 3 changes."""
    currencies: list[str] = []
    starts: list[pd.Timestamp] = []
    values: list[float] = []
    for code in CODES:
        changes = draw(st.sets(st.integers(1, 3_000), max_size=3))
        for offset in [0, *sorted(changes)]:
            currencies.append(code)
            starts.append(START + pd.Timedelta(days=offset))
            values.append(draw(rate_values))
    order = draw(st.permutations(range(len(values))))  # the order given does not matter
    return ExchangeRates(
        base="EUR",
        currencies=[currencies[k] for k in order],
        valid_from=[starts[k] for k in order],
        rates=[values[k] for k in order],
    )


@st.composite
def frames(draw: st.DrawFn, currencies: tuple[str, ...] = ("EUR", *CODES)) -> pd.DataFrame:
    """Amounts to the cent in the given currencies, dated from 2020-01-01 on."""
    size = draw(st.integers(0, 12))
    values = draw(st.lists(sst.money(), min_size=size, max_size=size))
    codes = draw(st.lists(st.sampled_from(currencies), min_size=size, max_size=size))
    days = draw(st.lists(st.integers(0, 3_500), min_size=size, max_size=size))
    return pd.DataFrame(
        {
            "value": values,
            "currency": codes,
            "close_date": START + pd.to_timedelta(days, unit="D"),
        },
        index=pd.Index([f"D{k}" for k in range(size)]),
    )


def _oracle_rate(rates: ExchangeRates, code: str, day: pd.Timestamp) -> float:
    """The rate in force, found by a plain loop over the rows of the table."""
    if code == rates.base:
        return 1.0
    best: tuple[pd.Timestamp, float] | None = None
    for currency, start, rate in zip(rates.currencies, rates.valid_from, rates.rates, strict=True):
        start = pd.Timestamp(start)
        if currency == code and start <= day and (best is None or start > best[0]):
            best = (start, float(rate))
    assert best is not None
    return best[1]


@costly
@given(tables(), frames(), st.sampled_from(("EUR", *CODES)))
def test_convert_equals_a_plain_loop(rates: ExchangeRates, deals: pd.DataFrame, to: str) -> None:
    before = deals.copy(deep=True)
    out = convert(deals, to=to, rates=rates)
    pd.testing.assert_frame_equal(deals, before)  # the input is unchanged
    expected = []
    for value, code, day in zip(
        deals["value"], deals["currency"], deals["close_date"], strict=True
    ):
        if code == to:
            expected.append(value)
        else:
            expected.append(value / _oracle_rate(rates, code, day) * _oracle_rate(rates, to, day))
    assert out["value"].tolist() == expected
    assert set(out["currency"]) <= {to}
    assert out.index.equals(deals.index)


@costly
@given(tables(), st.lists(st.integers(0, 3_500), max_size=10), st.sampled_from(CODES))
def test_rate_equals_a_plain_loop(rates: ExchangeRates, days: list[int], code: str) -> None:
    dates = START + pd.to_timedelta(days, unit="D")
    assert np.asarray(rates.rate(code, dates.to_numpy())).tolist() == [
        _oracle_rate(rates, code, day) for day in dates
    ]


@costly
@given(tables(), st.sampled_from(("EUR", *CODES)), st.data())
def test_converting_to_the_same_currency_is_the_identity(
    rates: ExchangeRates, code: str, data: st.DataObject
) -> None:
    deals = data.draw(frames((code,)))
    out = convert(deals, to=code, rates=rates)
    pd.testing.assert_series_equal(out["value"], deals["value"].astype(np.float64))


@costly
@given(tables(), st.sampled_from(("EUR", *CODES)), st.sampled_from(("EUR", *CODES)), st.data())
def test_a_round_trip_returns_the_amounts(
    rates: ExchangeRates, first: str, second: str, data: st.DataObject
) -> None:
    deals = data.draw(frames((first,)))
    there = convert(deals, to=second, rates=rates)
    back = convert(there, to=first, rates=rates)
    assert back["value"].tolist() == pytest.approx(deals["value"].tolist(), rel=1e-12)
    assert set(back["currency"]) <= {first}


@costly
@given(tables(), frames(), st.sampled_from(CODES), st.floats(0.1, 10.0))
def test_scaling_a_currencys_rates_scales_its_amounts_inversely(
    rates: ExchangeRates, deals: pd.DataFrame, code: str, factor: float
) -> None:
    scaled = ExchangeRates(
        base=rates.base,
        currencies=rates.currencies,
        valid_from=rates.valid_from,
        rates=np.where(rates.currencies == code, rates.rates * factor, rates.rates),
    )
    plain = convert(deals, to="EUR", rates=rates)["value"]
    changed = convert(deals, to="EUR", rates=scaled)["value"]
    mine = (deals["currency"] == code).to_numpy()
    assert changed[mine].tolist() == pytest.approx((plain[mine] / factor).tolist(), rel=1e-12)
    assert changed[~mine].tolist() == plain[~mine].tolist()


@costly
@given(tables(), frames(), st.sampled_from(("EUR", *CODES)))
def test_convert_amounts_agrees_with_convert(
    rates: ExchangeRates, deals: pd.DataFrame, to: str
) -> None:
    table = convert(deals, to=to, rates=rates)["value"]
    series = convert_amounts(
        deals["value"], deals["currency"], deals["close_date"], to=to, rates=rates
    )
    assert isinstance(series, pd.Series)
    pd.testing.assert_series_equal(series, table, check_names=False)
    array = convert_amounts(
        deals["value"].to_numpy(),
        deals["currency"].to_numpy(),
        deals["close_date"].to_numpy(),
        to=to,
        rates=rates,
    )
    assert isinstance(array, np.ndarray)
    assert array.tolist() == table.tolist()
