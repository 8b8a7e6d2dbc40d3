"""Explicit fiscal periods: reading Salesforce ``Period`` rows and checking that they tile.

A custom fiscal year in Salesforce is stored as ``Period`` rows, one per year, quarter,
month and week, each with its first and last day (``StartDate``, ``EndDate``). This
module reads such rows (from a canonical table or from Salesforce records) into
(kind, first day, last day) triples, and refuses, naming the rows, any set that does
not describe one calendar: a missing date, an end before its start, a gap or an overlap
between periods of one kind, kinds that cover different spans, or a quarter that splits
a month (a year that splits a quarter).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._tables import SHOWN, option_column, require_columns, which
from .._timestamps import coerce_timestamps
from ..errors import InvalidInputError
from ._months import KINDS, Months, day_text, days_of, explicit_months

__all__ = ["check_inside", "check_tiling", "explicit_table", "read_frame", "read_salesforce"]

#: Salesforce ``Period.Type`` values and the kinds they give; weeks are not read.
_SALESFORCE_TYPES: Final = {"Year": "year", "Quarter": "quarter", "Month": "month", "Week": None}

Triples = tuple[tuple[str, int, int], ...]


def _span(ids: npt.NDArray[np.object_], row: int, start: int, end: int) -> str:
    return f"{ids[row]!r} ({day_text(start)} … {day_text(end)})"


def check_tiling(
    table: str,
    kinds: Sequence[str],
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    ids: npt.NDArray[np.object_],
) -> Triples:
    """Checked (kind, first day, last day) triples, sorted by kind and first day.

    Every kind of :data:`KINDS` must be present; the periods of each kind must follow
    one another without gap or overlap, all kinds must cover one span, every quarter
    must begin where a month begins and every year where a quarter begins.
    """
    kinds_array = np.asarray(kinds, dtype=object)
    backwards = ends < starts
    if backwards.any():
        shown = [f"{day_text(s)} … {day_text(e)}" for s, e in zip(starts, ends, strict=True)]
        raise InvalidInputError(
            f"{table}: a period must not end before it starts; "
            f"{which(ids, backwards, shown, noun='row')}"
        )
    spans: dict[str, tuple[int, int]] = {}
    firsts: dict[str, npt.NDArray[np.int64]] = {}
    for kind in KINDS:
        rows = np.flatnonzero(kinds_array == kind)
        if rows.size == 0:
            raise InvalidInputError(
                f"{table}: there are no {kind} rows; a fiscal calendar needs its years, "
                "quarters and months"
            )
        rows = rows[np.argsort(starts[rows], kind="stable")]
        s, e = starts[rows], ends[rows]
        step = s[1:] - e[:-1]  # 1 where a period starts the day after the previous one ends
        wrong = np.flatnonzero(step != 1)
        if wrong.size:
            k = int(wrong[0])
            before, after = rows[k], rows[k + 1]
            what = "overlap" if step[k] < 1 else f"leave a gap of {int(step[k]) - 1} day(s)"
            more = f" ({wrong.size} such pairs)" if wrong.size > 1 else ""
            raise InvalidInputError(
                f"{table}: {kind} rows {_span(ids, before, s[k], e[k])} and "
                f"{_span(ids, after, s[k + 1], e[k + 1])} {what}{more}; the periods of "
                "each kind must follow one another day after day"
            )
        spans[kind] = (int(s[0]), int(e[-1]))
        firsts[kind] = s
    if len(set(spans.values())) > 1:
        covered = "; ".join(
            f"{kind} rows {day_text(a)} … {day_text(b)}" for kind, (a, b) in spans.items()
        )
        raise InvalidInputError(f"{table}: the kinds of period cover different spans: {covered}")
    for outer, inner in (("quarter", "month"), ("year", "quarter")):
        rows = np.flatnonzero(kinds_array == outer)
        split = np.zeros(len(kinds_array), dtype=bool)
        split[rows] = ~np.isin(starts[rows], firsts[inner])
        if split.any():
            shown = [day_text(s) for s in starts]
            raise InvalidInputError(
                f"{table}: every {outer} must begin where a {inner} begins; "
                f"{which(ids, split, shown, noun=f'{outer} row')} begin inside a {inner}"
            )
    triples = sorted(zip(kinds_array.tolist(), starts.tolist(), ends.tolist(), strict=True))
    return tuple((str(k), int(s), int(e)) for k, s, e in triples)


def _dates(table: str, frame: pd.DataFrame, column: str, ids: npt.NDArray[np.object_]) -> Any:
    """A column of dates as day numbers; missing dates and times of day refused by row."""
    values: Any = frame[column]
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        values = values.to_numpy(dtype=object)  # texts in any string dtype, dates, None
    stamps, _ = coerce_timestamps(f"{table}: column {column!r}", values)
    days, missing = days_of(f"{table}: column {column!r}", stamps)
    if missing.any():
        raise InvalidInputError(
            f"{table}: column {column!r} must hold a date in every row; "
            f"{which(ids, missing, noun='row')} have none"
        )
    wall = stamps.tz_localize(None) if stamps.tz is not None else stamps
    timed = np.asarray(wall != wall.normalize(), dtype=bool)
    if timed.any():
        raise InvalidInputError(
            f"{table}: column {column!r} must hold dates without a time of day; "
            f"{which(ids, timed, [str(t) for t in wall], noun='row')}"
        )
    return days


def _ids(frame: pd.DataFrame, column: str | None) -> npt.NDArray[np.object_]:
    if column is None:
        return frame.index.to_numpy(dtype=object)
    return frame[column].to_numpy(dtype=object)


def read_frame(frame: object, *, kind: object, start: object, end: object, id: object) -> Triples:
    """Checked triples from a table of periods with kind, first-day and last-day columns."""
    table = "periods"
    kind_column = option_column("kind", kind)
    start_column = option_column("start", start)
    end_column = option_column("end", end)
    id_column = option_column("id", id, optional=True)
    assert kind_column is not None
    assert start_column is not None
    assert end_column is not None
    wanted = [kind_column, start_column, end_column] + ([] if id_column is None else [id_column])
    require_columns(table, frame, wanted)
    assert isinstance(frame, pd.DataFrame)
    ids = _ids(frame, id_column)
    values = frame[kind_column].to_numpy(dtype=object)
    unknown = np.fromiter(
        (not (isinstance(v, str) and v in KINDS) for v in values), bool, len(values)
    )
    if unknown.any():
        raise InvalidInputError(
            f"{table}: column {kind_column!r} must hold 'year', 'quarter' or 'month'; "
            f"{which(ids, unknown, list(values), noun='row')}"
        )
    starts = _dates(table, frame, start_column, ids)
    ends = _dates(table, frame, end_column, ids)
    return check_tiling(table, [str(v) for v in values], starts, ends, ids)


def _records_frame(records: object) -> pd.DataFrame:
    """Salesforce records (mappings, or a table of an export) as a DataFrame."""
    if isinstance(records, pd.DataFrame):
        return records
    if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Sequence):
        raise InvalidInputError(
            "records must be a sequence of Period records (mappings) or a DataFrame; "
            f"got {type(records).__name__} {records!r:.60}"
        )
    odd = [k for k, record in enumerate(records) if not isinstance(record, Mapping)]
    if odd:
        listed = ", ".join(f"[{k}] {type(records[k]).__name__}" for k in odd[:SHOWN])
        raise InvalidInputError(
            f"records must hold one mapping per Period record; {len(odd)} do not ({listed})"
        )
    rows = [
        {key: value for key, value in record.items() if key != "attributes"} for record in records
    ]
    return pd.DataFrame(rows, index=pd.RangeIndex(len(rows)), dtype=object)


def read_salesforce(records: object) -> Triples:
    """Checked triples from Salesforce ``Period`` records; ``Week`` rows are not read."""
    table = "Period records"
    frame = _records_frame(records)
    require_columns(table, frame, ["Type", "StartDate", "EndDate"])
    ids = _ids(frame, "Id" if "Id" in frame.columns else None)
    types = frame["Type"].to_numpy(dtype=object)
    unknown = np.fromiter(
        (not (isinstance(v, str) and v in _SALESFORCE_TYPES) for v in types), bool, len(types)
    )
    if unknown.any():
        raise InvalidInputError(
            f"{table}: Type must be 'Year', 'Quarter', 'Month' or 'Week'; "
            f"{which(ids, unknown, list(types), noun='row')}"
        )
    kept = np.array([_SALESFORCE_TYPES[v] is not None for v in types], dtype=bool)
    frame, ids, types = frame[kept], ids[kept], types[kept]
    kinds = [str(_SALESFORCE_TYPES[v]) for v in types]
    starts = _dates(table, frame, "StartDate", ids)
    ends = _dates(table, frame, "EndDate", ids)
    triples = check_tiling(table, kinds, starts, ends, ids)
    if "FiscalYearSettingsId" in frame.columns:
        _same_settings(
            table, frame["FiscalYearSettingsId"].to_numpy(dtype=object), kinds, starts, ids
        )
    return triples


def _same_settings(
    table: str,
    settings: npt.NDArray[np.object_],
    kinds: list[str],
    starts: npt.NDArray[np.int64],
    ids: npt.NDArray[np.object_],
) -> None:
    """Refuse a quarter or month whose FiscalYearSettingsId is not its year's."""
    kinds_array = np.asarray(kinds, dtype=object)
    years = np.flatnonzero(kinds_array == "year")
    years = years[np.argsort(starts[years])]
    owner = years[np.searchsorted(starts[years], starts, side="right") - 1]
    given = np.array(
        [not pd.isna(v) if not isinstance(v, (list, dict)) else True for v in settings]
    )
    differs = np.array(
        [
            bool(given[k] and given[o] and settings[k] != settings[o])
            for k, o in enumerate(owner.tolist())
        ],
        dtype=bool,
    )
    if differs.any():
        shown = [f"{settings[k]!r}, its year {settings[o]!r}" for k, o in enumerate(owner.tolist())]
        raise InvalidInputError(
            f"{table}: a quarter or month must belong to the FiscalYearSettingsId of the "
            f"year it falls in; {which(ids, differs, shown, noun='row')}"
        )


