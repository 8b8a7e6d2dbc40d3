"""Change logs held by an engine (Polars, DuckDB, Dask, Spark), checked and reduced there.

The log is checked by one aggregate query run where it lives, counting every row the
pandas path (:mod:`._changes`) refuses: a missing deal id, moment, value, close date or
status, a status that is not open, won or lost once trimmed and lower-cased, a value
below 0 or not finite, a probability outside [0, 1]; and by one grouped query for two
rows of one deal at one moment. Only when something is wrong does a further query fetch
a few of those rows to name, in the words of the pandas path's messages (the deals
named by id: an engine's rows have no order).

The row in force at a moment is found in the engine: per deal, the latest
``changed_at`` at or before it (a grouped maximum), joined back to the log. For the
waterfall one grouped query finds each deal's moments in force at ``start`` and at
``end``, the two rows are joined side by side, and each deal is classified there by
the waterfall's rules, written as expressions, so that only the deals taking part
come back. For the slippage each row's previous close date is a window over the deal's
rows in time order. What comes back to pandas is one row per deal: the deals at the
moment (the result of :func:`~salescore.forecasting.changes.pipeline_as_of`), the
deals taking part in the waterfall, every deal's slippage counts. Those are the large
part of each result; the sums per group and term are made from them in pandas with
the code that finishes a pandas log (``math.fsum``, so that the waterfall's identity
holds as exactly as there; an engine's sums would not be correctly rounded).
"""

from __future__ import annotations

from typing import Any, Final, TypeAlias

import narwhals as nw
import numpy as np
import pandas as pd

from .._tables import counted as _counted
from ..engines._frames import EngineFrame, collect, collect_by_key
from ..engines._frames import count_true as _count
from ..engines._frames import found_count as _number
from ..engines._frames import pandas_text as _pandas_text
from ..engines._frames import sure as _sure
from ..engines._frames import text_of as _text_of
from ..engines._periods import time_of_day, utc_naive, with_period
from ..errors import InvalidInputError, SchemaError
from ..pipeline._deals import TOO_FAR, elapsed_days
from ..pipeline._engine import WHITESPACE
from ..schema import TABLES
from ..schema.vocabularies import STATUSES
from ._changes import _PERCENT_HINT, _SHOWN, _SPEC, TABLE, listed, moment
from ._waterfall import flows

__all__ = [
    "EngineChanges",
    "engine_changes",
    "rows_in_force",
    "slippage_counts",
    "slippage_table",
    "state_at",
    "waterfall_of",
    "waterfall_states",
]

# Column names inside the engine's queries.
_AT, _ID = "changed_at", "deal_id"
_UTC, _N = "__salescore_utc", "__salescore_rows"
_LAST, _FIRST = "__salescore_last", "__salescore_first"
_CREATED, _RAW = "__salescore_created", "__salescore_status"
_CLOSE_UTC, _TOD, _DAYS = "__salescore_close", "__salescore_time", "__salescore_day"
_STEP, _FAR = "__salescore_step", "__salescore_far"
_DAY_NS: Final = 86_400 * 10**9
_DAYS_DTYPE: Final = pd.PeriodDtype("D")
#: The longest span a nanosecond duration holds, in days (about 292 years).
_LONGEST_DAYS: Final = int(pd.Timedelta.max / pd.Timedelta(days=1))
_DEALS_COLUMNS: Final = TABLES["deals"].names
_DAY: Final = pd.Timedelta(days=1)

#: The first and last day of a period of close dates, or None for all close dates.
Bounds: TypeAlias = tuple[pd.Timestamp, pd.Timestamp] | None


