"""A table function's ``freq=``: calendar periods (a pandas alias) or fiscal periods, one interface.

The table functions split rows by period with ``freq=``, a pandas alias (``"M"``) or
a :class:`~salescore.fiscal.FiscalFrequency`. :func:`period_kind` reads the argument
once into a :class:`pandas.PeriodDtype` or the fiscal record; the other helpers take
either and give what a table needs: each date's period ordinal (consecutive periods
have consecutive ordinals), the period keys of a group-by, the index of a run of
periods, labels for messages, and the time order of grouped periods. For a pandas
alias they do exactly what the tables did before fiscal periods existed; for fiscal
periods the keys and index hold the labels (str, such as ``"FY2027 Q1"``).

Under them, the fiscal engine: :func:`bucket` numbers each date's fiscal period with
an ordinal in time order (so that a difference of ordinals counts periods, as pandas'
Period ordinals do) and gives its label, :func:`labels_between` labels a run of
ordinals, and :func:`label_ordinals` reads labels back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._tables import PERIOD, period_dtype, periods, which
from ..errors import InvalidInputError
from . import _months
from ._months import Months, day_text, days_of
from .frequency import FiscalFrequency

__all__ = [
    "NAT",
    "Frequency",
    "bucket",
    "fiscal_bound",
    "label_ordinals",
    "labels_between",
    "order",
    "period_index",
    "period_keys",
    "period_kind",
    "period_names",
    "period_ordinals",
]

IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]

#: What a table function's ``freq=`` becomes: a pandas period dtype or fiscal periods.
Frequency: TypeAlias = pd.PeriodDtype | FiscalFrequency
#: The ordinal of a missing date's period: pandas' own (``NaT.value``, the least int64).
NAT: Final = int(np.iinfo(np.int64).min)
#: A fiscal label: the year's four digits, then the quarter or month, if any.
_LABEL: Final = re.compile(r"FY(\d{4})(?: (?:Q\d|[MP]\d{2,}))?")


# ------------------------------------------------------------------ fiscal periods


def _row_ordinals(freq: FiscalFrequency, table: Months) -> IntArray:
    """The ordinal of the period of ``freq.kind`` holding each month of the table.

    Ordinals count periods: consecutive periods have consecutive ordinals. A
    rule-based calendar numbers them from the calendar year of each fiscal year's last
    month (valid for any span); explicit periods by their position in the calendar.
    """
    if freq.kind == "year":
        return table.year_key
    if freq.kind == "quarter":
        return table.quarter_key
    if freq.calendar.explicit:
        return np.arange(table.start.size, dtype=np.int64)
    return table.year_key * 12 + table.month - 1


def _anchor(kind: str, ordinal: int) -> int:
    """The calendar year of the last month of the fiscal year of a rule-based ordinal."""
    if kind == "month":
        return ordinal // 12
    return (ordinal - 1) // 4 if kind == "quarter" else ordinal


def _catalogue(
    freq: FiscalFrequency, first_year: int, last_year: int
) -> tuple[IntArray, ObjectArray]:
    """Ordinals and labels of the periods of the fiscal years ``first_year`` to ``last_year``.

    The years are given by the calendar year of their last month (ignored for
    explicit periods, whose every period is listed); the list may reach beyond them.
    """
    calendar = freq.calendar
    if calendar.explicit:
        table = calendar._months_of(0, 0)
    else:
        years = np.array([first_year, last_year], dtype=np.int64) - 1970
        days = years.astype("M8[Y]").astype("M8[D]").astype(np.int64)
        table = calendar._months_of(int(days[0]), int(days[1]))
    ordinals = _row_ordinals(freq, table)
    heads = np.flatnonzero(np.diff(ordinals, prepend=ordinals[0] - 1) != 0)
    return ordinals[heads], np.array(_months.labels(table, freq.kind, heads), dtype=object)


def bucket(
    freq: FiscalFrequency,
    stamps: pd.DatetimeIndex,
    *,
    name: str = "dates",
    ids: ObjectArray | None = None,
) -> tuple[IntArray, ObjectArray]:
    """Each timestamp's fiscal period: its ordinal (:data:`NAT` when missing) and label.

    Timestamps are read on their own clock (an aware one by its local date). For a
    calendar of explicit periods, a date outside its years is refused under ``name``,
    naming the row by ``ids`` (default: its position).
    """
    days, missing = days_of(name, stamps)
    ordinals = np.full(days.size, NAT, dtype=np.int64)
    labels = np.full(days.size, None, dtype=object)
    present = ~missing
    if present.any():
        calendar = freq.calendar
        table = calendar._months_of(int(days[present].min()), int(days[present].max()))
        if calendar.explicit:
            outside = present & ((days < table.start[0]) | (days > table.end[-1]))
            if outside.any():
                rows = np.arange(days.size).astype(object) if ids is None else ids
                raise InvalidInputError(
                    f"{name} must fall within the fiscal years the calendar defines "
                    f"({day_text(int(table.start[0]))} … {day_text(int(table.end[-1]))}); "
                    f"{which(rows, outside, [day_text(int(day)) for day in days])}"
                )
        row = np.searchsorted(table.start, days[present], side="right") - 1
        ordinals[present] = _row_ordinals(freq, table)[row]
        names = _months.labels(table, freq.kind, np.arange(table.start.size))
        labels[present] = np.array(names, dtype=object)[row]
    return ordinals, labels


def labels_between(freq: FiscalFrequency, first: int, span: int) -> ObjectArray:
    """The labels of the ``span`` periods from the one with ordinal ``first``, in order."""
    if span <= 0:
        return np.empty(0, dtype=object)
    last = first + span - 1
    ordinals, labels = _catalogue(freq, _anchor(freq.kind, first), _anchor(freq.kind, last))
    keep = (ordinals >= first) & (ordinals <= last)
    if int(keep.sum()) != span:  # explicit periods: the span leaves the calendar's years
        raise InvalidInputError(
            f"the table would reach fiscal {freq.kind}s beyond the years the calendar defines "
            f"({labels[0]} … {labels[-1]}); give periods within them"
        )
    return labels[keep]


def label_ordinals(
    freq: FiscalFrequency,
    values: Sequence[object] | ObjectArray,
    *,
    name: str,
    ids: ObjectArray | None = None,
) -> IntArray:
    """The ordinals of fiscal labels (``"FY2027 Q1"``); others are refused under ``name``."""
    texts = np.asarray(values, dtype=object)
    rows = np.arange(texts.size).astype(object) if ids is None else ids
    matches = [_LABEL.fullmatch(t) if isinstance(t, str) else None for t in texts.tolist()]
    years = np.array([int(m.group(1)) if m else 0 for m in matches], dtype=np.int64)
    known: dict[str, int] = {}
    if years.any():
        numbered = years[years > 0]
        shift = int(freq.calendar.naming == "start" and freq.calendar.start_month != 1)
        ordinals, labels = _catalogue(
            freq, int(numbered.min()) + shift, int(numbered.max()) + shift
        )
        known = dict(zip(labels.tolist(), ordinals.tolist(), strict=True))
    found = [known.get(t) if m else None for t, m in zip(texts.tolist(), matches, strict=True)]
    unknown = np.array([o is None for o in found], dtype=bool)
    if unknown.any():
        example = next(iter(known), "FY2027 Q1")
        raise InvalidInputError(
            f"{name} must hold labels of the calendar's fiscal {freq.kind}s (such as "
            f"{example!r}); not so for {which(rows, unknown, texts.tolist(), noun='label')}"
        )
    return np.array(found, dtype=np.int64)


# ------------------------------------------------------------------ either kind


def period_kind(freq: object) -> Frequency:
    """``freq`` as a pandas period dtype or a :class:`FiscalFrequency`; refused otherwise."""
    if isinstance(freq, FiscalFrequency):
        return freq
    try:
        return period_dtype(freq)
    except InvalidInputError as error:
        raise InvalidInputError(
            f"{error}; or fiscal periods, such as "
            "FiscalCalendar.from_start_month(4).freq('quarter')"
        ) from None


def _stamps(dates: pd.Series[Any]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(dates.to_numpy() if dates.dtype == object else dates)


def period_ordinals(
    kind: Frequency, dates: pd.Series[Any], *, name: str, ids: ObjectArray | None = None
) -> IntArray:
    """The ordinal of each date's period (pandas' NaT ordinal for a missing date)."""
    if isinstance(kind, FiscalFrequency):
        return bucket(kind, _stamps(dates), name=name, ids=ids)[0]
    return np.asarray(pd.PeriodIndex(periods(dates, kind)).asi8, dtype=np.int64)


def period_keys(
    kind: Frequency, dates: pd.Series[Any], *, name: str, ids: ObjectArray | None = None
) -> pd.Series[Any]:
    """The period of each date, named ``period``, on a fresh positional index.

    pandas Periods for an alias; fiscal labels (object dtype, None when missing).
    """
    if isinstance(kind, FiscalFrequency):
        labels = bucket(kind, _stamps(dates), name=name, ids=ids)[1]
        return pd.Series(labels, dtype=object, name=PERIOD)
    return periods(dates, kind)


def period_index(kind: Frequency, first: int, span: int, name: str = PERIOD) -> pd.Index[Any]:
    """Every period from the one with ordinal ``first``, ``span`` of them."""
    if isinstance(kind, FiscalFrequency):
        # pandas' own dtype for texts (str from pandas 3), as a group-by on labels gives.
        return pd.Index(labels_between(kind, first, span), name=name)
    if span == 0:
        return pd.PeriodIndex([], dtype=kind, name=name)
    freq: Any = kind.freq  # the stubs do not list offsets, which Period accepts
    return pd.period_range(start=pd.Period(ordinal=first, freq=freq), periods=span, name=name)


def period_names(kind: Frequency, ordinals: IntArray) -> ObjectArray:
    """The periods of ``ordinals`` as strings, for messages."""
    if isinstance(kind, FiscalFrequency):
        ordinals = np.asarray(ordinals, dtype=np.int64)
        if ordinals.size == 0:
            return np.empty(0, dtype=object)
        first = int(ordinals.min())
        labels = labels_between(kind, first, int(ordinals.max()) - first + 1)
        return np.asarray(labels[ordinals - first], dtype=object)
    freq: Any = kind.freq
    return np.array([str(pd.Period(ordinal=int(o), freq=freq)) for o in ordinals], dtype=object)


def order(kind: Frequency, values: pd.Index[Any]) -> IntArray:
    """The positions that put grouped periods (an index level) in time order, stably."""
    if isinstance(kind, FiscalFrequency):
        keys = label_ordinals(kind, values.to_numpy(dtype=object), name=PERIOD)
    else:
        keys = np.asarray(pd.PeriodIndex(values).asi8, dtype=np.int64)
    return np.argsort(keys, kind="stable").astype(np.int64)


def fiscal_bound(kind: FiscalFrequency, name: str, value: object) -> int | None:
    """The ordinal of a fiscal label given as a bound (``end="FY2027 Q1"``), else None.

    A pandas Period is refused (it is not a fiscal period); None means ``value`` is to
    be read as a date.
    """
    if isinstance(value, pd.Period):
        raise InvalidInputError(
            f"{name} is a pandas Period, but the table is by fiscal {kind.kind}s; give a "
            f"date or a fiscal label such as 'FY2027 Q1'; got {value!r:.60}"
        )
    if isinstance(value, str) and value.startswith("FY"):
        return int(label_ordinals(kind, [value], name=name)[0])
    return None
