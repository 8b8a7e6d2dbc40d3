"""close_date_slippage: how often and how far each deal's close date moved.

A hand example worked out in the comments (pushes, pulls, days, the share of deals
pushed at least k times), the ``as_of`` cut, the refusals naming the deals, and
properties over arbitrary change logs: a plain loop over each deal's rows as the
oracle, net days = push days - pull days, and the at-least-k table falling with k.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.errors import InvalidInputError, SchemaError
from salescore.forecasting.slippage import CloseDateSlippage, close_date_slippage


def log(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """A change log from (deal, changed_at, close_date, status) tuples, value 1,000."""
    frame = pd.DataFrame(rows, columns=["deal_id", "changed_at", "close_date", "status"])
    frame["changed_at"] = pd.to_datetime(frame["changed_at"])
    frame["close_date"] = pd.to_datetime(frame["close_date"])
    frame["value"] = 1_000.0
    return frame


# deal  close dates in time order                 moves (days)            pushes  pulls
# A     03-31 → 04-30 → 05-31 → 05-15             +30, +31, -16           2 (61)  1 (16)
# B     02-28 → 03-31 → 04-30 → 06-30 (won)        +31, +30, +61           3 (122) 0
# C     03-15 → 03-01                             -14                     0       1 (14)
# D     04-10 (one row)                           -                       0       0
# E     05-01 → 05-01 (value change only)         0                       0       0
# net days: A 30+31-16 = 45; B 122; C -14; D 0; E 0.
# pushed at least k: k=1: A, B = 2 of 5 = 0.4; k=2: A, B = 0.4; k=3: B = 0.2.
# mean pushes = (2 + 3 + 0 + 0 + 0) / 5 = 1.0; share pushed = 2 / 5 = 0.4.
# as_of 2026-02-15 (rows up to then): A 03-31 → 04-30 (+30); B 02-28 → 03-31 (+31);
# C 03-15 (one row); D not created yet; E 05-01 → 05-01. Pushed once: A, B = 2 of 4.
HAND = log(
    [
        ("A", "2026-01-05", "2026-03-31", "open"),
        ("A", "2026-02-01", "2026-04-30", "open"),
        ("A", "2026-03-01", "2026-05-31", "open"),
        ("A", "2026-04-01", "2026-05-15", "open"),
        ("B", "2026-06-30", "2026-06-30", "won"),  # rows in any order
        ("B", "2026-01-10", "2026-02-28", "open"),
        ("B", "2026-02-10", "2026-03-31", "open"),
        ("B", "2026-03-20", "2026-04-30", "open"),
        ("C", "2026-01-20", "2026-03-15", "open"),
        ("C", "2026-02-20", "2026-03-01", "open"),
        ("D", "2026-02-25", "2026-04-10", "open"),
        ("E", "2026-01-02", "2026-05-01", "open"),
        ("E", "2026-01-30", "2026-05-01", "open"),
    ]
)


def test_hand_example() -> None:
    slip = close_date_slippage(HAND)
    assert isinstance(slip, CloseDateSlippage)
    deals = slip.deals
    assert deals.columns.tolist() == [
        "deal_id",
        "pushes",
        "push_days",
        "pulls",
        "pull_days",
        "first_close_date",
        "last_close_date",
        "net_days",
        "status",
    ]
    assert deals["deal_id"].tolist() == list("ABCDE")
    assert deals["pushes"].tolist() == [2, 3, 0, 0, 0]
    assert deals["push_days"].tolist() == [61.0, 122.0, 0.0, 0.0, 0.0]
    assert deals["pulls"].tolist() == [1, 0, 1, 0, 0]
    assert deals["pull_days"].tolist() == [16.0, 0.0, 14.0, 0.0, 0.0]
    assert deals["net_days"].tolist() == [45.0, 122.0, -14.0, 0.0, 0.0]
    assert (
        deals["first_close_date"].tolist()
        == pd.to_datetime(
            ["2026-03-31", "2026-02-28", "2026-03-15", "2026-04-10", "2026-05-01"]
        ).tolist()
    )
    assert (
        deals["last_close_date"].tolist()
        == pd.to_datetime(
            ["2026-05-15", "2026-06-30", "2026-03-01", "2026-04-10", "2026-05-01"]
        ).tolist()
    )
    assert deals["status"].tolist() == ["open", "won", "open", "open", "open"]
    assert deals["pushes"].dtype == np.int64
    assert slip.pushed_at_least["k"].tolist() == [1, 2, 3]
    assert slip.pushed_at_least["deals"].tolist() == [2, 2, 1]
    assert slip.pushed_at_least["share"].tolist() == [0.4, 0.4, 0.2]
    assert slip.mean_pushes == 1.0
    assert slip.share_pushed == 0.4


def test_as_of_counts_only_earlier_changes() -> None:
    slip = close_date_slippage(HAND, as_of="2026-02-15")
    assert slip.deals["deal_id"].tolist() == ["A", "B", "C", "E"]
    assert slip.deals["pushes"].tolist() == [1, 1, 0, 0]
    assert slip.deals["push_days"].tolist() == [30.0, 31.0, 0.0, 0.0]
    assert slip.pushed_at_least["deals"].tolist() == [2]
    assert slip.share_pushed == 0.5
    # Aware moments: the same instants give the same answer.
    aware = HAND.assign(changed_at=HAND["changed_at"].dt.tz_localize("UTC"))
    same = close_date_slippage(aware, as_of=pd.Timestamp("2026-02-15", tz="UTC"))
    pd.testing.assert_frame_equal(same.deals, slip.deals)


def test_no_deals_and_no_pushes() -> None:
    empty = close_date_slippage(HAND.iloc[:0])
    assert empty.deals.empty
    assert empty.pushed_at_least.empty
    assert empty.pushed_at_least.columns.tolist() == ["k", "deals", "share"]
    assert math.isnan(empty.mean_pushes)
    assert math.isnan(empty.share_pushed)
    before = close_date_slippage(HAND, as_of="2025-12-31")
    assert before.deals.empty
    calm = close_date_slippage(HAND[HAND["deal_id"].isin(["D", "E"])])
    assert calm.pushed_at_least.empty
    assert calm.mean_pushes == 0.0
    assert calm.share_pushed == 0.0


def test_refusals_name_the_deals() -> None:
    with pytest.raises(SchemaError, match="missing column 'close_date'"):
        close_date_slippage(HAND.drop(columns="close_date"))
    twice = HAND.assign(changed_at=HAND["changed_at"].where(HAND.index != 1, HAND["changed_at"][0]))
    with pytest.raises(InvalidInputError, match=r"two rows at the same 'changed_at' \('A' at"):
        close_date_slippage(twice)
    missing = HAND.assign(close_date=HAND["close_date"].where(HAND["deal_id"] != "C"))
    with pytest.raises(
        InvalidInputError, match=r"'close_date' is missing in 2 rows \(1 deal: 'C'\)"
    ):
        close_date_slippage(missing)
    with pytest.raises(InvalidInputError, match="as_of must be a timestamp"):
        close_date_slippage(HAND, as_of=3.5)


def test_input_is_not_mutated() -> None:
    before = HAND.copy(deep=True)
    close_date_slippage(HAND, as_of="2026-03-01")
    pd.testing.assert_frame_equal(HAND, before)


ORIGIN = pd.Timestamp("2026-01-01")


@st.composite
def change_logs(draw: st.DrawFn) -> pd.DataFrame:
    rows = []
    for number in range(draw(st.integers(0, 8))):
        hours = draw(st.lists(st.integers(0, 24 * 200), min_size=1, max_size=6, unique=True))
        for hour in hours:
            rows.append(
                (
                    f"D{number}",
                    ORIGIN + pd.Timedelta(hours=hour),
                    ORIGIN + pd.Timedelta(days=draw(st.integers(0, 40))),
                    draw(st.sampled_from(["open", "won", "lost"])),
                )
            )
    return log(draw(st.permutations(rows)))


def plain(changes: pd.DataFrame, as_of: pd.Timestamp | None) -> dict[str, list[float]]:
    """Each deal's rows in time order, walked one by one."""
    by_deal: dict[str, list[tuple[pd.Timestamp, pd.Timestamp]]] = {}
    for row in changes.to_dict("records"):
        if as_of is None or row["changed_at"] <= as_of:
            by_deal.setdefault(row["deal_id"], []).append((row["changed_at"], row["close_date"]))
    out = {}
    for deal, rows in sorted(by_deal.items()):
        rows.sort()
        pushes = pulls = 0
        push_days = pull_days = 0.0
        for (_, before), (_, after) in itertools.pairwise(rows):
            days = (after - before).days
            if days > 0:
                pushes, push_days = pushes + 1, push_days + days
            elif days < 0:
                pulls, pull_days = pulls + 1, pull_days - days
        out[deal] = [pushes, push_days, pulls, pull_days, (rows[-1][1] - rows[0][1]).days]
    return out


@given(change_logs(), st.one_of(st.none(), st.integers(0, 24 * 200)))
def test_against_a_plain_loop(changes: pd.DataFrame, hour: int | None) -> None:
    as_of = None if hour is None else ORIGIN + pd.Timedelta(hours=hour)
    slip = close_date_slippage(changes, as_of=as_of)
    expected = plain(changes, as_of)
    deals = slip.deals
    assert deals["deal_id"].tolist() == list(expected)
    columns = ["pushes", "push_days", "pulls", "pull_days", "net_days"]
    assert deals[columns].to_numpy().tolist() == list(expected.values())
    assert (deals["net_days"] == deals["push_days"] - deals["pull_days"]).all()
    table = slip.pushed_at_least
    size = len(deals)
    if size:
        assert slip.mean_pushes == pytest.approx(deals["pushes"].mean(), rel=1e-12)
        assert slip.share_pushed == (deals["pushes"] > 0).mean()
    for k, count, share in table.itertuples(index=False):
        assert count == (deals["pushes"] >= k).sum()
        assert share == count / size
    assert (np.diff(table["deals"]) <= 0).all()
    assert len(table) == (deals["pushes"].max() if size else 0)
