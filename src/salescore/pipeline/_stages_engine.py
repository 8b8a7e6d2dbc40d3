"""Stage histories held by an engine (Polars, DuckDB, Dask, Spark), reduced there.

The history is checked by one aggregate query run where it lives, counting every row
the pandas path (:mod:`._history`) refuses: a missing deal id or stage, an exit before
its entry, an entry and an exit more than 292 years apart, a deal with more than one
open visit, and, with ``as_of``, an open visit entered after it or more than 292 years
before it, and for the funnel a stage it does not list. Only when something is wrong
does a further query fetch a few of those rows to name, in the words of the pandas
path's messages. Each visit's duration is computed in the engine in nanoseconds, from
the days since 1970 (the civil-day count of :mod:`salescore.engines._periods`) and the
time of day, exactly as pandas subtracts two datetime64[ns] columns.

For :func:`~salescore.stage_funnel` the engine reduces the visits to one row per deal
(its furthest funnel stage, whether it is still open) and those to counts per stage,
and the (deal, stage) totals to, per stage, their number, sum and the one or two ranks
around the median; for :func:`~salescore.time_in_stage` to one row per (deal, stage)
pair, which is the result. Only these come back to pandas, where the functions finish
with the same code as for a pandas frame.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable
from typing import Any, Final, NamedTuple

import narwhals as nw
import numpy as np
import numpy.typing as npt
import pandas as pd

from .._tables import counted as _counted
from ..engines._frames import EngineFrame, collect, collect_by_key
from ..engines._frames import count_true as _count
from ..engines._frames import found_count as _number
from ..engines._frames import sure as _sure
from ..engines._frames import text_of as _text_of
from ..engines._periods import time_of_day as _time_of_day
from ..engines._periods import with_period
from ..errors import InvalidInputError, SchemaError
from ._deals import TOO_FAR
from ._history import _SHOWN, _TABLE, _listed, _timestamp

__all__ = ["FunnelCounts", "PairTimes", "funnel_counts", "pair_times"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_DAY_NS: Final = 86_400 * 10**9
#: The longest span a nanosecond duration holds, in days (about 292 years).
_LONGEST_DAYS: Final = pd.Timedelta.max / pd.Timedelta(days=1)
_DAYS: Final = pd.PeriodDtype("D")
#: What a missing timestamp is read as, so that its parts can be computed (Dask's
#: integers hold no missing value); the timestamp's own column says it is missing.
_STAND_IN: Final = datetime.datetime(2000, 1, 1)

# Column names inside the engine's queries.
_ID, _S, _IN, _OUT = "__salescore_deal", "__salescore_stage", "__salescore_in", "__salescore_out"
_DI, _TI = "__salescore_in_day", "__salescore_in_ns"
_DO, _TO = "__salescore_out_day", "__salescore_out_ns"
_POS, _O, _N = "__salescore_position", "__salescore_open", "__salescore_count"
_DONE, _AGE = "__salescore_done", "__salescore_age"
_UNK, _UAGE = "__salescore_unknown", "__salescore_unknown_age"
_T, _R, _BAD, _SUM = "__salescore_total", "__salescore_rank", "__salescore_bad", "__salescore_sum"


class FunnelCounts(NamedTuple):
    """Per funnel stage, in funnel order: what :func:`~salescore.stage_funnel` tabulates."""

    dropouts: IntArray  # deals whose furthest funnel stage it is
    in_progress: IntArray  # of those, the deals with an open visit in the funnel
    timed: IntArray  # deals whose time in the stage is measured
    mean_days: FloatArray
    median_days: FloatArray


class PairTimes(NamedTuple):
    """One entry per (deal, stage) pair, by deal id and then stage label."""

    labels: list[pd.Series[Any]]  # the deal ids and the stages
    days: FloatArray
    current_days: FloatArray
    visits: IntArray


def _utc(column: str, zone: str | None) -> nw.Expr:
    """A datetime column as naive UTC: on one clock, the spans between stamps unchanged."""
    stamps = nw.col(column)
    if zone is not None:
        stamps = stamps.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    return stamps


def _span_days(day: nw.Expr, time: nw.Expr, from_day: nw.Expr, from_time: nw.Expr) -> nw.Expr:
    """The span between two stamps in (approximate) days, for telling the far ones."""
    return (day - from_day).cast(nw.Float64) + (time - from_time).cast(nw.Float64) / _DAY_NS


def _labels(values: pd.Series[Any], text: bool) -> pd.Series[Any]:
    """Labels as pandas holds them: text in the dtype pandas infers (str from pandas 3)."""
    if not text:
        return values.reset_index(drop=True)
    inferred = pd.Series([""]).dtype
    return pd.Series(values.astype(object).tolist(), dtype=inferred)


class _History:
    """An engine's stage history as a lazy log, its rows checked as the pandas path does."""

    def __init__(self, native: object, engine: str, names: dict[str, str], as_of: object) -> None:
        deal_id, stage = names["deal_id"], names["stage"]
        entered, exited = names["entered"], names["exited"]
        self.names = names
        self.engine = engine
        frame = EngineFrame("stage_history", native, engine)
        frame.require([deal_id, stage, entered, exited])
        for column in (entered, exited):
            dtype = frame.schema[column]
            if not isinstance(dtype, nw.Datetime):
                raise SchemaError(
                    f"stage_history: column {column!r} must hold datetimes (datetime64, naive "
                    f"or tz-aware); it has dtype {dtype} in {engine} (cast it to a datetime "
                    "first)"
                )
        ids, id_dtype = _text_of(frame, deal_id), frame.schema[deal_id]
        if ids is None and not id_dtype.is_integer():
            raise SchemaError(
                f"stage_history: column {deal_id!r} has dtype {id_dtype} in {engine}; it must "
                "hold text (strings or categories) or integers"
            )
        stages = _text_of(frame, stage)
        self.frame, self.stage_dtype = frame, frame.schema[stage]
        self.text = (ids is not None, stages is not None)
        zones = (frame.zone(entered), frame.zone(exited))
        # pandas keeps both columns' zone only when both are aware (align_zones).
        self.aware = zones[0] is not None and zones[1] is not None
        log = frame.frame.select(
            (nw.col(deal_id) if ids is None else ids).alias(_ID),
            (nw.col(stage) if stages is None else stages).alias(_S),
            _utc(entered, zones[0]).alias(_IN),
            _utc(exited, zones[1]).alias(_OUT),
        )
        units = (frame.schema[entered], frame.schema[exited])
        parts = ((_IN, units[0], _DI, _TI), (_OUT, units[1], _DO, _TO))
        log = log.with_columns(
            nw.col(column)
            .fill_null(nw.lit(_STAND_IN).cast(nw.Datetime(time_unit=dtype.time_unit)))
            .alias(time)
            for column, dtype, _, time in parts
        )
        for _, _, day, time in parts:
            log = with_period(log, time, None, _DAYS, "D", day)
        self.log = log.with_columns(_time_of_day(_TI).alias(_TI), _time_of_day(_TO).alias(_TO))
        # An invalid as_of is reported after the rows, as the pandas path finds it.
        self.stamp: pd.Timestamp | None = None
        self.stamp_error: InvalidInputError | None = None
        if as_of is not None:
            try:
                self.stamp = _timestamp(as_of)
            except InvalidInputError as error:
                self.stamp_error = error

    @property
    def shown(self) -> pd.Timestamp:
        """``as_of`` as the pandas path prints it: in UTC when it meets naive columns."""
        assert self.stamp is not None
        if self.stamp.tzinfo is not None and not self.aware:
            return self.stamp.tz_convert("UTC").tz_localize(None)
        return self.stamp

    def as_of_parts(self) -> tuple[int, int]:
        """``as_of``'s day since 1970 and nanoseconds into that day, in UTC."""
        assert self.stamp is not None
        stamp = self.stamp
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        day, time = divmod(int(stamp.as_unit("ns").value), _DAY_NS)
        return day, time

    def deals(self, condition: nw.Expr) -> str:
        """``3 deals: 'D1', 'D7', 'D9'``: the distinct deals of the rows, first by id."""
        count, first = self.distinct(condition, _ID)
        return f"{_counted(count, 'deal')}: {first}"

    def distinct(self, condition: nw.Expr, column: str) -> tuple[int, str]:
        """How many distinct values of ``column`` the rows have, and the first by value."""
        unique = self.log.filter(condition).select(column).unique()
        count = _number(collect(unique.select(nw.len().alias(_N))).iloc[0], _N)
        first = collect(unique.sort(column).head(_SHOWN + 1))[column].tolist()
        return count, _listed(first)

    def check(self, *, funnel: nw.Expr | None, need_as_of: bool) -> None:
        """Raise what the pandas path raises for these rows, in the same order.

        ``funnel``: the condition of rows outside the funnel, when they are refused.
        ``need_as_of``: whether open visits need an ``as_of`` (time in stage).
        """
        deal_id, stage = self.names["deal_id"], self.names["stage"]
        entered, exited = self.names["entered"], self.names["exited"]
        no_id, no_stage = nw.col(_ID).is_null(), nw.col(_S).is_null()
        open_, unentered = nw.col(_OUT).is_null(), nw.col(_IN).is_null()
        backwards = _sure(nw.col(_OUT) < nw.col(_IN))
        span = _span_days(nw.col(_DO), nw.col(_TO), nw.col(_DI), nw.col(_TI))
        far = ~open_ & ~unentered & _sure(span.abs() > _LONGEST_DAYS)
        checks = [
            _count(no_id).alias("no_id"),
            _count(no_stage).alias("no_stage"),
            _count(backwards).alias("backwards"),
            _count(far).alias("far"),
            _count(open_).alias("open"),
            _count(~open_).alias("closed"),
            # With the missing id of the rows that are not open: one value more.
            nw.when(open_).then(nw.col(_ID)).n_unique().alias("open_deals"),
        ]
        early = old = nw.lit(False)
        if self.stamp is not None:
            day, time = self.as_of_parts()
            dated = open_ & ~unentered
            late_day = nw.col(_DI) > day
            early = dated & (late_day | ((nw.col(_DI) == day) & (nw.col(_TI) > time)))
            age = _span_days(nw.lit(day), nw.lit(time), nw.col(_DI), nw.col(_TI))
            old = dated & _sure(age.abs() > _LONGEST_DAYS)
            checks += [_count(early).alias("early"), _count(old).alias("old")]
        if funnel is not None:
            checks.append(_count(funnel).alias("outside"))
        found = collect(self.log.select(*checks)).iloc[0]

        def count(name: str) -> int:
            return _number(found, name)

        if count("no_id"):
            where = self.frame.rows(self.log, no_id, count("no_id"), {_S: stage, _IN: entered})
            raise InvalidInputError(f"{_TABLE}: {deal_id!r} is missing in {where}")
        if count("no_stage"):
            raise InvalidInputError(
                f"{_TABLE}: {stage!r} is missing in {_counted(count('no_stage'), 'row')} "
                f"({self.deals(no_stage)})"
            )
        if count("backwards"):
            raise InvalidInputError(
                f"{_TABLE}: {exited!r} is before {entered!r} in "
                f"{_counted(count('backwards'), 'row')} ({self.deals(backwards)})"
            )
        if count("far"):
            raise InvalidInputError(
                f"{_TABLE}: {exited!r} and {entered!r} are {TOO_FAR} in "
                f"{_counted(count('far'), 'row')} ({self.deals(far)})"
            )
        open_deals = count("open_deals") - (1 if count("closed") else 0)
        if count("open") > open_deals:
            raise InvalidInputError(
                f"{_TABLE}: a deal is in one stage at a time, but some have more than one "
                f"visit with no {exited!r} ({self.crowded()}); give the earlier visits their exit"
            )
        if need_as_of and self.stamp is None and self.stamp_error is None and count("open"):
            raise InvalidInputError(
                f"{_TABLE} has open visits, with {exited!r} NaT ({self.deals(open_)}); pass "
                "as_of= (a timestamp) to measure how long they have been in their current stage"
            )
        if self.stamp_error is not None:
            raise self.stamp_error
        if self.stamp is not None and count("early"):
            raise InvalidInputError(
                f"as_of ({self.shown}) is before the entry of the open visit of {self.deals(early)}"
            )
        if funnel is not None and count("outside"):
            count_unknown, unknown = self.distinct(funnel, _S)
            raise InvalidInputError(
                f"{_TABLE}: {_counted(count_unknown, 'stage')} not in stages: {unknown} "
                f"({self.deals(funnel)}); add them to stages in funnel order, or pass "
                "other_stages='ignore' to leave those rows out"
            )
        if self.stamp is not None and count("old"):
            raise InvalidInputError(
                f"as_of ({self.shown}) and {entered!r} of the open visit are {TOO_FAR}, for "
                f"{self.deals(old)}"
            )

    def crowded(self) -> str:
        """The deals with more than one open visit, as :meth:`deals` names them."""
        opened = self.log.filter(nw.col(_OUT).is_null()).select(
            _ID, nw.lit(1, dtype=nw.Int64).alias(_N)
        )
        many = opened.group_by(_ID).agg(nw.col(_N).sum()).filter(nw.col(_N) > 1)
        count = _number(collect(many.select(nw.len().alias(_N))).iloc[0], _N)
        first = collect(many.select(_ID).sort(_ID).head(_SHOWN + 1))[_ID].tolist()
        return f"{_counted(count, 'deal')}: {_listed(first)}"

    def timed(self) -> nw.LazyFrame[Any]:
        """The log with each visit's completed days and open age, and their flags.

        ``_DONE``: the days of a completed visit (0.0 for an open one), ``_AGE``: the
        age of an open visit at ``as_of`` (0.0 otherwise); ``_UNK`` and ``_UAGE`` flag
        those whose entry is missing (NaN in pandas), since the engines' sums skip
        missing values where NumPy's keep them.
        """
        open_, unentered = nw.col(_OUT).is_null(), nw.col(_IN).is_null()
        done = ~open_ & ~unentered
        zero = nw.lit(0, dtype=nw.Int64)
        days = nw.when(done).then(nw.col(_DO) - nw.col(_DI)).otherwise(zero)
        times = nw.when(done).then(nw.col(_TO) - nw.col(_TI)).otherwise(zero)
        columns = [
            nw.col(_ID),
            nw.col(_S),
            days.alias(_DONE),
            times.alias(_T),
            open_.cast(nw.Int64).alias(_O),
            (~open_ & unentered).cast(nw.Int64).alias(_UNK),
            nw.lit(1, dtype=nw.Int64).alias(_N),
        ]
        if self.stamp is not None:
            day, time = self.as_of_parts()
            aged = open_ & ~unentered
            columns += [
                nw.when(aged).then(day - nw.col(_DI)).otherwise(zero).alias(_AGE),
                nw.when(aged).then(time - nw.col(_TI)).otherwise(zero).alias(_R),
                (open_ & unentered).cast(nw.Int64).alias(_UAGE),
            ]
        log = self.log.select(*columns)
        # Exact nanoseconds, as pandas subtracts datetime64[ns]; then days as pandas divides.
        finished = [_days(_DONE, _T).alias(_DONE)]
        if self.stamp is not None:
            finished.append(_days(_AGE, _R).alias(_AGE))
        else:
            finished += [nw.lit(0.0).alias(_AGE), nw.lit(0, dtype=nw.Int64).alias(_UAGE)]
        return log.with_columns(*finished).drop(_T, *([_R] if self.stamp is not None else []))


