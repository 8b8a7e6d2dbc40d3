"""Tests of salescore.forecasting.backtest: a hand-worked backtest, no look-ahead, a
simulated team with known win rates, the PIT helpers, and refusals."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from salescore import InvalidInputError, SchemaError, forecast_distribution
from salescore.forecasting._backtest_history import stage_visits
from salescore.forecasting._backtest_pit import pit_bounds, pit_cdf, pit_histogram
from salescore.forecasting.backtest import Backtest, backtest_forecast

COLUMNS = ["deal_id", "changed_at", "stage", "value", "probability", "close_date", "status"]
FORECAST_COLUMNS = ["start", "end", "snapshot", "deals", "forecast", "p10", "p50", "p90"]

Row = tuple[str, str, str, float, float, str, str]


def _log(rows: list[Row]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["changed_at"] = pd.to_datetime(frame["changed_at"])
    frame["close_date"] = pd.to_datetime(frame["close_date"])
    return frame


# ------------------------------------------------------------------ hand-worked log

HAND: list[Row] = [
    # D0 and D5 closed in December, before either period: they only teach rates.
    ("D0", "2025-11-01", "Demo", 400.0, 0.25, "2025-12-15", "open"),
    ("D0", "2025-11-10", "Proposal", 400.0, 0.5, "2025-12-15", "open"),
    ("D0", "2025-12-01", "Closed Won", 400.0, 1.0, "2025-12-01", "won"),
    ("D5", "2025-11-05", "Demo", 80.0, 0.25, "2025-12-20", "open"),
    ("D5", "2025-12-05", "Closed Lost", 80.0, 0.0, "2025-12-05", "lost"),
    # D1: in January's pipeline, won in January.
    ("D1", "2025-12-10", "Proposal", 100.0, 0.5, "2026-01-20", "open"),
    ("D1", "2026-01-20", "Closed Won", 100.0, 1.0, "2026-01-20", "won"),
    # D2: in January's pipeline, slips to February (on 25 January), won there.
    ("D2", "2025-12-15", "Demo", 200.0, 0.25, "2026-01-31", "open"),
    ("D2", "2026-01-25", "Demo", 200.0, 0.25, "2026-02-15", "open"),
    ("D2", "2026-02-10", "Closed Won", 200.0, 1.0, "2026-02-10", "won"),
    # D3: created in January, in February's pipeline, lost.
    ("D3", "2026-01-05", "Demo", 300.0, 0.25, "2026-02-20", "open"),
    ("D3", "2026-02-18", "Closed Lost", 300.0, 0.0, "2026-02-18", "lost"),
    # D4: created and won in January, after January's snapshot.
    ("D4", "2026-01-20", "Proposal", 50.0, 0.5, "2026-01-30", "open"),
    ("D4", "2026-01-29", "Closed Won", 50.0, 1.0, "2026-01-29", "won"),
]
AS_OF = "2026-03-01"


def test_hand_worked_crm_probabilities() -> None:
    """Two months, snapshots on their first days, the CRM's probabilities.

    January (snapshot 2026-01-01): open with a January close date are D1 (100 at 0.5)
    and D2 (200 at 0.25, still due 31 January then). S = 100 B1 + 200 B2:
        P(0) = .5 * .75 = .375, P(100) = .375, P(200) = .5 * .25 = .125, P(300) = .125;
        mean 50 + 50 = 100; CDF .375, .75, .875, 1 -> P10 0, P50 100, P90 300.
    Actual: D1 (100) and D4 (50, created after the snapshot) were won in January:
        150, of which 100 from the pipeline. The PIT reads the latter, what the
        forecast's own deals produced: P(S < 100) = .375, P(S <= 100) = .75, pit
        .5625 (against the whole actual it would be .75).
    February (snapshot 2026-02-01): D2 (200 at 0.25, due 15 February since 25
    January) and D3 (300 at 0.25). S = 200 B2 + 300 B3:
        P(0) = .5625, P(200) = .1875, P(300) = .1875, P(500) = .0625; mean 125;
        CDF .5625, .75, .9375, 1 -> P10 0, P50 0, P90 300.
    Actual: D2 won 200. P(S < 200) = .5625, P(S <= 200) = .75: pit .65625.
    Overall: errors 100 - 150 = -50 and 125 - 200 = -75; WAPE 125 / 350 and bias
    -125 / 350; against the pipeline's part, bias (0 - 75) / (100 + 200) = -.25;
    both pipeline actuals (100, 200) within P10-P90: coverage 1.
    Brier over the four (period, deal) rows, on the eventual outcome: D1 won,
    (.5 - 1)^2 = .25; D2 was won (in February), so in January too (.25 - 1)^2 =
    .5625 although it was not won in January; D2 in February .5625; D3 lost,
    (.25 - 0)^2 = .0625: mean 1.4375 / 4 = .359375.
    """
    result = backtest_forecast(_log(HAND), periods=["2026-01", "2026-02"], as_of=AS_OF)
    periods = result.periods
    assert periods.index.tolist() == ["2026-01", "2026-02"]
    assert periods["snapshot"].tolist() == [pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")]
    assert periods["deals"].tolist() == [2, 2]
    assert periods["forecast"].tolist() == pytest.approx([100.0, 125.0], abs=1e-12)
    assert periods["p10"].tolist() == [0.0, 0.0]
    assert periods["p50"].tolist() == [100.0, 0.0]
    assert periods["p90"].tolist() == [300.0, 300.0]
    assert periods["actual"].tolist() == [150.0, 200.0]
    assert periods["actual_from_pipeline"].tolist() == [100.0, 200.0]
    assert periods["pit_low"].tolist() == pytest.approx([0.375, 0.5625], abs=1e-12)
    assert periods["pit_high"].tolist() == pytest.approx([0.75, 0.75], abs=1e-12)
    assert periods["pit"].tolist() == pytest.approx([0.5625, 0.65625], abs=1e-12)
    assert periods["in_interval"].tolist() == [True, True]
    assert result.wape == pytest.approx(125 / 350)
    assert result.bias == pytest.approx(-125 / 350)
    assert result.bias_pipeline == pytest.approx(-0.25)
    assert result.coverage == 1.0
    assert result.brier == pytest.approx(0.359375)
    assert result.calibration().brier == pytest.approx(0.359375)
    assert result.open_deals == 0
    assert result.probabilities == "crm"
    assert result.rates is None
    deals = result.deals
    assert deals[["period", "deal_id"]].to_numpy().tolist() == [
        ["2026-01", "D1"],
        ["2026-01", "D2"],
        ["2026-02", "D2"],
        ["2026-02", "D3"],
    ]
    assert deals["probability"].tolist() == [0.5, 0.25, 0.25, 0.25]
    assert deals["outcome"].tolist() == ["won", "won", "won", "lost"]
    assert deals["won_in_period"].tolist() == [True, False, True, False]
    summary = result.summary
    assert summary["periods"] == 2
    assert summary["deals"] == 4
    assert summary["open_deals"] == 0
    assert summary["bias_pipeline"] == pytest.approx(-0.25)


def test_deals_still_open_are_left_out_of_the_brier_score() -> None:
    """Read on 2026-02-05, D2 (due in January at the snapshot) is still open: its
    outcome is unknown, so January's Brier score is D1's alone, (.5 - 1)^2 = .25,
    and one deal is counted open. The calibration record scores the same deals."""
    result = backtest_forecast(_log(HAND), periods=["2026-01"], as_of="2026-02-05")
    assert result.deals["outcome"].tolist() == ["won", "open"]
    assert result.deals["won_in_period"].tolist() == [True, False]
    assert result.brier == pytest.approx(0.25)
    assert result.open_deals == 1
    calibration = result.calibration(bins=[0.0, 0.5, 1.0])
    assert calibration.n == 1
    assert calibration.brier == pytest.approx(0.25)


def test_hand_worked_learned_rates() -> None:
    """Win rates learned at each snapshot from the deals closed by then.

    At 2026-01-01 D0 (won; visits Demo then Proposal) and D5 (lost; visited Demo)
    are closed: Demo 1 / 2 = .5, Proposal 1 / 1 = 1. January: D1 (Proposal) 1.0,
    D2 (Demo) .5, mean 100 + 100 = 200. At 2026-02-01 D1 and D4 (Proposal, won) are
    closed too: Demo still 1 / 2, Proposal 3 / 3. February: D2 and D3 (Demo) at .5,
    mean 100 + 150 = 250; S in {0, 200, 300, 500} with 1/4 each, P10 0, P90 500.
    """
    result = backtest_forecast(
        _log(HAND), periods=["2026-01", "2026-02"], probabilities="learned", as_of=AS_OF
    )
    assert result.probabilities == "learned"
    assert result.deals["probability"].tolist() == [1.0, 0.5, 0.5, 0.5]
    assert result.periods["forecast"].tolist() == pytest.approx([200.0, 250.0])
    assert result.periods["p90"].tolist() == [300.0, 500.0]
    rates = result.rates
    assert rates is not None
    january = rates[rates["period"] == "2026-01"].set_index("stage")
    assert january.loc[["Demo", "Proposal"], ["reached", "won", "lost"]].to_numpy().tolist() == [
        [2, 1, 1],
        [1, 1, 0],
    ]
    february = rates[rates["period"] == "2026-02"].set_index("stage")
    assert february.loc["Proposal", "reached"] == 3
    assert february.loc["Demo", "win_rate"] == 0.5


def test_hand_worked_preset_and_lead() -> None:
    """A preset overwrites every probability; a lead moves the snapshot back.

    Preset Demo .5, Proposal .8: January D1 .8 and D2 .5, mean 80 + 100 = 180.
    With lead 21 days February's snapshot is 2026-01-11: D2 is still due 31 January
    (it slips on the 25th) and D4 does not exist, so only D3 (300 at .5) is in
    February's pipeline: mean 150; January's snapshot is 2025-12-11, when D2 (created
    15 December) did not exist: only D1 (100 at .8), mean 80.
    """
    preset = {"Demo": 0.5, "Proposal": 0.8}
    result = backtest_forecast(
        _log(HAND), periods=["2026-01", "2026-02"], probabilities=preset, as_of=AS_OF
    )
    assert result.probabilities == "preset"
    assert result.periods["forecast"].tolist() == pytest.approx([180.0, 250.0])
    early = backtest_forecast(
        _log(HAND),
        periods=pd.period_range("2026-01", periods=2, freq="M"),
        probabilities=pd.Series(preset),
        lead="21D",
        as_of=AS_OF,
    )
    assert early.periods["snapshot"].tolist() == [
        pd.Timestamp("2025-12-11"),
        pd.Timestamp("2026-01-11"),
    ]
    assert early.periods["forecast"].tolist() == pytest.approx([80.0, 150.0])
    assert early.deals["deal_id"].tolist() == ["D1", "D3"]


#: Each deal's source, by row of HAND: D2 moves from outbound to inbound on 25 January.
SOURCES = ["inbound"] * 3 + ["outbound"] * 2 + ["inbound"] * 2 + ["outbound", "inbound"]
SOURCES += ["inbound"] * 5


def test_hand_worked_learned_rates_by_source() -> None:
    """Rates learned per source and stage, each deal taking its group's rate, with the
    groups as they stood at the snapshot.

    At 2026-01-01 D0 (inbound, won; Demo, Proposal) and D5 (outbound, lost; Demo) are
    closed: inbound Demo 1 / 1, inbound Proposal 1 / 1, outbound Demo 0 / 1. January:
    D1 (inbound, Proposal) 1.0; D2 (outbound at the snapshot, Demo) 0.0. At
    2026-02-01 D1 and D4 (inbound, won at Proposal) are closed too, and D2 is inbound
    since 25 January: inbound Demo is still 1 / 1 (D0), so February's D2 and D3 (both
    inbound, Demo) get 1.0.
    """
    log = _log(HAND).assign(source=SOURCES)
    result = backtest_forecast(
        log, periods=["2026-01", "2026-02"], probabilities="learned", by="source", as_of=AS_OF
    )
    deals = result.deals
    assert list(deals.columns[:4]) == ["period", "deal_id", "source", "stage"]
    assert deals["source"].tolist() == ["inbound", "outbound", "inbound", "inbound"]
    assert deals["probability"].tolist() == [1.0, 0.0, 1.0, 1.0]
    rates = result.rates
    assert rates is not None
    assert list(rates.columns[:4]) == ["period", "snapshot", "source", "stage"]
    january = rates[rates["period"] == "2026-01"].set_index(["source", "stage"])
    counts = january[["reached", "won"]].to_numpy().tolist()
    rate = january["win_rate"].to_dict()
    assert counts[january.index.get_loc(("outbound", "Demo"))] == [1, 0]
    assert rate[("inbound", "Proposal")] == 1.0
    assert math.isnan(rate[("outbound", "Proposal")])


def test_a_group_without_a_learned_rate_is_refused() -> None:
    """D3 comes from a partner: no partner deal had closed by February's snapshot."""
    log = _log(HAND).assign(source=SOURCES)
    log.loc[log["deal_id"] == "D3", "source"] = "partner"
    with pytest.raises(
        InvalidInputError,
        match=r"2026-02 .*reached stage 'Demo' \(source='partner'\).*'D3'.*fewer columns",
    ):
        backtest_forecast(
            log, periods=["2026-02"], probabilities="learned", by="source", as_of=AS_OF
        )
    with pytest.raises(InvalidInputError, match="needs probabilities='learned'"):
        backtest_forecast(log, periods=["2026-02"], by="source", as_of=AS_OF)
    with pytest.raises(InvalidInputError, match="not 'stage'"):
        backtest_forecast(log, periods=["2026-02"], probabilities="learned", by=["source", "stage"])
    with pytest.raises(SchemaError, match="segment"):
        backtest_forecast(log, periods=["2026-02"], probabilities="learned", by="segment")


