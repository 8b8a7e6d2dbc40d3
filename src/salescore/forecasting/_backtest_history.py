"""A backtest's options and snapshots: the deals' probabilities, and stage visits.

:func:`check_periods`, :func:`check_lead`, :func:`check_source` and
:func:`check_groups` check the options of
:func:`~salescore.forecasting.backtest.backtest_forecast`; :func:`period_deals` writes
one period's rows of its ``deals``.

:func:`stage_visits` turns the rows of a change log (one row per change, the deal's
whole state after it) into the canonical stage-history table that
:func:`~salescore.forecasting.win_rates.stage_win_rates` reads: consecutive rows of a
deal in one stage while it is open are one visit, entered at the first of them and
left at the next change of stage or status. Rows of a closed deal are not visits: a
deal is forecast only while it is open, so only its open stages carry a win rate.
:func:`learned_rates` (per stage, or per group and stage, the groups read at the
snapshot by :func:`with_groups`), :func:`learned_probabilities`,
:func:`preset_probabilities` and :func:`crm_probabilities` give the deals forecast at
a snapshot their probabilities, and :func:`one_currency` refuses
deals in several currencies; each message opens with the period and its snapshot.

The ``check_*_field``, ``check_*_table`` validators and :func:`score_field` check the
fields of a :class:`~salescore.forecasting.backtest.Backtest` record.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import FloatArray, option_number
from .._tables import group_columns, which
from ..errors import InvalidInputError
from ..pipeline import fill_probabilities
from ._window import label, period_bounds
from .win_rates import stage_win_rates

__all__ = [
    "DEAL_COLUMNS",
    "PERIOD_COLUMNS",
    "SOURCES",
    "check_as_of_field",
    "check_deals_table",
    "check_groups",
    "check_lead",
    "check_lead_field",
    "check_periods",
    "check_periods_table",
    "check_rates_table",
    "check_source",
    "check_source_field",
    "crm_probabilities",
    "learned_probabilities",
    "learned_rates",
    "one_currency",
    "period_deals",
    "preset_probabilities",
    "score_field",
    "stage_visits",
    "with_groups",
]


#: The columns of a backtest's ``deals`` after ``period``, ``deal_id`` and the groups.
DEAL_COLUMNS: Final = ("stage", "value", "probability", "outcome", "won_in_period")


def check_periods(periods: object) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    """Each period's label, first and last day; a tuple is refused (it is one period)."""
    if isinstance(periods, (str, bytes, tuple)) or not isinstance(periods, (Sequence, pd.Index)):
        kind = (
            " (a tuple is one period, (first, last): put it in a list)"
            if isinstance(periods, tuple)
            else ""
        )
        raise InvalidInputError(
            "periods must be a list of periods or a pandas PeriodIndex; got "
            f"{type(periods).__name__} {periods!r:.60}{kind}"
        )
    if len(periods) == 0:
        raise InvalidInputError("periods must name at least one period; got none")
    out = []
    for position, period in enumerate(periods):
        name = f"periods[{position}]"
        first, last = period_bounds(period, name=name)
        out.append((label(period), first, last))
    labels = pd.Series([item[0] for item in out])
    if labels.duplicated().any():
        raise InvalidInputError(
            f"periods must name each period once; repeated: "
            f"{labels[labels.duplicated()].unique().tolist()[:5]!r}"
        )
    return out


def check_lead(lead: object) -> pd.Timedelta:
    if not isinstance(lead, (str, dt.timedelta, np.timedelta64)):
        raise InvalidInputError(
            "lead must be a duration (a pandas Timedelta, or text such as '14D'); "
            f"got {type(lead).__name__} {lead!r:.60}"
        )
    refused = InvalidInputError(
        "lead must be a duration >= 0 such as '0D' or '14D' (days, hours: months and "
        f"years have no fixed length); got {lead!r:.60}"
    )
    try:
        duration: Any = pd.Timedelta(lead)
    except (ValueError, OverflowError):
        raise refused from None
    if pd.isna(duration) or duration < pd.Timedelta(0):
        raise refused
    return pd.Timedelta(duration)


