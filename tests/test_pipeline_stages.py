"""Tests of salescore.pipeline.stages: golden funnels, properties, validation."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore import InvalidInputError, SchemaError
from salescore.pipeline.stages import stage_funnel, time_in_stage

STAGES = ["Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won"]
P, Q, PR, N, W = STAGES
AS_OF = pd.Timestamp("2024-02-10")
COLUMNS = ["deal_id", "stage", "entered", "exited"]

Row = tuple[Any, Any, Any, Any]


def _frame(rows: list[Row], index: pd.Index[Any] | None = None) -> pd.DataFrame:
    """A canonical stage history; dates as "YYYY-MM-DD" strings, None for NaT."""
    return pd.DataFrame(
        {
            "deal_id": pd.Series([r[0] for r in rows], dtype=object),
            "stage": pd.Series([r[1] for r in rows], dtype=object),
            "entered": pd.Series([r[2] for r in rows], dtype="datetime64[ns]"),
            "exited": pd.Series([r[3] for r in rows], dtype="datetime64[ns]"),
        },
        index=index,
    )


def _stamp(text: str | None) -> pd.Timestamp | None:
    return None if text is None else pd.Timestamp(text)


def _golden_rows() -> list[Row]:
    rows = [
        # D1 walks the whole funnel and is still in Closed Won.
        ("D1", P, "2024-01-01", "2024-01-05"),
        ("D1", Q, "2024-01-05", "2024-01-15"),
        ("D1", PR, "2024-01-15", "2024-01-25"),
        ("D1", N, "2024-01-25", "2024-02-04"),
        ("D1", W, "2024-02-04", None),
        # D2 goes back from Proposal to Qualification once: repeat visits.
        ("D2", P, "2024-01-02", "2024-01-04"),
        ("D2", Q, "2024-01-04", "2024-01-10"),
        ("D2", PR, "2024-01-10", "2024-01-13"),
        ("D2", Q, "2024-01-13", "2024-01-20"),
        ("D2", PR, "2024-01-20", "2024-01-30"),
        ("D2", N, "2024-01-30", "2024-02-09"),
        ("D2", W, "2024-02-09", None),
        # D3 skips Qualification and leaves the funnel after Proposal.
        ("D3", P, "2024-01-03", "2024-01-06"),
        ("D3", PR, "2024-01-06", "2024-01-20"),
        # D4 leaves after Qualification.
        ("D4", P, "2024-01-01", "2024-01-09"),
        ("D4", Q, "2024-01-09", "2024-01-12"),
        # D5 is still in Qualification.
        ("D5", P, "2024-01-05", "2024-01-08"),
        ("D5", Q, "2024-01-08", None),
        # D6 leaves after Prospecting.
        ("D6", P, "2024-01-10", "2024-01-11"),
        # D7 enters at Qualification, skips Proposal and is still in Negotiation.
        ("D7", Q, "2024-01-02", "2024-01-06"),
        ("D7", N, "2024-01-06", None),
    ]
    return [(d, s, _stamp(a), _stamp(b)) for d, s, a, b in rows]


def _golden() -> pd.DataFrame:
    return _frame(_golden_rows())


# ----------------------------------------------------------------- golden funnel

# Worked by hand. The furthest stage each deal reached: D1 Closed Won, D2 Closed Won,
# D3 Proposal, D4 Qualification, D5 Qualification, D6 Prospecting, D7 Negotiation.
# A deal reaches every stage up to its furthest (D3 passed Qualification, D7 passed
# Prospecting and Proposal), so
#   reached     = P 7, Q 6, Pr 4, N 3, W 2
#   advanced    = P 6, Q 4, Pr 3, N 2, W 2 (the last stage: everyone who reached it)
#   conversion  = 6/7, 4/6, 3/4, 2/3, NaN
#   dropped     = 1 (D6), 2 (D4, D5), 1 (D3), 1 (D7), 0
#   drop_share  = 1/7, 2/6, 1/4, 1/3, NaN
#   in_progress = 0, 1 (D5 is still in Qualification), 0, 1 (D7 in Negotiation), 0
# Days in stage, completed visits only (a deal still in a stage is not timed there):
#   P:  D1 4, D2 2, D3 3, D4 8, D5 3, D6 1   → mean 21/6 = 3.5, median (3 + 3)/2 = 3
#   Q:  D1 10, D2 6 + 7 = 13, D4 3, D7 4     → mean 30/4 = 7.5, median (4 + 10)/2 = 7
#       (D5 is still there)
#   Pr: D1 10, D2 3 + 10 = 13, D3 14        → mean 37/3, median 13
#   N:  D1 10, D2 10 (D7 is still there)    → mean 10, median 10
#   W:  nobody has left                       → NaN, NaN
# With as_of = 2024-02-10 the open visits count up to as_of:
#   Q: + D5 Jan 8 → Feb 10 = 33  → [10, 13, 3, 33, 4], mean 63/5 = 12.6, median 10
#   N: + D7 Jan 6 → Feb 10 = 35  → [10, 10, 35], mean 55/3, median 10
#   W: D1 Feb 4 → Feb 10 = 6, D2 Feb 9 → Feb 10 = 1 → mean 3.5, median 3.5


def test_stage_funnel_by_hand() -> None:
    funnel = stage_funnel(_golden(), stages=STAGES)
    assert list(funnel.index) == STAGES
    assert funnel.index.name == "stage"
    assert funnel["reached"].tolist() == [7, 6, 4, 3, 2]
    assert funnel["advanced"].tolist() == [6, 4, 3, 2, 2]
    assert funnel["dropped"].tolist() == [1, 2, 1, 1, 0]
    assert funnel["in_progress"].tolist() == [0, 1, 0, 1, 0]
    assert funnel["timed"].tolist() == [6, 4, 3, 2, 0]
    np.testing.assert_allclose(
        funnel["conversion"], [6 / 7, 4 / 6, 3 / 4, 2 / 3, np.nan], rtol=1e-15
    )
    np.testing.assert_allclose(
        funnel["drop_share"], [1 / 7, 2 / 6, 1 / 4, 1 / 3, np.nan], rtol=1e-15
    )
    np.testing.assert_allclose(funnel["mean_days"], [3.5, 7.5, 37 / 3, 10.0, np.nan], rtol=1e-15)
    np.testing.assert_allclose(funnel["median_days"], [3.0, 7.0, 13.0, 10.0, np.nan])


def test_stage_funnel_by_hand_with_open_visits() -> None:
    funnel = stage_funnel(_golden(), stages=STAGES, as_of=AS_OF)
    assert funnel["reached"].tolist() == [7, 6, 4, 3, 2]  # as_of changes no count
    assert funnel["timed"].tolist() == [6, 5, 3, 3, 2]
    np.testing.assert_allclose(funnel["mean_days"], [3.5, 12.6, 37 / 3, 55 / 3, 3.5], rtol=1e-15)
    np.testing.assert_allclose(funnel["median_days"], [3.0, 10.0, 13.0, 10.0, 3.5])


def test_stage_funnel_output_types() -> None:
    funnel = stage_funnel(_golden(), stages=STAGES)
    counts = ["reached", "advanced", "dropped", "in_progress", "timed"]
    assert list(funnel.columns) == [
        "reached",
        "advanced",
        "conversion",
        "dropped",
        "drop_share",
        "in_progress",
        "timed",
        "mean_days",
        "median_days",
    ]
    for column in funnel.columns:
        assert funnel[column].dtype == (np.int64 if column in counts else np.float64), column


def test_stage_funnel_ignores_other_stages_only_when_asked() -> None:
    # D3 and D4 are lost; D9 never entered the funnel at all.
    lost = [
        ("D3", "Closed Lost", pd.Timestamp("2024-01-20"), None),
        ("D4", "Closed Lost", pd.Timestamp("2024-01-12"), None),
        ("D9", "Closed Lost", pd.Timestamp("2024-01-15"), None),
    ]
    history = _frame(_golden_rows() + lost)
    with pytest.raises(InvalidInputError, match=r"1 stage not in stages: 'Closed Lost' \(3 deals"):
        stage_funnel(history, stages=STAGES)
    funnel = stage_funnel(history, stages=STAGES, other_stages="ignore")
    # The lost deals' open visits lie outside the funnel, so they are not in progress.
    pd.testing.assert_frame_equal(funnel, stage_funnel(_golden(), stages=STAGES))


def test_stage_funnel_on_a_shorter_funnel() -> None:
    # Only the first two stages, the rest ignored: D3's Proposal row is left out, so D3
    # now stops at Prospecting; D1, D2, D4, D5 and D7 reach Qualification.
    funnel = stage_funnel(_golden(), stages=[P, Q], other_stages="ignore")
    assert funnel["reached"].tolist() == [7, 5]
    assert funnel["advanced"].tolist() == [5, 5]
    assert funnel["in_progress"].tolist() == [0, 0]
    assert funnel["conversion"].tolist()[0] == pytest.approx(5 / 7)
    assert math.isnan(funnel["conversion"].tolist()[1])
    # One stage: everyone who reached it; no rate.
    single = stage_funnel(_golden(), stages=[P], other_stages="ignore")
    assert single["reached"].tolist() == [6]  # D7 never visited Prospecting or beyond it
    assert single["dropped"].tolist() == [0]


def test_stage_funnel_takes_other_names_and_any_index() -> None:
    history = _golden().rename(
        columns={"deal_id": "OpportunityId", "stage": "StageName", "entered": "In", "exited": "Out"}
    )
    history.index = pd.Index([3] * len(history))  # a repeated index is not used
    funnel = stage_funnel(
        history,
        stages=STAGES,
        deal_id="OpportunityId",
        stage="StageName",
        entered="In",
        exited="Out",
    )
    assert funnel.index.name == "StageName"
    assert funnel["reached"].tolist() == [7, 6, 4, 3, 2]


def test_stage_funnel_on_an_empty_history() -> None:
    funnel = stage_funnel(_frame([]), stages=STAGES)
    assert funnel["reached"].tolist() == [0] * 5
    assert funnel["conversion"].isna().all()
    assert funnel["mean_days"].isna().all()
    assert funnel["reached"].dtype == np.int64


def test_stage_funnel_does_not_mutate_its_input() -> None:
    history = _golden()
    before = history.copy()
    stage_funnel(history, stages=STAGES, as_of=AS_OF)
    time_in_stage(history, as_of=AS_OF)
    pd.testing.assert_frame_equal(history, before)


def test_unknown_entry_propagates_nan_and_keeps_the_deal() -> None:
    history = _golden()
    history.loc[history.index[-2], "entered"] = pd.NaT  # D7's Qualification visit
    funnel = stage_funnel(history, stages=STAGES)
    assert funnel["reached"].tolist() == [7, 6, 4, 3, 2]
    assert funnel["timed"].tolist() == [6, 4, 3, 2, 0]
    assert funnel[["mean_days", "median_days"]].loc[Q].isna().all()
    assert funnel.loc[P, "mean_days"] == 3.5
    table = time_in_stage(history, as_of=AS_OF)
    assert np.isnan(table["days"].loc[("D7", Q)])
    assert table.loc[("D7", Q), "visits"] == 1


def test_categorical_and_tz_aware_columns() -> None:
    history = _golden()
    history["stage"] = pd.Categorical(history["stage"], categories=[*STAGES, "Closed Lost"])
    history["deal_id"] = history["deal_id"].astype("category")
    history["entered"] = history["entered"].dt.tz_localize("Europe/Oslo")
    history["exited"] = history["exited"].dt.tz_localize("Europe/Oslo")
    as_of = AS_OF.tz_localize("Europe/Oslo")
    # The unused category "Closed Lost" is no stage of any row, so nothing is refused.
    funnel = stage_funnel(history, stages=STAGES, as_of=as_of)
    np.testing.assert_allclose(funnel["mean_days"], [3.5, 12.6, 37 / 3, 55 / 3, 3.5], rtol=1e-15)
    table = time_in_stage(history, as_of=as_of.tz_convert("UTC"))  # any time zone
    assert table.loc[("D5", Q), "current_days"] == 33.0
    assert len(table) == 19


def test_aware_beside_naive_is_read_in_utc() -> None:
    # The timestamp convention: a naive timestamp means UTC, and an aware column or
    # as_of beside a naive one is converted to UTC. These used to be refused. The
    # golden history read as UTC gives the golden figures, whichever side is aware.
    naive = _golden()
    expected = time_in_stage(naive, as_of=AS_OF)
    in_oslo = naive["entered"].dt.tz_localize("UTC").dt.tz_convert("Europe/Oslo")
    mixed = naive.assign(entered=in_oslo)  # aware entered, naive exited
    pd.testing.assert_frame_equal(time_in_stage(mixed, as_of=AS_OF), expected)
    funnel = stage_funnel(naive, stages=STAGES, as_of=AS_OF)
    pd.testing.assert_frame_equal(stage_funnel(mixed, stages=STAGES, as_of=AS_OF), funnel)
    # as_of aware (09:00 in Oslo is 08:00 UTC) beside naive columns ...
    later = time_in_stage(naive, as_of=pd.Timestamp("2024-02-10 09:00", tz="Europe/Oslo"))
    assert later.loc[("D5", Q), "current_days"] == 33.0 + 8 / 24  # 8 Jan to 10 Feb 08:00
    # ... and naive as_of beside aware columns: the columns are read in UTC.
    aware = naive.assign(entered=in_oslo, exited=naive["exited"].dt.tz_localize("UTC"))
    pd.testing.assert_frame_equal(time_in_stage(aware, as_of=AS_OF), expected)


# ------------------------------------------------------------- golden time_in_stage

# Worked by hand at as_of = 2024-02-10, in order of first appearance:
GOLDEN_TIMES = [
    # deal, stage, days (completed visits), current_days, visits
    ("D1", P, 4.0, math.nan, 1),
    ("D1", Q, 10.0, math.nan, 1),
    ("D1", PR, 10.0, math.nan, 1),
    ("D1", N, 10.0, math.nan, 1),
    ("D1", W, 0.0, 6.0, 1),  # Feb 4 → Feb 10, still open
    ("D2", P, 2.0, math.nan, 1),
    ("D2", Q, 13.0, math.nan, 2),  # 6 + 7
    ("D2", PR, 13.0, math.nan, 2),  # 3 + 10
    ("D2", N, 10.0, math.nan, 1),
    ("D2", W, 0.0, 1.0, 1),  # Feb 9 → Feb 10
    ("D3", P, 3.0, math.nan, 1),
    ("D3", PR, 14.0, math.nan, 1),
    ("D4", P, 8.0, math.nan, 1),
    ("D4", Q, 3.0, math.nan, 1),
    ("D5", P, 3.0, math.nan, 1),
    ("D5", Q, 0.0, 33.0, 1),  # Jan 8 → Feb 10
    ("D6", P, 1.0, math.nan, 1),
    ("D7", Q, 4.0, math.nan, 1),
    ("D7", N, 0.0, 35.0, 1),  # Jan 6 → Feb 10
]


def test_time_in_stage_by_hand() -> None:
    table = time_in_stage(_golden(), as_of=AS_OF)
    assert table.index.names == ["deal_id", "stage"]
    assert list(table.columns) == ["days", "current_days", "visits"]
    assert list(table.index) == [(d, s) for d, s, *_ in GOLDEN_TIMES]
    np.testing.assert_array_equal(table["days"], [row[2] for row in GOLDEN_TIMES])
    np.testing.assert_array_equal(table["current_days"], [row[3] for row in GOLDEN_TIMES])
    assert table["visits"].tolist() == [row[4] for row in GOLDEN_TIMES]
    assert table["days"].dtype == np.float64
    assert table["current_days"].dtype == np.float64
    assert table["visits"].dtype == np.int64
    assert table["visits"].sum() == len(_golden())


def test_time_in_stage_counts_fractions_of_a_day() -> None:
    history = _frame(
        [
            ("A", P, pd.Timestamp("2024-03-01 06:00"), pd.Timestamp("2024-03-02 18:00")),
            ("A", Q, pd.Timestamp("2024-03-02 18:00"), None),
        ]
    )
    table = time_in_stage(history, as_of=pd.Timestamp("2024-03-03 00:00"))
    assert table.loc[("A", P), "days"] == 1.5  # 36 hours
    assert table.loc[("A", Q), "current_days"] == 0.25  # 6 hours


def test_time_in_stage_without_open_visits_needs_no_as_of() -> None:
    closed = _golden().dropna(subset=["exited"])
    table = time_in_stage(closed)
    assert table["current_days"].isna().all()
    assert table.loc[("D2", Q), "days"] == 13.0


@pytest.mark.parametrize(
    "as_of",
    [
        pd.Timestamp("2024-02-10"),
        dt.datetime(2024, 2, 10),
        dt.date(2024, 2, 10),
        np.datetime64("2024-02-10T00:00"),
    ],
    ids=["Timestamp", "datetime", "date", "datetime64"],
)
def test_as_of_accepts_every_timestamp_kind(as_of: Any) -> None:
    assert time_in_stage(_golden(), as_of=as_of).loc[("D5", Q), "current_days"] == 33.0


def test_time_in_stage_on_an_empty_history() -> None:
    table = time_in_stage(_frame([]))
    assert table.empty
    assert list(table.columns) == ["days", "current_days", "visits"]
    assert table.index.names == ["deal_id", "stage"]


# ------------------------------------------------------------------- properties

BASE = pd.Timestamp("2024-01-01")
FUNNEL_STAGES = [*STAGES, "Closed Lost"]  # "Closed Lost" is outside the funnel


@st.composite
def histories(draw: Callable[[st.SearchStrategy[Any]], Any]) -> list[Row]:
    """Consistent histories: each deal's visits follow one another in time, in any
    order of stages (skips, returns, repeats), the last one possibly still open; the
    deals' rows interleaved."""
    drawn = draw(
        st.lists(
            st.tuples(
                st.integers(0, 9), st.sampled_from(FUNNEL_STAGES), st.integers(0, 60 * 24 * 40)
            ),
            max_size=40,
        )
    )
    open_deals = draw(st.sets(st.integers(0, 9)))
    last = {number: position for position, (number, _, _) in enumerate(drawn)}
    clocks: dict[int, pd.Timestamp] = {}
    rows: list[Row] = []
    for position, (number, label, minutes) in enumerate(drawn):
        start = clocks.get(number, BASE + pd.Timedelta(hours=17 * number))
        end = start + pd.Timedelta(minutes=minutes)
        still_open = number in open_deals and last[number] == position
        rows.append((f"D{number}", label, start, None if still_open else end))
        clocks[number] = end
    return rows