@functools.lru_cache(maxsize=32)
def explicit_table(explicit: Triples, naming: str) -> Months:
    """The month table of explicit periods, checked; refused when two years share a number."""
    kinds = [kind for kind, _, _ in explicit]
    starts = np.array([start for _, start, _ in explicit], dtype=np.int64)
    ends = np.array([end for _, _, end in explicit], dtype=np.int64)
    positions = np.array([f"explicit[{k}]" for k in range(len(kinds))], dtype=object)
    triples = check_tiling("explicit", kinds, starts, ends, positions)
    table, year_starts = explicit_months(triples, naming)
    numbers = table.year[np.searchsorted(table.start, year_starts)]
    if np.unique(numbers).size < len(year_starts):
        raise InvalidInputError(
            f"two fiscal years would both be numbered by one calendar year with "
            f"naming={naming!r} (years starting "
            f"{', '.join(day_text(day) for day in year_starts)}); a fiscal year must be "
            "long enough to be told apart by the calendar year of its "
            f"{'first' if naming == 'start' else 'last'} month"
        )
    return table


def check_inside(name: str, table: Months, days: npt.NDArray[np.int64]) -> None:
    """Refuse days outside the years an explicit calendar defines, naming their positions."""
    outside = (days < table.start[0]) | (days > table.end[-1])
    if outside.any():
        ids = np.arange(days.size).astype(object)
        shown = [day_text(day) for day in days]
        raise InvalidInputError(
            f"{name} must fall within the fiscal years the calendar defines "
            f"({day_text(table.start[0])} … {day_text(table.end[-1])}); "
            f"{which(ids, outside, shown, noun='date')}"
        )