def check_source(probabilities: object) -> tuple[str, Any]:
    """``("crm" | "learned", None)`` or ``("preset", the stage table)``, checked."""
    if isinstance(probabilities, str):
        if probabilities in ("crm", "learned"):
            return probabilities, None
        raise InvalidInputError(
            "probabilities must be 'crm', 'learned', or a mapping (or Series) from stage "
            f"to probability; got {probabilities!r:.60}"
        )
    if not isinstance(probabilities, (Mapping, pd.Series)):
        raise InvalidInputError(
            "probabilities must be 'crm', 'learned', or a mapping (or Series) from stage "
            f"to probability; got {type(probabilities).__name__} {probabilities!r:.60}"
        )
    empty = pd.DataFrame({"deal_id": [], "stage": [], "probability": pd.Series([], dtype=float)})
    fill_probabilities(empty, probabilities, overwrite=True)  # checks the table now
    return "preset", probabilities


def check_groups(by: object, source: str) -> list[str]:
    """The ``by`` columns; only learned rates are grouped."""
    groups = group_columns(by)  # type: ignore[arg-type]  # checked there
    if groups and source != "learned":
        raise InvalidInputError(
            "by groups the win rates learned from the log, so it needs "
            f"probabilities='learned'; got by={by!r:.60} with probabilities={source!r}"
        )
    refused = [column for column in groups if column in ("deal_id", "changed_at", "stage")]
    if refused:
        raise InvalidInputError(
            f"by must name columns that group deals, not {refused[0]!r} (the rates have a "
            "row per stage already, and a deal or a moment is no group)"
        )
    return groups


def period_deals(
    name: str,
    forecast: pd.DataFrame,
    chances: FloatArray,
    final: pd.DataFrame,
    won_ids: set[Any],
    groups: list[str],
) -> pd.DataFrame:
    """One period's deals: their state at the snapshot, probability and outcomes."""
    ids = forecast["deal_id"].to_numpy(dtype=object)
    where = pd.Index(final["deal_id"], dtype=object).get_indexer(pd.Index(ids, dtype=object))
    # Every deal open at a snapshot exists at as_of, which is after it.
    outcome = final["status"].to_numpy(dtype=object)[where]
    stage = forecast["stage"] if "stage" in forecast else pd.Series([None] * len(ids))
    columns: dict[str, Any] = {"period": name, "deal_id": ids}
    columns |= {column: forecast[column].to_numpy(dtype=object) for column in groups}
    columns |= {
        "stage": stage.to_numpy(dtype=object),
        "value": forecast["value"].to_numpy(dtype=np.float64),
        "probability": chances,
        "outcome": outcome,
        "won_in_period": forecast["deal_id"].isin(won_ids).to_numpy(dtype=bool),
    }
    return pd.DataFrame(columns, columns=["period", "deal_id", *groups, *DEAL_COLUMNS])


def stage_visits(
    ids: pd.Series[Any],
    moments: pd.Series[Any],
    stages: pd.Series[Any],
    open_rows: np.ndarray[Any, np.dtype[np.bool_]],
    *,
    context: str,
) -> pd.DataFrame:
    """The visits (``deal_id, stage, entered, exited``) of the rows given, in any order.

    The four arguments hold one element per row (positional). A visit is a run of
    consecutive open rows of one deal (ordered by ``moments``) in one stage;
    ``exited`` is the moment of the row that ends the run, NaT for a run that ends the
    deal's rows. An open row without a stage is refused, ``context`` opening the
    message.
    """
    ids = ids.reset_index(drop=True)
    stages = stages.reset_index(drop=True)
    moments = moments.reset_index(drop=True)
    nameless = open_rows & stages.isna().to_numpy()
    if nameless.any():
        raise InvalidInputError(
            f"{context}: learned win rates need the stage of every open row, but it is "
            f"missing for {which(ids.to_numpy(dtype=object), nameless, noun='row')}"
        )
    if len(ids) == 0:
        return pd.DataFrame(
            {"deal_id": ids, "stage": stages, "entered": moments, "exited": moments}
        )
    deal, _ = pd.factorize(ids, sort=False)
    stage, _ = pd.factorize(stages, sort=False, use_na_sentinel=False)
    order = np.lexsort((pd.DatetimeIndex(moments).asi8, deal))
    deal, stage, is_open = deal[order], stage[order], open_rows[order]
    same_deal = np.r_[False, deal[1:] == deal[:-1]]
    same_state = same_deal & np.r_[False, (stage[1:] == stage[:-1]) & (is_open[1:] == is_open[:-1])]
    starts = np.flatnonzero(~same_state)  # the first row of each run
    ends_deal = np.r_[~same_deal[1:], True]  # the last row of each deal
    run_last = np.r_[starts[1:] - 1, order.size - 1]
    kept = is_open[starts]
    first, last = starts[kept], run_last[kept]
    rows = order[first]
    entered = moments.iloc[rows].reset_index(drop=True)
    following = np.where(ends_deal[last], -1, order[np.minimum(last + 1, order.size - 1)])
    exited = moments.iloc[np.maximum(following, 0)].reset_index(drop=True)
    exited = exited.where(pd.Series(following >= 0))
    return pd.DataFrame(
        {
            "deal_id": ids.iloc[rows].reset_index(drop=True),
            "stage": stages.iloc[rows].reset_index(drop=True),
            "entered": entered,
            "exited": exited,
        }
    )


