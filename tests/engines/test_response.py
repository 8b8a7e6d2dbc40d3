"""response_report on engine frames.

The engine checks the leads as the pandas path does, computes each response time to
the nanosecond and reduces the leads to counts per group and the few ranked response
times around each group's median and 90th percentile; the table must equal the pandas
path's on the same data, on a hand-counted example, on the sample CRM's leads and on
random leads. An engine's rows have no order of first appearance: there the groups
follow their labels (a missing label last), which the tests apply to the pandas table
before comparing, and one test shows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.datasets import sample
from salescore.errors import InvalidInputError, SchemaError
from salescore.leads.calendar import BusinessHours
from salescore.leads.response import response_report

from .harness import to_engine

IN_PROCESS = ["polars", "polars-lazy", "duckdb"]
_NAT = np.iinfo(np.int64).min


def _assert_equal(got: pd.DataFrame, want: pd.DataFrame, leads: int = 0) -> None:
    """Equal, the 90th percentiles to the pandas path's rounding (see response_report).

    The pandas path interpolates at ``start + 0.9 * (n - 1)``, ``start`` counting the
    contacted leads of the groups before; that float is off by up to ``leads * 2**-53``
    of a rank, times the gap between the ranks. The engine interpolates at
    ``0.9 * (n - 1)``, as the pandas path does for a group alone (see
    test_the_90th_percentile_is_that_of_each_group_alone).
    """
    assert list(got.index.names) == list(want.index.names)
    assert dict(got.dtypes) == dict(want.dtypes)
    # Exact: counts, nanoseconds and shares computed by the same arithmetic.
    columns = [column for column in got.columns if column != "p90_response"]
    pd.testing.assert_frame_equal(got[columns], want[columns], check_exact=True)
    engine = got["p90_response"].to_numpy(dtype=np.int64)
    pandas = want["p90_response"].to_numpy(dtype=np.int64)
    assert (engine == _NAT).tolist() == (pandas == _NAT).tolist()
    gap = float(np.abs(pandas[pandas != _NAT]).max(initial=0))
    tolerance = 1 + int(leads * 2.0**-53 * gap)
    assert np.abs(engine - pandas).max(initial=0) <= tolerance


def _by_engine_rule(table: pd.DataFrame) -> pd.DataFrame:
    """The pandas table with its groups in an engine's order: by label, missing last."""
    if table.index.tolist() == ["total"]:
        return table
    return table.sort_index(na_position="last", kind="stable")


def _leads() -> pd.DataFrame:
    """150 leads of four owners (and some without), two channels; 20 % never contacted."""
    rng = np.random.default_rng(20261204)
    rows = 150
    created = pd.Timestamp("2024-03-01") + pd.to_timedelta(
        rng.integers(0, 60 * 86_400, rows), unit="s"
    )
    # Right-skewed waits from seconds to days, with nanoseconds, and a few ties.
    wait = np.rint(rng.lognormal(25.0, 2.5, rows)).astype(np.int64)
    wait[:10] = 240 * 10**9  # ten leads answered after exactly 4 minutes
    contact = (created + pd.to_timedelta(wait, unit="ns")).to_numpy().copy()
    contact[rng.random(rows) < 0.2] = np.datetime64("NaT")
    owners = rng.choice(np.array(["Ann", "Bo", "Cy", "Di", None], dtype=object), rows)
    return pd.DataFrame(
        {
            "Id": [f"LD{number:04d}" for number in rng.permutation(rows)],
            "Owner": pd.Series(owners, dtype="str"),
            "Channel": rng.choice(["web", "phone"], rows),
            "Rank": rng.integers(1, 4, rows),
            "CreatedDate": created,
            "FirstCall": contact,
        }
    )


COLUMNS: dict[str, Any] = {"by": "Owner", "created": "CreatedDate", "first_contact": "FirstCall"}
OPTIONS: list[dict[str, Any]] = [
    {},
    {"by": None},
    {"by": ["Channel", "Owner"]},
    {"by": "Rank", "within": 90},  # a number of minutes, compared as the pandas path does
    {"lead_id": None, "within": pd.Timedelta(hours=1)},
]
CASES = [
    *((engine, options) for engine in IN_PROCESS for options in OPTIONS),
    *((engine, OPTIONS[2]) for engine in ("dask", "spark")),
]


@pytest.mark.parametrize(
    ("engine", "options"),
    CASES,
    indirect=["engine"],
    ids=[f"{engine}-{number}" for number, (engine, _) in enumerate(CASES)],
)
def test_equal_to_the_pandas_path(engine: str, options: dict[str, Any]) -> None:
    leads = _leads()
    if engine == "spark":  # Spark keeps microseconds
        leads["FirstCall"] = leads["FirstCall"].dt.floor("us")
    options = {**COLUMNS, "lead_id": "Id", **options}
    want = response_report(leads, **options)
    got = response_report(to_engine(leads, engine), **options)
    _assert_equal(got, _by_engine_rule(want), len(leads))
    # The data holds what the case is about: every lead counted, some never contacted.
    assert int(got["leads"].sum()) == len(leads)
    assert 0 < int(got["contacted"].sum()) < len(leads)
    if options["by"] == "Owner":
        assert pd.isna(got.index[-1])  # the leads without an owner: a group, last