def test_a_period_without_deals_and_an_aware_log() -> None:
    """October 2025 has no deal: the forecast is 0 for sure, the actual 0; the PIT
    interval of 0 is then [P(S < 0), P(S <= 0)] = [0, 1]. Nothing was won, so WAPE
    and bias are NaN; no deal, so the Brier score is NaN. A log in UTC gives the
    same backtest as its naive twin (naive means UTC)."""
    empty = backtest_forecast(_log(HAND), periods=["2025-10"], as_of=AS_OF)
    row = empty.periods.iloc[0]
    assert (row["deals"], row["forecast"], row["p90"], row["actual"]) == (0, 0.0, 0.0, 0.0)
    assert (row["pit_low"], row["pit_high"], row["pit"]) == (0.0, 1.0, 0.5)
    assert bool(row["in_interval"])
    assert math.isnan(empty.wape)
    assert math.isnan(empty.bias)
    assert math.isnan(empty.brier)
    assert empty.deals.empty
    assert list(empty.deals.columns) == [
        "period",
        "deal_id",
        "stage",
        "value",
        "probability",
        "outcome",
        "won_in_period",
    ]
    aware = _log(HAND).assign(changed_at=lambda f: f["changed_at"].dt.tz_localize("UTC"))
    choices: list[dict[str, Any]] = [{}, {"probabilities": "learned"}]
    for options in choices:
        naive = backtest_forecast(
            _log(HAND), periods=["2026-01", "2026-02"], as_of=AS_OF, **options
        )
        zoned = backtest_forecast(aware, periods=["2026-01", "2026-02"], as_of=AS_OF, **options)
        pd.testing.assert_frame_equal(zoned.periods, naive.periods)
        pd.testing.assert_frame_equal(zoned.deals, naive.deals)