def with_groups(
    state: pd.DataFrame, past: pd.DataFrame, clock: pd.Series[Any], groups: list[str]
) -> pd.DataFrame:
    """``state`` with each ``by`` column as the deal's last row up to the snapshot held it.

    ``past`` holds the rows up to the snapshot and ``clock`` their moments (in one time
    zone, one element per row); columns :func:`pipeline_as_of` carried are kept.
    """
    missing = [column for column in groups if column not in state.columns]
    if not missing:
        return state
    rows = past[["deal_id", *missing]].reset_index(drop=True)
    order = np.argsort(pd.DatetimeIndex(clock).asi8, kind="stable")
    last = rows.iloc[order].drop_duplicates("deal_id", keep="last").set_index("deal_id")
    where = pd.Index(last.index, dtype=object).get_indexer(pd.Index(state["deal_id"], dtype=object))
    out = state.copy()
    for column in missing:
        out[column] = last[column].iloc[where].to_numpy()
    return out


def learned_rates(
    past: pd.DataFrame, state: pd.DataFrame, level: float, context: str, groups: list[str]
) -> pd.DataFrame:
    """The win rates per stage (and ``by`` group) learned from the deals closed at the snapshot.

    ``past`` holds the checked rows of the log up to the snapshot (canonical
    statuses), ``state`` the deals as they stood at it, with the ``groups`` columns;
    the deals closed then are passed to :func:`stage_win_rates` with their visits up
    to the snapshot, each in the group it was in at the snapshot.
    """
    closed = state[state["status"].isin(["won", "lost"])].reset_index(drop=True)
    mine = past["deal_id"].isin(closed["deal_id"]).to_numpy()
    history = stage_visits(
        past["deal_id"][mine],
        past["changed_at"][mine],
        past["stage"][mine],
        (past["status"] == "open").to_numpy()[mine],
        context=context,
    )
    rates = stage_win_rates(history, closed, by=groups or None, confidence=level)
    return rates.reset_index()


_MISSING = object()  # a missing group label: a group of its own, as in stage_win_rates


def _key(values: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_MISSING if pd.isna(value) else value for value in values)


def learned_probabilities(
    learned: pd.DataFrame, forecast: pd.DataFrame, groups: list[str], context: str
) -> FloatArray:
    """Each forecast deal's learned rate: that of its group and stage.

    A deal without a stage, or in a (group and) stage without a learned rate, is
    refused.
    """
    ids = forecast["deal_id"].to_numpy(dtype=object)
    nameless = forecast["stage"].isna().to_numpy()
    if nameless.any():
        raise InvalidInputError(
            f"{context}: learned win rates are per stage, but the snapshot holds no stage "
            f"for {which(ids, nameless, noun='deal')}"
        )
    keys = [*groups, "stage"]
    known = learned.dropna(subset=["win_rate"])
    rates = {
        _key(tuple(row[:-1])): float(row[-1])
        for row in known[[*keys, "win_rate"]].itertuples(index=False, name=None)
    }
    wanted = [_key(tuple(row)) for row in forecast[keys].itertuples(index=False, name=None)]
    chances = np.array([rates.get(key, np.nan) for key in wanted], dtype=np.float64)
    unknown = np.isnan(chances)
    if unknown.any():
        names = list(dict.fromkeys(key for key, gap in zip(wanted, unknown, strict=True) if gap))
        raise InvalidInputError(
            f"{context}: no deal closed by the snapshot had reached stage "
            f"{', '.join(_describe(name, groups) for name in names[:5])}, so its win rate "
            f"is unknown and not guessed ({which(ids, unknown, noun='deal')}); backtest "
            f"later periods{', group by fewer columns' if groups else ''}, or give a preset"
        )
    return chances