EXAMPLE = pd.DataFrame(
    {
        "lead_id": ["L1", "L2", "L3", "L4", "L5"],
        "owner": ["Bo", "Bo", "Ann", "Ann", "Ann"],
        "created": pd.to_datetime(["2024-03-11 09:00"] * 5),
        "first_contact": pd.to_datetime(
            ["2024-03-11 09:04", "NaT", "2024-03-11 09:02", "2024-03-11 09:10", "2024-03-11 09:12"]
        ),
    }
)


@pytest.mark.parametrize("engine", IN_PROCESS, indirect=True)
def test_the_hand_counted_example(engine: str) -> None:
    # By hand. Ann: L3, L4, L5 answered after 2, 10 and 12 minutes. Median: the middle
    # one, 10 min. 90th percentile: position 0.9 * (3 - 1) = 1.8 between 10 and 12 min,
    # 10 + 0.8 * 2 = 11.6 min = 11 min 36 s. Within 5 min: L3 only, 1/3; never
    # contacted 0. Bo: L1 after 4 min, L2 never: median = p90 = 4 min, within 1/2,
    # never 1/2. The engine lists the owners by label (Ann first); pandas by first
    # appearance (Bo first).
    table = response_report(to_engine(EXAMPLE, engine))
    assert table.index.tolist() == ["Ann", "Bo"]
    assert table["leads"].tolist() == [3, 2]
    assert table["contacted"].tolist() == [3, 1]
    minutes = pd.Timedelta(minutes=1)
    assert table["median_response"].tolist() == [10 * minutes, 4 * minutes]
    assert table["p90_response"].tolist() == [pd.Timedelta("11min 36s"), 4 * minutes]
    assert table["share_within_sla"].tolist() == [1 / 3, 0.5]
    assert table["share_never_contacted"].tolist() == [0.0, 0.5]
    pandas_table = response_report(EXAMPLE)
    assert pandas_table.index.tolist() == ["Bo", "Ann"]
    _assert_equal(table, pandas_table.iloc[[1, 0]])


def test_the_sample_crm_leads() -> None:
    pl = pytest.importorskip("polars")
    # The sample CRM's 10,000 leads (salescore.datasets.sample, seed 0): right-skewed
    # response times, some leads never attempted, per owner and per source.
    leads = sample().leads
    lazy = pl.from_pandas(leads).lazy()
    for by in ("owner", "source", None):
        want = _by_engine_rule(response_report(leads, by=by))
        _assert_equal(response_report(lazy, by=by), want, len(leads))


def test_the_90th_percentile_is_that_of_each_group_alone() -> None:
    pl = pytest.importorskip("polars")
    # On the sample CRM, the pandas path's p90 of Chloé Dubois (whose leads follow
    # others' in the sorted table) is 1 ns off the round 19:55:57.3 that the same
    # path gives on her leads alone, and that the engine gives.
    leads = sample().leads
    got = response_report(pl.from_pandas(leads))
    for owner, row in got.iterrows():
        alone = response_report(leads[leads["owner"] == owner])
        assert row["p90_response"] == alone["p90_response"].iloc[0]
    chloe = got["p90_response"].loc["Chloé Dubois"]
    assert chloe == pd.Timedelta(hours=19, minutes=55, seconds=57.3)
    pandas = response_report(leads)["p90_response"].loc["Chloé Dubois"]
    assert pandas == chloe - pd.Timedelta(1)


@pytest.mark.parametrize("engine", ["polars", "duckdb"], indirect=True)
@pytest.mark.parametrize("by", ["owner", None])
def test_no_leads_give_the_empty_table(engine: str, by: str | None) -> None:
    empty = EXAMPLE.iloc[:0]
    want = response_report(empty, by=by)
    got = response_report(to_engine(empty, engine), by=by)
    assert len(got) == len(want)  # no row, or the total row without figures
    _assert_equal(got, want)


def test_aware_and_naive_timestamps_on_one_clock() -> None:
    pl = pytest.importorskip("polars")
    # Created in Oslo (UTC+1 in March), contacted in naive UTC: the aware column is
    # put in UTC, as the pandas path does. 09:00 Oslo = 08:00 UTC; L3's 08:02 is
    # 2 minutes later.
    leads = EXAMPLE.assign(
        created=EXAMPLE["created"].dt.tz_localize("Europe/Oslo"),
        first_contact=EXAMPLE["first_contact"] - pd.Timedelta(hours=1),
    )
    got = response_report(pl.from_pandas(leads))
    assert got["median_response"].tolist() == [pd.Timedelta(minutes=10), pd.Timedelta(minutes=4)]
    _assert_equal(got, _by_engine_rule(response_report(leads)))
    # Both aware in different zones: the same instants, the same times.
    both = leads.assign(first_contact=leads["first_contact"].dt.tz_localize("UTC"))
    _assert_equal(response_report(pl.from_pandas(both)), got)


# ------------------------------------------------------------------ refusals


