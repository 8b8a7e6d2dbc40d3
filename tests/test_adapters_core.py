"""Tests of the adapters' shared core: raw records, field parsers and the import result."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.adapters._core import (
    REASON,
    ImportResult,
    Parsed,
    assemble,
    field,
    match_fields,
    parse_bool,
    parse_choice,
    parse_currency,
    parse_date,
    parse_forecast_category,
    parse_id,
    parse_money,
    parse_probability,
    parse_text,
    parse_timestamp,
    plain,
    reasons_where,
    records_frame,
    require_fields,
    split_reason,
)
from salescore.errors import InvalidInputError, SchemaError

from .strategies import nonnegative_money, probabilities


def _objects(*values: Any) -> pd.Series[Any]:
    return pd.Series(list(values), dtype=object)


# ------------------------------------------------------------------ records_frame


def test_records_frame_of_api_records_keeps_values_as_given() -> None:
    raw = records_frame(
        [{"Id": "A", "Amount": 10, "Flag": True}, {"Id": "B", "Extra": [1, 2]}], source="t"
    )
    assert list(raw.columns) == ["Id", "Amount", "Flag", "Extra"]
    assert raw.index.equals(pd.RangeIndex(2))
    assert all(dtype == np.dtype(object) for dtype in raw.dtypes)
    assert raw["Amount"].tolist() == [10, None]  # the int stays an int; a missing key is None
    assert raw["Extra"].tolist() == [None, [1, 2]]


def test_records_frame_flattens_properties_top_level_wins() -> None:
    records = [
        {"id": "1", "properties": {"amount": "5.00", "id": "other"}, "archived": False},
        {"id": "2", "properties": None},
    ]
    raw = records_frame(records, source="hubspot", properties="properties")
    assert raw["id"].tolist() == ["1", "2"]
    assert raw["amount"].tolist() == ["5.00", None]
    assert "properties" not in raw.columns


def test_records_frame_of_a_frame_resets_the_index_and_keeps_dtypes() -> None:
    export = pd.DataFrame({"Amount": [1.5, 2.5]}, index=["x", "y"])
    raw = records_frame(export, source="t")
    assert raw.index.equals(pd.RangeIndex(2))
    assert raw["Amount"].dtype == np.float64
    assert export.index.tolist() == ["x", "y"]  # the caller's frame is untouched


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ("Id,Amount", "records must be a list of mappings .* got str"),
        ({"Id": 1}, "records must be a list of mappings .* got dict"),
        ([{"Id": 1}, 5, "x"], r"2 of 3 are not \(0-based positions: \[1\] int, \[2\] str\)"),
        (pd.DataFrame([[1, 2]], columns=["a", "a"]), "more than one column is named 'a'"),
    ],
)
def test_records_frame_refuses_the_whole_call(records: object, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        records_frame(records, source="t")


def test_records_frame_refuses_properties_that_are_not_a_mapping() -> None:
    with pytest.raises(SchemaError, match=r"\[0\] 'properties' is list"):
        records_frame([{"properties": [1]}], source="t", properties="properties")


def test_require_fields_lists_all_missing_fields() -> None:
    raw = records_frame([{"Id": 1}], source="t")
    with pytest.raises(SchemaError, match=r"required fields 'Amount', 'IsWon' absent from every"):
        require_fields(raw, ["Id", "Amount", "IsWon"], source="t")
    require_fields(records_frame([], source="t"), ["Id"], source="t")  # nothing to import


def test_field_of_an_absent_name_is_all_none() -> None:
    raw = records_frame([{"Id": 1}, {"Id": 2}], source="t")
    assert field(raw, "Owner").tolist() == [None, None]


# ------------------------------------------------------------------ parsers


def test_parse_money_is_strict() -> None:
    raw = _objects(1234.5, "1234.50", " 99 ", "1,234.50", "$5", "", None, -3, True, "1e3", "inf")
    parsed = parse_money(raw, field="Amount")
    assert parsed.canonical.tolist()[:3] == [1234.5, 1234.5, 99.0]
    assert parsed.canonical.iloc[9] == 1000.0
    assert parsed.reasons.tolist() == [
        None,
        None,
        None,
        "Amount: not a plain number: '1,234.50'",
        "Amount: not a plain number: '$5'",
        None,  # "" is how HubSpot writes an empty value
        None,
        "Amount: negative amount: -3",
        "Amount: not a number: True",
        None,
        "Amount: not a plain number: 'inf'",
    ]


def test_parse_money_strips_every_unicode_space() -> None:
    # The plain-number pattern's \s takes the Unicode spaces (the unit separator \x1f,
    # the em space \u2003, the no-break space \xa0) that NumPy's conversion refused.
    raw = _objects("0\x1f", "\u20031.5", "\xa02\xa0", "\x1f")
    parsed = parse_money(raw, field="Amount")
    assert parsed.canonical.tolist()[:3] == [0.0, 1.5, 2.0]
    assert parsed.reasons.tolist()[:3] == [None, None, None]
    mixed = parse_probability(_objects(False, "0\x1f", 0.5), field="P", scale="fraction")
    assert mixed.canonical.tolist()[1:] == [0.0, 0.5]


def test_parse_money_numeric_columns_and_required() -> None:
    parsed = parse_money(pd.Series([1.0, np.nan, np.inf]), field="Amount", required=True)
    assert parsed.reasons.tolist() == [
        None,
        "Amount: missing",
        "Amount: not a finite number: inf",
    ]
    assert parse_money(pd.Series([-2.0]), field="x", negative=True).canonical.tolist() == [-2.0]


def test_parse_money_accepts_decimal_and_numpy_numbers() -> None:
    raw = _objects(decimal.Decimal("12.30"), np.int64(7), np.float32(0.5), "seven", 10**400)
    parsed = parse_money(raw, field="value")
    assert parsed.canonical.tolist()[:3] == [12.3, 7.0, 0.5]
    assert parsed.reasons.tolist()[3:] == [
        "value: not a plain number: 'seven'",
        f"value: not a finite number: {10**400!r:.60}",
    ]


def test_parse_probability_by_scale() -> None:
    percent = parse_probability(
        _objects(12, "83", 100.0, 150, -1, None), field="P", scale="percent"
    )
    assert percent.canonical.tolist()[:3] == [0.12, 0.83, 1.0]
    assert percent.reasons.tolist()[3:5] == [
        "P: outside 0 to 100 (percent): 150",
        "P: outside 0 to 100 (percent): -1",
    ]
    fraction = parse_probability(pd.Series([0.12, 12.0]), field="p", scale="fraction")
    assert fraction.canonical.tolist()[0] == 0.12
    assert fraction.reasons.tolist() == [None, "p: outside 0 to 1 (fraction): 12.0"]
    with pytest.raises(InvalidInputError, match="probability_scale must be"):
        parse_probability(pd.Series([0.5]), field="p", scale="percentage")


def test_parse_timestamp_formats() -> None:
    raw = _objects(
        "2024-03-04T09:30:00.000+0000",  # Salesforce
        "2024-03-04T10:30:00.000+01:00",
        "2019-10-30T03:30:17.883Z",  # HubSpot
        "2024-03-04 09:30:00",  # Pipedrive, Odoo: UTC without an offset
        datetime.datetime(2024, 3, 4, 9, 30),
        pd.Timestamp("2024-03-04 10:30", tz="Europe/Oslo"),
        datetime.date(2024, 3, 4),
        "3000-01-01",
        "04/03/2024",
        1709544600000,
        None,
    )
    parsed = parse_timestamp(raw, field="t")
    # The canonical convention: naive datetime64[ns] holding UTC wall-clock time.
    assert str(parsed.canonical.dtype) == "datetime64[ns]"
    stamps = parsed.canonical.tolist()
    nine_thirty = pd.Timestamp("2024-03-04 09:30")
    assert stamps[:2] == [nine_thirty, nine_thirty]
    assert stamps[2] == pd.Timestamp("2019-10-30 03:30:17.883")
    assert stamps[3:6] == [nine_thirty, nine_thirty, nine_thirty]
    assert stamps[6] == pd.Timestamp("2024-03-04")
    reasons = parsed.reasons.tolist()
    assert reasons[:7] == [None] * 7
    # Well-formed but beyond datetime64[ns]: the reason names the range.
    assert reasons[7] == (
        "t: outside the dates salescore can hold (1677-09-22 to 2262-04-11): '3000-01-01'"
    )
    # Day-first dates are ambiguous, never guessed: the reason names the format.
    assert reasons[8] == (
        "t: not in a recognised date format (use ISO 8601, such as 2025-12-31 or "
        "2025-12-31T14:00:00Z): '04/03/2024'"
    )
    assert reasons[9] is not None  # epoch numbers only with epoch_unit
    assert reasons[10] is None


def test_parse_timestamp_epoch_milliseconds_and_datetime_columns() -> None:
    parsed = parse_timestamp(pd.Series([1709544600000, np.nan]), field="t", epoch_unit="ms")
    assert parsed.canonical.tolist()[0] == pd.Timestamp("2024-03-04 09:30")
    assert parsed.reasons.tolist() == [None, None]
    far = parse_timestamp(pd.Series([1e30, -5e20, np.inf, 9.1e15]), field="t", epoch_unit="ms")
    assert far.canonical.isna().all()
    assert far.reasons.notna().all()  # beyond 1677-2262: a reason, not an overflow error
    objects = parse_timestamp(_objects(1709544600, "x"), field="t", epoch_unit="s")
    assert objects.canonical.tolist()[0] == pd.Timestamp("2024-03-04 09:30")
    naive = parse_timestamp(pd.Series(pd.to_datetime(["2024-03-04 09:30"])), field="t")
    assert naive.canonical.tolist() == [pd.Timestamp("2024-03-04 09:30")]
    oslo = pd.Series(pd.to_datetime(["2024-03-04 10:30"]).tz_localize("Europe/Oslo"))
    aware = parse_timestamp(oslo, field="t")  # 10:30 in Oslo (UTC+1) is 09:30 UTC
    assert str(aware.canonical.dtype) == "datetime64[ns]"
    assert aware.canonical.tolist() == [pd.Timestamp("2024-03-04 09:30")]
    with pytest.raises(InvalidInputError, match="epoch_unit must be"):
        parse_timestamp(pd.Series([1]), field="t", epoch_unit="days")


def test_parse_date_takes_the_utc_date() -> None:
    parsed = parse_date(
        _objects("2024-06-28", "2024-06-28T23:30:00-02:00", "2024-02-30"), field="d"
    )
    assert str(parsed.canonical.dtype) == "datetime64[ns]"
    assert parsed.canonical.tolist()[:2] == [pd.Timestamp("2024-06-28"), pd.Timestamp("2024-06-29")]
    assert parsed.reasons.tolist()[2].startswith("d: not in a recognised date format")


def test_parse_bool_spellings() -> None:
    parsed = parse_bool(_objects(True, "true", "FALSE", 1, 0, "1", "yes", None, 2), field="f")
    assert parsed.canonical.tolist()[:7] == [True, True, False, True, False, True, None]
    assert parsed.reasons.tolist()[6:] == [
        "f: not true or false: 'yes'",
        None,
        "f: not true or false: 2",
    ]
    assert parse_bool(pd.Series([True, False]), field="f").canonical.tolist() == [True, False]


def test_parse_text_and_id() -> None:
    text = parse_text(_objects("Web", "  ", 7, None), field="LeadSource")
    assert text.canonical.tolist() == ["Web", None, None, None]
    assert text.reasons.tolist()[2] == "LeadSource: not text (int): 7"
    assert parse_text(_objects(7), field="user_id", numbers=True).canonical.tolist() == ["7"]
    ids = parse_id(_objects("006A1", 42, 43.0, 4.5, None, True), field="Id")
    assert ids.canonical.tolist()[:3] == ["006A1", 42, 43]
    assert ids.reasons.tolist()[3:] == [
        "Id: not an id (text or an integer; got float): 4.5",
        "Id: missing",
        "Id: not an id (text or an integer; got bool): True",
    ]


def test_parse_choice_forecast_category_and_currency() -> None:
    status = parse_choice(
        _objects("Won", "open", "pending", ["x"]),
        field="status",
        choices={"won": "won", "open": "open"},
    )
    assert status.canonical.tolist() == ["won", "open", None, None]
    assert status.reasons.tolist()[2].startswith("status: unknown value (expected")
    categories = parse_forecast_category(
        _objects("BestCase", "Best Case", "Forecast", "COMMIT", "OMIT", "maybe"), field="FC"
    )
    assert categories.canonical.tolist() == [
        "best_case",
        "best_case",
        "commit",
        "commit",
        "omitted",
        None,
    ]
    currencies = parse_currency(_objects("eur", "USD", "EURO"), field="CurrencyIsoCode")
    assert currencies.canonical.tolist() == ["EUR", "USD", None]


def test_reasons_where() -> None:
    reasons = reasons_where([True, False], "deleted", pd.RangeIndex(2))
    assert reasons.tolist() == ["deleted", None]


# ------------------------------------------------------------------ assemble and the result


def _raw() -> pd.DataFrame:
    return records_frame(
        [
            {"id": "A", "amount": "10.50", "deleted": False},
            {"id": "B", "amount": "n/a", "deleted": False},
            {"id": "A", "amount": "3", "deleted": False},
            {"id": "C", "amount": "7", "deleted": True},
            {"id": "D", "amount": "2", "deleted": False},
        ],
        source="t",
    )


def _assembled() -> ImportResult:
    raw = _raw()
    deleted = reasons_where(raw["deleted"].eq(True), "deleted", raw.index)
    status = Parsed(
        pd.Series("open", index=raw.index, dtype=object),
        reasons_where(np.zeros(len(raw), dtype=bool), "", raw.index),
    )
    columns = {
        "deal_id": parse_id(raw["id"], field="id"),
        "value": parse_money(raw["amount"], field="amount", required=True),
        "status": status,
    }
    return assemble("deals", raw, columns, source="t", extra_reasons=[deleted])


def test_assemble_accounts_for_every_row() -> None:
    result = _assembled()
    assert (result.accepted, result.n_rejected, result.rows_in) == (1, 4, 5)
    assert result.frame.index.tolist() == [4]  # input positions
    assert result.frame["deal_id"].tolist() == ["D"]
    assert result.rejected[REASON].to_dict() == {
        0: "deal_id: given in more than one record: 'A' (rows 0, 2)",
        1: "amount: not a plain number: 'n/a'",
        2: "deal_id: given in more than one record: 'A' (rows 0, 2)",
        3: "deleted",
    }
    # The rejected rows keep the values as received.
    assert result.rejected["amount"].tolist() == ["10.50", "n/a", "3", "7"]
    assert list(result.frame.columns) == [
        "deal_id",
        "account_id",
        "owner",
        "stage",
        "value",
        "probability",
        "currency",
        "created",
        "close_date",
        "status",
        "forecast_category",
        "source",
        "lost_reason",
    ]
    summary = result.summary()
    assert summary.startswith("deals from t: 5 rows in, 1 accepted, 4 rejected\n")
    assert "  2 × deal_id: given in more than one record (e.g. row 0: 'A' (rows 0, 2)" in summary


def test_assemble_refuses_missing_required_columns() -> None:
    raw = _raw()
    with pytest.raises(InvalidInputError, match="columns that must be given: 'value', 'status'"):
        assemble("deals", raw, {"deal_id": parse_id(raw["id"], field="id")}, source="t")


def test_assemble_warns_about_mixed_currencies() -> None:
    raw = records_frame([{"id": "A", "cur": "EUR"}, {"id": "B", "cur": "USD"}], source="t")
    index = raw.index
    columns = {
        "deal_id": parse_id(raw["id"], field="id"),
        "value": Parsed(pd.Series([1.0, 2.0], index=index), pd.Series([None, None], index=index)),
        "status": Parsed(
            pd.Series(["open", "won"], index=index, dtype=object),
            pd.Series([None, None], index=index),
        ),
        "currency": parse_currency(raw["cur"], field="cur"),
    }
    result = assemble("deals", raw, columns, source="t")
    assert result.warnings == (
        "the deals are in 2 currencies (EUR: 1, USD: 1 rows); values are kept with their "
        "codes and never summed across currencies: convert them or group by currency",
    )


def test_import_result_checks_its_counts() -> None:
    result = _assembled()
    with pytest.raises(InvalidInputError, match="do not add up to the 6 rows given"):
        ImportResult(
            table="deals", source="t", frame=result.frame, rejected=result.rejected, rows_in=6
        )
    with pytest.raises(InvalidInputError, match="must have a 'reason' column"):
        ImportResult(
            table="deals",
            source="t",
            frame=result.frame,
            rejected=result.rejected.drop(columns=REASON),
            rows_in=5,
        )


# ------------------------------------------------------------------ properties

_ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(["", " ", "1,5", "1.5", "83", "true", "2024-03-04", "2024-03-04T09:30Z"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.datetimes(min_value=datetime.datetime(1600, 1, 1)),
    # Quiet NaN only: a signalling Decimal('sNaN') raises on any comparison, in pandas'
    # own isna too, and no JSON parser or CSV reader produces one.
    st.decimals(allow_nan=False),
    st.just(decimal.Decimal("NaN")),
)


@given(st.lists(_ANYTHING, max_size=12))
@settings(max_examples=300)
def test_parsers_never_raise_and_give_a_value_or_a_reason(values: list[Any]) -> None:
    raw = pd.Series(values, dtype=object)
    parsers: list[Callable[[pd.Series[Any]], Parsed]] = [
        lambda s: parse_money(s, field="f", required=True),
        lambda s: parse_probability(s, field="f", scale="percent", required=True),
        lambda s: parse_timestamp(s, field="f", required=True),
        lambda s: parse_date(s, field="f", required=True),
        lambda s: parse_bool(s, field="f", required=True),
        lambda s: parse_text(s, field="f", required=True),
        lambda s: parse_id(s, field="f"),
        lambda s: parse_currency(s, field="f", required=True),
        lambda s: parse_forecast_category(s, field="f", required=True),
    ]
    for parse in parsers:
        parsed = parse(raw)
        assert parsed.canonical.index.equals(raw.index)
        assert parsed.reasons.index.equals(raw.index)
        # With required=True, each row has a usable value or a reason, never both.
        has_value = parsed.canonical.notna().to_numpy()
        has_reason = parsed.reasons.notna().to_numpy()
        assert (has_value ^ has_reason).all()


@given(st.lists(nonnegative_money(), max_size=20))
@settings(max_examples=300)
def test_money_round_trips_through_text(amounts: list[float]) -> None:
    """An amount written as a string by a CRM reads back as the same float."""
    raw = pd.Series([repr(amount) for amount in amounts], dtype=object)
    parsed = parse_money(raw, field="amount")
    assert parsed.canonical.tolist() == amounts
    assert parsed.reasons.isna().all()


@given(st.lists(probabilities(), max_size=20))
@settings(max_examples=300)
def test_percent_scale_is_the_fraction_scale_times_100(fractions: list[float]) -> None:
    percent = parse_probability(pd.Series([p * 100 for p in fractions]), field="p", scale="percent")
    fraction = parse_probability(pd.Series(fractions), field="p", scale="fraction")
    assert np.allclose(percent.canonical, fraction.canonical, rtol=1e-15, atol=0.0)
    assert ((percent.canonical >= 0) & (percent.canonical <= 1)).all()


@given(
    st.lists(
        st.datetimes(
            min_value=datetime.datetime(1700, 1, 1), max_value=datetime.datetime(2200, 1, 1)
        ),
        max_size=20,
    )
)
@settings(max_examples=300)
def test_timestamps_round_trip_through_iso_text(moments: list[datetime.datetime]) -> None:
    stamps = [pd.Timestamp(moment, tz="UTC") for moment in moments]
    parsed = parse_timestamp(
        pd.Series([stamp.isoformat() for stamp in stamps], dtype=object), field="t"
    )
    # Canonical timestamps are naive UTC: the same wall-clock time without the zone.
    assert parsed.canonical.tolist() == [stamp.tz_localize(None) for stamp in stamps]


# ------------------------------------------------------------------ grouped diagnostics


def _date_problem_result(rows: int) -> ImportResult:
    """``rows`` deals whose required-looking date is day-first, each a distinct value."""
    start = pd.Timestamp("2020-01-01")
    records = [
        {
            "id": f"D-{k}",
            "amount": "-1",
            "when": (start + pd.Timedelta(days=k)).strftime("%d.%m.%Y"),
        }
        for k in range(rows)
    ]
    raw = records_frame(records, source="t")
    columns = {
        "deal_id": parse_id(raw["id"], field="id"),
        "value": parse_money(raw["amount"], field="amount", required=True),
        "status": Parsed(
            pd.Series("open", index=raw.index, dtype=object),
            pd.Series(None, index=raw.index, dtype=object),
        ),
        "created": parse_timestamp(raw["when"], field="when"),
    }
    return assemble("deals", raw, columns, source="t", optional=(), id_field="id")


def test_reason_groups_count_one_problem_once_however_many_values() -> None:
    # 1,742 rows, each with its own day-first date and a negative amount: two kinds of
    # problem. Before grouping, every row was a reason of its own (1,742 lines).
    result = _date_problem_result(1742)
    assert result.reasons().size == 1742  # the full reasons keep each value
    groups = result.reason_groups()
    assert groups[["column", "problem", "rows"]].to_dict("records") == [
        {"column": "amount", "problem": "negative amount", "rows": 1742},
        {
            "column": "when",
            "problem": "not in a recognised date format (use ISO 8601, such as 2025-12-31 "
            "or 2025-12-31T14:00:00Z)",
            "rows": 1742,
        },
    ]
    # 2020-01-01 + 0 and + 1 days, day first.
    assert groups["examples"].iloc[1] == (
        "row 0 ('D-0'): '01.01.2020'; row 1 ('D-1'): '02.01.2020'; row 2 ('D-2'): '03.01.2020'"
    )
    assert groups["first_rows"].iloc[1] == (0, 1, 2)
    assert result.reason_groups(examples=0)["examples"].tolist() == ["", ""]
    with pytest.raises(InvalidInputError, match="examples must be a non-negative integer"):
        result.reason_groups(examples=-1)


def test_summary_is_bounded_whatever_the_input_size() -> None:
    summary = _date_problem_result(1742).summary()
    lines = summary.splitlines()
    assert lines[0] == "deals from t: 1742 rows in, 0 accepted, 1742 rejected"
    assert len(lines) == 3  # the counts and one line per kind of problem
    assert lines[2].startswith(
        "  1742 × when: not in a recognised date format (use ISO 8601, such as 2025-12-31"
    )
    # Many kinds of problem: at most `lines` of them, then one line counting the rest.
    raw = records_frame([{"id": f"X{k}", "v": "1", "c": "?"} for k in range(30)], source="t")
    columns = {
        "deal_id": parse_id(raw["id"], field="id"),
        "value": parse_money(raw["v"], field="v"),
        "status": Parsed(
            pd.Series("open", index=raw.index, dtype=object),
            pd.Series([f"s{k}: problem number {k}" for k in range(30)], dtype=object),
        ),
    }
    many = assemble("deals", raw, columns, source="t")
    lines = many.summary(lines=5).splitlines()
    assert len(lines) == 1 + 5 + 1
    assert lines[-1].startswith("  … and 25 more kinds of problem (25 rows;")
    with pytest.raises(InvalidInputError, match="lines must be an int >= 1"):
        many.summary(lines=0)


def test_split_reason_reads_every_kind_of_reason() -> None:
    assert split_reason("deleted") == [(None, "deleted", None)]
    assert split_reason("amount: not a plain number: 'a: b'; when: missing") == [
        ("amount", "not a plain number", "'a: b'"),
        ("when", "missing", None),
    ]
    assert split_reason("close_date must be on or after created (2024-01-01)") == [
        ("close_date", "must be on or after created", "2024-01-01")
    ]
    assert split_reason("close_date is before the date of created (2024-01-31 00:00:00)") == [
        ("close_date", "is before the date of created", "2024-01-31 00:00:00")
    ]


def test_far_dates_are_a_reason_when_required_and_no_date_when_optional() -> None:
    raw = records_frame(
        [
            {"id": "A", "v": 1, "created": "2024-01-01T00:00:00Z", "close": "9999-12-31"},
            {"id": "B", "v": 1, "created": "9999-12-31T00:00:00Z", "close": "2024-06-28"},
            {"id": "C", "v": 1, "created": None, "close": datetime.date(9999, 12, 31)},
        ],
        source="t",
    )
    open_ = Parsed(
        pd.Series("open", index=raw.index, dtype=object),
        pd.Series(None, index=raw.index, dtype=object),
    )
    columns = {
        "deal_id": parse_id(raw["id"], field="id"),
        "value": parse_money(raw["v"], field="v"),
        "status": open_,
        "created": parse_timestamp(raw["created"], field="created"),
        "close_date": parse_date(raw["close"], field="close"),
    }
    # Optional (the default for deals): the rows are kept, the dates left empty.
    kept = assemble("deals", raw, columns, source="t", id_field="id")
    assert kept.accepted == 3
    assert kept.frame["close_date"].isna().tolist() == [True, False, True]
    assert kept.frame["created"].isna().tolist() == [False, True, True]
    far = "outside the dates salescore can hold (1677-09-22 to 2262-04-11)"
    assert kept.warnings == (
        f"created left empty (no date) in 1 kept row: created: {far} "
        "(e.g. row 1 ('B'): '9999-12-31T00:00:00Z')",
        f"close_date left empty (no date) in 2 kept rows: close: {far} "
        "(e.g. row 0 ('A'): '9999-12-31'; row 2 ('C'): datetime.date(9999, 12, 31))",
    )
    assert kept.emptied["column"].tolist() == ["close_date", "created", "close_date"]
    assert kept.emptied.index.tolist() == [0, 1, 2]
    # Required: a reason per row, never a traceback.
    strict = assemble("deals", raw, columns, source="t", optional=())
    assert strict.rejected[REASON].tolist() == [
        f"close: {far}: '9999-12-31'",
        f"created: {far}: '9999-12-31T00:00:00Z'",
        f"close: {far}: datetime.date(9999, 12, 31)",
    ]


def test_an_unreadable_optional_value_keeps_the_row_and_a_rejected_row_names_it() -> None:
    raw = records_frame(
        [
            {"id": "A", "v": 1, "fc": "Pipeline"},
            {"id": "B", "v": 2, "fc": "Maybe"},
            {"id": "C", "v": "x", "fc": "Maybe"},
        ],
        source="t",
    )
    columns = {
        "deal_id": parse_id(raw["id"], field="id"),
        "value": parse_money(raw["v"], field="v"),
        "status": Parsed(
            pd.Series("open", index=raw.index, dtype=object),
            pd.Series(None, index=raw.index, dtype=object),
        ),
        "forecast_category": parse_forecast_category(raw["fc"], field="fc"),
    }
    result = assemble("deals", raw, columns, source="t")
    assert result.frame["deal_id"].tolist() == ["A", "B"]
    assert result.frame["forecast_category"].tolist() == ["pipeline", None]
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("forecast_category left empty in 1 kept row: fc: unknown")
    assert result.rejected[REASON].tolist() == [
        "v: not a plain number: 'x'; fc: unknown value (expected a forecast category such as "
        "Pipeline, BestCase, Commit, Closed, Omitted): 'Maybe'"
    ]


def test_assemble_writes_naive_utc_timestamps() -> None:
    raw = records_frame([{"id": "A", "v": 1}], source="t")
    oslo = pd.Series(pd.to_datetime(["2024-03-04 10:30"]).tz_localize("Europe/Oslo"))
    columns = {
        "deal_id": parse_id(raw["id"], field="id"),
        "value": parse_money(raw["v"], field="v"),
        "status": Parsed(
            pd.Series("open", index=raw.index, dtype=object),
            pd.Series(None, index=raw.index, dtype=object),
        ),
        "created": Parsed(oslo, pd.Series([None], dtype=object)),
    }
    frame = assemble("deals", raw, columns, source="t").frame
    assert str(frame["created"].dtype) == "datetime64[ns]"
    assert frame["created"].tolist() == [pd.Timestamp("2024-03-04 09:30")]  # UTC+1 in March


class _Model:
    """A stand-in for a generated API client's model: ``to_dict()`` gives the JSON."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def to_dict(self) -> dict[str, Any]:
        return dict(self._data)


