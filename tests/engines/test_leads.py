"""source_performance on engine frames.

The engine checks the leads as the pandas path does and reduces them to one row per
source (and period); the table must equal the pandas path's on the same data, on a
hand-counted example, on public HubSpot records (Airbyte's test portal) and on random
leads. An engine's rows have no order of first appearance: there the sources follow
their labels (a missing source last), which the tests apply to the pandas table
before comparing, and one test shows.
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

from salescore.datasets import sample
from salescore.errors import InvalidInputError, SchemaError
from salescore.fiscal import FiscalCalendar
from salescore.leads.sources import source_performance

from .harness import to_engine

HUBSPOT = Path(__file__).parents[1] / "fixtures" / "real" / "airbyte_hubspot_deals.jsonl"


def _assert_equal(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert got.index.equals(want.index)
    assert list(got.index.names) == list(want.index.names)
    assert dict(got.dtypes) == dict(want.dtypes)
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=0.0)


def _by_engine_rule(table: pd.DataFrame) -> pd.DataFrame:
    """The pandas table with its rows in an engine's order: by period, then by label.

    Sources are sorted as Python sorts them, a missing source last; periods stay in
    time order, as in the pandas path.
    """
    index = table.index
    sources = index.get_level_values(0).to_numpy(dtype=object)
    labels = sorted({label for label in sources.tolist() if not pd.isna(label)})
    rank = [len(labels) if pd.isna(label) else labels.index(label) for label in sources]
    keys: list[Any] = [rank]
    if isinstance(index, pd.MultiIndex):
        keys.insert(0, pd.PeriodIndex(index.get_level_values("period")).asi8)
    return table.iloc[np.lexsort(keys[::-1])]


# Leads per (source, converted): every source of a different size; "Partner" has a
# converted lead with an unknown amount, so its revenue is NaN; some leads have no
# source (a group of their own).
_SOURCES: dict[str | None, tuple[int, int]] = {
    "Google ads": (70, 12),
    "Facebook": (55, 4),
    "Referral": (20, 9),
    "Partner": (13, 5),
    "fair ": (8, 1),  # a label with its space, as in the pandas path
    None: (6, 2),
}


def _leads() -> pd.DataFrame:
    """Leads over 15 months with a quiet stretch, under non-canonical column names."""
    rng = np.random.default_rng(20261204)
    sources = [s for s, (n, _) in _SOURCES.items() for _ in range(n)]
    won = [i < k for _, (n, k) in _SOURCES.items() for i in range(n)]
    rows = len(sources)
    created = pd.Timestamp("2023-11-20") + pd.to_timedelta(
        rng.integers(0, 450 * 86_400, rows), unit="s"
    )
    # Nothing is created from mid-May to mid-July 2024: June has no leads at all.
    quiet = (created >= pd.Timestamp("2024-05-15")) & (created < pd.Timestamp("2024-07-15"))
    created = created.where(~quiet, created - pd.Timedelta(days=80))
    amounts = np.round(rng.gamma(2.0, 900.0, rows), 2)
    frame = pd.DataFrame(
        {
            "Id": [f"LD{number:04d}" for number in rng.permutation(rows)],
            "LeadSource": pd.Series(sources, dtype="str"),
            "IsConverted": won,
            "Amount": np.where(won, amounts, np.nan),  # unknown where not converted
            "CreatedDate": created,
        }
    )
    partner_won = np.flatnonzero((frame["LeadSource"] == "Partner") & frame["IsConverted"])
    frame.loc[partner_won[0], "Amount"] = np.nan
    return frame.sample(frac=1.0, random_state=3).reset_index(drop=True)


COLUMNS: dict[str, Any] = {
    "source": "LeadSource",
    "converted": "IsConverted",
    "created": "CreatedDate",
    "lead_id": "Id",
}
OPTIONS: list[dict[str, Any]] = [
    {},
    {"value": "Amount"},
    {"value": "Amount", "freq": "M"},
    {"freq": "Q-MAR"},
    {"value": "Amount", "freq": "W-WED"},
    {"freq": "D", "lead_id": None},
    {"value": "Amount", "freq": "Y"},
]
# Every option on the in-process engines; on the cluster engines, whose every query
# costs seconds, one.
CASES = [
    *((engine, options) for engine in ("polars", "polars-lazy", "duckdb") for options in OPTIONS),
    *((engine, OPTIONS[2]) for engine in ("dask", "spark")),
]


@pytest.mark.parametrize(
    ("engine", "options"),
    CASES,
    indirect=["engine"],
    ids=[f"{engine}-" + "-".join(map(str, options.values())) for engine, options in CASES],
)
def test_equal_to_the_pandas_path(engine: str, options: dict[str, Any]) -> None:
    leads = _leads()
    options = {**COLUMNS, **options}
    want = source_performance(leads, **options)
    got = source_performance(to_engine(leads, engine), **options)
    _assert_equal(got, _by_engine_rule(want))
    # The data holds what the case is about: every lead counted, the leads without a
    # source in a group of their own (last), Partner's unknown amount reaching its
    # revenue, June without a row.
    assert int(got["leads"].sum()) == sum(n for n, _ in _SOURCES.values())
    assert int(got["conversions"].sum()) == sum(k for _, k in _SOURCES.values())
    sources = got.index.get_level_values("LeadSource")
    assert sources.isna().any()
    if "freq" not in options:
        assert sources.isna().tolist() == [False] * 5 + [True]
    if "value" in options:
        partner = got["revenue"].to_numpy()[sources == "Partner"]
        assert np.isnan(partner).any()
        assert np.isfinite(got["revenue"].to_numpy()[sources == "Referral"]).all()
    if options.get("freq") == "M":
        months = {str(period) for period in got.index.get_level_values("period")}
        assert "2024-06" not in months
        assert {"2024-05", "2024-07"} <= months


EXAMPLE = pd.DataFrame(
    {
        "lead_id": ["L1", "L2", "L3", "L4", "L5", "L6"],
        "source": ["Google ads", "Facebook", "Google ads", "Facebook", "Facebook", "Google ads"],
        "created": pd.to_datetime(
            ["2024-01-05", "2024-01-09", "2024-01-20", "2024-02-02", "2024-02-14", "2024-02-25"]
        ),
        "converted": [True, False, True, False, True, False],
        "amount": [1_200.0, 0.0, 800.0, 0.0, 500.0, 0.0],
    }
)


@pytest.mark.parametrize("engine", ["polars", "polars-lazy", "duckdb"], indirect=True)
def test_the_hand_counted_example(engine: str) -> None:
    # source_performance's docstring example, by hand. Facebook: L2, L4, L5 → 3 leads,
    # 1 won (L5, 500) → rate 1/3, 500 / 3 = 166.67 per lead. Google ads: L1, L3, L6 →
    # 3 leads, 2 won (1,200 + 800 = 2,000) → rate 2/3, 666.67 per lead. The engine
    # lists the sources by label (Facebook first); pandas by first appearance.
    native = to_engine(EXAMPLE, engine)
    table = source_performance(native, value="amount")
    assert table.index.tolist() == ["Facebook", "Google ads"]
    assert table["leads"].tolist() == [3, 3]
    assert table["conversions"].tolist() == [1, 2]
    np.testing.assert_allclose(table["conversion_rate"], [1 / 3, 2 / 3], rtol=1e-15)
    assert table["revenue"].tolist() == [500.0, 2_000.0]
    np.testing.assert_allclose(table["revenue_per_lead"], [500 / 3, 2_000 / 3], rtol=1e-15)
    _assert_equal(table, source_performance(EXAMPLE, value="amount").iloc[[1, 0]])
    # By month. January: Google ads L1, L3 (both won); Facebook L2 (not). February:
    # Facebook L4, L5 (L5 won); Google ads L6 (not). Within a month, by label.
    monthly = source_performance(native, freq="M")
    assert [(source, str(period)) for source, period in monthly.index] == [
        ("Facebook", "2024-01"),
        ("Google ads", "2024-01"),
        ("Facebook", "2024-02"),
        ("Google ads", "2024-02"),
    ]
    assert monthly["leads"].tolist() == [1, 2, 2, 1]
    assert monthly["conversions"].tolist() == [0, 2, 1, 0]
    pandas_monthly = source_performance(EXAMPLE, freq="M")
    assert pandas_monthly.index[0] == ("Google ads", pd.Period("2024-01", "M"))
    _assert_equal(monthly, pandas_monthly.iloc[[1, 0, 2, 3]])


def _hubspot() -> pd.DataFrame:
    # Provenance: airbytehq/airbyte, airbyte-integrations/connectors/source-hubspot/
    # integration_tests/expected_records.jsonl (version of commit
    # 00513385595fcf7aedd0812960f6c22c0c59fe95), three lines unchanged in
    # tests/fixtures/real/airbyte_hubspot_deals.jsonl (see its README): deals of
    # Airbyte's HubSpot test portal with HubSpot's "Original Source"
    # (hs_analytics_source), read here as leads: converted when hs_is_closed_won.
    # Each record kept as HubSpot gives it (the deals adapter, which checks close
    # dates, rejects two of them; a lead table reads no close date).
    lines = HUBSPOT.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line)["data"] for line in lines if line.strip()]
    properties = [record["properties"] for record in records]
    created = pd.to_datetime([p["createdate"] for p in properties], utc=True)
    return pd.DataFrame(
        {
            "lead_id": [str(record["id"]) for record in records],
            "source": pd.Series([p["hs_analytics_source"] for p in properties], dtype="str"),
            "converted": [bool(p["hs_is_closed_won"]) for p in properties],
            "value": [float(p["amount"]) for p in properties],
            # Naive UTC: Spark keeps no zone (the harness refuses aware columns).
            "created": created.tz_localize(None),
        }
    )


def test_public_hubspot_records_on_every_engine(engine: str) -> None:
    leads = _hubspot()
    native = to_engine(leads, engine)
    table = source_performance(native, value="value")
    _assert_equal(table, _by_engine_rule(source_performance(leads, value="value")))
    # By hand from the file: deal 4280411910 (no source, 6), 4315375411 (source "",
    # 10) and 4307833946 ("OFFLINE", 123), each closed won. One lead per source, each
    # converted: rate 1, revenue = revenue per lead = the amount. "" sorts before
    # "OFFLINE"; the missing source comes last.
    assert table.index[:2].tolist() == ["", "OFFLINE"]
    assert pd.isna(table.index[2])
    assert table["leads"].tolist() == [1, 1, 1]
    assert table["conversion_rate"].tolist() == [1.0, 1.0, 1.0]
    assert table["revenue"].tolist() == [10.0, 123.0, 6.0]
    assert table["revenue_per_lead"].tolist() == [10.0, 123.0, 6.0]
    # Created 2021-02-22 and 2021-02-23 (twice): all in February 2021.
    monthly = source_performance(native, value="value", freq="M")
    _assert_equal(monthly, _by_engine_rule(source_performance(leads, value="value", freq="M")))
    assert {str(period) for _, period in monthly.index} == {"2021-02"}


def test_the_sample_crm_leads() -> None:
    pl = pytest.importorskip("polars")
    # The sample CRM's 10,000 leads (salescore.datasets.sample, seed 0), six sources.
    leads = sample().leads
    lazy = pl.from_pandas(leads).lazy()
    for freq in (None, "M", "Q"):
        want = source_performance(leads, value="value", freq=freq)
        _assert_equal(source_performance(lazy, value="value", freq=freq), _by_engine_rule(want))


@pytest.mark.parametrize("engine", ["polars", "polars-lazy", "duckdb"], indirect=True)
@pytest.mark.parametrize("freq", [None, "M"])
def test_no_leads_give_the_empty_table(engine: str, freq: str | None) -> None:
    empty = EXAMPLE.iloc[:0]
    want = source_performance(empty, value="amount", freq=freq)
    got = source_performance(to_engine(empty, engine), value="amount", freq=freq)
    assert got.empty
    _assert_equal(got, want)


def test_what_an_engine_reads_as_pandas_does() -> None:
    pl = pytest.importorskip("polars")
    leads = _leads()
    options = {**COLUMNS, "value": "Amount", "freq": "M"}
    want = _by_engine_rule(source_performance(leads, **options))
    native = pl.from_pandas(leads)
    # Flags as 1 and 0 (integers or floats); calendar dates for the creation times;
    # NaN (not null) amounts, which Polars keeps apart from missing values.
    for flags in (pl.col("IsConverted").cast(pl.Int8), pl.col("IsConverted").cast(pl.Float32)):
        _assert_equal(source_performance(native.with_columns(flags), **options), want)
    dated = native.with_columns(pl.col("CreatedDate").cast(pl.Date))
    by_day = leads.assign(CreatedDate=leads["CreatedDate"].dt.normalize())
    _assert_equal(
        source_performance(dated, **options), _by_engine_rule(source_performance(by_day, **options))
    )
    nan = pl.from_pandas(leads, nan_to_null=False)
    assert nan["Amount"].is_nan().sum() > 0
    _assert_equal(source_performance(nan, **options), want)
    # Categories: sorted by their labels, not by their codes.
    categories = native.with_columns(pl.col("LeadSource").cast(pl.Categorical))
    got = source_performance(categories, **{**options, "freq": None})
    assert got.index.tolist()[:-1] == sorted(str(label) for label in _SOURCES if label)


def test_aware_creation_times_by_their_local_calendar() -> None:
    pl = pytest.importorskip("polars")
    leads = EXAMPLE.assign(created=EXAMPLE["created"].dt.tz_localize("Europe/Oslo"))
    # 2024-02-01 00:30 in Oslo is still 2024-01-31 23:30 in UTC: February, locally.
    leads.loc[0, "created"] = pd.Timestamp("2024-02-01 00:30", tz="Europe/Oslo")
    got = source_performance(pl.from_pandas(leads), freq="M")
    leads_by_key = dict(zip(got.index, got["leads"], strict=True))
    assert leads_by_key[("Google ads", pd.Period("2024-02", "M"))] == 2
    _assert_equal(got, _by_engine_rule(source_performance(leads, freq="M")))


# ------------------------------------------------------------------ refusals


def _eight() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(1, 9)],
            "source": ["web", "fair", "web", "ads", "fair", "web", "fair", "fair"],
            "converted": [True, False, False, True, True, True, False, False],
            "value": [1_200.0, np.nan, 0.0, 3_000.0, 400.0, 900.0, 0.0, 0.0],
            "created": pd.date_range("2024-01-03", periods=8, freq="9D"),
        }
    )


# Each bad table, and the options it is read with. The engine's message must be the
# pandas path's, word for word.
BAD_ROWS: list[tuple[dict[str, Any], dict[str, Any], str]] = [
    (
        {"lead_id": ["L1", "L2", "L1"] + ["L9"] * 5},
        {},
        "lead_id must name each lead once (one row per lead); repeated for 7 leads: "
        "'L1', 'L1', 'L9', 'L9', 'L9', …",
    ),
    (
        {"converted": [1, 0, 2, 1, 0, 5, 1, 0]},
        {},
        "converted must be True or False (or 1 or 0); not so for 2 leads: 'L3' (2), 'L6' (5)",
    ),
    (
        {"converted": pd.array([True, None, True, None, True, False, False, False], "boolean")},
        {},
        "converted is missing for 2 leads: 'L2', 'L4'; record False for leads not (yet) "
        "converted, or leave the undecided leads out explicitly",
    ),
    (
        {"created": pd.date_range("2024-01-03", periods=8, freq="9D").where([True] * 7 + [False])},
        {"freq": "M"},
        "created is missing for 1 lead: 'L8' (a table by period needs the date each lead "
        "was created)",
    ),
    (
        {"value": [-5.0, -1.0, 0.0, np.inf, 1.0, 1.0, 1.0, 1.0]},
        {"value": "value"},
        # L2 did not convert: its value is not read, so not checked.
        "value must be a finite number >= 0 on converted leads; not so for 2 leads: "
        "'L1' (-5.0), 'L4' (inf)",
    ),
]


def _message(leads: Any, options: dict[str, Any]) -> str:
    with pytest.raises(InvalidInputError) as caught:
        source_performance(leads, **options)
    return str(caught.value)


def test_refusals_name_the_rows_as_pandas_does(engine: str) -> None:
    for columns, options, message in BAD_ROWS:
        leads = _eight().assign(**columns)
        assert _message(leads, options) == message
        assert _message(to_engine(leads, engine), options) == message
    # Eight converted leads of 1e308: the revenue of web (3 leads) and fair (4) is
    # beyond float range (about 1.8e308); ads (1 lead) is not. (Dask adds as pandas
    # does, with Kahan's compensation, which turns the overflow into NaN.)
    huge = to_engine(_eight().assign(converted=True, value=1e308), engine)
    with pytest.raises(InvalidInputError, match=r"revenue of 2 source group\(s\) is beyond float"):
        source_performance(huge, value="value")
    native = to_engine(_eight(), engine)
    with pytest.raises(SchemaError, match=r"missing columns 'won', 'id' \(it has \['lead_id'"):
        source_performance(native, converted="won", lead_id="id")
    with pytest.raises(SchemaError, match=r"'source' must hold datetimes or dates"):
        source_performance(native, created="source", freq="M")
    with pytest.raises(SchemaError, match=r"columns must be numeric: 'source' has dtype"):
        source_performance(native, value="source")


@pytest.mark.parametrize("engine", ["polars", "polars-lazy", "duckdb"], indirect=True)
def test_refusals_of_what_an_engine_cannot_compute(engine: str) -> None:
    native = to_engine(_eight(), engine)
    with pytest.raises(InvalidInputError, match=r"freq='2M' cannot be computed in an engine"):
        source_performance(native, freq="2M")
    fiscal = FiscalCalendar.from_start_month(4).freq("quarter")
    with pytest.raises(InvalidInputError, match=r"fiscal periods cannot be computed in an engine"):
        source_performance(native, freq=fiscal)
    with pytest.raises(InvalidInputError, match=r"^source must not be a column named 'period'"):
        source_performance(native, source="period", freq="M")


@pytest.mark.parametrize("engine", ["polars", "polars-lazy", "duckdb"], indirect=True)
def test_refusals_without_lead_ids_name_the_rows_by_source(engine: str) -> None:
    # An engine frame has no index to name the leads by, as pandas does without
    # lead_id: its rows are shown with their source and the value concerned.
    leads = _eight().assign(converted=["yes", "no"] * 4)
    with pytest.raises(
        InvalidInputError,
        match=r"^converted must be True or False \(or 1 or 0\); not so for 8 rows \(for "
        r"example source='web', converted='yes'; source='fair', converted='no'",
    ):
        source_performance(to_engine(leads, engine), lead_id=None)
    # Repeated ids are allowed without lead_id, as in pandas.
    repeated = _eight().assign(lead_id="L1")
    _assert_equal(
        source_performance(to_engine(repeated, engine), lead_id=None),
        _by_engine_rule(source_performance(repeated, lead_id=None)),
    )


# ------------------------------------------------------------------ random leads


@settings(max_examples=min(settings().max_examples, 60), deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["web", "fair", "Web", "", None]),
            st.integers(0, 400),  # creation day after 2024-01-01
            st.booleans(),
            st.one_of(st.none(), st.floats(0.0, 1e9, allow_nan=False)),
        ),
        max_size=40,
    ),
    freq=st.sampled_from([None, "W", "M", "Q"]),
)
def test_random_leads_equal_the_pandas_path(
    rows: list[tuple[str | None, int, bool, float | None]], freq: str | None
) -> None:
    # Oracle: the pandas path (whose own tests count against the rows), its rows in the
    # engine's order.
    pl = pytest.importorskip("polars")
    created = pd.Timestamp("2024-01-01") + pd.to_timedelta([row[1] for row in rows], "D")
    leads = pd.DataFrame(
        {
            "lead_id": [f"L{number}" for number in range(len(rows))],
            "source": pd.Series([row[0] for row in rows], dtype="str"),
            "created": pd.DatetimeIndex(created, dtype="datetime64[ns]"),
            "converted": pd.Series([row[2] for row in rows], dtype=bool),
            "value": pd.Series([row[3] for row in rows], dtype="float64"),
        }
    )
    want = _by_engine_rule(source_performance(leads, value="value", freq=freq))
    _assert_equal(source_performance(pl.from_pandas(leads), value="value", freq=freq), want)