def _five() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lead_id": ["L1", "L2", "L3", "L4", "L5"],
            "owner": ["Ann", "Bo", "Ann", "Bo", "Ann"],
            "created": pd.to_datetime(["2024-03-11 09:00"] * 5),
            "first_contact": pd.to_datetime(["2024-03-11 09:05"] * 5),
        }
    )


_DAY = pd.Timestamp("2024-03-11 09:00")
# Each bad table; the engine's message must be the pandas path's, word for word.
BAD_ROWS: list[tuple[dict[str, Any], str]] = [
    (
        {"created": [_DAY, pd.NaT, _DAY, pd.NaT, _DAY]},
        "created is missing for 2 leads: 'L2', 'L4'; a lead needs the time it came in",
    ),
    (
        {"first_contact": [_DAY - pd.Timedelta(seconds=1), _DAY, _DAY, _DAY, pd.NaT]},
        "first_contact is before created for 1 lead: 'L1'",
    ),
    (
        {
            "created": [_DAY, pd.Timestamp("1700-01-01"), _DAY, _DAY, _DAY],
            "first_contact": [_DAY, pd.Timestamp("2000-01-01"), _DAY, _DAY, pd.NaT],
        },
        "first_contact is more than 292 years after created for 1 lead: 'L2'",
    ),
]


def _message(leads: Any, **options: Any) -> str:
    with pytest.raises(InvalidInputError) as caught:
        response_report(leads, **options)
    return str(caught.value)


@pytest.mark.parametrize("engine", IN_PROCESS, indirect=True)
def test_refusals_name_the_leads_as_pandas_does(engine: str) -> None:
    for columns, message in BAD_ROWS:
        leads = _five().assign(**columns)
        assert _message(leads) == message
        assert _message(to_engine(leads, engine)) == message
    native = to_engine(_five(), engine)
    with pytest.raises(SchemaError, match=r"missing column 'seller' \(it has \['lead_id'"):
        response_report(native, by="seller")
    with pytest.raises(SchemaError, match=r"column 'owner' must hold datetimes \(datetime64\)"):
        response_report(native, created="owner")
    with pytest.raises(InvalidInputError, match=r"^business_hours cannot be computed in an engine"):
        response_report(native, business_hours=BusinessHours())
    with pytest.raises(InvalidInputError, match=r"^within must be a duration >= 0"):
        response_report(native, within=pd.Timedelta(minutes=-1))


def test_refusals_without_lead_ids_name_the_rows_by_their_timestamps() -> None:
    pl = pytest.importorskip("polars")
    leads = _five().assign(**BAD_ROWS[1][0])
    with pytest.raises(
        InvalidInputError,
        match=r"^first_contact is before created for 1 row \(for example "
        r"created=Timestamp\('2024-03-11 09:00:00'\), "
        r"first_contact=Timestamp\('2024-03-11 08:59:59'\)",
    ):
        response_report(pl.from_pandas(leads), lead_id=None)


def test_timestamps_beyond_nanoseconds_are_refused_as_pandas_does() -> None:
    pl = pytest.importorskip("polars")
    # 2300 fits microseconds, not pandas' nanoseconds.
    late = pd.Series(pd.to_datetime(["2024-03-11", "2300-01-01"]).as_unit("us"))
    leads = pd.DataFrame(
        {"lead_id": ["L1", "L2"], "owner": ["Ann", "Bo"], "created": late.iloc[[0, 0]].to_numpy()}
    ).assign(first_contact=late.to_numpy())
    message = "first_contact must lie between 1677-09-22 and 2262-04-11 (nanosecond timestamps)"
    assert _message(leads) == message
    assert _message(pl.from_pandas(leads)) == message


@settings(max_examples=min(settings().max_examples, 60), deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["Ann", "ann", "", None]),
            st.integers(0, 10**6),  # creation second after 2024-01-01
            st.one_of(st.none(), st.integers(0, 10**14)),  # the wait in nanoseconds
        ),
        max_size=40,
    ),
    within=st.sampled_from([5, 0.5, pd.Timedelta(minutes=5), pd.Timedelta(0)]),
)
def test_random_leads_equal_the_pandas_path(
    rows: list[tuple[str | None, int, int | None]], within: Any
) -> None:
    # Oracle: the pandas path (whose own tests count against the rows), its groups in
    # the engine's order.
    pl = pytest.importorskip("polars")
    created = pd.Timestamp("2024-01-01") + pd.to_timedelta([row[1] for row in rows], "s")
    waits = pd.to_timedelta([row[2] for row in rows], "ns")
    leads = pd.DataFrame(
        {
            "lead_id": [f"L{number}" for number in range(len(rows))],
            "owner": pd.Series([row[0] for row in rows], dtype="str"),
            "created": pd.DatetimeIndex(created, dtype="datetime64[ns]"),
            "first_contact": pd.DatetimeIndex(created + waits, dtype="datetime64[ns]"),
        }
    )
    want = _by_engine_rule(response_report(leads, within=within))
    _assert_equal(response_report(pl.from_pandas(leads), within=within), want, len(rows))
