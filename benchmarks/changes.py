"""Time pipeline_as_of and pipeline_waterfall against plain pandas and hand-written SQL.

A synthetic change log (default 10,000,000 rows: about 2,000,000 deals of about five
changes each, created over two years; a change may push or pull the close date or
change the value, and a deal's last change may win or lose it) is rebuilt in the same
process:

- by ``pipeline_as_of(log, when)`` (the checks included) and by what a pandas user
  would write without salescore: ``pd.merge_asof`` of every deal at ``when`` against
  the log sorted by ``changed_at``, and the first ``changed_at`` of each deal by
  ``groupby().min()``;
- by ``pipeline_waterfall(log, start, end, period=...)`` and by two such as-of merges
  joined on the deal, the contract's classification in NumPy and the sums per term;
- by ``backtest_forecast(log, periods=..., probabilities="learned")`` over four
  quarters, against the reading it cannot do without: the as-of merge at each of the
  four snapshots and at ``as_of`` (the forecasts, win rates and scores are salescore's
  own work on top of that).

Both give the same deals and terms (the script checks it) and the script prints the
best of ``--repeat`` runs and their ratio (salescore ÷ plain pandas). The log is then
handed to Polars (a lazy frame) and DuckDB (a table in DuckDB's storage) and the same
two calls are timed there against the same work written by hand in DuckDB SQL
(``arg_max`` per deal; the waterfall's classification as ``CASE`` expressions; for the
backtest the five as-of queries and each deal's first open row per stage), again with
their ratio (engine ÷ hand SQL); the engines' backtest must equal the pandas one. The
engines also check the log, which the plain code and the hand SQL do not.

    python benchmarks/changes.py                  # 10,000,000 change rows
    python benchmarks/changes.py --rows 1M --repeat 5
    python benchmarks/changes.py --engines duckdb

Each case runs in turn with its reference, ``--repeat`` times, and the best time of
each is kept. The ratios are the figures to compare across machines; the absolute
times are not.
"""

from __future__ import annotations

import argparse
import platform
import timeit
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

import salescore
from salescore.forecasting.changes import TERMS, pipeline_as_of, pipeline_waterfall

START = np.datetime64("2024-01-01T00:00:00", "s")
SPAN_DAYS = 730
STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation", "Commit")
CHANCES = (0.1, 0.2, 0.4, 0.6, 0.8)
CATEGORIES = ("pipeline", "pipeline", "best_case", "best_case", "commit")
WHEN = pd.Timestamp("2025-06-30")
WINDOW = (pd.Timestamp("2025-04-01"), pd.Timestamp("2025-06-30"))
PERIOD = "2025Q2"
QUARTERS = ["2024Q3", "2024Q4", "2025Q1", "2025Q2"]


def _count(text: str) -> int:
    """``10M``, ``1.5e6``, ``100000`` -> a row count."""
    factor = {"K": 10**3, "M": 10**6}.get(text[-1:].upper(), 1)
    return int(float(text[:-1] if factor != 1 else text) * factor)


