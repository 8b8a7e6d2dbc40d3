"""The Forecast accuracy section: past quarters replayed from the deals' change history.

From the change log (one row per change of a deal), the section rebuilds the pipeline
at the start of each of the last four complete quarters, forecasts each quarter with
the CRM's probabilities and with win rates learned from the deals closed before that
day, and sets both beside what was won. It adds how this quarter's pipeline has moved
so far (the waterfall) and how often the open deals' close dates were pushed out.
"""

from __future__ import annotations

from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from ... import forecasting as _forecasting
from ..._arrays import utc_naive
from ..._tables import counted
from ...errors import SalescoreError
from ...fiscal import FiscalCalendar
from .._calendar import Quarter, forecast_quarter
from .._plain import table
from ._common import Section, _coverage, _extent, _own_words, _utc_naive

__all__ = ["QUARTERS_CHECKED", "accuracy_section"]

#: How many complete quarters before the report's quarter the section replays.
QUARTERS_CHECKED: Final = 4
_SLIPPED_SHOWN: Final = 10  # the open deals pushed most, listed by name
_DAY: Final = pd.Timedelta(days=1)
_METHODS: Final = (("crm", "CRM probabilities"), ("learned", "learned win rates"))


def _quarters(as_of: pd.Timestamp, calendar: FiscalCalendar | None) -> list[Quarter]:
    """The report's quarter, then the complete quarters before it, latest first."""
    quarters = [forecast_quarter(as_of, calendar)]
    for _ in range(QUARTERS_CHECKED):
        quarters.append(forecast_quarter(quarters[-1].start - _DAY, calendar))
    return quarters


def _groups(changes: pd.DataFrame) -> str | None:
    """``"source"`` when the log says where deals came from, so rates are learned per source."""
    if "source" in changes.columns and bool(changes["source"].notna().all()):
        return "source"
    return None


@_own_words
def accuracy_section(
    changes: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    calendar: FiscalCalendar | None = None,
) -> Section:
    """Past quarters' forecasts against what was won, this quarter's moves, slippage.

    Parameters
    ----------
    changes : DataFrame
        The canonical change log of the deals (``deal_changes``). Naive timestamps
        are UTC; aware ones are converted to UTC.
    as_of : Timestamp, keyword-only
        The report date; the change log is read up to it.
    calendar : FiscalCalendar, keyword-only, optional
        The company's fiscal calendar: quarters are its fiscal quarters. Calendar
        quarters by default.

    Returns
    -------
    Section
        Metrics under the keys of the report's JSON page, notes, the tables
        ``backtest``, ``calibration``, ``waterfall`` and ``slipped_deals``, and the
        charts ``backtest`` and ``reliability``.

    Raises
    ------
    SalescoreError
        A change log the table functions reject.

    Notes
    -----
    The quarters checked are the :data:`QUARTERS_CHECKED` complete quarters before the
    quarter of ``as_of`` that began after the change log's first change. Each is
    forecast from its open deals at its first day, whose close date falls in it
    (:func:`~salescore.backtest_forecast`), once with the probabilities the CRM had
    given them that day and once with the win rates per stage (and per source, when
    the log has one) of the deals closed before that day. The forecast's own deals are
    what its P10–P90 range is checked against; everything won in the quarter, also
    from deals created later, is the actual of the WAPE and the bias. The Brier score
    compares each deal's probability with whether it was won in the end; deals still
    open on the report date are left out of it.

    Examples
    --------
    Two deals at 50 %, open on 1 October 2025 and due in Q4: A (100) was won in
    November, B (200) is still open. Q4's forecast was 150 against 100 won, a WAPE of
    50 / 100; A's Brier score is (1 - 0.5)² and B is left out. No deal had closed
    before 1 October, so no win rate could be learned, and the note says so. Nothing
    changed in Q1 2026 yet, so the waterfall is Q4's: 300 at its start, 100 won,
    200 at its end.

    >>> import pandas as pd
    >>> changes = pd.DataFrame({
    ...     "deal_id": ["A", "A", "B"],
    ...     "changed_at": pd.to_datetime(["2025-09-01", "2025-11-10", "2025-09-05"]),
    ...     "value": [100.0, 100.0, 200.0],
    ...     "probability": [0.5, 1.0, 0.5],
    ...     "close_date": pd.to_datetime(["2025-11-15", "2025-11-10", "2025-12-01"]),
    ...     "status": ["open", "won", "open"],
    ...     "stage": ["Proposal", "Won", "Proposal"],
    ... })
    >>> section = accuracy_section(changes, as_of=pd.Timestamp("2026-01-10"))
    >>> m = section.metrics
    >>> m["accuracy_quarters"], m["crm_wape"], m["crm_brier"], "learned_wape" in m
    ('Q4 2025', 0.5, 0.25, False)
    >>> m["waterfall_quarter"], m["waterfall_start"], m["waterfall_won"], m["waterfall_end"]
    ('Q4 2025', 300.0, 100.0, 200.0)
    """
    section = Section(key="accuracy", title="Forecast accuracy")
    as_of = utc_naive(as_of)
    changes = _utc_naive(changes, "changed_at", "close_date")
    changes = changes.loc[changes["changed_at"] <= as_of]
    if not len(changes):
        section.notes.append(
            "The change history has no change on or before the report date: nothing to replay."
        )
        return section
    first, last = _extent(changes["changed_at"])
    assert first is not None  # the log has rows
    assert last is not None
    quarters = _quarters(as_of, calendar)
    current, past = quarters[0], [q for q in quarters[1:] if q.start >= first.normalize()]
    past.reverse()
    if last < as_of - _DAY:
        section.notes.append(
            f"The change history ends on {last.date().isoformat()}, before the report "
            "date: moves after it are not shown, and deals may have closed since."
        )
    if past:
        _backtests(changes, past, as_of, section)
    else:
        section.notes.append(
            f"The change history begins on {first.date().isoformat()}: no complete quarter "
            f"since then to replay (it needs a quarter that begins after its first change)."
        )
    _waterfall(changes, current, quarters[1], as_of, section, extent=(first, last))
    _slippage(changes, as_of, section)
    return section