class EngineChanges:
    """An engine's change log as a lazy frame, its rows checked as the pandas path does.

    ``log`` holds the log's canonical columns (``status`` trimmed and lower-cased,
    ``value`` and ``probability`` as floats), the further columns asked for and
    ``_UTC``, ``changed_at`` as naive UTC, on which moments are compared.
    """

    def __init__(self, native: object, engine: str, others: list[str]) -> None:
        self.engine = engine
        frame = EngineFrame(TABLE, native, engine)
        present = [name for name in _SPEC.names if name in _SPEC.required or name in frame.schema]
        frame.require([*present, *others])
        self._kinds(frame, present)
        self.frame = frame
        self.schema = frame.schema
        self.present = present
        self.others = [name for name in dict.fromkeys(others) if name not in present]
        self.zone = frame.zone(_AT)
        statuses = _text_of(frame, "status")
        self.text_status = statuses is not None
        columns: list[nw.Expr] = []
        for name in present:
            if name == "status" and statuses is not None:
                # Trimmed and lower-cased only where not canonical already: DuckDB
                # trims a list of characters slowly, and a SQL CASE runs each branch
                # on its own rows.
                exact = _sure(statuses.is_in(list(STATUSES)))
                canonical = statuses.str.strip_chars(WHITESPACE).str.to_lowercase()
                status = nw.when(exact).then(statuses).otherwise(canonical)
                columns += [status.alias(name), nw.col(name).alias(_RAW)]
            elif name in ("value", "probability"):
                columns.append(nw.col(name).cast(nw.Float64))
            else:
                columns.append(nw.col(name))
            if name == "status" and statuses is None:
                columns.append(nw.col(name).alias(_RAW))
        columns += [nw.col(name) for name in self.others]
        columns.append(utc_naive(nw.col(_AT), self.zone).alias(_UTC))
        self.log: nw.LazyFrame[Any] = frame.frame.select(*columns)

    @staticmethod
    def _kinds(frame: EngineFrame, present: list[str]) -> None:
        """Refuse the dtypes the pandas path's ``check_columns`` refuses, in one error."""
        problems = []
        for name in present:
            kind = _SPEC[name].kind
            dtype = frame.schema[name]
            if kind in ("number", "fraction") and (
                not dtype.is_numeric() or isinstance(dtype, nw.Boolean)
            ):
                problems.append(f"column {name!r} has dtype {dtype}; it must be numeric (float64)")
            elif kind in ("date", "timestamp"):
                # A close date may be a day alone; a moment needs its time of day.
                allowed = (nw.Datetime, nw.Date) if kind == "date" else (nw.Datetime,)
                if not isinstance(dtype, allowed):
                    problems.append(
                        f"column {name!r} has dtype {dtype}; it must hold datetimes (datetime64)"
                    )
        if len(problems) == 1:
            raise SchemaError(f"{TABLE}: {problems[0]} in {frame.engine}")
        if problems:
            listed_problems = "".join(f"\n- {problem}" for problem in problems)
            raise SchemaError(
                f"{TABLE}: {len(problems)} problems (in {frame.engine}):{listed_problems}"
            )

    # --- the checks ----------------------------------------------------------------

    def _missing(self, name: str) -> nw.Expr:
        column = nw.col(name)
        if name in ("value", "probability"):
            return column.is_null() | _sure(column.is_nan())
        return column.is_null()

    def _bad_status(self) -> nw.Expr:
        known = nw.col("status").is_null()
        if not self.text_status:
            return ~known
        return ~known & ~_sure(nw.col("status").is_in(list(STATUSES)))

    def _bad_value(self) -> nw.Expr:
        value = nw.col("value")
        return ~self._missing("value") & (_sure(~value.is_finite()) | _sure(value < 0.0))

    def _bad_chance(self) -> nw.Expr:
        chance = nw.col("probability")
        inside = (chance >= 0.0) & (chance <= 1.0)
        return ~self._missing("probability") & ~_sure(inside)

    def deals(self, condition: nw.Expr, shown: str | None = None) -> str:
        """``"2 deals: 'D1' (-5.0), 'D7' (inf)"``: the distinct deals of the rows, by id.

        With ``shown``, each deal is followed by the value of ``shown`` in its earliest
        such row. An engine's rows have no order: the deals are named by id, where the
        pandas path names them in the order of their first row.
        """
        rows = self.log.filter(condition)
        firsts = rows.group_by(_ID).agg(nw.col(_UTC).min().alias(_FIRST))
        count = _number(collect(firsts.select(nw.len().alias(_N))).iloc[0], _N)
        chosen = firsts.sort(_ID).head(_SHOWN + 1)
        if shown is None:
            ids = collect(chosen.select(_ID))[_ID].tolist()
            return f"{_counted(count, 'deal')}: {listed(ids)}"
        named = rows.join(chosen, left_on=[_ID, _UTC], right_on=[_ID, _FIRST])
        sample = collect(named.select(_ID, shown).sort(_ID))
        pairs = [f"{i!r} ({v!r})" for i, v in zip(sample[_ID], sample[shown], strict=True)]
        text = ", ".join(pairs[:_SHOWN]) + (", …" if count > _SHOWN else "")
        return f"{_counted(count, 'deal')}: {text}"

    def check(self) -> None:
        """Raise what the pandas path raises for these rows, in the same order."""
        required = ("changed_at", "value", "close_date", "status")
        chance = "probability" in self.present
        checks = [_count(nw.col(_ID).is_null()).alias("no_id")]
        checks += [_count(self._missing(name)).alias(name) for name in required]
        checks += [_count(self._bad_status()).alias("status_bad")]
        checks += [_count(self._bad_value()).alias("value_bad")]
        if chance:
            checks.append(_count(self._bad_chance()).alias("chance_bad"))
        found = collect(self.log.select(*checks)).iloc[0]

        def count(name: str) -> int:
            return _number(found, name)

        if count("no_id"):
            shown = {_AT: _AT, "value": "value", "status": "status"}
            where = self.frame.rows(self.log, nw.col(_ID).is_null(), count("no_id"), shown)
            raise InvalidInputError(f"{TABLE}: 'deal_id' is missing in {where}")
        for name in required:
            if count(name):
                raise InvalidInputError(
                    f"{TABLE}: {name!r} is missing in {_counted(count(name), 'row')} "
                    f"({self.deals(self._missing(name))})"
                )
        if count("status_bad"):
            raise InvalidInputError(
                f"{TABLE}: 'status' must be one of 'open', 'won', 'lost'; not so for "
                f"{self.deals(self._bad_status(), _RAW)}"
            )
        if count("value_bad"):
            raise InvalidInputError(
                f"{TABLE}: 'value' must be a finite number >= 0; not so for "
                f"{self.deals(self._bad_value(), 'value')}"
            )
        if chance and count("chance_bad"):
            # Of the bad ones, those at most 100 are above 1 (the others are below 0).
            above = self._bad_chance() & _sure(nw.col("probability") > 1.0)
            percent = collect(
                self.log.select(_count(above & _sure(nw.col("probability") <= 100.0)).alias(_N))
            ).iloc[0]
            hint = f"; {_PERCENT_HINT}" if _number(percent, _N) else ""
            raise InvalidInputError(
                f"{TABLE}: 'probability' must be a fraction in [0, 1] or missing; not so for "
                f"{self.deals(self._bad_chance(), 'probability')}{hint}"
            )
        self._check_twice()

    def _check_twice(self) -> None:
        """Refuse two rows of one deal at one moment, naming them as the pandas path does."""

        def repeated(part: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
            pairs = part.select(_ID, _UTC, nw.lit(1, dtype=nw.Int64).alias(_N))
            counts = pairs.group_by(_ID, _UTC).agg(nw.col(_N).sum())
            return counts.filter(nw.col(_N) > 1)

        twice = collect_by_key(self.log.select(_ID, _UTC), self.engine, _ID, repeated)
        if not len(twice):
            return
        twice = twice.sort_values([_ID, _UTC], kind="stable").reset_index(drop=True)
        extra = twice[_N].to_numpy(dtype=np.int64) - 1
        # The pandas path names each row that repeats the moment of the row before it.
        moments = twice[_UTC]
        if self.zone is not None:
            moments = pd.to_datetime(moments).dt.tz_localize("UTC").dt.tz_convert(self.zone)
        pairs = [
            f"{deal!r} at {pd.Timestamp(moment)}"
            for deal, moment, times in zip(twice[_ID], moments, extra, strict=True)
            for _ in range(int(times))
        ]
        count = len(twice[_ID].drop_duplicates())
        more = ", …" if int(extra.sum()) > _SHOWN else ""
        raise InvalidInputError(
            f"{TABLE}: {_counted(count, 'deal')} {'has' if count == 1 else 'have'} two rows "
            f"at the same 'changed_at' ({', '.join(pairs[:_SHOWN])}{more}); "
            "the order of the changes would be a guess: keep one row per deal and moment"
        )


def engine_changes(native: object, engine: str, others: list[str] | None = None) -> EngineChanges:
    """An engine's change log, checked as :func:`._changes.changes_of` checks a pandas one."""
    changes = EngineChanges(native, engine, others or [])
    changes.check()
    return changes


# --- the rows in force ---------------------------------------------------------------


def _moment(stamp: pd.Timestamp) -> nw.Expr:
    """A moment as a literal of naive UTC time, to compare with the log's UTC clock.

    In microseconds, the finest time every engine holds (Spark's, DuckDB's): a moment
    with nanoseconds is floored to its microsecond, as the pandas path floors it to a
    microsecond column's unit.
    """
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return nw.lit(stamp.to_pydatetime(warn=False), dtype=nw.Datetime("us"))


def _rows_at(changes: EngineChanges, stamp: pd.Timestamp) -> nw.LazyFrame[Any]:
    """Each deal's row in force at ``stamp`` (deals created later have none).

    The latest moment at or before ``stamp`` per deal, and its first moment
    (``created``), by one grouped query; joined back to the log on (deal, moment),
    which names one row since no deal has two at one moment.
    """
    seen = changes.log.filter(nw.col(_UTC) <= _moment(stamp))
    last = seen.group_by(_ID).agg(
        nw.col(_UTC).max().alias(_LAST), nw.col(_AT).min().alias(_CREATED)
    )
    return seen.join(last, left_on=[_ID, _UTC], right_on=[_ID, _LAST])


def state_at(changes: object, engine: str, when: object) -> pd.DataFrame:
    """:func:`~salescore.forecasting.changes.pipeline_as_of` of an engine's change log.

    The log is checked in the engine, then each deal's row in force at ``when`` is
    found there; those rows (one per deal existing at ``when``: the result, as large
    as the pipeline) come back to pandas, sorted by deal id on a fresh RangeIndex, with
    the columns and dtypes of the pandas path.
    """
    return rows_in_force(engine_changes(changes, engine), moment(when, "when"))


def rows_in_force(
    log: EngineChanges, stamp: pd.Timestamp, others: list[str] | None = None
) -> pd.DataFrame:
    """The deals at ``stamp`` from a checked log: :func:`state_at`'s table.

    The columns ``others`` (of the log, not among the deals' columns) follow, as the
    row in force holds them.
    """
    columns = [name for name in _DEALS_COLUMNS if name in log.present or name == "created"]
    extra = [name for name in others or [] if name not in columns]
    rows = _rows_at(log, stamp).select(
        *(nw.col(_CREATED).alias(name) if name == "created" else nw.col(name) for name in columns),
        nw.col(_AT),
        *(nw.col(name) for name in extra),
    )
    return _pandas_rows(log, collect(rows), [*columns, _AT, *extra])


def _pandas_rows(log: EngineChanges, table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Rows collected from an engine as the pandas path holds them: by deal id.

    Text in the dtype pandas infers for text, whatever the engine hands back (an empty
    DuckDB result's objects, Dask's nullable strings), the canonical status too;
    ``value`` and ``probability`` as float64.
    """
    rows = table[columns].sort_values(_ID, kind="stable").reset_index(drop=True)
    for name in columns:
        if name in ("value", "probability"):
            rows[name] = rows[name].astype(np.float64)
        elif name == "status" or isinstance(log.schema.get(name), nw.String):
            rows[name] = _pandas_text(rows[name])
    return rows


def _in_period(changes: EngineChanges, column: str, bounds: Bounds) -> nw.Expr:
    """Whether each close date falls on a day of ``bounds``, as ``_window.in_period`` reads it.

    An aware date is read on its own zone's calendar; a time of day does not move a
    date out of its day.
    """
    if bounds is None:
        return nw.lit(True)
    first, last = bounds
    dtype = changes.frame.schema["close_date"]
    dates = nw.col(column)
    if isinstance(dtype, nw.Date):
        low, high = nw.lit(first.date()), nw.lit(last.date())
        return _sure((dates >= low) & (dates <= high))
    if isinstance(dtype, nw.Datetime) and dtype.time_zone is not None:
        dates = dates.dt.replace_time_zone(None)
    after = last + _DAY
    low = nw.lit(first.to_pydatetime(), dtype=nw.Datetime("us"))
    high = nw.lit(after.to_pydatetime(), dtype=nw.Datetime("us"))
    return _sure((dates >= low) & (dates < high))


def waterfall_states(
    changes: object,
    engine: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    *,
    period: Bounds,
    by: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two snapshots of :func:`~salescore.forecasting.changes.pipeline_waterfall`.

    The log is checked in the engine; the states at ``start`` and ``end`` are found
    and joined per deal there, and each deal is classified by the waterfall's rules
    (in the pipeline at the start; entering it) so that only the deals taking part
    come back: their state at ``start`` (those that existed then) and at ``end``,
    each sorted by deal id, in the form the pandas path gives ``flows``. A deal that
    takes no part adds nothing to any term, so the waterfall of these two snapshots
    is the waterfall of the whole log.
    """
    log = engine_changes(changes, engine, by)
    carried = [*by, *(["currency"] if "currency" in log.present else [])]
    kept = list(dict.fromkeys([_ID, "value", "close_date", "status", *carried]))
    before = {name: f"__salescore_s_{position}" for position, name in enumerate(kept)}
    # One grouped query for both moments: per deal, its latest moment at or before
    # each; the rows at those moments then joined back, at most two per deal.
    seen = log.log.filter(nw.col(_UTC) <= _moment(end)).with_columns(
        nw.when(nw.col(_UTC) <= _moment(start)).then(nw.col(_UTC)).alias(_FIRST)
    )
    moments = seen.group_by(_ID).agg(nw.col(_FIRST).max(), nw.col(_UTC).max().alias(_LAST))
    rows = seen.drop(_FIRST).join(moments, on=_ID)
    at_start = rows.filter(_sure(nw.col(_UTC) == nw.col(_FIRST)))
    at_start = at_start.select(*(nw.col(n).alias(before[n]) for n in kept))
    at_end = rows.filter(nw.col(_UTC) == nw.col(_LAST)).select(*kept)
    both = at_end.join(at_start, left_on=_ID, right_on=before[_ID], how="left")
    s_exists = ~nw.col(before["status"]).is_null()
    s_open = _sure(nw.col(before["status"]) == "open")
    s_in = s_open & _in_period(log, before["close_date"], period)
    status = nw.col("status")
    e_open, e_closed = status == "open", status.is_in(["won", "lost"])
    e_period = _in_period(log, "close_date", period)
    closed_in_window = e_closed & (~s_exists | s_open)
    enters = ~s_in & e_period & ((e_open & e_period) | closed_in_window)
    taking_part = collect(both.filter(s_in | enters))
    ends = _pandas_rows(log, taking_part, kept)
    known = taking_part[taking_part[before["status"]].notna()]
    # The end's deal id: an engine's left join may drop the right side's key.
    earlier = known[[_ID, *(before[name] for name in kept[1:])]]
    starts = _pandas_rows(log, earlier.set_axis(kept, axis=1), kept)
    return starts, ends


def _clock_parts(changes: EngineChanges) -> list[tuple[str, nw.Expr]]:
    """Each close date as (day since 1970, nanoseconds into the day), on one clock.

    Two aware close dates are subtracted as instants, as pandas subtracts them: both
    are read in UTC first.
    """
    dtype = changes.frame.schema["close_date"]
    zone = dtype.time_zone if isinstance(dtype, nw.Datetime) else None
    close = utc_naive(nw.col("close_date"), zone)
    if isinstance(dtype, nw.Date):
        close = close.cast(nw.Datetime("us"))
    return [(_CLOSE_UTC, close), (_TOD, time_of_day(_CLOSE_UTC))]


def _slips(part: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """The query reducing each deal's rows, in time order, to its slippage counts."""
    order = {"order_by": _UTC}
    earlier_day = nw.col(_DAYS).shift(1).over(_ID, **order)
    earlier_time = nw.col(_TOD).shift(1).over(_ID, **order)
    span = (nw.col(_DAYS) - earlier_day) * _DAY_NS + (nw.col(_TOD) - earlier_time)
    first = earlier_day.is_null()
    last = nw.col(_UTC) == nw.col(_UTC).max().over(_ID)
    zero = nw.lit(0, dtype=nw.Int64)
    steps = part.with_columns(
        span.alias(_STEP),
        (nw.col(_DAYS) - earlier_day).abs().alias(_FAR),
        first.alias(_FIRST),
        last.alias(_LAST),
    )
    later, sooner = _sure(nw.col(_STEP) > 0), _sure(nw.col(_STEP) < 0)
    flagged = steps.select(
        _ID,
        later.cast(nw.Int64).alias("pushes"),
        nw.when(later).then(nw.col(_STEP)).otherwise(zero).alias("push_days"),
        sooner.cast(nw.Int64).alias("pulls"),
        nw.when(sooner).then(-nw.col(_STEP)).otherwise(zero).alias("pull_days"),
        nw.when(nw.col(_FIRST)).then(nw.col("close_date")).alias("first_close_date"),
        nw.when(nw.col(_LAST)).then(nw.col("close_date")).alias("last_close_date"),
        nw.when(nw.col(_LAST)).then(nw.col("status")).alias("status"),
        _sure(nw.col(_FAR) > _LONGEST_DAYS).cast(nw.Int64).alias(_FAR),
    )
    sums = ("pushes", "push_days", "pulls", "pull_days", _FAR)
    kept = ("first_close_date", "last_close_date", "status")
    return flagged.group_by(_ID).agg(
        *(nw.col(name).sum() for name in sums), *(nw.col(name).max() for name in kept)
    )


def slippage_counts(changes: object, engine: str, as_of: object) -> pd.DataFrame:
    """The per-deal counts of :func:`~salescore.forecasting.slippage.close_date_slippage`.

    The log is checked in the engine; each row's previous close date of its deal is a
    window over the deal's rows in time order (on Dask, whose windows take no order,
    over the rows of each partition in pandas after the rows are shuffled by deal),
    and the moves are summed per deal in exact nanoseconds. One row per deal comes
    back, sorted by deal id: ``pushes``, ``push_days`` and ``pulls``, ``pull_days``
    (in days), ``first_close_date``, ``last_close_date`` and ``status``.
    """
    log = engine_changes(changes, engine)
    rows = log.log
    if as_of is not None:
        rows = rows.filter(nw.col(_UTC) <= _moment(moment(as_of, "as_of")))
    for name, expression in _clock_parts(log):
        rows = rows.with_columns(expression.alias(name))
    rows = with_period(rows, _CLOSE_UTC, None, _DAYS_DTYPE, "D", _DAYS)
    rows = rows.select(_ID, _UTC, _DAYS, _TOD, "close_date", "status")
    counts = collect_by_key(rows, engine, _ID, _slips)
    table = _pandas_rows(log, counts, [_ID, *_SLIPS, _FAR])
    far = table[_FAR].to_numpy(dtype=np.int64) > 0
    if far.any():
        raise InvalidInputError(
            f"{TABLE}: two consecutive 'close_date' of a deal are {TOO_FAR} in "
            f"{_counted(int(table[_FAR].sum()), 'row')} "
            f"({_counted(int(far.sum()), 'deal')}: {listed(table[_ID][far].tolist())})"
        )
    for name in ("pushes", "pulls"):
        table[name] = table[name].to_numpy(dtype=np.int64)
    for name in ("push_days", "pull_days"):
        table[name] = table[name].to_numpy(dtype=np.int64) / _DAY_NS
    return table.drop(columns=_FAR)


#: The columns :func:`slippage_counts` gives besides the deal id.
_SLIPS: Final = (
    "pushes",
    "push_days",
    "pulls",
    "pull_days",
    "first_close_date",
    "last_close_date",
    "status",
)


def slippage_table(changes: object, engine: str, as_of: object = None) -> pd.DataFrame:
    """The per-deal table of :func:`~salescore.forecasting.slippage.close_date_slippage`.

    The counts come from :func:`slippage_counts`, the net days from the first and last
    close dates; ``close_date_slippage`` makes its record from this table as from a
    pandas log's.
    """
    deals = slippage_counts(changes, engine, as_of)
    first = pd.DatetimeIndex(deals["first_close_date"])
    last = pd.DatetimeIndex(deals["last_close_date"])
    net, far = elapsed_days(last, first)
    if far is not None:  # far apart in total although each step fits: add the steps
        net = (deals["push_days"] - deals["pull_days"]).to_numpy(dtype=np.float64)
    deals.insert(len(deals.columns) - 1, "net_days", net)
    return deals


def waterfall_of(
    changes: object,
    engine: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    *,
    period: Bounds,
    by: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The value, count and deals of :func:`~salescore.forecasting.changes.pipeline_waterfall`.

    The arguments have been read by ``pipeline_waterfall``: ``start`` before ``end``,
    ``period`` as its first and last day (or None), ``by`` as a list of columns. The
    sums are made in pandas by the code that finishes a pandas log.
    """
    starts, ends = waterfall_states(changes, engine, start, end, period=period, by=by)
    return flows(starts, ends, period=period, by=by)