def test_stage_visits_merge_runs_and_split_returns() -> None:
    """Consecutive open rows in one stage are one visit; a reopened stage is another."""
    log = _log(
        [
            ("A", "2026-01-01", "Demo", 10.0, 0.2, "2026-03-01", "open"),
            ("A", "2026-01-05", "Demo", 12.0, 0.2, "2026-03-01", "open"),  # value only
            ("A", "2026-01-09", "Proposal", 12.0, 0.5, "2026-03-01", "open"),
            ("A", "2026-01-20", "Proposal", 12.0, 0.0, "2026-01-20", "lost"),
            ("A", "2026-02-01", "Proposal", 12.0, 0.5, "2026-03-01", "open"),  # reopened
            ("B", "2026-01-03", "Demo", 5.0, 0.2, "2026-03-01", "open"),
        ]
    ).sample(frac=1.0, random_state=3)  # any row order
    visits = stage_visits(
        log["deal_id"],
        log["changed_at"],
        log["stage"],
        (log["status"] == "open").to_numpy(),
        context="test",
    )
    got = visits.sort_values(["deal_id", "entered"]).astype({"exited": object})
    assert got.to_numpy().tolist() == [
        ["A", "Demo", pd.Timestamp("2026-01-01"), pd.Timestamp("2026-01-09")],
        ["A", "Proposal", pd.Timestamp("2026-01-09"), pd.Timestamp("2026-01-20")],
        ["A", "Proposal", pd.Timestamp("2026-02-01"), pd.NaT],
        ["B", "Demo", pd.Timestamp("2026-01-03"), pd.NaT],
    ]