def make_log(rows: int, seed: int) -> pd.DataFrame:
    """About ``rows`` changes of about ``rows / 5`` deals, sorted by ``changed_at``.

    A deal has 1 + Poisson(4) rows: its creation, then changes 1 to 30 days apart
    (whole seconds, so no deal has two rows at one moment). A change pushes the close
    date out by 7 to 60 days with chance 0.3, pulls it in by 1 to 14 days with chance
    0.05, and changes the value by -30 % to +30 % with chance 0.2; the stage moves one
    step on at each change. A deal's last row wins it (chance 0.25) or loses it (0.35),
    its close date then the day of that change; the others stay open.
    """
    rng = np.random.default_rng(seed)
    deals = max(rows // 5, 1)
    counts = 1 + rng.poisson(4.0, deals)
    total = int(counts.sum())
    deal = np.repeat(np.arange(deals, dtype=np.int64), counts)
    first = np.cumsum(counts) - counts
    step = np.arange(total, dtype=np.int64) - np.repeat(first, counts)

    def within(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """Running sums of ``values`` restarted at each deal's first row."""
        running = np.cumsum(values)
        restarted: np.ndarray[Any, Any] = running - np.repeat(
            running[first] - values[first], counts
        )
        return restarted

    created = rng.integers(0, (SPAN_DAYS - 60) * 86_400, deals)
    gaps = np.where(step == 0, 0, rng.integers(86_400, 30 * 86_400, total))
    seconds = np.repeat(created, counts) + within(gaps)
    changed_at = START + seconds.astype("timedelta64[s]")
    roll = rng.random(total)
    moved = np.where(
        step == 0,
        rng.integers(30, 120, total),
        np.where(
            roll < 0.3,
            rng.integers(7, 61, total),
            np.where(roll < 0.35, -rng.integers(1, 15, total), 0),
        ),
    )
    created_day = changed_at.astype("datetime64[D]")[first]
    close = np.repeat(created_day, counts) + within(moved).astype("timedelta64[D]")
    factor = np.where((step > 0) & (rng.random(total) < 0.2), rng.uniform(0.7, 1.3, total), 1.0)
    base = np.repeat(rng.lognormal(9.0, 1.0, deals), counts)
    value = np.round(base * np.exp(within(np.log(factor))), 2)
    last = np.zeros(total, dtype=bool)
    last[first + counts - 1] = True
    ending = rng.random(total)
    status = np.where(
        last & (ending < 0.25), "won", np.where(last & (ending < 0.6), "lost", "open")
    )
    closed = status != "open"
    close = np.where(closed, changed_at.astype("datetime64[D]"), close)
    level = np.minimum(step, len(STAGES) - 1)
    stage = np.asarray(STAGES, dtype=object)[level]
    stage = np.where(
        status == "won", "Closed Won", np.where(status == "lost", "Closed Lost", stage)
    )
    probability = np.where(
        status == "won", 1.0, np.where(status == "lost", 0.0, np.asarray(CHANCES)[level])
    )
    category = np.where(
        status == "won",
        "closed",
        np.where(status == "lost", "omitted", np.asarray(CATEGORIES, dtype=object)[level]),
    )
    owners = np.array([f"seller {number:02d}" for number in range(40)], dtype=object)
    log = pd.DataFrame(
        {
            "deal_id": deal,
            "changed_at": changed_at.astype("datetime64[us]"),
            "stage": pd.array(stage, dtype="str"),
            "value": value,
            "probability": probability,
            "close_date": close.astype("datetime64[us]"),
            "forecast_category": pd.array(category, dtype="str"),
            "status": pd.array(status, dtype="str"),
            "owner": pd.array(np.repeat(owners[rng.integers(0, 40, deals)], counts), dtype="str"),
        }
    )
    return log.sort_values("changed_at", kind="stable", ignore_index=True)


# --- plain pandas ---------------------------------------------------------------------


def plain_as_of(log: pd.DataFrame, when: pd.Timestamp) -> pd.DataFrame:
    """Each deal's row in force at ``when`` and its first ``changed_at``, by deal id."""
    seen = log[log["changed_at"] <= when]
    right = seen.sort_values("changed_at", kind="stable")
    created = seen.groupby("deal_id")["changed_at"].min()
    left = pd.DataFrame({"deal_id": created.index, "at": when.as_unit("us")})
    state = pd.merge_asof(left, right, left_on="at", right_on="changed_at", by="deal_id")
    state["created"] = created.to_numpy()
    return state.drop(columns="at")


def plain_waterfall(log: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> dict[str, Any]:
    """The nine terms of the waterfall of ``PERIOD``, in value and count, by hand."""
    first, last = pd.Period(PERIOD).start_time, pd.Period(PERIOD).end_time.normalize()
    s = plain_as_of(log, start)[["deal_id", "status", "value", "close_date"]]
    e = plain_as_of(log, end)[["deal_id", "status", "value", "close_date"]]
    both = e.merge(s, on="deal_id", how="left", suffixes=("", "_s"))
    s_exists = both["status_s"].notna().to_numpy()
    s_open = (both["status_s"] == "open").to_numpy()
    e_open = (both["status"] == "open").to_numpy()
    won, lost = (both["status"] == "won").to_numpy(), (both["status"] == "lost").to_numpy()
    e_close = both["close_date"]
    e_in = ((e_close >= first) & (e_close <= last)).to_numpy()
    s_close = both["close_date_s"]
    s_in = ((s_close >= first) & (s_close <= last)).to_numpy()
    in_s = s_open & s_in
    in_e = e_open & e_in
    closed = (won | lost) & (~s_exists | s_open)
    entered = ~in_s & e_in & (in_e | closed)
    part = in_s | entered
    e_value = both["value"].to_numpy()
    s_value = both["value_s"].to_numpy()
    change = np.where(in_s, e_value - np.nan_to_num(s_value), 0.0)
    masks = {
        "start": (in_s, s_value),
        "new": (entered & ~s_exists, e_value),
        "pulled_in": (entered & s_exists, e_value),
        "pushed_out": (in_s & e_open & ~e_in, e_value),
        "value_up": (in_s & (change > 0), change),
        "value_down": (in_s & (change < 0), -change),
        "won": (part & won, e_value),
        "lost": (part & lost, e_value),
        "end": (part & in_e, e_value),
    }
    return {
        name: (float(values[mask].sum()), int(mask.sum())) for name, (mask, values) in masks.items()
    }


# --- hand-written DuckDB SQL ------------------------------------------------------------

HAND_FIRST_ENTRIES = """
SELECT deal_id, stage, min(changed_at) AS entered
FROM log
WHERE status = 'open'
GROUP BY deal_id, stage
"""

HAND_AS_OF = """
SELECT deal_id,
       arg_max(stage, changed_at) AS stage,
       arg_max(value, changed_at) AS value,
       arg_max(probability, changed_at) AS probability,
       arg_max(close_date, changed_at) AS close_date,
       arg_max(forecast_category, changed_at) AS forecast_category,
       arg_max(status, changed_at) AS status,
       arg_max(owner, changed_at) AS owner,
       min(changed_at) AS created,
       max(changed_at) AS changed_at
FROM log
WHERE changed_at <= $when
GROUP BY deal_id
ORDER BY deal_id
"""

HAND_WATERFALL = """
WITH s AS (
    SELECT deal_id, arg_max(status, changed_at) AS status, arg_max(value, changed_at) AS value,
           arg_max(close_date, changed_at) AS close_date
    FROM log WHERE changed_at <= $start GROUP BY deal_id
), e AS (
    SELECT deal_id, arg_max(status, changed_at) AS status, arg_max(value, changed_at) AS value,
           arg_max(close_date, changed_at) AS close_date
    FROM log WHERE changed_at <= $end GROUP BY deal_id
), flags AS (
    SELECT e.value AS e_value, s.value AS s_value, s.deal_id IS NOT NULL AS s_exists,
           e.status = 'open' AS e_open, e.status = 'won' AS won, e.status = 'lost' AS lost,
           coalesce(s.status = 'open' AND s.close_date BETWEEN $first AND $last, false) AS in_s,
           e.close_date BETWEEN $first AND $last AS e_in,
           coalesce(s.status = 'open', false) AS s_open
    FROM e LEFT JOIN s USING (deal_id)
), parts AS (
    SELECT *, e_open AND e_in AS in_e,
           NOT in_s AND e_in AND ((e_open AND e_in) OR ((won OR lost) AND (NOT s_exists OR s_open)))
               AS entered,
           CASE WHEN in_s THEN e_value - s_value ELSE 0 END AS change
    FROM flags
)
SELECT
    sum(s_value) FILTER (in_s) AS start_v, count(*) FILTER (in_s) AS start_n,
    sum(e_value) FILTER (entered AND NOT s_exists) AS new_v,
    count(*) FILTER (entered AND NOT s_exists) AS new_n,
    sum(e_value) FILTER (entered AND s_exists) AS pulled_in_v,
    count(*) FILTER (entered AND s_exists) AS pulled_in_n,
    sum(e_value) FILTER (in_s AND e_open AND NOT e_in) AS pushed_out_v,
    count(*) FILTER (in_s AND e_open AND NOT e_in) AS pushed_out_n,
    sum(change) FILTER (change > 0) AS value_up_v, count(*) FILTER (change > 0) AS value_up_n,
    -sum(change) FILTER (change < 0) AS value_down_v,
    count(*) FILTER (change < 0) AS value_down_n,
    sum(e_value) FILTER ((in_s OR entered) AND won) AS won_v,
    count(*) FILTER ((in_s OR entered) AND won) AS won_n,
    sum(e_value) FILTER ((in_s OR entered) AND lost) AS lost_v,
    count(*) FILTER ((in_s OR entered) AND lost) AS lost_n,
    sum(e_value) FILTER ((in_s OR entered) AND in_e) AS end_v,
    count(*) FILTER ((in_s OR entered) AND in_e) AS end_n
FROM parts
"""


def _snapshots(log: pd.DataFrame) -> list[pd.Timestamp]:
    """The backtest's snapshots (each quarter's first day) and its as_of (the last change)."""
    return [pd.Period(quarter).start_time for quarter in QUARTERS] + [log["changed_at"].max()]


def backtest(frame: Any) -> Any:
    return salescore.backtest_forecast(frame, periods=QUARTERS, probabilities="learned")


def plain_backtest_reading(log: pd.DataFrame) -> list[pd.DataFrame]:
    return [plain_as_of(log, when) for when in _snapshots(log)]


def hand_backtest_reading(connection: Any, log: pd.DataFrame) -> list[pd.DataFrame]:
    states = [_hand_sql(connection, HAND_AS_OF, when=when) for when in _snapshots(log)]
    return [*states, _hand_sql(connection, HAND_FIRST_ENTRIES)]


def _same_backtest(ours: Any, theirs: Any) -> bool:
    try:
        pd.testing.assert_frame_equal(ours.periods, theirs.periods)
        pd.testing.assert_frame_equal(ours.deals, theirs.deals)
    except AssertionError:
        return False
    return bool(np.isclose(ours.brier, theirs.brier, rtol=1e-12))


def _best(ours: Callable[[], Any], theirs: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Best times of two calls run in turn, so that a busy machine slows both alike."""
    mine: list[float] = []
    bare: list[float] = []
    for _ in range(repeat):
        mine.append(min(timeit.repeat(ours, number=1, repeat=1)))
        bare.append(min(timeit.repeat(theirs, number=1, repeat=1)))
    return min(mine), min(bare)


def _row(name: str, mine: float, bare: float) -> str:
    return f"{name:34s} {mine:9.2f}s {bare:12.2f}s {mine / bare:6.2f}×"


def _terms(flow: Any) -> dict[str, tuple[float, int]]:
    """A waterfall's single row as {term: (value, count)}."""
    value, count = flow.value.iloc[0], flow.count.iloc[0]
    return {term: (float(value[term]), int(count[term])) for term in TERMS}


def _same_terms(ours: dict[str, tuple[float, int]], theirs: dict[str, tuple[float, int]]) -> bool:
    return all(
        ours[term][1] == theirs[term][1]
        and np.isclose(ours[term][0], theirs[term][0], rtol=1e-9, atol=1e-6)
        for term in TERMS
    )


def _same_state(ours: pd.DataFrame, theirs: pd.DataFrame) -> bool:
    """The same deals, values, close dates, statuses and moments, by deal id."""
    theirs = theirs.sort_values("deal_id", ignore_index=True)
    if len(ours) != len(theirs):
        return False
    return all(
        np.array_equal(ours[name].to_numpy(), theirs[name].to_numpy())
        for name in ("deal_id", "value", "close_date", "status", "created", "changed_at")
    )


def _hand_sql(connection: Any, query: str, **parameters: Any) -> pd.DataFrame:
    result: pd.DataFrame = connection.execute(query, parameters).df()
    return result


def _engine_frames(log: pd.DataFrame, engines: list[str]) -> dict[str, tuple[Any, Any]]:
    """Each engine's frame of the log, and what the hand SQL runs on (DuckDB only)."""
    frames: dict[str, tuple[Any, Any]] = {}
    if "polars" in engines:
        import polars as pl

        frames["polars"] = (pl.from_pandas(log).lazy(), None)
    if "duckdb" in engines:
        import duckdb

        connection = duckdb.connect()
        connection.from_df(log).create("log")
        frames["duckdb"] = (connection.table("log"), connection)
    return frames


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=_count, default=10_000_000, help="change rows, e.g. 1M")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (best kept)")
    parser.add_argument("--engines", default="polars,duckdb", help="comma-separated, or ''")
    parser.add_argument("--seed", type=int, default=20261204)
    arguments = parser.parse_args()
    engines = [name.strip() for name in arguments.engines.split(",") if name.strip()]
    unknown = sorted(set(engines) - {"polars", "duckdb"})
    if unknown:
        parser.error(f"unknown engines {unknown}; choose from polars, duckdb")
    repeat = arguments.repeat
    log = make_log(arguments.rows, arguments.seed)
    start, end = WINDOW
    print(
        f"salescore {salescore.__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"Python {platform.python_version()}"
    )
    print(
        f"{len(log):,} change rows of {log['deal_id'].nunique():,} deals; as of {WHEN:%Y-%m-%d}; "
        f"waterfall of {PERIOD} from {start:%Y-%m-%d} to {end:%Y-%m-%d}; best of {repeat}"
    )

    state = pipeline_as_of(log, WHEN)
    flow = pipeline_waterfall(log, start, end, period=PERIOD)
    if not _same_state(state, plain_as_of(log, WHEN)):
        raise SystemExit("pipeline_as_of and the plain merge_asof disagree")
    if not _same_terms(_terms(flow), plain_waterfall(log, start, end)):
        raise SystemExit("pipeline_waterfall and the plain pandas waterfall disagree")
    rows: list[tuple[str, float, float]] = []
    cases: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        ("pipeline_as_of", lambda: pipeline_as_of(log, WHEN), lambda: plain_as_of(log, WHEN)),
        (
            "pipeline_waterfall",
            lambda: pipeline_waterfall(log, start, end, period=PERIOD),
            lambda: plain_waterfall(log, start, end),
        ),
        ("backtest_forecast", lambda: backtest(log), lambda: plain_backtest_reading(log)),
    ]
    for name, ours, theirs in cases:
        rows.append((f"{name} (pandas)", *_best(ours, theirs, repeat)))
    print()
    print(f"{'case':34s} {'salescore':>10s} {'plain pandas':>13s} {'ratio':>7s}")
    for name, mine, bare in rows:
        print(_row(name, mine, bare))

    frames = _engine_frames(log, engines)
    if not frames:
        return
    first, last = pd.Period(PERIOD).start_time, pd.Period(PERIOD).end_time.normalize()
    # The hand SQL runs in DuckDB; on Polars the engine is compared with it as well.
    hand = frames.get("duckdb", (None, None))[1]
    if hand is None:
        import duckdb

        hand = duckdb.connect()
        hand.register("log", log)
    sql_state = _hand_sql(hand, HAND_AS_OF, when=WHEN)
    sql_flow = _hand_sql(hand, HAND_WATERFALL, start=start, end=end, first=first, last=last)
    sql_terms = {
        term: (
            float(np.nan_to_num(sql_flow[f"{term}_v"].iloc[0])),
            int(sql_flow[f"{term}_n"].iloc[0]),
        )
        for term in TERMS
    }
    if not _same_terms(sql_terms, _terms(flow)):
        raise SystemExit("the hand SQL's waterfall and pipeline_waterfall disagree")
    print()
    print(f"{'case':34s} {'salescore':>10s} {'hand SQL':>13s} {'ratio':>7s}")
    for engine, (frame, _) in frames.items():
        engine_state = pipeline_as_of(frame, WHEN)
        engine_flow = pipeline_waterfall(frame, start, end, period=PERIOD)
        if not (_same_state(engine_state, sql_state) and _same_state(engine_state, state)):
            raise SystemExit(f"pipeline_as_of on {engine} disagrees")
        if _terms(engine_flow) != _terms(flow):
            raise SystemExit(f"pipeline_waterfall on {engine} disagrees")
        times = _best(
            partial(pipeline_as_of, frame, WHEN),
            partial(_hand_sql, hand, HAND_AS_OF, when=WHEN),
            repeat,
        )
        print(_row(f"pipeline_as_of ({engine})", *times))
        times = _best(
            partial(pipeline_waterfall, frame, start, end, period=PERIOD),
            partial(_hand_sql, hand, HAND_WATERFALL, start=start, end=end, first=first, last=last),
            repeat,
        )
        print(_row(f"pipeline_waterfall ({engine})", *times))
        if not _same_backtest(backtest(frame), backtest(log)):
            raise SystemExit(f"backtest_forecast on {engine} disagrees")
        times = _best(partial(backtest, frame), partial(hand_backtest_reading, hand, log), repeat)
        print(_row(f"backtest_forecast ({engine})", *times))


if __name__ == "__main__":
    main()