def _as_of_after(rows: list[Row]) -> pd.Timestamp:
    stamps = [stamp for row in rows for stamp in row[2:] if stamp is not None]
    return max(stamps, default=BASE) + pd.Timedelta(hours=5)


def _days(entered: pd.Timestamp, exited: pd.Timestamp) -> float:
    return float((exited - entered) / pd.Timedelta(days=1))


def _funnel_loop(
    rows: list[Row], stages: list[str], as_of: pd.Timestamp | None
) -> dict[str, list[int] | list[float]]:
    """The definitions, deal by deal."""
    furthest: dict[str, int] = {}
    in_funnel_open: dict[str, bool] = {}
    time: dict[tuple[str, int], float] = {}
    open_pair: set[tuple[str, int]] = set()
    for deal, label, entered, exited in rows:
        if label not in stages:
            continue
        k = stages.index(label)
        furthest[deal] = max(furthest.get(deal, -1), k)
        in_funnel_open[deal] = in_funnel_open.get(deal, False) or exited is None
        if exited is None:
            open_pair.add((deal, k))
            exited = as_of
        spent = math.nan if exited is None else _days(entered, exited)
        time[deal, k] = time.get((deal, k), 0.0) + spent
    size = len(stages)
    reached = [sum(1 for f in furthest.values() if f >= k) for k in range(size)]
    advanced = [*reached[1:], reached[-1]]
    dropped = [r - a for r, a in zip(reached, advanced, strict=True)]
    in_progress = [
        sum(1 for d, f in furthest.items() if f == k and in_funnel_open[d]) if k < size - 1 else 0
        for k in range(size)
    ]
    samples: list[list[float]] = [[] for _ in range(size)]
    for (deal, k), spent in time.items():
        if as_of is not None or (deal, k) not in open_pair:
            samples[k].append(spent)
    nan = math.nan
    return {
        "reached": reached,
        "advanced": advanced,
        "conversion": [a / r if r else nan for a, r in zip(advanced[:-1], reached, strict=False)]
        + [nan],
        "dropped": dropped,
        "drop_share": [d / r if r else nan for d, r in zip(dropped[:-1], reached, strict=False)]
        + [nan],
        "in_progress": in_progress,
        "timed": [len(s) for s in samples],
        "mean_days": [statistics.fmean(s) if s else nan for s in samples],
        "median_days": [statistics.median(s) if s else nan for s in samples],
    }