# -------------------------------------------------------------------- no look-ahead

START = pd.Timestamp("2026-01-01")
PERIOD = "2026-02"  # snapshot 2026-02-01 with lead 0, 2026-01-25 with lead 7D
LATE = "2026-06-01"


@st.composite
def change_logs(draw: st.DrawFn) -> pd.DataFrame:
    """Logs of 1-6 deals, rows on distinct whole days from 1 January to 31 March."""
    rows = []
    for number in range(draw(st.integers(1, 6))):
        days = sorted(draw(st.sets(st.integers(0, 89), min_size=1, max_size=5)))
        for day in days:
            status = draw(st.sampled_from(["open", "open", "won", "lost"]))
            close = START + pd.Timedelta(days=draw(st.integers(0, 89)))
            rows.append(
                (
                    f"D{number}",
                    START + pd.Timedelta(days=day),
                    draw(st.sampled_from(["A", "B"])),
                    float(draw(st.integers(0, 500))),
                    draw(st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0])),
                    close,
                    status,
                    draw(st.sampled_from(["in", "out"])),  # a source that may change
                )
            )
    return pd.DataFrame(rows, columns=[*COLUMNS, "source"])


def _perturbed(log: pd.DataFrame, snapshot: pd.Timestamp, data: st.DataObject) -> pd.DataFrame:
    """The log with every row after ``snapshot`` redrawn, and rows added after it."""
    out = log.copy()
    later = (out["changed_at"] > snapshot).to_numpy()
    count = int(later.sum())

    def redrawn(values: st.SearchStrategy[Any]) -> list[Any]:
        return data.draw(st.lists(values, min_size=count, max_size=count))

    out.loc[later, "status"] = redrawn(st.sampled_from(["open", "won", "lost"]))
    out.loc[later, "value"] = redrawn(st.integers(0, 900).map(float))
    out.loc[later, "stage"] = redrawn(st.sampled_from(["A", "B", "C"]))
    out.loc[later, "source"] = redrawn(st.sampled_from(["in", "out", "new"]))
    days = redrawn(st.integers(0, 89))
    out.loc[later, "close_date"] = [START + pd.Timedelta(days=day) for day in days]
    added = []
    # Distinct hours, at half past: never two rows of a deal at one moment.
    for hours in data.draw(st.lists(st.integers(1, 24 * 60), unique=True, max_size=4)):
        added.append(
            (
                data.draw(st.sampled_from(["D0", "D1", "D9"])),
                snapshot + pd.Timedelta(hours=hours, minutes=30),
                data.draw(st.sampled_from(["A", "B", "C"])),
                float(data.draw(st.integers(0, 900))),
                data.draw(st.sampled_from([0.0, 0.5, 1.0])),
                pd.Timestamp("2026-02-15"),
                data.draw(st.sampled_from(["open", "won", "lost"])),
                data.draw(st.sampled_from(["in", "out", "new"])),
            )
        )
    added_frame = pd.DataFrame(added, columns=[*COLUMNS, "source"]).astype(out.dtypes.to_dict())
    return pd.concat([out, added_frame], ignore_index=True) if added else out