def _describe(key: tuple[Any, ...], groups: list[str]) -> str:
    """``'Demo'``, or with groups ``'Demo' (source='renewal')``."""
    if not groups:
        return repr(key[-1])
    labels = ", ".join(
        f"{column}={'missing' if value is _MISSING else repr(value)}"
        for column, value in zip(groups, key[:-1], strict=True)
    )
    return f"{key[-1]!r} ({labels})"


def preset_probabilities(forecast: pd.DataFrame, table: Any, context: str) -> FloatArray:
    """The forecast deals' probabilities from a stage table (fill_probabilities)."""
    frame = pd.DataFrame(
        {
            "deal_id": forecast["deal_id"].to_numpy(dtype=object),
            "stage": forecast["stage"].to_numpy(dtype=object),
            "probability": np.full(len(forecast), np.nan),
        }
    )
    try:
        filled, _ = fill_probabilities(frame, table, overwrite=True)
    except InvalidInputError as error:
        raise InvalidInputError(f"{context}: {error}") from None
    out: FloatArray = filled["probability"].to_numpy(dtype=np.float64)
    return out


def crm_probabilities(forecast: pd.DataFrame, context: str) -> FloatArray:
    """The CRM's probabilities at the snapshot; a deal without one is refused."""
    chances: FloatArray = forecast["probability"].to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.isnan(chances)
    if missing.any():
        raise InvalidInputError(
            f"{context}: probabilities='crm' needs each deal's probability, but the log "
            f"holds none at the snapshot for "
            f"{which(forecast['deal_id'].to_numpy(dtype=object), missing, noun='deal')}; "
            "give a preset or probabilities='learned'"
        )
    return chances


def one_currency(forecast: pd.DataFrame, won: pd.DataFrame, context: str) -> None:
    """Money is one currency: the deals forecast and won must share one."""
    if "currency" not in forecast.columns:
        return
    both = pd.concat([forecast[["deal_id", "currency"]], won[["deal_id", "currency"]]])
    codes, currencies = pd.factorize(both["currency"].to_numpy(dtype=object), use_na_sentinel=False)
    if len(currencies) <= 1:
        return
    ids = both["deal_id"].to_numpy(dtype=object)
    parts = [
        f"{'missing' if pd.isna(code_label) else repr(code_label)} "
        f"({which(ids, codes == code, noun='deal')})"
        for code, code_label in enumerate(currencies)
    ]
    raise InvalidInputError(
        f"{context}: the deals are in more than one currency: {'; '.join(parts)}; "
        "convert the values to one currency first"
    )


# ------------------------------------------------------------------ the record's fields

#: The columns of a backtest's ``periods``, in order, after its ``period`` index.
PERIOD_COLUMNS: Final = (
    "start",
    "end",
    "snapshot",
    "deals",
    "forecast",
    "p10",
    "p50",
    "p90",
    "actual",
    "actual_from_pipeline",
    "pit_low",
    "pit_high",
    "pit",
    "in_interval",
)
#: Where a backtest's probabilities may come from.
SOURCES: Final = ("crm", "preset", "learned")
_OUTCOMES: Final = ("won", "lost", "open")


def score_field(name: str, lower: float, upper: float) -> Any:
    """A converter for a score field: a real number in ``[lower, upper]``, or NaN."""

    def convert(value: object) -> float:
        number = option_number(name, value, allow_nan=True)
        # Infinity is refused too: a long double beyond float range becomes one.
        if math.isnan(number) or (math.isfinite(number) and lower <= number <= upper):
            return number
        raise InvalidInputError(
            f"{name} must be a finite number in [{lower:g}, {upper:g}] or NaN; got {value!r:.60}"
        )

    return convert