@given(histories(), st.booleans())
def test_stage_funnel_equals_a_plain_loop(rows: list[Row], with_as_of: bool) -> None:
    as_of = _as_of_after(rows) if with_as_of else None
    funnel = stage_funnel(_frame(rows), stages=STAGES, as_of=as_of, other_stages="ignore")
    expected = _funnel_loop(rows, STAGES, as_of)
    for column, values in expected.items():
        np.testing.assert_allclose(
            funnel[column].to_numpy(dtype=np.float64), values, rtol=1e-12, err_msg=column
        )


@given(histories())
def test_funnel_counts_are_consistent_and_order_free(rows: list[Row]) -> None:
    funnel = stage_funnel(_frame(rows), stages=STAGES, other_stages="ignore")
    reached = funnel["reached"].to_numpy()
    # Never more deals further down: skipped stages count as passed.
    assert (np.diff(reached) <= 0).all()
    assert (funnel["advanced"] + funnel["dropped"] == funnel["reached"]).all()
    assert (funnel["in_progress"] <= funnel["dropped"]).all()
    conversion = funnel["conversion"].dropna()
    assert ((conversion >= 0.0) & (conversion <= 1.0)).all()
    shares = funnel["drop_share"].dropna()
    assert ((shares >= 0.0) & (shares <= 1.0)).all()
    np.testing.assert_allclose(conversion + shares, 1.0, rtol=1e-15)
    # No deal is lost: every deal with a funnel row is counted at the top, and leaves
    # the funnel at exactly one stage or completes it.
    in_funnel = {row[0] for row in rows if row[1] in STAGES}
    assert reached[0] == len(in_funnel)
    assert funnel["dropped"].sum() + reached[-1] == reached[0]
    # The order of the rows does not matter.
    backward = stage_funnel(_frame(rows[::-1]), stages=STAGES, other_stages="ignore")
    pd.testing.assert_frame_equal(funnel, backward, rtol=1e-12)


