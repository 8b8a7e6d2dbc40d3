"""pipeline_as_of and pipeline_waterfall over the deal-changes table.

A waterfall of ten deals and an as-of reconstruction worked out by hand in the
comments; the checks of the change log, each naming the deals concerned; and
properties over arbitrary change logs: the waterfall identity in value and in count
for every group, the start and end terms equal to the as-of snapshots, pipeline_as_of
against a brute-force replay, the waterfall against a plain loop over deals that
follows the definitions (the generated logs in shuffled row order).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.errors import InvalidInputError, SchemaError
from salescore.forecasting._window import label, period_bounds
from salescore.forecasting.changes import (
    TERMS,
    PipelineWaterfall,
    pipeline_as_of,
    pipeline_waterfall,
)

from .strategies import nonnegative_money


def terms(table: pd.DataFrame) -> list[Any]:
    """The single row "all" of an ungrouped waterfall, as a list."""
    return list(table.loc["all"])


def log(rows: list[tuple[Any, ...]], *, owner: bool = True) -> pd.DataFrame:
    """A change log from (deal, changed_at, value, close_date, status[, owner]) tuples."""
    names = ["deal_id", "changed_at", "value", "close_date", "status"]
    frame = pd.DataFrame(rows, columns=[*names, "owner"] if owner else names)
    frame["changed_at"] = pd.to_datetime(frame["changed_at"])
    frame["close_date"] = pd.to_datetime(frame["close_date"])
    frame["value"] = frame["value"].astype(np.float64)
    return frame


# The hand example: period 2026Q1 (1 Jan - 31 Mar), start 2026-02-01, end 2026-03-01.
#
# deal  rows (changed_at: value, close, status, owner)        start (S)       end (E)
# A     01-10: 100, 03-15, open, ann; 02-15: 130             in at 100       open 03-15: stays
# B     01-05: 200, 03-20, open, ann; 02-10: 180, 04-30      in at 200       open 04-30: pushed out
# C     01-12: 50, 03-10, open, ann; 02-20: won 60, 02-20    in at 50        won 60
# D     01-15: 80, 03-31, open, bob; 02-25: lost 80, 02-25   in at 80        lost 80
# E     02-05: 40, 03-25, open, bob                          absent          open: new
# F     01-03: 70, 05-15, open, bob; 02-12: 75, 03-05        open, not in P  in P: pulled in
# G     02-03: 90, 03-18, open, None; 02-27: won 90, 02-27   absent          won: new, won
# H     01-20: 500, 06-30, open, ann                         not in P        not in P: no part
# I     01-08: 25, 03-31, open, ann; 01-25: lost 25, 01-25   lost            no part
# J     03-05: 10, 03-30, open, ann                          absent          absent: no part
# K     01-18: 60, 03-31, open, ann; 03-01 (= end): 65, None in at 60        stays (in force)
#
# value terms (count):
#   start      = A 100 + B 200 + C 50 + D 80 + K 60 = 490 (5)
#   new        = E 40 + G 90 = 130 (2)
#   pulled_in  = F 75 (1)
#   pushed_out = B 180 (1)                 (left at its end value)
#   value_up   = A 30 + C 10 + K 5 = 45 (3)
#   value_down = B 20 (1)
#   won        = C 60 + G 90 = 150 (2)
#   lost       = D 80 (1)
#   end        = A 130 + E 40 + F 75 + K 65 = 310 (4)
# identity: 490 + 130 + 75 - 180 + 45 - 20 - 150 - 80 = 310;  5 + 2 + 1 - 1 - 2 - 1 = 4.
# by owner at end: ann = A, B, C; bob = D, E, F; missing = G, K:
#   ann: start 350 (3), pushed_out 180 (1), up 40 (2), down 20 (1), won 60 (1), end 130 (1)
#        350 - 180 + 40 - 20 - 60 = 130
#   bob: start 80 (1), new 40 (1), pulled_in 75 (1), lost 80 (1), end 115 (2)
#        80 + 40 + 75 - 80 = 115
#   missing: start 60 (1), new 90 (1), up 5 (1), won 90 (1), end 65 (1); 60 + 90 + 5 - 90 = 65
HAND = log(
    [
        ("A", "2026-01-10", 100, "2026-03-15", "open", "ann"),
        ("A", "2026-02-15", 130, "2026-03-15", "open", "ann"),
        ("B", "2026-02-10", 180, "2026-04-30", "open", "ann"),  # rows in any order
        ("B", "2026-01-05", 200, "2026-03-20", "open", "ann"),
        ("C", "2026-01-12", 50, "2026-03-10", "open", "ann"),
        ("C", "2026-02-20", 60, "2026-02-20", "won", "ann"),
        ("D", "2026-01-15", 80, "2026-03-31", "open", "bob"),
        ("D", "2026-02-25", 80, "2026-02-25", "lost", "bob"),
        ("E", "2026-02-05", 40, "2026-03-25", "open", "bob"),
        ("F", "2026-01-03", 70, "2026-05-15", "open", "bob"),
        ("F", "2026-02-12", 75, "2026-03-05", "open", "bob"),
        ("G", "2026-02-03", 90, "2026-03-18", "open", None),
        ("G", "2026-02-27", 90, "2026-02-27", "won", None),
        ("H", "2026-01-20", 500, "2026-06-30", "open", "ann"),
        ("I", "2026-01-08", 25, "2026-03-31", "open", "ann"),
        ("I", "2026-01-25", 25, "2026-01-25", "lost", "ann"),
        ("J", "2026-03-05", 10, "2026-03-30", "open", "ann"),
        ("K", "2026-01-18", 60, "2026-03-31", "open", "ann"),
        ("K", "2026-03-01", 65, "2026-03-31", "open", None),
    ]
)


def test_hand_waterfall() -> None:
    flow = pipeline_waterfall(HAND, "2026-02-01", "2026-03-01", period="2026Q1")
    assert isinstance(flow, PipelineWaterfall)
    assert list(flow.value.columns) == list(TERMS)
    assert list(flow.value.index) == ["all"]
    assert terms(flow.value) == [
        490.0,
        130.0,
        75.0,
        180.0,
        45.0,
        20.0,
        150.0,
        80.0,
        310.0,
    ]
    assert terms(flow.count) == [5, 2, 1, 1, 3, 1, 2, 1, 4]
    assert (flow.count.dtypes == np.dtype(np.int64)).all()
    assert (flow.value.dtypes == np.dtype(np.float64)).all()
    assert (flow.start, flow.end) == (pd.Timestamp("2026-02-01"), pd.Timestamp("2026-03-01"))
    assert flow.period == (pd.Timestamp("2026-01-01"), pd.Timestamp("2026-03-31"))
    deals = flow.deals
    assert deals["deal_id"].tolist() == list("ABCDEFGK")
    assert deals["entered"].tolist() == [None, None, None, None, "new", "pulled_in", "new", None]
    assert deals["left"].tolist() == [None, "pushed_out", "won", "lost", None, None, "won", None]
    np.testing.assert_array_equal(
        deals["start_value"], [100.0, 200.0, 50.0, 80.0, np.nan, np.nan, np.nan, 60.0]
    )
    np.testing.assert_array_equal(deals["end_value"], [130, 180, 60, 80, 40, 75, 90, 65])
    table = flow.table()
    assert table[("end", "value")].tolist() == [310.0]
    assert table[("end", "count")].tolist() == [4]


def test_hand_waterfall_by_owner() -> None:
    flow = pipeline_waterfall(HAND, "2026-02-01", "2026-03-01", period="2026Q1", by="owner")
    assert flow.value.index.name == "owner"
    assert flow.value.index[:2].tolist() == ["ann", "bob"]
    assert pd.isna(flow.value.index[2])  # a missing owner is a group of its own
    #                      start new pulled pushed up down won lost end
    np.testing.assert_array_equal(
        flow.value.to_numpy(),
        [
            [350, 0, 0, 180, 40, 20, 60, 0, 130],
            [80, 40, 75, 0, 0, 0, 0, 80, 115],
            [60, 90, 0, 0, 5, 0, 90, 0, 65],
        ],
    )
    np.testing.assert_array_equal(
        flow.count.to_numpy(),
        [[3, 0, 0, 1, 2, 1, 1, 0, 1], [1, 1, 1, 0, 0, 0, 0, 1, 2], [1, 1, 0, 0, 1, 0, 1, 0, 1]],
    )
    assert flow.deals.columns.tolist() == [
        "deal_id",
        "owner",
        "entered",
        "left",
        "start_value",
        "end_value",
    ]


def test_hand_waterfall_reopened_deal_is_pulled_in_and_whole_pipeline() -> None:
    # L was won in January (before start), reopened on 02-18 with close date 03-28: at
    # start it was not in the open pipeline, at end it is, and it existed: pulled in at 30.
    # M is open at start with close date 03-31 and moves to 2026-07-31: pushed out of Q1,
    # but with period=None it stays in the whole open pipeline.
    # Q1: start M 40 (1), pulled_in L 30 (1), pushed_out M 40 (1), end L 30 (1).
    # All close dates: start M 40 (1), pulled_in L 30 (1), end L 30 + M 40 = 70 (2).
    changes = log(
        [
            ("L", "2026-01-02", 30, "2026-01-20", "open"),
            ("L", "2026-01-20", 30, "2026-01-20", "won"),
            ("L", "2026-02-18", 30, "2026-03-28", "open"),
            ("M", "2026-01-10", 40, "2026-03-31", "open"),
            ("M", "2026-02-20", 40, "2026-07-31", "open"),
        ],
        owner=False,
    )
    quarter = pipeline_waterfall(changes, "2026-02-01", "2026-03-01", period="2026Q1")
    assert terms(quarter.value) == [40.0, 0.0, 30.0, 40.0, 0.0, 0.0, 0.0, 0.0, 30.0]
    assert terms(quarter.count) == [1, 0, 1, 1, 0, 0, 0, 0, 1]
    whole = pipeline_waterfall(changes, "2026-02-01", "2026-03-01")
    assert terms(whole.value) == [40.0, 0.0, 30.0, 0.0, 0.0, 0.0, 0.0, 0.0, 70.0]
    assert whole.period is None


def test_hand_as_of() -> None:
    # At 2026-02-15 (A's change at exactly that moment is in force; J is not created yet):
    # A 130 03-15 open (changed 02-15) · B 180 04-30 open (02-10) · C 50 03-10 open (01-12)
    # D 80 03-31 open (01-15) · E 40 03-25 open (02-05) · F 75 03-05 open (02-12)
    # G 90 03-18 open (02-03) · H 500 06-30 open (01-20) · I 25 01-25 lost (01-25)
    # K 60 03-31 open (01-18)
    state = pipeline_as_of(HAND, "2026-02-15")
    assert state.columns.tolist() == [
        "deal_id",
        "owner",
        "value",
        "created",
        "close_date",
        "status",
        "changed_at",
    ]
    assert state["deal_id"].tolist() == list("ABCDEFGHIK")
    assert state["value"].tolist() == [130, 180, 50, 80, 40, 75, 90, 500, 25, 60]
    assert state["status"].tolist() == ["open"] * 8 + ["lost", "open"]
    closes = ["03-15", "04-30", "03-10", "03-31", "03-25", "03-05", "03-18", "06-30", "01-25"]
    expected_close = pd.to_datetime([f"2026-{day}" for day in [*closes, "03-31"]])
    assert state["close_date"].tolist() == expected_close.tolist()
    changed = ["02-15", "02-10", "01-12", "01-15", "02-05", "02-12", "02-03", "01-20", "01-25"]
    assert (
        state["changed_at"].tolist()
        == pd.to_datetime([f"2026-{day}" for day in [*changed, "01-18"]]).tolist()
    )
    created = ["01-10", "01-05", "01-12", "01-15", "02-05", "01-03", "02-03", "01-20", "01-08"]
    assert (
        state["created"].tolist()
        == pd.to_datetime([f"2026-{day}" for day in [*created, "01-18"]]).tolist()
    )
    assert state.index.equals(pd.RangeIndex(10))
    # Just before A's change, its first row is in force.
    before = pipeline_as_of(HAND, pd.Timestamp("2026-02-14 23:59:59"))
    assert before.loc[before["deal_id"] == "A", "value"].tolist() == [100.0]


def test_as_of_time_zones() -> None:
    # An aware 'when' beside naive (UTC) moments is read in UTC: 01:00 in Oslo on 10 Jan
    # is 00:00 UTC, the moment of A's first row.
    oslo = pd.Timestamp("2026-01-10 01:00", tz="Europe/Oslo")
    state = pipeline_as_of(HAND, oslo)
    assert "A" in state["deal_id"].tolist()
    assert "A" not in pipeline_as_of(HAND, oslo - pd.Timedelta(seconds=1))["deal_id"].tolist()
    # Aware moments beside a naive 'when': the moments are read in UTC.
    aware = HAND.assign(changed_at=HAND["changed_at"].dt.tz_localize("UTC"))
    same = pipeline_as_of(aware, "2026-02-15")
    plain = pipeline_as_of(HAND, "2026-02-15")
    assert same["value"].tolist() == plain["value"].tolist()


def test_period_forms() -> None:
    assert period_bounds(pd.Period("2026-02", freq="M")) == (
        pd.Timestamp("2026-02-01"),
        pd.Timestamp("2026-02-28"),
    )
    assert period_bounds(("2026-01-01", "2026-03-31")) == period_bounds("2026Q1")
    assert label(("2026-01-01", "2026-03-31")) == "2026-01-01 – 2026-03-31"
    by_text = pipeline_waterfall(HAND, "2026-02-01", "2026-03-01", period="2026Q1")
    by_days = pipeline_waterfall(
        HAND, "2026-02-01", "2026-03-01", period=("2026-01-01", "2026-03-31")
    )
    pd.testing.assert_frame_equal(by_text.value, by_days.value)
    for bad in ["2026Q5", 2026, ("2026-03-01", "2026-01-01"), ("2026-01-01 12:00", "2026-02-01")]:
        with pytest.raises(InvalidInputError, match="period must be"):
            pipeline_waterfall(HAND, "2026-02-01", "2026-03-01", period=bad)


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="close_date"), "missing column 'close_date'"),
        (lambda f: f.assign(value=f["value"].astype(str)), "'value' has dtype"),
        (lambda f: f.assign(changed_at=f["changed_at"].astype(str)), "'changed_at' must hold"),
        (
            lambda f: f.assign(deal_id=f["deal_id"].where(f.index != 3)),
            r"'deal_id' is missing in 1 row \(0-based positions: 3\)",
        ),
        (
            lambda f: f.assign(value=f["value"].where(f["deal_id"] != "C")),
            r"'value' is missing in 2 rows \(1 deal: 'C'\)",
        ),
        (
            lambda f: f.assign(close_date=f["close_date"].where(f["deal_id"] != "E")),
            r"'close_date' is missing in 1 row \(1 deal: 'E'\)",
        ),
        (
            lambda f: f.assign(status=f["status"].where(f["deal_id"] != "G", "pending")),
            r"'status' must be one of 'open', 'won', 'lost'; not so for 1 deal: 'G' \('pending'\)",
        ),
        (
            lambda f: f.assign(value=f["value"].where(f["deal_id"] != "H", -1.0)),
            r"'value' must be a finite number >= 0; not so for 1 deal: 'H' \(-1.0\)",
        ),
        (
            lambda f: f.assign(value=f["value"].where(f["deal_id"] != "D", math.inf)),
            r"not so for 1 deal: 'D' \(inf\)",
        ),
        (
            lambda f: f.assign(probability=np.where(f["deal_id"] == "K", 60.0, 0.5)),
            r"'probability' must be a fraction in \[0, 1\] or missing; not so for 1 deal: 'K' "
            r"\(60.0\); values above 1 look like percentages",
        ),
        (
            lambda f: f.assign(
                changed_at=f["changed_at"].where(f.index != 1, pd.Timestamp("2026-01-10"))
            ),
            r"1 deal has two rows at the same 'changed_at' \('A' at 2026-01-10 00:00:00\)",
        ),
    ],
)
def test_refusals_name_the_deals(change: Any, message: str) -> None:
    bad = change(HAND.copy())
    error = SchemaError if "column" in message or "must hold" in message else InvalidInputError
    with pytest.raises(error, match=message):
        pipeline_as_of(bad, "2026-02-15")
    with pytest.raises(error, match=message):
        pipeline_waterfall(bad, "2026-02-01", "2026-03-01")


def test_refusals_of_options() -> None:
    with pytest.raises(InvalidInputError, match="when must be a timestamp"):
        pipeline_as_of(HAND, 20260215)
    with pytest.raises(InvalidInputError, match="when must be a timestamp; got NaT"):
        pipeline_as_of(HAND, pd.NaT)
    with pytest.raises(InvalidInputError, match="start must be before end"):
        pipeline_waterfall(HAND, "2026-03-01", "2026-03-01")
    with pytest.raises(InvalidInputError, match="by must be None"):
        pipeline_waterfall(HAND, "2026-02-01", "2026-03-01", by=3)  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="missing column 'region'"):
        pipeline_waterfall(HAND, "2026-02-01", "2026-03-01", by="region")
    with pytest.raises(SchemaError, match="deal_changes"):
        pipeline_as_of([1, 2], "2026-02-15")  # type: ignore[arg-type]


def test_more_than_one_currency_is_refused_naming_the_deals() -> None:
    changes = HAND.assign(currency=np.where(HAND["deal_id"] == "F", "USD", "EUR"))
    with pytest.raises(
        InvalidInputError, match=r"'EUR' \(7 deals: 'A', 'B'.*'USD' \(1 deal: 'F'\)"
    ):
        pipeline_waterfall(changes, "2026-02-01", "2026-03-01", period="2026Q1")
    # By currency, each group is in one currency; H (not taking part) may differ too.
    split = pipeline_waterfall(changes, "2026-02-01", "2026-03-01", period="2026Q1", by="currency")
    assert split.value["end"].to_dict() == {"EUR": 235.0, "USD": 75.0}


def test_input_is_not_mutated_and_row_order_does_not_matter() -> None:
    before = HAND.copy(deep=True)
    shuffled = HAND.sample(frac=1.0, random_state=7).set_index(np.arange(100, 119))
    first = pipeline_waterfall(HAND, "2026-02-01", "2026-03-01", period="2026Q1", by="owner")
    second = pipeline_waterfall(shuffled, "2026-02-01", "2026-03-01", period="2026Q1", by="owner")
    pd.testing.assert_frame_equal(first.value, second.value)
    pd.testing.assert_frame_equal(first.deals, second.deals)
    pd.testing.assert_frame_equal(
        pipeline_as_of(HAND, "2026-02-15"), pipeline_as_of(shuffled, "2026-02-15")
    )
    pd.testing.assert_frame_equal(HAND, before)


# ------------------------------------------------------------------ properties

DAY = pd.Timedelta(days=1)
ORIGIN = pd.Timestamp("2026-01-01")


@st.composite
def change_logs(draw: st.DrawFn, values: st.SearchStrategy[float] | None = None) -> pd.DataFrame:
    """Change logs of up to 8 deals with up to 4 rows each, over about four months."""
    values = values if values is not None else st.integers(0, 1000).map(float)
    rows = []
    for number in range(draw(st.integers(0, 8))):
        moments = draw(st.lists(st.integers(0, 24 * 120), min_size=1, max_size=4, unique=True))
        for hours in moments:
            rows.append(
                (
                    f"D{number}",
                    ORIGIN + pd.Timedelta(hours=hours),
                    draw(values),
                    ORIGIN + draw(st.integers(0, 180)) * DAY,
                    draw(st.sampled_from(["open", "open", "won", "lost"])),
                    draw(st.sampled_from(["a", "b", None])),
                )
            )
    # Rows in any order: the deals interleaved, a deal's rows not in time order.
    return log(draw(st.permutations(rows)))


moments = st.tuples(st.integers(0, 24 * 125), st.integers(1, 24 * 60)).map(
    lambda pair: (ORIGIN + pd.Timedelta(hours=pair[0]), ORIGIN + pd.Timedelta(hours=sum(pair)))
)
periods = st.sampled_from([None, "2026Q1", "2026-03", ("2026-02-10", "2026-04-20")])


def replay(changes: pd.DataFrame, when: pd.Timestamp) -> dict[str, tuple[Any, ...]]:
    """Brute force: each deal's latest row at or before ``when``, by a plain loop."""
    state: dict[str, tuple[Any, ...]] = {}
    for row in changes.to_dict("records"):
        deal, moment = row["deal_id"], row["changed_at"]
        if moment <= when and (deal not in state or moment > state[deal][0]):
            owner = None if pd.isna(row["owner"]) else row["owner"]
            state[deal] = (moment, row["value"], row["close_date"], row["status"], owner)
    return state