def test_records_frame_reads_client_model_objects() -> None:
    raw = records_frame([_Model({"id": "1", "amount": "5"}), {"id": "2"}], source="t")
    assert raw["id"].tolist() == ["1", "2"]
    assert raw["amount"].tolist() == ["5", None]
    assert plain(_Model({"a": 1})) == {"a": 1}
    assert plain([1]) == [1]


def test_match_fields_ignores_case_and_refuses_ambiguity() -> None:
    raw = records_frame([{"amount": 1, "stage_name": "x", "CloseDate": "2024-01-01"}], source="t")
    wanted = {"value": "Amount", "stage": "StageName", "close_date": "CloseDate", "x": "Nope"}
    assert match_fields(raw, wanted, source="t") == {"value": "amount", "close_date": "CloseDate"}
    assert match_fields(raw, wanted, source="t", underscores=True) == {
        "value": "amount",
        "stage": "stage_name",
        "close_date": "CloseDate",
    }
    both = records_frame([{"Amount": 1, "amount": 2}], source="t")
    with pytest.raises(SchemaError, match="'Amount', 'amount' differ only in case"):
        match_fields(both, {"value": "Amount"}, source="t")
    # A field the caller named exactly is taken as named.
    assert match_fields(both, {"value": "amount"}, source="t", exact={"value"}) == {
        "value": "amount"
    }