@given(histories())
def test_time_in_stage_adds_up_the_visits(rows: list[Row]) -> None:
    as_of = _as_of_after(rows)
    table = time_in_stage(_frame(rows), as_of=as_of)
    # Every row is one visit of one (deal, stage) pair: none dropped, none invented.
    assert table["visits"].sum() == len(rows)
    assert set(table.index) == {(row[0], row[1]) for row in rows}
    assert table.index.is_unique
    total = (table["days"] + table["current_days"].fillna(0.0)).groupby(level="deal_id").sum()
    for deal, spent in total.items():
        visits = [
            _days(row[2], as_of if row[3] is None else row[3]) for row in rows if row[0] == deal
        ]
        assert spent == pytest.approx(math.fsum(visits), rel=1e-12, abs=1e-9)
    # The open visit's age is the only time a pair has without an exit.
    open_rows = {(row[0], row[1]): row[2] for row in rows if row[3] is None}
    for pair, current in table["current_days"].items():
        if pair in open_rows:
            assert current == pytest.approx(_days(open_rows[pair], as_of), rel=1e-15)
        else:
            assert math.isnan(current)


@given(histories())
def test_funnel_times_are_the_per_deal_times(rows: list[Row]) -> None:
    as_of = _as_of_after(rows)
    funnel = stage_funnel(_frame(rows), stages=STAGES, as_of=as_of, other_stages="ignore")
    table = time_in_stage(_frame(rows), as_of=as_of)
    total = table["days"] + table["current_days"].fillna(0.0)
    for label in STAGES:
        mine = total[total.index.get_level_values("stage") == label]
        assert funnel.loc[label, "timed"] == len(mine)
        if len(mine):
            assert funnel.loc[label, "mean_days"] == pytest.approx(mine.mean(), rel=1e-12)
            assert funnel.loc[label, "median_days"] == pytest.approx(mine.median(), rel=1e-12)