def _forecast_part(log: pd.DataFrame, **options: Any) -> object:
    """What a backtest forecast from ``log``: the forecast columns, the deals' probabilities
    and the rates learned, or the refusal."""
    try:
        result = backtest_forecast(log, periods=[PERIOD], as_of=LATE, **options)
    except InvalidInputError as error:
        return str(error)
    deals = result.deals.drop(columns=["outcome", "won_in_period"])
    rates = None
    if result.rates is not None:  # NaN is not equal to itself: None in its place
        rates = result.rates.astype(object).where(result.rates.notna(), None).to_dict("list")
    return result.periods[FORECAST_COLUMNS].to_dict("list"), deals.to_dict("list"), rates


#: The options compared, each with its lead: the CRM's probabilities, learned win
#: rates, learned per source (a source that only the redrawn rows hold, "new", is
#: never read), and a preset (with stages, C, that only the redrawn rows hold).
OPTIONS: list[dict[str, Any]] = [
    {},
    {"probabilities": "learned", "lead": "7D"},
    {"probabilities": "learned", "by": "source"},
    {"probabilities": {"A": 0.3, "B": 0.6, "C": 0.9}},
]


@settings(max_examples=12)  # each example runs eight backtests (about 1.5 s in all)
@given(log=change_logs(), data=st.data())
def test_no_look_ahead(log: pd.DataFrame, data: st.DataObject) -> None:
    """Redrawing every change after the snapshot (outcomes, values, stages, close dates,
    sources) and adding changes after it leaves the forecast, and any refusal, as it
    was."""
    for options in OPTIONS:
        snapshot = pd.Timestamp("2026-02-01") - pd.Timedelta(options.get("lead", "0D"))
        changed = _perturbed(log, snapshot, data)
        assert _forecast_part(changed, **options) == _forecast_part(log, **options), options


# ---------------------------------------------------------- a team with known rates

#: Stage A -> B with probability .6, B -> C with .7, C -> won with .8 (else lost),
#: each step at a time drawn independently of the outcomes: from stage s the chance
#: to win is q_s whatever the time, q_C = .8, q_B = .7 * .8 = .56, q_A = .6 * .56.
TRUTH = {"A": 0.336, "B": 0.56, "C": 0.8}


def _simulated_team(seed: int = 2026, weeks: int = 150, per_week: int = 12) -> pd.DataFrame:
    """A change log of a team whose deals win with the probabilities TRUTH.

    Each deal has an expected close day E (uniform over the weeks, the close date of
    its open rows), is created in A 60 days before E (so that it is in the pipeline
    of E's week from its start), moves to B at E - d1 and to C at E - d2 (d1 uniform
    on 3..40 days, d2 on 1..d1-1, independent of everything else) or is lost there,
    and is won or lost at E (stage "Closed Won" or "Closed Lost"; a lost deal's close
    date is the day it was lost). Values are whole thousands from 1,000 to 50,000.
    """
    rng = np.random.default_rng(seed)
    origin = pd.Timestamp("2023-01-02")  # a Monday
    count = weeks * per_week
    close = origin + pd.to_timedelta(rng.integers(0, weeks * 7, count), unit="D")
    value = rng.integers(1, 51, count) * 1000.0
    d1 = rng.integers(3, 41, count)
    d2 = np.array([rng.integers(1, high) for high in d1])
    passes = rng.random((count, 3)) < np.array([0.6, 0.7, 0.8])
    rows: list[tuple[Any, ...]] = []
    for i in range(count):
        deal, e = f"S{i:05d}", close[i]
        rows.append((deal, e - pd.Timedelta(days=60, hours=-9), "A", value[i], 0.1, e, "open"))
        steps = [(e - pd.Timedelta(days=int(d1[i]), hours=-10), "B", 0.5)]
        steps.append((e - pd.Timedelta(days=int(d2[i]), hours=-11), "C", 0.9))
        for (moment, stage, crm), passed in zip(steps, passes[i, :2], strict=True):
            if not passed:
                rows.append(
                    (deal, moment, "Closed Lost", value[i], 0.0, moment.normalize(), "lost")
                )
                break
            rows.append((deal, moment, stage, value[i], crm, e, "open"))
        else:
            won = bool(passes[i, 2])
            rows.append(
                (
                    deal,
                    e + pd.Timedelta(hours=12),
                    "Closed Won" if won else "Closed Lost",
                    value[i],
                    1.0 if won else 0.0,
                    e,
                    "won" if won else "lost",
                )
            )
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.fixture(scope="module")
def team() -> pd.DataFrame:
    return _simulated_team()


def _weeks(first: str, count: int) -> pd.PeriodIndex:
    return pd.period_range(first, periods=count, freq="W-SUN")