def _frame(name: str, value: object, columns: Sequence[str]) -> pd.DataFrame:
    """``value``, a DataFrame with flat, distinct column names that include ``columns``."""
    if not isinstance(value, pd.DataFrame):
        raise InvalidInputError(f"{name} must be a DataFrame; got {type(value).__name__}")
    names = value.columns
    if isinstance(names, pd.MultiIndex) or names.duplicated().any():
        raise InvalidInputError(
            f"{name} must have flat, distinct column names; got {list(names)!r:.200}"
        )
    missing = [column for column in columns if column not in names]
    if missing:
        raise InvalidInputError(
            f"{name} lacks the column(s) {missing!r}; it needs {list(columns)!r}"
        )
    return value


def _fractions(
    name: str, frame: pd.DataFrame, column: str, ids: npt.NDArray[np.object_], noun: str
) -> FloatArray:
    """The column as floats, each a number in [0, 1]; anything else is refused."""
    dtype = frame[column].dtype
    if (
        not pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_complex_dtype(dtype)
    ):
        raise InvalidInputError(f"{name}[{column!r}] must hold numbers; got dtype {dtype}")
    values: FloatArray = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
    outside = ~((values >= 0.0) & (values <= 1.0))  # NaN is outside too
    if outside.any():
        raise InvalidInputError(
            f"{name}[{column!r}] must be numbers in [0, 1]; got "
            f"{which(ids, outside, values.tolist(), noun=noun)}"
        )
    return values


def check_periods_table(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A record's ``periods``: its columns, and PIT intervals within [0, 1]."""
    frame = _frame("periods", value, PERIOD_COLUMNS)
    ids = frame.index.to_numpy(dtype=object)
    low = _fractions("periods", frame, "pit_low", ids, "period")
    high = _fractions("periods", frame, "pit_high", ids, "period")
    reversed_ = low > high
    if reversed_.any():
        raise InvalidInputError(
            "periods['pit_low'] must be at most periods['pit_high'] (a PIT interval); got "
            f"{which(ids, reversed_, noun='period')}"
        )


def check_deals_table(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A record's ``deals``: its columns, probabilities in [0, 1], known outcomes."""
    frame = _frame("deals", value, ("period", "deal_id", *DEAL_COLUMNS))
    ids = frame["deal_id"].to_numpy(dtype=object)
    _fractions("deals", frame, "probability", ids, "deal")
    unknown = np.array(
        [not (isinstance(item, str) and item in _OUTCOMES) for item in frame["outcome"]],
        dtype=bool,
    )
    if unknown.any():
        raise InvalidInputError(
            f"deals['outcome'] must be one of {list(_OUTCOMES)!r}; got "
            f"{which(ids, unknown, frame['outcome'].tolist(), noun='deal')}"
        )


def check_rates_table(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """A record's ``rates``: a DataFrame with learned probabilities, else None."""
    check_source_field(instance, attribute, instance.probabilities)
    if instance.probabilities != "learned":
        if value is not None:
            raise InvalidInputError(
                "rates holds the win rates learned at each snapshot, so it must be None "
                f"with probabilities={instance.probabilities!r}; got {type(value).__name__}"
            )
        return
    _frame("rates", value, ("period", "snapshot", "stage"))


def check_source_field(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A record's ``probabilities``: one of :data:`SOURCES`."""
    if not (isinstance(value, str) and value in SOURCES):
        raise InvalidInputError(
            f"probabilities must be one of {list(SOURCES)!r}; got "
            f"{type(value).__name__} {value!r:.60}"
        )


def check_lead_field(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A record's ``lead``: a pandas Timedelta >= 0."""
    if not isinstance(value, pd.Timedelta) or value < pd.Timedelta(0):
        raise InvalidInputError(
            f"lead must be a pandas Timedelta >= 0; got {type(value).__name__} {value!r:.60}"
        )


def check_as_of_field(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A record's ``as_of``: a pandas Timestamp."""
    if not isinstance(value, pd.Timestamp):
        raise InvalidInputError(
            f"as_of must be a pandas Timestamp; got {type(value).__name__} {value!r:.60}"
        )