# ------------------------------------------------------------------- validation


def _bad(value: object) -> Any:
    """A value of the wrong type, passed on purpose."""
    return value


def _with(**columns: Any) -> pd.DataFrame:
    return _golden().assign(**columns)


def _altered(column: str, positions: list[int], value: Any) -> pd.DataFrame:
    history = _golden()
    history.loc[history.index[positions], column] = value
    return history


def _backwards(count: int) -> pd.DataFrame:
    rows = [
        (f"X{i}", P, pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-04")) for i in range(count)
    ]
    return _frame(_golden_rows() + rows)


SCHEMA_ERRORS = [
    (
        lambda: stage_funnel(_golden().drop(columns="exited"), stages=STAGES),
        r"missing column 'exited'",
    ),
    (lambda: time_in_stage(_bad([1, 2])), r"history must be a pandas DataFrame; got list"),
    (
        lambda: stage_funnel(_with(entered=_golden()["entered"].astype(str)), stages=STAGES),
        r"stage_history: column 'entered' must hold datetimes \(datetime64, naive or tz-aware\); "
        r"it has dtype (object|str)",
    ),
    (
        lambda: time_in_stage(_with(exited=1.0, entered=0)),
        r"stage_history: 2 problems:\n- column 'entered' must hold datetimes .* it has dtype "
        r"int64 .*\n- column 'exited' must hold datetimes .* it has dtype float64",
    ),
    (
        lambda: time_in_stage(_golden(), entered="exited"),
        r"entered='exited', exited='exited' must name four different columns",
    ),
]


@pytest.mark.parametrize(
    ("call", "message"), SCHEMA_ERRORS, ids=[f"{i:02d}" for i in range(len(SCHEMA_ERRORS))]
)
def test_schema_errors(call: Callable[[], object], message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        call()


INPUT_ERRORS = [
    (lambda: stage_funnel(_golden(), stages=[]), r"stages must list at least one stage"),
    (
        lambda: stage_funnel(_golden(), stages=set(STAGES)),
        r"stages must be ordered, first stage first \(a list or tuple\); got a set",
    ),
    (
        lambda: stage_funnel(_golden(), stages=[P, Q, P, W, Q]),
        r"stages must list each stage once, in funnel order; repeated: 'Prospecting', "
        r"'Qualification'$",
    ),
    (
        lambda: stage_funnel(_golden(), stages=_bad("Prospecting")),
        r"stages must be a list of stage labels in funnel order; got str",
    ),
    (lambda: stage_funnel(_golden(), stages=_bad(None)), r"stages must be a list .* got NoneType"),
    (lambda: stage_funnel(_golden(), stages=[P, None]), r"stages must hold stage labels; got None"),
    (
        lambda: stage_funnel(_golden(), stages=[P, _bad([Q])]),
        r"stages must hold stage labels; got \[",
    ),
    (
        lambda: stage_funnel(_golden(), stages=[P, Q, N, W]),
        r"history: 1 stage not in stages: 'Proposal' \(3 deals: 'D1', 'D2', 'D3'\); add them "
        r"to stages in funnel order, or pass other_stages='ignore'",
    ),
    (
        lambda: stage_funnel(_golden(), stages=[P], other_stages=_bad("drop")),
        r"other_stages must be one of 'raise', 'ignore'; got 'drop'",
    ),
    (
        lambda: stage_funnel(_altered("stage", [0], None), stages=STAGES),
        r"history: 'stage' is missing in 1 row \(1 deal: 'D1'\)",
    ),
    (
        lambda: time_in_stage(_altered("deal_id", [0, 1], None), as_of=AS_OF),
        r"history: 'deal_id' is missing in 2 rows \(0-based positions: 0, 1\)",
    ),
    (
        lambda: stage_funnel(_backwards(1), stages=STAGES),
        r"history: 'exited' is before 'entered' in 1 row \(1 deal: 'X0'\)$",
    ),
    (
        lambda: time_in_stage(_backwards(7), as_of=AS_OF),
        r"in 7 rows \(7 deals: 'X0', 'X1', 'X2', 'X3', 'X4', …\)$",
    ),
    (
        lambda: stage_funnel(
            _frame([*_golden_rows(), ("D1", N, pd.Timestamp("2024-02-05"), None)]),
            stages=STAGES,
        ),
        r"a deal is in one stage at a time, but some have more than one visit with no "
        r"'exited' \(1 deal: 'D1'\)",
    ),
    (
        lambda: time_in_stage(_golden()),
        r"history has open visits, with 'exited' NaT \(4 deals: 'D1', 'D2', 'D5', 'D7'\); "
        r"pass as_of=",
    ),
    (
        lambda: time_in_stage(_golden(), as_of=_bad("2024-02-10")),
        r"as_of must be a timestamp \(pandas.Timestamp, datetime or numpy.datetime64\); got str",
    ),
    (
        lambda: stage_funnel(_golden(), stages=STAGES, as_of=_bad(20240210)),
        r"as_of must be a timestamp .* got int 20240210",
    ),
    (lambda: time_in_stage(_golden(), as_of=_bad(pd.NaT)), r"as_of must be a timestamp; got NaT"),
    (
        lambda: stage_funnel(_golden(), stages=STAGES, as_of=pd.Timestamp("2024-02-05")),
        r"as_of \(2024-02-05 00:00:00\) is before the entry of the open visit of "
        r"1 deal: 'D2'$",
    ),
]


@pytest.mark.parametrize(
    ("call", "message"), INPUT_ERRORS, ids=[f"{i:02d}" for i in range(len(INPUT_ERRORS))]
)
def test_bad_input_is_named(call: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message) as caught:
        call()
    assert not isinstance(caught.value, SchemaError)


def test_errors_are_value_errors() -> None:
    with pytest.raises(ValueError, match="stages"):
        stage_funnel(_golden(), stages=[])


# ------------------------------------------------------------ hostile inputs (issue 14)


def _both(history: pd.DataFrame, **options: Any) -> list[Callable[[], object]]:
    return [
        lambda: time_in_stage(history, **options),
        lambda: stage_funnel(history, stages=[P, Q], **options),
    ]


@pytest.mark.parametrize("which", [0, 1], ids=["time_in_stage", "stage_funnel"])
def test_an_open_visit_too_far_from_as_of_is_named(which: int) -> None:
    # Entered 1677-09-22 00:00:01, as_of 2024: 346 years, more than a nanosecond
    # timedelta holds (292 years); pandas raised OverflowError.
    history = _frame([("D1", P, "1677-09-22 00:00:01", None), ("D2", Q, "2024-01-02", None)])
    call = _both(history, as_of=pd.Timestamp("2024-01-03"))[which]
    with pytest.raises(InvalidInputError, match=r"more than 292 years apart.*'D1'"):
        call()


@pytest.mark.parametrize("which", [0, 1], ids=["time_in_stage", "stage_funnel"])
def test_a_visit_too_long_for_nanoseconds_is_named(which: int) -> None:
    history = _frame(
        [("D7", P, "1677-09-22 00:00:01", "2262-01-01"), ("D8", P, "2024-01-01", "2024-01-02")]
    )
    with pytest.raises(InvalidInputError, match=r"'exited' and 'entered' are more than 292.*'D7'"):
        _both(history)[which]()


def test_a_completed_visit_far_in_the_past_does_not_stop_as_of() -> None:
    # A visit of 1700 that ended in 1701 (365 days) beside an open one: only the
    # open visit is measured against as_of (2024-01-03 - 2024-01-02 = 1 day).
    history = _frame([("D1", P, "1700-01-01", "1701-01-01"), ("D1", Q, "2024-01-02", None)])
    table = time_in_stage(history, as_of=pd.Timestamp("2024-01-03"))
    assert table["days"].tolist() == [365.0, 0.0]
    assert table["current_days"].tolist()[1] == 1.0


@pytest.mark.parametrize(
    "as_of", [dt.date(9999, 12, 31), np.datetime64("9999-12-31"), dt.datetime(1, 1, 1)]
)
@pytest.mark.parametrize("which", [0, 1], ids=["time_in_stage", "stage_funnel"])
def test_as_of_outside_the_nanosecond_range_is_refused(which: int, as_of: object) -> None:
    # pandas raised OutOfBoundsDatetime comparing 9999-12-31 with a datetime64[ns] column.
    history = _frame([("D1", P, "2024-01-01", None)])
    with pytest.raises(InvalidInputError, match="as_of must be a timestamp between 1677-09-22"):
        _both(history, as_of=as_of)[which]()


@pytest.mark.parametrize("option", ["deal_id", "stage", "entered", "exited"])
@pytest.mark.parametrize("name", [None, pd.NA, ["stage"], 3])
@pytest.mark.parametrize("which", [0, 1], ids=["time_in_stage", "stage_funnel"])
def test_column_options_must_be_strings(which: int, option: str, name: object) -> None:
    # None leaked KeyError and a list TypeError: unhashable.
    history = _frame([("D1", P, "2024-01-01", "2024-01-02")])
    with pytest.raises(InvalidInputError, match=f"{option} must be a column name"):
        _both(history, **{option: name})[which]()


@pytest.mark.parametrize("which", [0, 1], ids=["time_in_stage", "stage_funnel"])
def test_multiindex_headers_and_list_cells_are_schema_errors(which: int) -> None:
    history = _frame([("D1", P, "2024-01-01", "2024-01-02")])
    headed = history.copy()
    headed.columns = pd.MultiIndex.from_arrays([COLUMNS, COLUMNS])
    with pytest.raises(SchemaError, match="MultiIndex"):
        _both(headed)[which]()
    listed = history.assign(deal_id=pd.Series([["D1"]], dtype=object))
    with pytest.raises(SchemaError, match="lists, dicts or sets"):
        _both(listed)[which]()