def _pit_scores(result: Backtest, bins: int = 5) -> tuple[float, float]:
    """The chi-square statistic of the PIT histogram and its Kolmogorov distance."""
    n = len(result.periods)
    shares = result.pit_histogram(bins)["share"].to_numpy()
    chi_square = n * bins * float(((shares - 1.0 / bins) ** 2).sum())
    grid = np.linspace(0.0, 1.0, 201)
    distance = float(np.abs(result.pit_cdf(grid) - grid).max())
    return chi_square, distance


def test_true_model_pit_is_uniform(team: pd.DataFrame) -> None:
    """With the true win rates as the preset, the non-randomised PIT is uniform.

    100 weekly periods from the 11th week on (the pipeline of every period is then
    complete: deals are created 60 days before their close), 5 to 6 deals each on
    average. Under calibration the mean PIT distribution function is the identity
    (Czado, Gneiting & Held 2009, section 2.2). Bounds, for n = 100 periods: the
    chi-square statistic of a 5-bin histogram, n * 5 * sum((share - 1/5)^2), below
    chi2(4).ppf(.99) = 13.28; and the Kolmogorov distance sup |F(u) - u| below
    1.63 / sqrt(100) = .163, the 1 % critical value. Both would hold with
    probability .99 for i.i.d. uniform PIT values; the non-randomised PIT of
    discrete forecasts is less dispersed, so they are conservative. (With seed 2026
    the true model scores 2.4 and .064.) The forecast with every rate multiplied by
    .6 fails both on the same log (106 and .43), which is what makes them a test.
    """
    periods = _weeks("2023-03-13", 100)
    truth = backtest_forecast(team, periods=periods, probabilities=TRUTH)
    chi_square, distance = _pit_scores(truth)
    assert stats.chi2.ppf(0.99, 4) == pytest.approx(13.2767, abs=1e-4)
    assert chi_square < 13.28
    assert distance < 1.63 / math.sqrt(100)
    assert 0.7 <= truth.coverage <= 0.95
    assert abs(truth.bias) < 0.1
    low = {stage: 0.6 * rate for stage, rate in TRUTH.items()}
    biased = backtest_forecast(team, periods=periods, probabilities=low)
    chi_square, distance = _pit_scores(biased)
    assert chi_square > 13.28
    assert distance > 1.63 / math.sqrt(100)
    assert biased.bias < -0.3
    assert truth.brier < biased.brier


def test_learned_rates_recover_the_truth(team: pd.DataFrame) -> None:
    """Learned at the last snapshots, the rates' 95 % intervals hold the true rates,
    and the forecast made with them is calibrated like the true one.

    The last 20 weeks, each learning from the two to three years of deals closed
    before it: at the last snapshot 1,779 closed deals reached A (576 won: .324,
    interval .302 to .346), 1,062 reached B (.542, .512 to .572) and 737 reached C
    (.782, .750 to .810). Deals lost early in a young cohort are closed before its
    winners, which biases the rates down a little (by a few percent), inside the
    intervals. The learned PIT passes the bounds of the test above (1.63 / sqrt(20)
    for the distance), and its Brier score beats the CRM's fixed .1, .5 and .9
    (.189 against .201).
    """
    weeks = _weeks("2025-06-16", 20)
    learned = backtest_forecast(team, periods=weeks, probabilities="learned")
    rates = learned.rates
    assert rates is not None
    last = rates[rates["period"] == learned.periods.index[-1]].set_index("stage")
    for stage, rate in TRUTH.items():
        assert last.loc[stage, "lower"] <= rate <= last.loc[stage, "upper"], stage
        assert last.loc[stage, "reached"] > 500
    chi_square, distance = _pit_scores(learned)
    assert chi_square < 13.28
    assert distance < 1.63 / math.sqrt(20)
    crm = backtest_forecast(team, periods=weeks)  # the CRM says .1, .5 and .9
    assert learned.brier < crm.brier


# ------------------------------------------------------------------------ PIT helpers


def test_pit_bounds_of_a_discrete_forecast() -> None:
    """S = 100 B1 + 100 B2 with p = .5: P(0) = .25, P(100) = .5, P(200) = .25."""
    distribution = forecast_distribution([100.0, 100.0], [0.5, 0.5])
    assert pit_bounds(distribution, 100.0) == (0.25, 0.75)
    assert pit_bounds(distribution, 0.1 + 0.2 - 0.3 + 100.0) == (0.25, 0.75)  # rounding
    assert pit_bounds(distribution, 150.0) == (0.75, 0.75)
    assert pit_bounds(distribution, 0.0) == (0.0, 0.25)
    assert pit_bounds(distribution, 250.0) == (1.0, 1.0)


def test_pit_of_a_lattice_forecast_brackets_the_exact_one() -> None:
    """Beyond 16 uncertain deals the forecast is a lattice; its PIT interval, widened
    by the lattice's value bound, contains the exact one (20 deals, 2**20 outcomes)."""
    rng = np.random.default_rng(11)
    values = rng.uniform(1_000, 9_000, 20).round(2)
    chances = rng.uniform(0.1, 0.9, 20)
    lattice = forecast_distribution(values, chances, tolerance=0.01)
    exact = forecast_distribution(values, chances, method="exact")
    assert lattice.method == "lattice"
    assert lattice.value_error > 0
    for actual in [0.0, float(values[:7].sum()), float(values[3:15].sum()), float(values.sum())]:
        low, high = pit_bounds(lattice, actual)
        exact_low, exact_high = pit_bounds(exact, actual)
        assert low <= exact_low + 1e-12
        assert exact_high <= high + 1e-12