def oracle(
    changes: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, period: Any
) -> dict[str, Any]:
    """The waterfall's per-deal roles, by a plain loop over deals following the definitions."""
    bounds = period_bounds(period) if period is not None else None

    def in_p(close: pd.Timestamp) -> bool:
        return bounds is None or bounds[0] <= close <= bounds[1]

    before, after = replay(changes, start), replay(changes, end)
    roles = {}
    for deal, (_, e_value, e_close, e_status, owner) in after.items():
        s = before.get(deal)
        in_s = s is not None and s[3] == "open" and in_p(s[2])
        in_e = e_status == "open" and in_p(e_close)
        closed_now = e_status != "open" and (s is None or s[3] == "open")
        if in_s:
            assert s is not None
            entered = None
        elif in_p(e_close) and (in_e or closed_now):
            entered = "new" if s is None else "pulled_in"
        else:
            continue
        if e_status in ("won", "lost"):
            left = e_status
        elif not in_p(e_close):
            left = "pushed_out"
        else:
            left = None
        roles[deal] = (owner, entered, left, s[1] if in_s and s is not None else math.nan, e_value)
    return roles


@given(change_logs(), moments)
def test_as_of_matches_a_brute_force_replay(changes: pd.DataFrame, window: Any) -> None:
    for when in window:
        state = pipeline_as_of(changes, when)
        expected = replay(changes, when)
        assert state["deal_id"].tolist() == sorted(expected)
        for row in state.to_dict("records"):
            changed_at, value, close, status, _ = expected[row["deal_id"]]
            assert (row["changed_at"], row["value"], row["close_date"], row["status"]) == (
                changed_at,
                value,
                close,
                status,
            )
            rows = changes["deal_id"] == row["deal_id"]
            assert row["created"] == changes.loc[rows, "changed_at"].min()


