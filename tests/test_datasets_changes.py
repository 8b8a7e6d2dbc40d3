"""Tests of the sample CRM's change log: consistent, realistic, miscalibrated, separate."""

from __future__ import annotations

import itertools
from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salescore.datasets.crm as crm_module
from salescore import schema
from salescore.datasets import SampleCRM, sample
from salescore.datasets._changes import TRUE_RENEWAL_WIN_RATE, TRUE_WIN_RATE
from salescore.datasets._deals import RENEWAL_PROBABILITY, STAGE_PROBABILITY, STAGES
from salescore.forecasting.changes import pipeline_as_of

# Each example builds a whole CRM (a quarter of a second); the invariants hold for any seed.
few = settings(max_examples=min(settings().max_examples, 4), deadline=None)

STATE = [
    "stage",
    "value",
    "probability",
    "close_date",
    "status",
    "forecast_category",
    "currency",
    "owner",
    "source",
]
COLUMNS = [
    "deal_id",
    "changed_at",
    *STATE[:4],
    "forecast_category",
    "status",
    "currency",
    "owner",
    "source",
]
TABLES = ["deals", "stage_history", "accounts", "leads", "activities", "transactions"]
CLOSED = ("Closed Won", "Closed Lost")
Row = dict[Hashable, Any]


@pytest.fixture(scope="module")
def crm() -> SampleCRM:
    return sample()


@pytest.fixture(scope="module")
def nordic() -> SampleCRM:
    return sample(currencies=("EUR", "SEK"))


def _rows(changes: pd.DataFrame) -> dict[str, list[Row]]:
    """Each deal's rows in time order, as plain dicts (the oracle's input)."""
    out: dict[str, list[Row]] = {}
    for row in changes.to_dict("records"):
        out.setdefault(str(row["deal_id"]), []).append(row)
    for rows in out.values():
        rows.sort(key=lambda row: row["changed_at"])
    return out


def _pushes(rows: list[Row]) -> tuple[int, int]:
    """How often an open deal's close date moved out and in (from one open row to the next)."""
    out = into = 0
    for before, after in itertools.pairwise(rows):
        if before["status"] == "open" and after["status"] == "open":
            out += after["close_date"] > before["close_date"]
            into += after["close_date"] < before["close_date"]
    return out, into


def _check_log(crm: SampleCRM) -> None:
    """A plain loop over every deal: the log agrees with the deals and the stage history."""
    changes = crm.deal_changes
    assert list(changes.columns) == COLUMNS
    assert isinstance(changes.index, pd.RangeIndex)
    schema.validate(changes, "deal_changes")
    log = _rows(changes)
    deals = {str(row["deal_id"]): row for row in crm.deals.to_dict("records")}
    visits: dict[str, list[tuple[object, object]]] = {}
    for row in crm.stage_history.to_dict("records"):
        visits.setdefault(str(row["deal_id"]), []).append((row["stage"], row["entered"]))
    assert log.keys() == deals.keys()
    for deal_id, rows in log.items():
        deal = deals[deal_id]
        moments = [row["changed_at"] for row in rows]
        assert len(set(moments)) == len(moments), deal_id  # one row a moment
        assert rows[0]["changed_at"] == deal["created"], deal_id
        assert all(moment < crm.as_of for moment in moments), deal_id
        assert {k: rows[-1][k] for k in STATE} == {k: deal[k] for k in STATE}, deal_id
        derived = [
            (row["stage"], row["changed_at"])
            for k, row in enumerate(rows)
            if k == 0 or row["stage"] != rows[k - 1]["stage"]
        ]
        assert derived == visits[deal_id], deal_id
        for row in rows:
            closed = row["status"] != "open"
            assert closed == (row["stage"] in CLOSED), deal_id
            assert row["owner"] == deal["owner"]
            assert row["currency"] == deal["currency"]
            assert row["source"] == deal["source"]
            if closed:  # the close row is the last, at the actual close date
                assert row is rows[-1], deal_id
                assert row["close_date"] == row["changed_at"].normalize()
                assert row["probability"] == (1.0 if row["status"] == "won" else 0.0)
            else:
                assert 0.05 <= row["probability"] <= 0.95, deal_id
                # Pushed from five days before the date to two days after it.
                overdue = row["changed_at"] - row["close_date"]
                assert overdue < pd.Timedelta(days=2), deal_id


# ------------------------------------------------------------------- consistency


def test_the_log_agrees_with_the_deals_and_their_history(crm: SampleCRM) -> None:
    _check_log(crm)


@few
@given(seed=st.integers(min_value=1, max_value=2**32))
def test_the_log_agrees_for_any_seed(seed: int) -> None:
    _check_log(sample(seed))