@given(
    st.lists(
        st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)).map(sorted), min_size=1, max_size=8
    )
)
def test_pit_cdf_against_a_plain_loop(intervals: list[list[float]]) -> None:
    """The vectorised mean PIT CDF equals a loop over the periods; the histogram's
    shares are >= 0 and sum to 1."""
    low = np.array([pair[0] for pair in intervals])
    high = np.array([pair[1] for pair in intervals])
    grid = np.linspace(0.0, 1.0, 41)

    def one(u: float, lo: float, hi: float) -> float:
        if u >= hi:
            return 1.0
        if u <= lo:
            return 0.0
        return (u - lo) / (hi - lo)

    expected = [
        sum(one(u, lo, hi) for lo, hi in zip(low, high, strict=True)) / len(low) for u in grid
    ]
    assert pit_cdf(low, high, grid) == pytest.approx(expected, abs=1e-12)
    shares = pit_histogram(low, high, 7)["share"].to_numpy()
    assert (shares >= -1e-15).all()
    assert shares.sum() == pytest.approx(1.0)


# -------------------------------------------------------------------------- refusals


def test_crm_probability_missing_is_refused() -> None:
    rows = list(HAND)
    rows[5] = ("D1", "2025-12-10", "Proposal", 100.0, math.nan, "2026-01-20", "open")
    with pytest.raises(InvalidInputError, match=r"period 2026-01 .*'D1'.*give a preset"):
        backtest_forecast(_log(rows), periods=["2026-01"], as_of=AS_OF)


def test_learned_rate_unknown_is_refused_not_guessed() -> None:
    """On 2025-11-30 (December, lead 1 day) no deal is closed yet: D0 (Proposal) and D5
    (Demo), due in December, are in stages without a learned rate."""
    with pytest.raises(
        InvalidInputError,
        match=(
            r"2025-12 .*no deal closed by the snapshot had reached stage 'Proposal', "
            r"'Demo'.*'D0', 'D5'"
        ),
    ):
        backtest_forecast(
            _log(HAND), periods=["2025-12"], probabilities="learned", lead="1D", as_of=AS_OF
        )


def test_preset_without_a_stage_is_refused() -> None:
    with pytest.raises(InvalidInputError, match=r"period 2026-01 .*'Demo'.*'D2'"):
        backtest_forecast(
            _log(HAND), periods=["2026-01"], probabilities={"Proposal": 0.5}, as_of=AS_OF
        )
    with pytest.raises(InvalidInputError, match="stage_probabilities must map"):
        backtest_forecast(_log(HAND), periods=["2026-01"], probabilities={"Demo": 60})


def test_period_not_over_is_refused() -> None:
    with pytest.raises(InvalidInputError, match=r"2026-02 ends on 2026-02-28, after as_of"):
        backtest_forecast(_log(HAND), periods=["2026-02"])  # as_of: the last change, 02-18


def test_mixed_currencies_are_refused() -> None:
    log = _log(HAND).assign(currency="EUR")
    log.loc[log["deal_id"] == "D2", "currency"] = "USD"
    with pytest.raises(InvalidInputError, match=r"more than one currency.*'USD'"):
        backtest_forecast(log, periods=["2026-01"], as_of=AS_OF)
    backtest_forecast(log, periods=["2025-12"], as_of=AS_OF)  # D2 not in December


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"periods": []}, "at least one period"),
        ({"periods": "2026-01"}, "list of periods"),
        ({"periods": ("2026-01-01", "2026-01-31")}, "a tuple is one period"),
        ({"periods": ["2026-01", "2026-01"]}, "each period once"),
        ({"periods": ["2026-13"]}, r"periods\[0\]"),
        ({"lead": "-1D"}, "lead must be a duration >= 0"),
        ({"lead": "1M"}, "no fixed length"),
        ({"lead": 14}, "lead must be a duration"),
        ({"probabilities": "vendor"}, "'crm', 'learned'"),
        ({"probabilities": [0.5]}, "'crm', 'learned'"),
        ({"confidence": 95}, "confidence"),
        ({"as_of": "someday"}, "as_of must be a timestamp"),
    ],
)
def test_bad_options_are_refused(options: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"periods": ["2026-01"], "as_of": AS_OF} | options
    with pytest.raises(InvalidInputError, match=message):
        backtest_forecast(_log(HAND), **arguments)