@given(change_logs(), moments, periods, st.sampled_from([None, "owner", ["owner", "status"]]))
def test_waterfall_identity_and_oracle(
    changes: pd.DataFrame, window: Any, period: Any, by: Any
) -> None:
    start, end = window
    flow = pipeline_waterfall(changes, start, end, period=period, by=by)
    value, count = flow.value, flow.count
    # The identity holds exactly, per group (whole-number values: every sum is exact).
    lhs = (
        value["start"]
        + value["new"]
        + value["pulled_in"]
        - value["pushed_out"]
        + value["value_up"]
        - value["value_down"]
        - value["won"]
        - value["lost"]
    )
    assert (lhs == value["end"]).all()
    counted = (
        count["start"]
        + count["new"]
        + count["pulled_in"]
        - count["pushed_out"]
        - count["won"]
        - count["lost"]
    )
    assert (counted == count["end"]).all()
    assert (value >= 0).all().all()
    assert (count >= 0).all().all()
    # The per-deal roles against a plain loop over the deals.
    roles = oracle(changes, start, end, period)
    deals = flow.deals
    assert deals["deal_id"].tolist() == sorted(roles)
    for row in deals.to_dict("records"):
        owner, entered, left, start_value, end_value = roles[row["deal_id"]]
        assert (row["entered"], row["left"], row["end_value"]) == (entered, left, end_value)
        if "owner" in row:  # the group is the deal's owner at end
            assert row["owner"] == owner or (pd.isna(row["owner"]) and owner is None)
        assert row["start_value"] == start_value or (
            math.isnan(start_value) and math.isnan(row["start_value"])
        )
    # Start and end terms are the open pipeline for the period in the two snapshots.
    first, last = period_bounds(period) if period is not None else (ORIGIN, ORIGIN + 400 * DAY)
    for moment, term in ((start, "start"), (end, "end")):
        state = pipeline_as_of(changes, moment)
        open_in = state[(state["status"] == "open") & state["close_date"].between(first, last)]
        assert value[term].sum() == open_in["value"].sum()
        assert count[term].sum() == len(open_in)
    if by is None:
        assert value.index.tolist() == ["all"]
    # Groups add up to the ungrouped waterfall.
    whole = pipeline_waterfall(changes, start, end, period=period)
    assert (count.sum() == whole.count.loc["all"]).all()
    np.testing.assert_array_equal(value.sum().to_numpy(), whole.value.loc["all"].to_numpy())


@given(change_logs(nonnegative_money(max_value=1e7)), moments, periods)
def test_waterfall_identity_with_cents_within_rounding(
    changes: pd.DataFrame, window: Any, period: Any
) -> None:
    # Cents are not exact in binary: each term is the correctly rounded sum of its
    # deals' exact values, so the identity holds to a few units in the last place.
    flow = pipeline_waterfall(changes, *window, period=period)
    row = dict(zip(TERMS, terms(flow.value), strict=True))
    signs = {"start": 1, "new": 1, "pulled_in": 1, "pushed_out": -1, "value_up": 1}
    signs |= {"value_down": -1, "won": -1, "lost": -1}
    lhs = math.fsum(sign * row[term] for term, sign in signs.items())
    largest = max(abs(row[term]) for term in TERMS)
    assert abs(lhs - row["end"]) <= 8 * np.spacing(largest) + 0.0