def _backtests(
    changes: pd.DataFrame, quarters: list[Quarter], as_of: pd.Timestamp, section: Section
) -> None:
    """The replay of ``quarters`` with the CRM's probabilities and with learned rates."""
    periods = [(q.start, q.end - _DAY) for q in quarters]
    names = [q.name for q in quarters]
    span = names[0] if len(names) == 1 else f"{names[0]} to {names[-1]}"
    section.periods["checked"] = span
    section.metrics["accuracy_quarters"] = span
    groups = _groups(changes)
    done: dict[str, Any] = {}
    for key, words in _METHODS:
        options: dict[str, Any] = {"probabilities": key, "as_of": as_of}
        if key == "learned" and groups is not None:
            options["by"] = groups
        try:
            done[key] = _forecasting.backtest_forecast(changes, periods=periods, **options)
        except SalescoreError as error:
            # The library's advice names its own options; the report has none of them.
            reason = str(error).partition("; backtest later periods")[0]
            section.notes.append(f"The replay with {words} is left out: {reason}.")
    if not done:
        return
    if "learned" in done:
        section.metrics["learned_by"] = "stage and source" if groups else "stage"
    frames = {}
    for key, backtest in done.items():
        periods_frame = backtest.periods.set_axis(pd.Index(names, name="quarter"))
        frames[key] = periods_frame
        done[key] = attrs.evolve(backtest, periods=periods_frame)
        section.metrics[f"{key}_wape"] = float(backtest.wape)
        section.metrics[f"{key}_bias"] = float(backtest.bias)
        section.metrics[f"{key}_coverage"] = float(backtest.coverage)
        section.metrics[f"{key}_brier"] = float(backtest.brier)
    any_frame = next(iter(frames.values()))
    out = pd.DataFrame({"deals": any_frame["deals"].astype(np.int64)}, index=any_frame.index)
    out["won"] = any_frame["actual"]
    out["won_from_forecast_deals"] = any_frame["actual_from_pipeline"]
    for key, frame in frames.items():
        out[f"{key}_forecast"] = frame["forecast"]
    for key, frame in frames.items():
        out[f"{key}_in_range"] = frame["in_interval"].map({True: "yes", False: "no"})
    for key, frame in frames.items():
        out[f"{key}_p10"] = frame["p10"]
        out[f"{key}_p90"] = frame["p90"]
    section.tables["backtest"] = table(out)
    section.charts["backtest"] = {_label(key): backtest for key, backtest in done.items()}
    calibrations = {_label(key): backtest.calibration() for key, backtest in done.items()}
    section.charts["reliability"] = calibrations
    section.tables["calibration"] = table(_calibration_table(calibrations))
    still_open = pd.concat(
        [b.deals.loc[b.deals["outcome"] == "open", "deal_id"] for b in done.values()]
    )
    n_open = int(still_open.nunique())
    section.notes.append(
        f"Each quarter of {span} is forecast from its open deals due in it, as they stood "
        "on its first day: with the probabilities the CRM had given them, and with the "
        "win rates of the deals closed before that day"
        + (" per stage and source" if groups else " per stage")
        + ". The P10-P90 range is checked against what those deals won in the quarter; "
        "the WAPE and bias against everything won in it, also from deals created later. "
        "The Brier score compares each deal's probability with whether it was won in the "
        "end (0 is perfect, 0.25 is a coin toss)"
        + (
            f"; {counted(n_open, 'deal')} still open on the report date "
            f"{'is' if n_open == 1 else 'are'} left out of it."
            if n_open
            else "."
        )
    )