def test_bad_logs_are_refused() -> None:
    with pytest.raises(SchemaError, match="probability"):
        backtest_forecast(_log(HAND).drop(columns="probability"), periods=["2026-01"])
    with pytest.raises(SchemaError, match="stage"):
        backtest_forecast(
            _log(HAND).drop(columns="stage"), periods=["2026-01"], probabilities="learned"
        )
    with pytest.raises(InvalidInputError, match="no rows"):
        backtest_forecast(_log(HAND).iloc[:0], periods=["2026-01"])
    twice = pd.concat([_log(HAND), _log(HAND).iloc[[0]]], ignore_index=True)
    with pytest.raises(InvalidInputError, match="same 'changed_at'"):
        backtest_forecast(twice, periods=["2026-01"], as_of=AS_OF)


# ------------------------------------------------------------------ the record


def _hand_backtest(**options: Any) -> Backtest:
    return backtest_forecast(_log(HAND), periods=["2026-01", "2026-02"], as_of=AS_OF, **options)


def _pit_low(value: complex) -> Any:
    return lambda record: record.periods.assign(pit_low=value)


@pytest.mark.parametrize(
    ("field", "make", "message"),
    [
        ("periods", lambda record: record.periods.to_dict(), "periods must be a DataFrame"),
        ("periods", lambda record: record.periods.drop(columns="pit_high"), "lacks"),
        ("periods", _pit_low(1e308), r"periods\['pit_low'\] must be numbers in \[0, 1\]"),
        ("periods", _pit_low(math.nan), r"in \[0, 1\].*'2026-01'"),
        ("periods", _pit_low(1 + 1j), "must hold numbers"),
        ("periods", lambda r: r.periods.assign(pit_low=1.0, pit_high=0.5), "at most"),
        (
            "deals",
            lambda record: record.deals.set_axis(
                pd.MultiIndex.from_arrays([record.deals.columns, record.deals.columns]), axis=1
            ),
            "flat, distinct column names",
        ),
        ("deals", lambda record: record.deals.assign(probability="abc"), "must hold numbers"),
        ("deals", lambda record: record.deals.assign(outcome="Won"), r"outcome.*'D1'"),
        ("rates", lambda record: record.deals, "must be None with probabilities='crm'"),
        ("probabilities", lambda record: ["crm"], "probabilities must be one of"),
        ("probabilities", lambda record: True, "probabilities must be one of .*bool"),
        ("lead", lambda record: pd.Timedelta("-1D"), "lead must be a pandas Timedelta >= 0"),
        ("lead", lambda record: "14D", "lead must be a pandas Timedelta"),
        ("as_of", lambda record: pd.NaT, "as_of must be a pandas Timestamp"),
        ("wape", lambda record: -0.5, r"wape must be a finite number in \[0, inf\]"),
        ("wape", lambda record: math.inf, "wape must be a finite number"),
        ("bias", lambda record: 10**400, "within float range"),
        ("bias_pipeline", lambda record: 1 + 1j, "bias_pipeline must be a number"),
        ("coverage", lambda record: 1.5, r"coverage must be a finite number in \[0, 1\]"),
        ("brier", lambda record: "0.2", "brier must be a number"),
    ],
)
def test_record_fields_are_checked(field: str, make: Any, message: str) -> None:
    record = _hand_backtest()
    with pytest.raises(InvalidInputError, match=message):
        attrs.evolve(record, **{field: make(record)})


def test_record_rebuilt_from_its_fields() -> None:
    """NaN scores are legitimate (nothing won: no WAPE); learned rates come with rates."""
    record = _hand_backtest(probabilities="learned")
    again = attrs.evolve(record, wape=math.nan, bias=math.nan, brier=math.nan)
    assert math.isnan(again.wape)
    assert again.rates is record.rates
    with pytest.raises(InvalidInputError, match="rates must be a DataFrame"):
        attrs.evolve(record, rates=None)


@pytest.mark.parametrize(
    "u", [np.array([0.5 + 1j]), 10**400, "abc", np.zeros((2, 2)), [0.5, 1.5], pd.NA]
)
def test_pit_cdf_refuses_what_is_no_point_of_0_1(u: Any) -> None:
    with pytest.raises(InvalidInputError, match=r"^u must"):
        _hand_backtest().pit_cdf(u)


@pytest.mark.parametrize("bins", [np.array(4), [0.0, 10**400, 1.0], np.array([0.0, 0.5j, 1.0])])
def test_calibration_refuses_bad_edges(bins: Any) -> None:
    with pytest.raises(InvalidInputError, match="bins"):
        _hand_backtest().calibration(bins)


def test_pit_cdf_of_a_subnormal_interval_does_not_overflow() -> None:
    """Found by Hypothesis: (u - 0) / 5e-324 overflowed for the points beyond the interval."""
    low, high = np.array([0.0]), np.array([5e-324])
    with np.errstate(all="raise"):
        assert pit_cdf(low, high, np.array([0.0, 0.5, 1.0])).tolist() == [0.0, 1.0, 1.0]


def test_pit_of_subnormal_bounds_is_computed_quietly() -> None:
    """A subnormal PIT bound (valid: it is in [0, 1]) underflows harmlessly in the division."""
    record = _hand_backtest()
    tiny = attrs.evolve(record, periods=record.periods.assign(pit_low=5e-324))
    with np.errstate(all="raise"):
        shares = tiny.pit_histogram(4)["share"]
    assert shares.sum() == pytest.approx(1.0)