def test_the_state_at_the_end_is_the_deals_table(nordic: SampleCRM) -> None:
    state = pipeline_as_of(nordic.deal_changes, nordic.as_of)
    columns = ["deal_id", "created", *STATE]
    pd.testing.assert_frame_equal(state[columns], nordic.deals[columns])


def test_no_deal_exists_before_it_is_created(crm: SampleCRM) -> None:
    when = pd.Timestamp("2025-01-01")
    state = pipeline_as_of(crm.deal_changes, when)
    assert set(state["deal_id"]) == set(crm.deals.loc[crm.deals["created"] <= when, "deal_id"])
    # Its stage then is the one the stage history says it was in.
    history = crm.stage_history
    then = history[history["entered"] <= when].groupby("deal_id")["stage"].last()
    assert state.set_index("deal_id")["stage"].equals(then.rename(None).rename_axis("deal_id"))


def test_the_log_is_in_the_deals_currencies(crm: SampleCRM, nordic: SampleCRM) -> None:
    euros, local = crm.deal_changes, nordic.deal_changes
    pd.testing.assert_frame_equal(
        euros.drop(columns=["value", "currency"]), local.drop(columns=["value", "currency"])
    )
    kept = local["currency"] == "EUR"
    assert local.loc[kept, "value"].equals(euros.loc[kept, "value"])
    # A deal in kronor has every amount at one rate: that of its final close date,
    # within the rounding to the öre.
    sek = local[~kept].assign(rate=local["value"] / euros["value"])
    spread = sek.groupby("deal_id")["rate"].agg(lambda rate: rate.max() - rate.min())
    assert (spread < 1e-3).all()
    assert sek["rate"].between(11.0, 11.8).all()
    assert set(local["currency"]) == {"EUR", "SEK"}


# ------------------------------------------------------------ the other tables


def test_the_other_tables_do_not_depend_on_the_log(
    crm: SampleCRM, monkeypatch: pytest.MonkeyPatch
) -> None:
    def nothing(*args: object) -> pd.DataFrame:
        return crm.deal_changes.iloc[:0]

    monkeypatch.setattr(crm_module, "make_changes", nothing)
    without = sample()
    assert without.deal_changes.empty
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(without, name), getattr(crm, name), check_exact=True)
    assert without.quota == crm.quota


