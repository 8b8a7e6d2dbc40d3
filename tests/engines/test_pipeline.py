"""loss_reasons on engine frames.

The engine checks the deals as the pandas path does and reduces the lost ones to one
row per (period, reason); the table must equal the pandas path's on the same data, on
a hand-counted example, on public opportunities (Maven Analytics) and on random deals.
Reasons of equal count have no order of first appearance in an engine: there they
follow their labels, which one test shows; the equality tests use data without ties.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import loss_reasons
from salescore.datasets import sample
from salescore.errors import InvalidInputError, SchemaError
from salescore.fiscal import FiscalCalendar
from salescore.pipeline._engine import WHITESPACE

from .harness import maven_deals, to_engine


def _assert_equal(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert got.index.equals(want.index)
    assert got.index.name == want.index.name
    assert dict(got.dtypes) == dict(want.dtypes)
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=0.0)


# Lost deals per reason, all totals different (no ties): the blank spellings and the
# missing reason together make "(no reason)" 5 + 4 + 3 + 2 = 14; "price " (with its
# space) is a reason of its own, as in the pandas path.
_REASONS = {
    "competitor": 61,
    "price": 37,
    "timing": 23,
    None: 5,
    "": 4,
    "  ": 3,
    "\u00a0\t": 2,
    "no budget": 9,
    "price ": 6,
}
_STATUS_SPELLINGS = ["lost", "Lost", " LOST", "lost\u3000"]


def _deals() -> pd.DataFrame:
    """Lost deals over 20 months with a quiet stretch, and open and won deals around them.

    Columns under non-canonical names; statuses in several spellings; times of day;
    open deals without a close date, lost deals without a creation time (both allowed).
    """
    rng = np.random.default_rng(20261204)
    reasons = [reason for reason, count in _REASONS.items() for _ in range(count)]
    lost = len(reasons)
    others = 90
    rows = lost + others
    closes = pd.Timestamp("2023-12-25") + pd.to_timedelta(
        rng.integers(0, 600 * 86_400, rows), unit="s"
    )
    # Nothing closes from mid-June to mid-August 2024: whole months without losses.
    quiet = (closes >= pd.Timestamp("2024-06-15")) & (closes < pd.Timestamp("2024-08-15"))
    closes = closes.where(~quiet, closes - pd.Timedelta(days=70))
    status = [_STATUS_SPELLINGS[i % 4] for i in range(lost)]
    status += ["open" if i % 3 else " Won" for i in range(others)]
    frame = pd.DataFrame(
        {
            "id": [f"D{number:04d}" for number in rng.permutation(rows)],
            "state": status,
            "why": reasons + [None if i % 2 else "price" for i in range(others)],
            "closed": closes,
            "opened": closes - pd.to_timedelta(rng.integers(0, 200 * 86_400, rows), unit="s"),
        }
    )
    frame = frame.sample(frac=1.0, random_state=7).reset_index(drop=True)
    frame.loc[frame["state"] == "open", "closed"] = frame["closed"].where(
        frame.index % 5 != 0
    )  # some open deals have no close date yet
    frame.loc[3, "opened"] = pd.NaT
    return frame


COLUMNS: dict[str, Any] = {
    "lost_reason": "why",
    "status": "state",
    "close_date": "closed",
    "created": "opened",
    "deal_id": "id",
}
OPTIONS: list[dict[str, Any]] = [
    {},
    {"freq": "Q-MAR"},
    {"freq": "W-WED"},
    {"freq": "D"},
    {"freq": "Y", "no_reason": "unknown"},
    {"freq": "W", "created": None, "deal_id": None},
]
# Every option on the in-process engines; on the cluster engines, whose every query
# costs seconds, two.
CASES = [
    *((engine, options) for engine in ("polars", "polars-lazy", "duckdb") for options in OPTIONS),
    *((engine, OPTIONS[index]) for engine in ("dask", "spark") for index in (0, 2)),
]


@pytest.mark.parametrize(
    ("engine", "options"),
    CASES,
    indirect=["engine"],
    ids=[f"{engine}-" + "-".join(map(str, options.values())) for engine, options in CASES],
)
def test_equal_to_the_pandas_path(engine: str, options: dict[str, Any]) -> None:
    deals = _deals()
    options = {**COLUMNS, **options}
    want = loss_reasons(deals, **options)
    got = loss_reasons(to_engine(deals, engine), **options)
    _assert_equal(got, want)
    # The data holds what the case is about: every lost deal counted, blank and
    # missing reasons under one label, the quiet months present with no losses.
    counts = got["count"]
    assert int(counts.to_numpy().sum()) == sum(_REASONS.values())
    assert int(counts[options.get("no_reason", "(no reason)")].sum()) == 14
    assert list(counts.columns[:3]) == ["competitor", "price", "timing"]
    if options.get("freq", "M") == "M":
        assert counts.loc["2024-07"].sum() == 0


EXAMPLE = pd.DataFrame(
    {
        "deal_id": ["D1", "D2", "D3", "D4", "D5", "D6", "D7"],
        "status": ["lost", "lost", "lost", "lost", "won", "lost", "lost"],
        "lost_reason": ["competitor", "competitor", "price", "competitor", None, None, "price"],
        "close_date": pd.to_datetime(
            [
                "2016-08-03",
                "2016-08-19",
                "2016-08-30",
                "2016-08-31",
                "2016-09-12",
                "2016-10-05",
                "2016-10-20",
            ]
        ),
    }
)


def test_the_hand_counted_example_on_every_engine(engine: str) -> None:
    # loss_reasons' docstring example, by hand: August loses D1, D2, D4 to the
    # competitor and D3 on price (4 losses, competitor 3/4 = 0.75); September only
    # wins D5; October loses D6 without a reason and D7 on price (1/2 each). Totals:
    # competitor 3, price 2, no reason 1.
    table = loss_reasons(to_engine(EXAMPLE, engine))
    assert table["count"].columns.tolist() == ["competitor", "price", "(no reason)"]
    assert table["count"].to_numpy().tolist() == [[3, 1, 0], [0, 0, 0], [0, 1, 1]]
    assert [str(period) for period in table.index] == ["2016-08", "2016-09", "2016-10"]
    assert table.loc["2016-08", ("share", "competitor")] == 0.75
    assert table.loc["2016-10", ("share", "price")] == 0.5
    assert np.isnan(table["share"].to_numpy()[1]).all()  # September
    _assert_equal(table, loss_reasons(EXAMPLE))


def test_ties_follow_the_labels_on_an_engine() -> None:
    pl = pytest.importorskip("polars")
    # price and competitor are both lost twice, "(no reason)" once; timing three
    # times. pandas keeps the tie in order of first appearance (price first); an
    # engine frame has no row order, so there the tie is broken by the labels,
    # sorted: "competitor" < "price".
    deals = EXAMPLE.assign(
        status="lost",
        lost_reason=pd.Series(
            ["timing", "price", "competitor", "price", "timing", None, "competitor"], dtype=object
        ),
    )
    eighth = {"deal_id": ["D8"], "status": ["lost"], "lost_reason": ["timing"]}
    eighth_row = pd.DataFrame({**eighth, "close_date": pd.to_datetime(["2016-10-30"])})
    deals = pd.concat([deals, eighth_row], ignore_index=True)
    want = loss_reasons(deals)
    assert want["count"].columns.tolist() == ["timing", "price", "competitor", "(no reason)"]
    got = loss_reasons(pl.from_pandas(deals))
    assert got["count"].columns.tolist() == ["timing", "competitor", "price", "(no reason)"]
    _assert_equal(got, want[[*got.columns]])


def _maven() -> pd.DataFrame:
    # Maven Analytics' public opportunities (provenance in harness.maven_deals).
    # Its Lost rows close in March 2017.
    return maven_deals()[["deal_id", "status", "lost_reason", "created", "close_date"]]


def test_public_opportunities_on_every_engine(engine: str) -> None:
    deals = _maven()
    native = to_engine(deals, engine)
    monthly = loss_reasons(native)
    _assert_equal(monthly, loss_reasons(deals))
    # By hand from the CSV: five Lost rows (KWVA7VR1, 3F5MZNEH, 902REDPA, JJXRR8R6,
    # AO9Z2D17), closed 2017-03-18, -03, -09, -17 and -11, none with a reason.
    assert monthly["count"].to_dict() == {"(no reason)": {pd.Period("2017-03", "M"): 5}}
    weekly = loss_reasons(native, freq="W")
    _assert_equal(weekly, loss_reasons(deals, freq="W"))
    # Weeks Monday to Sunday: 03-03 (Friday) in the week to 03-05; 03-09 and 03-11
    # in the week to 03-12; 03-17 and 03-18 in the week to 03-19.
    assert weekly["count"]["(no reason)"].tolist() == [1, 2, 2]


def test_the_sample_crm_competitor_spike() -> None:
    pl = pytest.importorskip("polars")
    # The sample CRM's 5,000 deals (salescore.datasets.sample, seed 0), whose
    # reasons have seven different totals (713 price … 113 without a reason).
    deals = sample().deals
    lazy = pl.from_pandas(deals).lazy()
    for freq in ("M", "Q"):
        _assert_equal(loss_reasons(lazy, freq=freq), loss_reasons(deals, freq=freq))


@pytest.mark.parametrize("rows", [0, 1])
def test_no_lost_deal_gives_the_empty_table(engine: str, rows: int) -> None:
    # No rows at all; or one open deal without a close date.
    head = EXAMPLE.iloc[:rows]
    no_date = pd.Series(pd.NaT, index=head.index, dtype="datetime64[ns]")
    deals = head.assign(status="open", close_date=no_date)
    want = loss_reasons(deals)
    got = loss_reasons(to_engine(deals, engine))
    assert got.empty
    assert isinstance(got.index, pd.PeriodIndex)
    _assert_equal(got, want)


def test_whitespace_is_what_python_strips() -> None:
    assert set(WHITESPACE) == {chr(code) for code in range(0x110000) if chr(code).isspace()}
    assert len(WHITESPACE) == len(set(WHITESPACE))


@pytest.mark.parametrize("engine", ["polars", "polars-lazy", "duckdb"], indirect=True)
def test_unicode_whitespace_as_pandas_reads_it(engine: str) -> None:
    # Status and blank reasons trimmed of what str.strip() removes; a zero-width
    # space (U+200B) is not whitespace there, so "\u200b" is a reason of its own.
    deals = pd.DataFrame(
        {
            "deal_id": [f"D{number}" for number in range(7)],
            "status": ["\u2003lost\x1c", "LOST\u00a0", "lost", "\x85Lost", "lost", "lost", "won"],
            "lost_reason": ["\u3000", "\u2028 ", "\u200b", "price", "price", "price", ""],
            "close_date": pd.to_datetime(["2024-05-02"] * 7),
        }
    )
    want = loss_reasons(deals)
    assert want["count"].columns.tolist() == ["price", "(no reason)", "\u200b"]
    _assert_equal(loss_reasons(to_engine(deals, engine)), want)


def test_categories_and_dates_read_as_in_pandas() -> None:
    pl = pytest.importorskip("polars")
    deals = _deals()
    native = pl.from_pandas(deals).with_columns(
        pl.col("why").cast(pl.Categorical),
        pl.col("state").cast(pl.Categorical),
        pl.col("closed").cast(pl.Date),  # calendar dates: the day of each time
    )
    _assert_equal(loss_reasons(native, **COLUMNS), loss_reasons(deals, **COLUMNS))
    enum = pl.Enum(sorted(set(deals["state"])))
    native = pl.from_pandas(deals).with_columns(pl.col("state").cast(enum))
    _assert_equal(loss_reasons(native, **COLUMNS), loss_reasons(deals, **COLUMNS))


def test_aware_close_dates_follow_the_pandas_clock() -> None:
    pl = pytest.importorskip("polars")
    deals = EXAMPLE.assign(
        close_date=EXAMPLE["close_date"].dt.tz_localize("Europe/Oslo"),
        created=pd.Timestamp("2016-01-01"),
    )
    # 2016-09-01 00:30 in Oslo is still 2016-08-31 22:30 in UTC.
    deals.loc[0, "close_date"] = pd.Timestamp("2016-09-01 00:30", tz="Europe/Oslo")
    aware = deals.assign(created=deals["created"].dt.tz_localize("Europe/Oslo"))
    # Both aware: Oslo's calendar (September); aware beside naive: UTC's (August).
    local, utc = loss_reasons(pl.from_pandas(aware)), loss_reasons(pl.from_pandas(deals))
    assert local.loc["2016-09", ("count", "competitor")] == 1
    assert utc.loc["2016-08", ("count", "competitor")] == 3
    _assert_equal(local, loss_reasons(aware))
    _assert_equal(utc, loss_reasons(deals))
    _assert_equal(loss_reasons(pl.from_pandas(deals), created=None), loss_reasons(aware))


# ------------------------------------------------------------------ refusals


def test_refusals_name_the_columns(engine: str) -> None:
    native = to_engine(_deals(), engine)
    with pytest.raises(SchemaError, match=r"missing columns 'status', 'lost_reason'.*'why'"):
        loss_reasons(native, close_date="closed", deal_id="id")
    with pytest.raises(SchemaError, match=r"'state' must hold datetimes or dates"):
        loss_reasons(native, **{**COLUMNS, "close_date": "state"})
    with pytest.raises(InvalidInputError, match=r"freq='2M' cannot be computed in an engine"):
        loss_reasons(native, **COLUMNS, freq="2M")
    fiscal = FiscalCalendar.from_start_month(4).freq("quarter")
    with pytest.raises(InvalidInputError, match=r"fiscal periods cannot be computed in an engine"):
        loss_reasons(native, **COLUMNS, freq=fiscal)


def test_refusals_name_the_rows(engine: str) -> None:
    deals = _deals()
    first_lost = int(np.flatnonzero(deals["state"].str.strip().str.lower() == "lost")[0])
    bad = deals.copy()
    bad.loc[5, "state"] = "closed"
    bad.loc[9, "state"] = None
    with pytest.raises(
        InvalidInputError,
        match=r"state must be one of 'open', 'won', 'lost'; not so for 2 rows \(for example "
        r"id='D\d+', state=",
    ):
        loss_reasons(to_engine(bad, engine), **COLUMNS)
    undated = deals.copy()
    undated.loc[first_lost, "closed"] = pd.NaT
    name = str(deals["id"].iloc[first_lost])
    with pytest.raises(
        InvalidInputError,
        match=rf"closed is missing for lost deals; 1 row \(for example id='{name}', closed=",
    ):
        loss_reasons(to_engine(undated, engine), **COLUMNS)
    backwards = deals.copy()
    backwards.loc[first_lost, "opened"] = deals["closed"].iloc[first_lost] + pd.Timedelta(days=1)
    with pytest.raises(
        InvalidInputError, match=rf"closed is before the date in opened for 1 row .*'{name}'"
    ):
        loss_reasons(to_engine(backwards, engine), **COLUMNS)
    # Without the created column the same deals pass.
    loss_reasons(to_engine(backwards, engine), **{**COLUMNS, "created": None})


def test_the_pandas_path_refuses_the_same_rows() -> None:
    # The engine refusals above mirror these (same checks, same message texts).
    deals = _deals()
    first_lost = int(np.flatnonzero(deals["state"].str.strip().str.lower() == "lost")[0])
    deals.loc[first_lost, "opened"] = deals["closed"].iloc[first_lost] + pd.Timedelta(hours=30)
    with pytest.raises(InvalidInputError, match=r"closed is before the date in opened for 1 deal"):
        loss_reasons(deals, **COLUMNS)


def test_what_an_engine_cannot_read_is_refused() -> None:
    pl = pytest.importorskip("polars")
    # Reason codes (numbers): pandas keeps them as labels, an engine frame does not
    # guess how to print them.
    coded = EXAMPLE.assign(lost_reason=pd.Series([1, 1, 2, 1, np.nan, np.nan, 2]))
    with pytest.raises(SchemaError, match=r"column 'lost_reason' has dtype .* and 5 rows"):
        loss_reasons(pl.from_pandas(coded))
    # Missing throughout, whatever its type: every lost deal counted without a reason.
    unknown = EXAMPLE.assign(lost_reason=np.nan)
    _assert_equal(loss_reasons(pl.from_pandas(unknown)), loss_reasons(unknown))
    # Numbers as statuses: no value reads as one, as in pandas.
    with pytest.raises(InvalidInputError, match=r"status must be one of .* 7 rows"):
        loss_reasons(pl.from_pandas(EXAMPLE.assign(status=1)))
    # Two zones: calendar days not comparable in the engine.
    zoned = EXAMPLE.assign(
        close_date=EXAMPLE["close_date"].dt.tz_localize("Europe/Oslo"),
        created=pd.Timestamp("2016-01-01", tz="Asia/Tokyo"),
    )
    with pytest.raises(InvalidInputError, match=r"Europe/Oslo and created in Asia/Tokyo"):
        loss_reasons(pl.from_pandas(zoned))


# ------------------------------------------------------------------ random deals


def _by_engine_rule(table: pd.DataFrame) -> pd.DataFrame:
    """The pandas table with ties between reasons broken by their labels."""
    if table.empty:
        return table
    counts = table["count"]
    totals = pd.Series(counts.to_numpy().sum(axis=0), index=counts.columns)
    reasons = sorted(totals.index, key=lambda reason: (-int(totals[reason]), reason))
    return table[[(part, reason) for part in ("count", "share") for reason in reasons]]


@settings(max_examples=min(settings().max_examples, 60), deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["lost", "Lost ", "won", "open", "lost"]),
            st.sampled_from([None, "", " ", "price", "competitor", "Price", "timing"]),
            st.integers(0, 400),  # close day after 2024-01-01
            st.one_of(st.none(), st.integers(0, 30)),  # days from created to close
            st.integers(0, 5),  # deal id: repeated ids are allowed
        ),
        max_size=50,
    ),
    freq=st.sampled_from(["W", "M", "Q"]),
)
def test_random_deals_equal_the_pandas_path(
    rows: list[tuple[str, str | None, int, int | None, int]], freq: str
) -> None:
    # Oracle: the pandas path (whose own tests count against the rows), with ties
    # ordered by the engine's rule.
    pl = pytest.importorskip("polars")
    close = pd.Timestamp("2024-01-01") + pd.to_timedelta([row[2] for row in rows], "D")
    age = pd.to_timedelta([np.nan if row[3] is None else row[3] for row in rows], "D")
    deals = pd.DataFrame(
        {
            "deal_id": [f"D{row[4]}" for row in rows],
            "status": [row[0] for row in rows],
            "lost_reason": pd.Series([row[1] for row in rows], dtype=object),
            "close_date": pd.DatetimeIndex(close, dtype="datetime64[ns]"),
            "created": pd.DatetimeIndex(close - age, dtype="datetime64[ns]"),
        }
    )
    want = _by_engine_rule(loss_reasons(deals, freq=freq))
    _assert_equal(loss_reasons(pl.from_pandas(deals), freq=freq), want)