def _label(key: str) -> str:
    return "CRM" if key == "crm" else "Learned"


def _calibration_table(calibrations: dict[str, Any]) -> pd.DataFrame:
    """The reliability tables side by side: per band of probability, deals and win share."""
    parts = []
    for name, calibration in calibrations.items():
        frame = calibration.table
        band = [f"{lo:.0%}-{hi:.0%}" for lo, hi in zip(frame["lower"], frame["upper"], strict=True)]
        prefix = name.lower()
        parts.append(
            pd.DataFrame(
                {
                    f"{prefix}_deals": frame["count"].to_numpy(dtype=np.int64),
                    f"{prefix}_probability": frame["mean_probability"].to_numpy(),
                    f"{prefix}_won_share": frame["observed_rate"].to_numpy(),
                },
                index=pd.Index(band, name="probability"),
            )
        )
    out = pd.concat(parts, axis=1)
    for column in out.columns:
        if column.endswith("_deals"):
            out[column] = out[column].fillna(0).astype(np.int64)
    return out


def _waterfall(
    changes: pd.DataFrame,
    current: Quarter,
    previous: Quarter,
    as_of: pd.Timestamp,
    section: Section,
    *,
    extent: tuple[pd.Timestamp, pd.Timestamp],
) -> None:
    """How the pipeline of the quarter moved: this quarter so far, else the last one whole."""
    if as_of > current.start and extent[1] >= current.start:
        quarter, end, words = current, as_of, f"{current.name} so far"
    else:
        # Nothing of this quarter yet (or no change in it): the last quarter, whole.
        quarter, end, words = previous, previous.end, f"{previous.name}"
    section.periods["waterfall"] = words
    section.metrics["waterfall_quarter"] = words
    try:
        flows = _forecasting.pipeline_waterfall(
            changes, quarter.start, end, period=(quarter.start, quarter.end - _DAY)
        )
    except SalescoreError as error:
        section.notes.append(f"The waterfall of {words} is left out: {error}")
        return
    value = flows.value.iloc[0]
    count = flows.count.iloc[0]
    for term in value.index:
        section.metrics[f"waterfall_{term}"] = float(value[term])
    section.tables["waterfall"] = table(
        pd.DataFrame(
            {"value": value.to_numpy(), "deals": count.to_numpy(dtype=np.int64)},
            index=pd.Index([str(term) for term in value.index], name="move"),
        )
    )
    caveat = _coverage(extent, quarter.start, end, "changes", words)
    if caveat is not None:
        section.flag(caveat, "waterfall_start", "waterfall_end")
    section.notes.append(
        f"The waterfall follows the open deals due in {quarter.name} from "
        f"{quarter.start.date().isoformat()} to {end.date().isoformat()}: start + new + "
        "pulled in - pushed out + value up - value down - won - lost = end. Pushed out "
        "are deals whose close date moved out of the quarter; only the two dates are "
        "compared, so a change made and undone in between does not show."
    )


def _slippage(changes: pd.DataFrame, as_of: pd.Timestamp, section: Section) -> None:
    """How often the open deals' close dates were pushed out, and the deals pushed most."""
    try:
        slipped = _forecasting.close_date_slippage(changes, as_of=as_of).deals
        open_now = _forecasting.pipeline_as_of(changes, as_of)
    except SalescoreError as error:
        section.notes.append(f"Slippage is left out: {error}")
        return
    open_ids = open_now.loc[open_now["status"] == "open", "deal_id"]
    deals = slipped.loc[slipped["deal_id"].isin(open_ids)]
    n_open = len(deals)
    section.metrics["open_deals_with_history"] = n_open
    if not n_open:
        return
    pushed = deals["pushes"] >= 1
    section.metrics["open_deals_pushed"] = int(pushed.sum())
    section.metrics["open_deals_pushed_share"] = float(pushed.mean())
    section.metrics["open_deals_pushed_twice"] = int((deals["pushes"] >= 2).sum())
    worst = deals.loc[pushed].sort_values(
        ["pushes", "push_days", "deal_id"], ascending=[False, False, True]
    )
    worst = worst.head(_SLIPPED_SHOWN)
    if len(worst):
        state = open_now.set_index("deal_id")
        shown = pd.DataFrame(
            {
                "owner": state["owner"].reindex(worst["deal_id"]).to_numpy()
                if "owner" in state.columns
                else None,
                "value": state["value"].reindex(worst["deal_id"]).to_numpy(),
                "close_date": state["close_date"]
                .reindex(worst["deal_id"])
                .dt.date.astype(str)
                .to_numpy(),
                "pushes": worst["pushes"].to_numpy(dtype=np.int64),
                "days_pushed": worst["push_days"].to_numpy(dtype=np.int64),
            },
            index=pd.Index(worst["deal_id"].astype(str).to_numpy(), name="deal_id"),
        )
        section.tables["slipped_deals"] = table(shown)