def _days(day: str, time: str) -> nw.Expr:
    nanoseconds = nw.col(day) * _DAY_NS + nw.col(time)
    return nanoseconds.cast(nw.Float64) / float(_DAY_NS)


def _sums(keys: list[str]) -> Any:
    """The query summing each (deal, stage) pair's visits."""

    def query(part: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
        measures = (_DONE, _AGE, _O, _UNK, _UAGE, _N)
        return part.group_by(*keys).agg(*(nw.col(name).sum() for name in measures))

    return query


def pair_times(
    native: object,
    engine: str,
    *,
    as_of: object,
    deal_id: str,
    stage: str,
    entered: str,
    exited: str,
) -> PairTimes:
    """Check an engine's stage history as the pandas path does and sum it per pair.

    The column options have been checked by :func:`~salescore.time_in_stage`.
    """
    names = {"deal_id": deal_id, "stage": stage, "entered": entered, "exited": exited}
    history = _History(native, engine, names, as_of)
    history.check(funnel=None, need_as_of=True)
    table = collect_by_key(history.timed(), engine, _ID, _sums([_ID, _S]))
    # An engine's rows have no order of first appearance: by deal id, then stage.
    table = table.sort_values([_ID, _S], kind="stable").reset_index(drop=True)
    unknown = table[_UNK].fillna(0).to_numpy(dtype=np.int64) > 0
    opened = table[_O].fillna(0).to_numpy(dtype=np.int64) > 0
    unaged = table[_UAGE].fillna(0).to_numpy(dtype=np.int64) > 0
    days = table[_DONE].to_numpy(dtype=np.float64, na_value=0.0)
    ages = table[_AGE].to_numpy(dtype=np.float64, na_value=0.0)
    return PairTimes(
        labels=[_labels(table[_ID], history.text[0]), _labels(table[_S], history.text[1])],
        days=np.where(unknown, np.nan, days),
        current_days=np.where(opened & ~unaged, ages, np.nan),
        visits=table[_N].to_numpy(dtype=np.int64),
    )


def _position(history: _History, funnel: list[Hashable]) -> nw.Expr:
    """Each row's stage as its position in the funnel; -1 for a stage not in it."""
    dtype = history.stage_dtype
    if history.text[1]:
        comparable: type | tuple[type, ...] = str
    elif dtype.is_numeric():
        comparable = (int, float, np.integer, np.floating)
    else:
        raise SchemaError(
            f"stage_history: column {history.names['stage']!r} has dtype {dtype} in "
            f"{history.engine}; on an engine frame the stages must be text (strings or "
            "categories) or numbers to be compared with stages"
        )
    position: nw.Expr = nw.lit(-1, dtype=nw.Int64)
    for number, label in reversed(list(enumerate(funnel))):
        if isinstance(label, comparable) and not isinstance(label, (bool, np.bool_)):
            value: Any = label  # a str, or a number
            is_it = _sure(nw.col(_S) == nw.lit(value))
            position = nw.when(is_it).then(nw.lit(number, dtype=nw.Int64)).otherwise(position)
    return position


def funnel_counts(
    native: object,
    engine: str,
    funnel: list[Hashable],
    *,
    as_of: object,
    ignore: bool,
    deal_id: str,
    stage: str,
    entered: str,
    exited: str,
) -> FunnelCounts:
    """Check an engine's stage history as the pandas path does and count its funnel.

    The options have been checked by :func:`~salescore.stage_funnel`.
    """
    names = {"deal_id": deal_id, "stage": stage, "entered": entered, "exited": exited}
    history = _History(native, engine, names, as_of)
    position = _position(history, funnel)
    history.check(funnel=None if ignore else position == -1, need_as_of=False)
    size = len(funnel)
    inside = history.timed().with_columns(position.alias(_POS)).filter(nw.col(_POS) >= 0)

    def furthest(part: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
        deals = part.group_by(_ID).agg(nw.col(_POS).max(), nw.col(_O).max())
        deals = deals.with_columns(nw.lit(1, dtype=nw.Int64).alias(_N))
        return deals.group_by(_POS).agg(nw.col(_N).sum(), nw.col(_O).sum())

    # Partial counts per partition (Dask) or chunk (Polars), added up here.
    counts = collect_by_key(inside.select(_ID, _POS, _O), engine, _ID, furthest)
    where = counts[_POS].to_numpy(dtype=np.int64)
    dropouts = np.zeros(size, dtype=np.int64)
    in_progress = np.zeros(size, dtype=np.int64)
    np.add.at(dropouts, where, counts[_N].fillna(0).to_numpy(dtype=np.int64))
    np.add.at(in_progress, where, counts[_O].fillna(0).to_numpy(dtype=np.int64))

    # Each stage's pairs in one partition (Dask) or chunk (Polars): ranked there.
    ranks = collect_by_key(inside.drop(_S), engine, _POS, _near_median(history.stamp is None))
    timed, mean_days, median_days = _time_stats(ranks, size)
    return FunnelCounts(dropouts, in_progress, timed, mean_days, median_days)


def _near_median(completed_only: bool) -> Any:
    """The query keeping, per stage, the one or two ranks of its median pair total.

    Every kept row also carries its stage's number of timed pairs, the sum of their
    totals and how many of them have an unknown duration.
    """

    def query(part: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
        pairs = _sums([_ID, _POS])(part)
        if completed_only:  # a deal still in the stage is not timed there
            pairs = pairs.filter(nw.col(_O) == 0)
        pairs = pairs.select(
            _POS,
            (nw.col(_DONE) + nw.col(_AGE)).alias(_T),
            ((nw.col(_UNK) + nw.col(_UAGE)) > 0).cast(nw.Int64).alias(_BAD),
        )
        ranked = pairs.with_columns(
            nw.col(_T).rank("ordinal").over(_POS).cast(nw.Int64).alias(_R),
            nw.col(_T).count().over(_POS).cast(nw.Int64).alias(_N),
            nw.col(_T).sum().over(_POS).alias(_SUM),
            nw.col(_BAD).sum().over(_POS).alias(_BAD),
        )
        # Ranks r with 2 (r - 1) in [n - 2, n]: the middle one, or the middle two.
        twice = (nw.col(_R) - 1) * 2
        near = (twice >= nw.col(_N) - 2) & (twice <= nw.col(_N))
        kept: nw.LazyFrame[Any] = ranked.filter(near).select(_POS, _R, _T, _N, _SUM, _BAD)
        return kept

    return query


def _time_stats(ranks: pd.DataFrame, size: int) -> tuple[IntArray, FloatArray, FloatArray]:
    """Timed pairs, mean and median days per stage from the ranks near each median."""
    timed = np.zeros(size, dtype=np.int64)
    mean_days = np.full(size, np.nan)
    median_days = np.full(size, np.nan)
    middle: dict[int, dict[int, float]] = {}
    for row in ranks[[_POS, _R, _T, _N, _SUM, _BAD]].itertuples(index=False):
        stage, rank, total, count, summed, bad = row
        stage, count = int(stage), int(count)
        timed[stage] = count
        middle.setdefault(stage, {})[int(rank) - 1] = float(total)
        if not int(bad):
            mean_days[stage] = float(summed) / count
    for stage, values in middle.items():
        count = int(timed[stage])
        if np.isnan(mean_days[stage]):
            continue  # NumPy's median is NaN, as the mean, when a duration is unknown
        # np.median: the mean of the middle value with itself, or of the middle two.
        pair = np.array([values[(count - 1) // 2], values[count // 2]])
        median_days[stage] = float(pair.mean())
    return timed, mean_days, median_days