# ------------------------------------------------------------------ hostile input

_RESULT_FIELDS: dict[str, Any] = {
    "table": "deals",
    "source": "records",
    "frame": pd.DataFrame({"deal_id": ["D1"]}, index=[0]),
    "rejected": pd.DataFrame({"deal_id": ["D2"], REASON: ["value: not a number"]}, index=[1]),
    "rows_in": 2,
}


@pytest.mark.parametrize(
    ("field_name", "value", "message"),
    [
        ("rows_in", "x", "rows_in must be a non-negative integer"),
        ("rows_in", 2.0, "rows_in must be a non-negative integer"),
        ("rows_in", True, "rows_in must be a non-negative integer"),
        ("rows_in", 10**400, "rows_in must be at most"),
        ("table", None, "table must be a non-empty str"),
        ("source", pd.NA, "source must be a non-empty str"),
        ("warnings", "one warning", "warnings must be a tuple or list of str"),
        ("warnings", (1,), "warnings must hold str only"),
        ("frame", pd.DataFrame({("a", "b"): [1]}), "frame must have one row of column names"),
        ("id_field", 3, "id_field must be a non-empty str"),
        ("row_name", None, "row_name must be a non-empty str"),
        ("emptied", pd.DataFrame({"x": []}), "emptied must have the columns"),
    ],
)
def test_import_result_cannot_be_made_with_a_field_of_the_wrong_kind(
    field_name: str, value: Any, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        ImportResult(**{**_RESULT_FIELDS, field_name: value})


def test_import_result_cannot_count_a_row_both_accepted_and_rejected() -> None:
    shared = _RESULT_FIELDS["rejected"].set_axis([0])
    with pytest.raises(InvalidInputError, match="both accepted and rejected"):
        ImportResult(**{**_RESULT_FIELDS, "rejected": shared})


@pytest.mark.parametrize("value", [10**400, np.timedelta64(1, "h"), 2.0, "2", True])
def test_reason_groups_and_summary_refuse_counts_that_are_not_small_integers(value: Any) -> None:
    result = ImportResult(**_RESULT_FIELDS)
    with pytest.raises(InvalidInputError, match="examples"):
        result.reason_groups(examples=value)
    with pytest.raises(InvalidInputError, match="lines"):
        result.summary(lines=value)
