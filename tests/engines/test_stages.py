"""stage_funnel and time_in_stage on engine frames.

The engine checks the stage history as the pandas path does and reduces it there: to
counts, sums and the ranks around each median per funnel stage, or to one row per
(deal, stage) pair. The tables must equal the pandas path's on the same data: on a
hand-counted example, on public opportunities (Maven Analytics), on the sample CRM and
on random histories. An engine's rows have no order of first appearance, so
time_in_stage's pairs come back sorted by deal id, then stage: the pandas table
``sort_index()``-ed, which one test shows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import stage_funnel, time_in_stage
from salescore.datasets import sample
from salescore.errors import InvalidInputError, SchemaError

from .harness import MAVEN, to_engine

STAGES = ["Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won"]
P, Q, PR, N, W = STAGES
AS_OF = pd.Timestamp("2024-02-10")
IN_PROCESS = ("polars", "polars-lazy", "duckdb")


def _assert_equal(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert got.index.equals(want.index)
    assert list(got.index.names) == list(want.index.names)
    assert dict(got.dtypes) == dict(want.dtypes)
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=0.0)


def _frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """A stage history from (deal, stage, entered, exited) rows; None for NaT."""
    return pd.DataFrame(
        {
            "deal_id": pd.Series([row[0] for row in rows], dtype="str"),
            "stage": pd.Series([row[1] for row in rows], dtype="str"),
            "entered": pd.to_datetime([row[2] for row in rows]).as_unit("ns"),
            "exited": pd.to_datetime([row[3] for row in rows]).as_unit("ns"),
        }
    )


# The golden history of tests/test_pipeline_stages.py, worked by hand there.
GOLDEN = _frame(
    [
        ("D1", P, "2024-01-01", "2024-01-05"),
        ("D1", Q, "2024-01-05", "2024-01-15"),
        ("D1", PR, "2024-01-15", "2024-01-25"),
        ("D1", N, "2024-01-25", "2024-02-04"),
        ("D1", W, "2024-02-04", None),
        ("D2", P, "2024-01-02", "2024-01-04"),
        ("D2", Q, "2024-01-04", "2024-01-10"),
        ("D2", PR, "2024-01-10", "2024-01-13"),
        ("D2", Q, "2024-01-13", "2024-01-20"),
        ("D2", PR, "2024-01-20", "2024-01-30"),
        ("D2", N, "2024-01-30", "2024-02-09"),
        ("D2", W, "2024-02-09", None),
        ("D3", P, "2024-01-03", "2024-01-06"),
        ("D3", PR, "2024-01-06", "2024-01-20"),
        ("D4", P, "2024-01-01", "2024-01-09"),
        ("D4", Q, "2024-01-09", "2024-01-12"),
        ("D5", P, "2024-01-05", "2024-01-08"),
        ("D5", Q, "2024-01-08", None),
        ("D6", P, "2024-01-10", "2024-01-11"),
        ("D7", Q, "2024-01-02", "2024-01-06"),
        ("D7", N, "2024-01-06", None),
    ]
)


def test_the_hand_counted_funnel_on_every_engine(engine: str) -> None:
    # By hand: the furthest stage of D1 … D7 is W, W, Pr, Q, Q, P, N; a deal reaches
    # every stage up to its furthest, so reached = 7, 6, 4, 3, 2 and dropped = 1 (D6),
    # 2 (D4, D5), 1 (D3), 1 (D7), 0; D5 (in Q) and D7 (in N) are in progress. Days
    # with the open visits counted up to 2024-02-10:
    #   P:  D1 4, D2 2, D3 3, D4 8, D5 3, D6 1     → mean 21/6 = 3.5, median 3
    #   Q:  10, 6 + 7, 3, D5 33 (open), 4          → mean 63/5 = 12.6, median 10
    #   Pr: 10, 3 + 10, 14                        → mean 37/3, median 13
    #   N:  10, 10, D7 35 (open)                  → mean 55/3, median 10
    #   W:  D1 6, D2 1 (both open)                → mean 3.5, median 3.5
    funnel = stage_funnel(to_engine(GOLDEN, engine), stages=STAGES, as_of=AS_OF)
    assert funnel["reached"].tolist() == [7, 6, 4, 3, 2]
    assert funnel["dropped"].tolist() == [1, 2, 1, 1, 0]
    assert funnel["in_progress"].tolist() == [0, 1, 0, 1, 0]
    assert funnel["timed"].tolist() == [6, 5, 3, 3, 2]
    np.testing.assert_allclose(funnel["mean_days"], [3.5, 12.6, 37 / 3, 55 / 3, 3.5], rtol=1e-15)
    assert funnel["median_days"].tolist() == [3.0, 10.0, 13.0, 10.0, 3.5]
    _assert_equal(funnel, stage_funnel(GOLDEN, stages=STAGES, as_of=AS_OF))


def test_the_hand_counted_times_on_every_engine(engine: str) -> None:
    # time_in_stage's docstring example, by hand: A spends 2 + 1.5 = 3.5 days in Lead
    # over two visits and 2 days in its first Demo; its second Demo is open since
    # 03-06 12:00, 3.5 days before as_of 03-10. B spends 2 days in Lead.
    history = _frame(
        [
            ("A", "Lead", "2024-03-01 00:00", "2024-03-03 00:00"),
            ("A", "Demo", "2024-03-03 00:00", "2024-03-05 00:00"),
            ("A", "Lead", "2024-03-05 00:00", "2024-03-06 12:00"),
            ("A", "Demo", "2024-03-06 12:00", None),
            ("B", "Lead", "2024-03-02 00:00", "2024-03-04 00:00"),
        ]
    )
    table = time_in_stage(to_engine(history, engine), as_of=pd.Timestamp("2024-03-10"))
    # By deal id, then stage: Demo before Lead.
    assert list(table.index) == [("A", "Demo"), ("A", "Lead"), ("B", "Lead")]
    assert table["days"].tolist() == [2.0, 3.5, 2.0]
    assert table["current_days"].tolist()[0] == 3.5
    assert table["current_days"].isna().tolist() == [False, True, True]
    assert table["visits"].tolist() == [2, 2, 1]
    _assert_equal(table, time_in_stage(history, as_of=pd.Timestamp("2024-03-10")).sort_index())


def test_time_in_stage_is_sorted_on_an_engine() -> None:
    pl = pytest.importorskip("polars")
    # pandas keeps the pairs in order of first appearance (D7 before D1 here); an
    # engine frame has none, so there the pairs follow their deal ids and stages.
    history = GOLDEN.iloc[::-1].reset_index(drop=True)
    want = time_in_stage(history, as_of=AS_OF)
    assert want.index[0] == ("D7", N)
    got = time_in_stage(pl.from_pandas(history), as_of=AS_OF)
    assert got.index[0] == ("D1", W)
    _assert_equal(got, want.sort_index())


# ------------------------------------------------------------------ random histories

FUNNEL = ["Lead", "Qualified", "Demo", "Proposal", "Won"]
NAMES = {"deal_id": "opp", "stage": "step", "entered": "start", "exited": "end"}


def _history(*, closed: bool = False, unknown: bool = False) -> pd.DataFrame:
    """Visits of 80 deals under other column names, in shuffled order.

    Deals start at the first or second stage, move on, skip a stage or go back a
    stage; some end open, some in "Closed Lost" or "On Hold" (outside the funnel).
    Times to the second. ``closed``: no open visit; ``unknown``: one completed visit
    without its entry.
    """
    rng = np.random.default_rng(20261204)
    rows: list[tuple[Any, ...]] = []
    for number in range(80):
        deal = f"O{number:03d}"
        when = pd.Timestamp("2024-01-01") + pd.Timedelta(seconds=int(rng.integers(0, 150 * 86_400)))
        position = int(rng.integers(0, 2))
        steps = int(rng.integers(1, 7))
        for step in range(steps):
            spent = pd.Timedelta(seconds=int(rng.integers(3_600, 40 * 86_400)))
            still = step == steps - 1 and not closed and rng.random() < 0.5
            rows.append((deal, FUNNEL[position], when, None if still else when + spent))
            when += spent
            position = min(max(position + int(rng.choice([-1, 1, 1, 2])), 0), len(FUNNEL) - 1)
        if rows[-1][3] is not None and rng.random() < 0.3:
            other = "Closed Lost" if number % 2 else "On Hold"
            rows.append((deal, other, when, when + pd.Timedelta(days=3) if closed else None))
    history = _frame(rows)
    if unknown:
        history.loc[4, "entered"] = pd.NaT
        assert history["exited"].notna().iloc[4]
    history = history.sample(frac=1.0, random_state=3).reset_index(drop=True)
    return history.rename(columns=NAMES)


LATER = pd.Timestamp("2024-12-31 18:00")
FUNNEL_OPTIONS: list[dict[str, Any]] = [
    {"other_stages": "ignore"},
    {"other_stages": "ignore", "as_of": LATER},
    {"other_stages": "ignore", "as_of": LATER.tz_localize("Europe/Oslo"), "unknown": True},
    {"stages": ["Qualified", "Demo"], "other_stages": "ignore", "as_of": LATER},
]


# Every option on Polars' lazy frames and DuckDB, two on Polars' eager frames.
FUNNEL_CASES = [
    *((engine, number) for engine in ("polars-lazy", "duckdb") for number in range(4)),
    ("polars", 0),
    ("polars", 2),
]


@pytest.mark.parametrize(
    ("engine", "case"),
    FUNNEL_CASES,
    indirect=["engine"],
    ids=[f"{engine}-{('completed', 'as_of', 'aware', 'short')[n]}" for engine, n in FUNNEL_CASES],
)
def test_funnel_equal_to_the_pandas_path(engine: str, case: int) -> None:
    options = {"stages": FUNNEL, **NAMES, **FUNNEL_OPTIONS[case]}
    history = _history(unknown=options.pop("unknown", False))
    want = stage_funnel(history, **options)
    got = stage_funnel(to_engine(history, engine), **options)
    _assert_equal(got, want)
    # The data holds what the cases are about: skipped stages, deals in progress.
    assert want["reached"].iloc[0] > want["timed"].iloc[0] or "as_of" in options
    assert want["in_progress"].sum() > 0


@pytest.mark.parametrize("engine", IN_PROCESS, indirect=True)
@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_times_equal_to_the_pandas_path(engine: str, closed: bool) -> None:
    history = _history(closed=closed, unknown=closed)
    options: dict[str, Any] = {**NAMES, **({} if closed else {"as_of": LATER})}
    want = time_in_stage(history, **options).sort_index()
    got = time_in_stage(to_engine(history, engine), **options)
    _assert_equal(got, want)
    assert (want["visits"] > 1).any()  # repeat visits summed
    assert want["days"].isna().sum() == (1 if closed else 0)


# ------------------------------------------------------------------ public data


def _maven_history() -> pd.DataFrame:
    """Maven Analytics' public opportunities as visits.

    Provenance: Maven Analytics' "CRM Sales Opportunities" (sales_pipeline.csv), its
    header and first 30 rows: tests/fixtures/real/maven_sales_pipeline.csv (see
    harness.maven_deals). Each opportunity is engaged from its engage_date
    ("Engaging") until its close_date, when it enters its deal_stage, "Won" or
    "Lost"; the two still engaging have one open visit.
    """
    raw = pd.read_csv(MAVEN, dtype=str)
    engaged = pd.to_datetime(raw["engage_date"]).astype("datetime64[ns]")
    closed = pd.to_datetime(raw["close_date"]).astype("datetime64[ns]")
    done = closed.notna()
    return pd.DataFrame(
        {
            "deal_id": pd.concat([raw["opportunity_id"], raw["opportunity_id"][done]]),
            "stage": pd.concat([pd.Series("Engaging", index=raw.index), raw["deal_stage"][done]]),
            "entered": pd.concat([engaged, closed[done]]),
            "exited": pd.concat(
                [closed, pd.Series(pd.NaT, index=raw.index[done], dtype=closed.dtype)]
            ),
        }
    ).reset_index(drop=True)


@pytest.mark.parametrize("engine", ["polars-lazy", "duckdb"], indirect=True)
def test_public_opportunities(engine: str) -> None:
    history = _maven_history()
    native = to_engine(history, engine)
    funnel = stage_funnel(native, stages=["Engaging", "Won"], other_stages="ignore")
    _assert_equal(funnel, stage_funnel(history, stages=["Engaging", "Won"], other_stages="ignore"))
    # By hand from the CSV's 30 rows: 23 Won, 5 Lost, 2 still Engaging (HAXMC4IX,
    # UP409DSB). All 30 reached Engaging, 23 advanced; 7 dropped there, 2 of them in
    # progress (the Lost deals' open visits lie outside the funnel); the 28 closed
    # ones are timed, e.g. 1C1I7A6R engaged 2016-10-20 to 2017-03-01, 132 days.
    assert funnel["reached"].tolist() == [30, 23]
    assert funnel["dropped"].tolist() == [7, 0]
    assert funnel["in_progress"].tolist() == [2, 0]
    assert funnel["timed"].tolist() == [28, 0]
    as_of = pd.Timestamp("2017-04-01")
    times = time_in_stage(native, as_of=as_of)
    _assert_equal(times, time_in_stage(history, as_of=as_of).sort_index())
    assert times.loc[("1C1I7A6R", "Engaging"), "days"] == 132.0
    assert times.loc[("1C1I7A6R", "Won"), "current_days"] == 31.0  # 03-01 to 04-01


def test_the_sample_crm() -> None:
    pl = pytest.importorskip("polars")
    # The sample CRM's stage history (salescore.datasets.sample, seed 0): 5,000 deals,
    # 17,516 visits, every deal ending open in Closed Won or Closed Lost.
    history = sample().stage_history
    lazy = pl.from_pandas(history).lazy()
    options: dict[str, Any] = {"stages": STAGES, "other_stages": "ignore"}
    _assert_equal(stage_funnel(lazy, **options), stage_funnel(history, **options))
    as_of = pd.Timestamp("2026-01-01")
    _assert_equal(
        time_in_stage(lazy, as_of=as_of), time_in_stage(history, as_of=as_of).sort_index()
    )


@pytest.mark.parametrize("engine", ["polars", "duckdb"], indirect=True)
def test_an_empty_history(engine: str) -> None:
    empty = GOLDEN.iloc[:0]
    _assert_equal(
        stage_funnel(to_engine(empty, engine), stages=STAGES), stage_funnel(empty, stages=STAGES)
    )
    _assert_equal(time_in_stage(to_engine(empty, engine)), time_in_stage(empty))


def test_categories_integers_and_aware_columns() -> None:
    pl = pytest.importorskip("polars")
    # Categorical stages and ids; aware columns in one zone, an as_of in another;
    # then integer deal ids beside aware entries and naive exits (read in UTC).
    history = GOLDEN.assign(
        entered=GOLDEN["entered"].dt.tz_localize("Europe/Oslo"),
        exited=GOLDEN["exited"].dt.tz_localize("Europe/Oslo"),
    )
    native = pl.from_pandas(history).with_columns(
        pl.col("stage").cast(pl.Categorical), pl.col("deal_id").cast(pl.Categorical)
    )
    as_of = pd.Timestamp("2024-02-10 09:00", tz="Asia/Tokyo")
    _assert_equal(
        stage_funnel(native, stages=STAGES, as_of=as_of),
        stage_funnel(history, stages=STAGES, as_of=as_of),
    )
    _assert_equal(
        time_in_stage(native, as_of=as_of), time_in_stage(history, as_of=as_of).sort_index()
    )
    mixed = history.assign(
        deal_id=GOLDEN["deal_id"].str[1:].astype("int64"), exited=GOLDEN["exited"]
    )
    _assert_equal(
        time_in_stage(pl.from_pandas(mixed), as_of=AS_OF),
        time_in_stage(mixed, as_of=AS_OF).sort_index(),
    )


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize("engine", ["polars", "duckdb"], indirect=True)
def test_refusals_name_the_columns(engine: str) -> None:
    native = to_engine(GOLDEN.assign(text="x", when=GOLDEN["entered"]), engine)
    with pytest.raises(SchemaError, match=r"stage_history: missing column 'opened'"):
        time_in_stage(native, entered="opened")
    with pytest.raises(SchemaError, match=r"column 'text' must hold datetimes"):
        stage_funnel(native, stages=STAGES, exited="text")
    with pytest.raises(SchemaError, match=r"must name four different columns"):
        stage_funnel(native, stages=STAGES, exited="entered")
    with pytest.raises(SchemaError, match=r"column 'when' has dtype .*text .* or integers"):
        time_in_stage(native, deal_id="when")


def _refused(history: pd.DataFrame, engine: str, call: str, message: str, **options: Any) -> None:
    """Both paths refuse ``history`` with ``message``."""
    function = stage_funnel if call == "funnel" else time_in_stage
    if call == "funnel":
        options = {"stages": STAGES, **options}
    for frame in (history, to_engine(history, engine)):
        with pytest.raises(InvalidInputError, match=message):
            function(frame, **options)


@pytest.mark.parametrize("engine", ["polars", "duckdb"], indirect=True)
def test_refusals_name_the_rows(engine: str) -> None:
    missing_stage = GOLDEN.assign(stage=GOLDEN["stage"].where(GOLDEN.index != 3, None))
    _refused(
        missing_stage, engine, "funnel", r"history: 'stage' is missing in 1 row \(1 deal: 'D1'\)"
    )
    backwards = GOLDEN.copy()
    backwards.loc[[13, 15], "exited"] = pd.Timestamp("2023-12-01")
    _refused(
        backwards,
        engine,
        "times",
        r"history: 'exited' is before 'entered' in 2 rows \(2 deals: 'D3', 'D4'\)",
        as_of=AS_OF,
    )
    crowded = GOLDEN.copy()
    crowded.loc[[0, 16], "exited"] = pd.NaT
    _refused(
        crowded,
        engine,
        "funnel",
        r"more than one visit with no 'exited' \(2 deals: 'D1', 'D5'\); give the earlier",
    )
    _refused(
        GOLDEN, engine, "times", r"history has open visits, .* \(4 deals: 'D1', 'D2', 'D5', 'D7'\)"
    )
    _refused(
        GOLDEN,
        engine,
        "funnel",
        r"as_of \(2024-02-05 00:00:00\) is before the entry of the open visit of 1 deal: 'D2'",
        as_of=pd.Timestamp("2024-02-05"),
    )
    lost = pd.concat(
        [GOLDEN, _frame([("D6", "Lost", "2024-01-11", None), ("D4", "Hold", "2024-01-12", None)])],
        ignore_index=True,
    )
    _refused(
        lost,
        engine,
        "funnel",
        r"history: 2 stages not in stages: '(Hold|Lost)', '(Hold|Lost)' \(2 deals: '(D4|D6)'",
    )
    _refused(lost, engine, "funnel", r"as_of must be a timestamp .*; got str", as_of="2024-03-01")
    far = GOLDEN.copy()
    far.loc[0, "entered"] = pd.Timestamp("1700-01-01")
    _refused(
        far,
        engine,
        "funnel",
        r"'exited' and 'entered' are more than 292 years apart, .* in 1 row \(1 deal: 'D1'\)",
    )
    old = GOLDEN.copy()
    old.loc[4, "entered"] = pd.Timestamp("1700-01-01")
    _refused(
        old,
        engine,
        "funnel",
        r"as_of \(2024-02-10 00:00:00\) and 'entered' of the open visit are more than 292 years",
        as_of=AS_OF,
    )


@pytest.mark.parametrize("engine", ["polars", "duckdb"], indirect=True)
def test_a_missing_deal_id_is_named_by_its_row(engine: str) -> None:
    history = GOLDEN.assign(deal_id=GOLDEN["deal_id"].where(GOLDEN.index != 6, None))
    # pandas names the row's position; an engine frame has none: its stage and entry.
    with pytest.raises(
        InvalidInputError, match=r"'deal_id' is missing in 1 row \(0-based positions: 6\)"
    ):
        stage_funnel(history, stages=STAGES)
    with pytest.raises(
        InvalidInputError,
        match=r"'deal_id' is missing in 1 row \(for example stage='Qualification', entered=",
    ):
        stage_funnel(to_engine(history, engine), stages=STAGES)


def test_what_an_engine_cannot_compare_is_refused() -> None:
    pl = pytest.importorskip("polars")
    dated = pl.from_pandas(GOLDEN).with_columns(pl.col("entered").cast(pl.Date))
    with pytest.raises(SchemaError, match=r"column 'entered' must hold datetimes .* Date"):
        time_in_stage(dated, as_of=AS_OF)
    flags = pl.from_pandas(GOLDEN.assign(stage=GOLDEN["stage"] == P))
    with pytest.raises(SchemaError, match=r"the stages must be text .* or numbers"):
        stage_funnel(flags, stages=[True, False])


# ------------------------------------------------------------------ random rows


@settings(max_examples=min(settings().max_examples, 40), deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 5),  # deal
            st.sampled_from([*STAGES[:3], "Lost"]),
            st.one_of(st.none(), st.integers(0, 30 * 24)),  # entered, hours after 2024-01-01
            st.integers(0, 10 * 24),  # hours spent
            st.booleans(),  # still open
        ),
        max_size=30,
    ),
    with_as_of=st.booleans(),
)
def test_random_histories_equal_the_pandas_path(
    rows: list[tuple[int, str, int | None, int, bool]], with_as_of: bool
) -> None:
    # Oracle: the pandas path, whose own tests count against the rows. At most one
    # open visit per deal (the others are refused on both paths, tested above).
    pl = pytest.importorskip("polars")
    seen: set[int] = set()
    visits = []
    for deal, stage, hours, spent, still in rows:
        start = None if hours is None else pd.Timestamp("2024-01-01") + pd.Timedelta(hours=hours)
        open_ = still and deal not in seen
        seen |= {deal} if open_ else set()
        end = (
            None if open_ else pd.Timestamp("2024-01-01") + pd.Timedelta(hours=(hours or 0) + spent)
        )
        visits.append((f"D{deal}", stage, start, end))
    history = _frame(visits)
    as_of = pd.Timestamp("2024-03-01") if with_as_of else None
    native = pl.from_pandas(history)
    options: dict[str, Any] = {"stages": STAGES[:3], "other_stages": "ignore", "as_of": as_of}
    _assert_equal(stage_funnel(native, **options), stage_funnel(history, **options))
    if with_as_of or not seen:
        want = time_in_stage(history, as_of=as_of).sort_index()
        _assert_equal(time_in_stage(native, as_of=as_of), want)