def test_the_other_tables_are_those_from_before_the_log(crm: SampleCRM) -> None:
    # Computed from sample(0) before the change log existed; a change of these would
    # mean the log's randomness leaked into the other tables.
    deals, history = crm.deals, crm.stage_history
    assert float(deals["value"].sum()) == pytest.approx(77_236_600.0, abs=0.5)
    assert float(deals["probability"].sum()) == pytest.approx(1_753.0, abs=1e-6)
    assert int((deals["close_date"].astype("int64") // 10**9).sum()) == 8_696_761_776_000
    assert int((history["entered"].astype("int64") // 10**9).sum()) == 30_384_007_352_885
    assert len(history) == 17_516
    assert crm.quota == 3_770_000.0


def test_the_log_itself_is_unchanged_by_its_source_column(crm: SampleCRM) -> None:
    # Computed from sample(0)'s log; the source column is copied from the deals and
    # draws no random number, so adding it must not move any of these.
    changes = crm.deal_changes
    assert len(changes) == 22_046
    assert float(changes["value"].sum()) == pytest.approx(333_777_900.0, abs=0.5)
    assert float(changes["probability"].sum()) == pytest.approx(9_183.35, abs=1e-6)
    assert int((changes["changed_at"].astype("int64") // 10**9).sum()) == 38_259_952_078_752
    assert int((changes["close_date"].astype("int64") // 10**9).sum()) == 38_350_429_603_200
    assert changes["source"].dtype == crm.deals["source"].dtype
    assert changes.groupby("deal_id")["source"].nunique().eq(1).all()


# --------------------------------------------------------------------- realism


def test_close_dates_slip(crm: SampleCRM) -> None:
    log = _rows(crm.deal_changes)
    source = dict(zip(crm.deals["deal_id"], crm.deals["source"], strict=True))
    moves = [_pushes(rows) for deal, rows in log.items() if source[deal] != "renewal"]
    pushed = np.array([out for out, _ in moves])
    pulled = np.array([into for _, into in moves])
    # The simulation pushes about a third of the new-business and upsell deals (31 %
    # for seed 0), fewer twice or more (14 %) than once (17 %), and pulls in one in
    # eleven (9 %); the ranges leave room for another seed.
    assert 0.25 <= (pushed >= 1).mean() <= 0.40
    assert 0.08 <= (pushed >= 2).mean() < (pushed == 1).mean()
    assert (pushed >= 3).mean() < (pushed >= 2).mean()
    assert 0.05 <= (pulled >= 1).mean() <= 0.14
    # A renewal is expected on its anniversary: never pushed.
    renewals = [_pushes(rows) for deal, rows in log.items() if source[deal] == "renewal"]
    assert max(out for out, _ in renewals) == 0


def test_pushes_are_by_weeks(crm: SampleCRM) -> None:
    changes = crm.deal_changes
    before = changes.groupby("deal_id")[["close_date", "status"]].shift()
    both_open = (before["status"] == "open") & (changes["status"] == "open")
    moved = (changes["close_date"] - before["close_date"])[both_open].dt.days
    moved = moved[moved != 0]
    # All but the last re-dating of the deals still open are whole weeks.
    last = ~changes["deal_id"].duplicated(keep="last")[moved.index]
    weeks = moved[~last.to_numpy()]
    assert (weeks % 7 == 0).mean() > 0.97
    assert weeks[weeks > 0].median() >= 21


def test_values_change_before_the_close(crm: SampleCRM) -> None:
    changes = crm.deal_changes
    before = changes.groupby("deal_id")["value"].shift()
    changed = before.notna() & (changes["value"] != before)
    assert (changes.loc[changed, "status"] == "open").all()  # never at or after the close
    share = changes.loc[changed, "deal_id"].nunique() / len(crm.deals)
    assert 0.2 <= share <= 0.35  # 28 % drawn with a change
    ratio = (changes["value"] / before)[changed]
    assert ratio.between(0.75, 1.5).all()
    assert 0.5 < (ratio < 1).mean() < 0.7  # three in five are discounts


# ---------------------------------------------------------------- calibration


def test_the_true_rates_are_what_the_closed_deals_show(crm: SampleCRM) -> None:
    deals, history = crm.deals.set_index("deal_id"), crm.stage_history
    closed = deals[deals["status"] != "open"]
    visits = history[history["deal_id"].isin(closed.index) & ~history["stage"].isin(CLOSED)]
    won = closed.loc[visits["deal_id"], "status"].eq("won").to_numpy()
    renewal = closed.loc[visits["deal_id"], "source"].eq("renewal").to_numpy()
    rates = pd.DataFrame({"renewal": renewal, "stage": visits["stage"].to_numpy(), "won": won})
    measured = rates.groupby(["renewal", "stage"])["won"].mean()
    for stage in STAGES:
        # Closed deals of one seed: about 1,500 to 7,000 visits a stage, a standard
        # error of 0.005 to 0.01; deals still open at the end are left out, so 0.04.
        assert measured[(False, stage)] == pytest.approx(TRUE_WIN_RATE[stage], abs=0.04)
        assert measured[(True, stage)] == pytest.approx(TRUE_RENEWAL_WIN_RATE[stage], abs=0.04)


def test_the_crm_probabilities_are_miscalibrated() -> None:
    crm_rates = np.concatenate([STAGE_PROBABILITY, RENEWAL_PROBABILITY])
    true = np.array([*TRUE_WIN_RATE.values(), *TRUE_RENEWAL_WIN_RATE.values()])
    gap = true - crm_rates
    # Low at the first two stages and for every renewal stage, high in Negotiation.
    assert (gap[[0, 1, 4, 5, 6]] > 0.07).all()
    assert gap[3] <= -0.05
    assert np.abs(gap).mean() >= 0.1


def test_true_rates_score_better_than_the_crm(crm: SampleCRM) -> None:
    # Every stage a closed deal entered, scored with the probability the log gave it
    # there and with the true rate of its kind: the true rates' Brier score is lower.
    changes = crm.deal_changes
    deals = crm.deals.set_index("deal_id")
    closed = deals.index[deals["status"] != "open"]
    rows = changes[changes["deal_id"].isin(closed) & ~changes["stage"].isin(CLOSED)]
    entered = rows.drop_duplicates(["deal_id", "stage"])
    won = deals.loc[entered["deal_id"], "status"].eq("won").to_numpy()
    renewal = deals.loc[entered["deal_id"], "source"].eq("renewal").to_numpy()
    true = np.where(
        renewal,
        entered["stage"].map(TRUE_RENEWAL_WIN_RATE).to_numpy(),
        entered["stage"].map(TRUE_WIN_RATE).to_numpy(),
    )
    crm_brier = float(np.mean((entered["probability"].to_numpy() - won) ** 2))
    true_brier = float(np.mean((true - won) ** 2))
    assert true_brier < crm_brier - 0.01  # 0.169 against 0.187 for seed 0
