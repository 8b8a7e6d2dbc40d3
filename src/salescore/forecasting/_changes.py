"""The deal-changes table, read and checked once for the pipeline's history.

:func:`~salescore.forecasting.changes.pipeline_as_of`,
:func:`~salescore.forecasting.changes.pipeline_waterfall` and
:func:`~salescore.forecasting.slippage.close_date_slippage` read the canonical
``deal_changes`` table (one row per change of a deal, holding the deal's whole state
after it; see :data:`salescore.schema.TABLES`). This module checks it (columns and
dtypes, missing ids, moments, values, close dates and statuses, values below 0 or not
finite, probabilities outside [0, 1], two rows of one deal at one moment), sorts it by
deal and moment, finds the row in force at a moment, and writes the error messages that
name the deals concerned.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.errors import OutOfBoundsDatetime

from .. import schema
from .._tables import counted as _count
from ..errors import InvalidInputError, SchemaError
from ..schema.vocabularies import STATUSES

__all__ = [
    "STATUS_NAMES",
    "TABLE",
    "Changes",
    "changes_of",
    "deals_named",
    "listed",
    "moment",
]

TABLE: Final = "deal_changes"
_SHOWN: Final = 5  # how many deal ids an error message lists
_SPEC: Final = schema.TABLES[TABLE]
_PERCENT_HINT: Final = "values above 1 look like percentages: divide by 100"

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


def listed(values: list[Any]) -> str:
    """The first few values, quoted, with "…" when there are more."""
    shown = ", ".join(repr(value) for value in values[:_SHOWN])
    return shown + (", …" if len(values) > _SHOWN else "")


def deals_named(ids: pd.Series[Any] | pd.Index[Any], shown: pd.Series[Any] | None = None) -> str:
    """``"2 deals: 'D1' (-5.0), 'D7' (inf)"``: the distinct deals, the first few.

    With ``shown`` (aligned with ``ids``), each deal is followed by its first offending value.
    """
    ids = pd.Series(np.asarray(ids, dtype=object), dtype=object)
    first = ~ids.duplicated().to_numpy()
    distinct = ids[first].tolist()
    if shown is None:
        text = listed(distinct)
    else:
        values = pd.Series(np.asarray(shown, dtype=object), dtype=object)[first].tolist()
        pairs = [f"{i!r} ({v!r})" for i, v in zip(distinct, values, strict=True)]
        text = ", ".join(pairs[:_SHOWN]) + (", …" if len(pairs) > _SHOWN else "")
    return f"{_count(len(distinct), 'deal')}: {text}"


class Changes:
    """A checked change log, its rows put in order of deal id and then of moment.

    The log itself is not reordered: ``order`` gives, for each sorted position, the
    row of ``frame`` (the log on a positional index). In sorted positions: ``deal``
    numbers each row's deal 0, 1, … in order of deal id (``ids`` gives the id of each
    number), ``clock`` holds the moments as integers that sort like them (UTC for an
    aware column), ``status`` the canonical status as a code into :data:`STATUS_NAMES`
    and ``value`` the value as float64; ``first`` gives each deal's first position.
    """

    __slots__ = ("aware", "clock", "deal", "first", "frame", "ids", "order", "status", "value")

    def __init__(
        self,
        frame: pd.DataFrame,
        order: IntArray,
        deal: IntArray,
        ids: pd.Index[Any],
        status: npt.NDArray[np.int8],
        value: npt.NDArray[np.float64],
        clock: npt.NDArray[np.int64],
    ) -> None:
        self.frame = frame
        self.order = order
        self.deal = deal
        self.ids = ids
        self.status = status
        self.value = value
        self.clock = clock
        self.first: IntArray = np.searchsorted(deal, np.arange(len(ids)), side="left")
        self.aware = isinstance(frame["changed_at"].dtype, pd.DatetimeTZDtype)

    def known(self, when: pd.Timestamp) -> BoolArray:
        """Whether each sorted row was made at or before ``when``.

        Beside a naive column an aware ``when`` is read in UTC; an aware column's
        integers are UTC already, so a naive ``when`` is compared as a UTC moment.
        """
        naive = when.tz_convert("UTC").tz_localize(None) if when.tzinfo is not None else when
        per_unit = _NS_PER[self.frame["changed_at"].dt.unit]
        # Floor to the column's unit: a row at 10:00:01 is after 10:00:00.5.
        limit = naive.as_unit("ns").value // per_unit
        return np.asarray(self.clock <= limit, dtype=bool)

    def in_force(self, when: pd.Timestamp) -> IntArray:
        """The sorted position in force at ``when`` for each deal existing then, by deal id.

        A deal's rows are sorted by moment, so those at or before ``when`` are a prefix
        of them: the row in force is the last of that prefix.
        """
        counts = np.bincount(self.deal[self.known(when)], minlength=len(self.ids))
        exists = counts > 0
        return (self.first[exists] + counts[exists] - 1).astype(np.intp)

    def column(self, name: str, positions: IntArray) -> pd.Series[Any]:
        """The log's column ``name`` at the sorted ``positions``, on a fresh RangeIndex."""
        if name == "status":
            return pd.Series(STATUS_NAMES[self.status[positions]], name=name)
        if name == "value":
            return pd.Series(self.value[positions], name=name)
        if name == "probability":
            chance = self.frame[name].to_numpy(dtype=np.float64, na_value=np.nan)
            return pd.Series(chance[self.order[positions]], name=name)
        return self.frame[name].take(self.order[positions]).reset_index(drop=True)


#: The canonical statuses, indexed by the codes of :attr:`Changes.status`.
STATUS_NAMES: Final = np.array(["open", "won", "lost"], dtype=object)
_NS_PER: Final = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


def moment(value: object, name: str) -> pd.Timestamp:
    """A moment argument (``when``, ``start``, ``end``) as a Timestamp, or the error why not.

    Accepted: a str pandas reads, a date (its midnight), a datetime, a Timestamp or a
    numpy.datetime64, in the range of datetime64[ns].
    """
    if not isinstance(value, (str, dt.date, np.datetime64)):
        raise InvalidInputError(
            f"{name} must be a timestamp (str, pandas.Timestamp, datetime, date or "
            f"numpy.datetime64); got {type(value).__name__} {value!r:.60}"
        )
    try:
        stamp = pd.Timestamp(value)
        if not pd.isna(stamp):
            stamp = stamp.as_unit("ns")  # the range of the tables' datetime64[ns] columns
    except (OverflowError, OutOfBoundsDatetime, ValueError, TypeError):
        raise InvalidInputError(
            f"{name} must be a timestamp between 1677-09-22 and 2262-04-11 (the range of "
            f"datetime64[ns]); got {value!r:.60}"
        ) from None
    if pd.isna(stamp):
        raise InvalidInputError(f"{name} must be a timestamp; got NaT")
    return stamp


def _required_present(ids: pd.Series[Any], frame: pd.DataFrame) -> None:
    """Refuse missing ids (by position), then missing moments, values, close dates, statuses."""
    missing = ids.isna().to_numpy()
    if missing.any():
        positions = np.flatnonzero(missing).tolist()
        shown = ", ".join(map(str, positions[:_SHOWN])) + (", …" if len(positions) > _SHOWN else "")
        raise InvalidInputError(
            f"{TABLE}: 'deal_id' is missing in {_count(len(positions), 'row')} "
            f"(0-based positions: {shown})"
        )
    for column in ("changed_at", "value", "close_date", "status"):
        missing = frame[column].isna().to_numpy()
        if missing.any():
            raise InvalidInputError(
                f"{TABLE}: {column!r} is missing in {_count(int(missing.sum()), 'row')} "
                f"({deals_named(ids[missing])})"
            )


def _statuses(ids: pd.Series[Any], raw: pd.Series[Any]) -> npt.NDArray[np.int8]:
    """Each row's status as a code into STATUS_NAMES, read case-insensitively.

    Anything other than open, won or lost (in any case, with surrounding blanks) is
    refused, naming the deals.
    """
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    lookup = np.full(len(uniques) + 1, -1, dtype=np.int8)  # the last: missing (code -1)
    for position, value in enumerate(uniques):
        if isinstance(value, str) and value.strip().lower() in STATUSES:
            lookup[position] = list(STATUS_NAMES).index(value.strip().lower())
    status = lookup[codes]
    bad = status < 0
    if bad.any():
        raise InvalidInputError(
            f"{TABLE}: 'status' must be one of 'open', 'won', 'lost'; not so for "
            f"{deals_named(ids[bad], raw[bad])}"
        )
    return status


def _numbers(ids: pd.Series[Any], frame: pd.DataFrame) -> dict[str, npt.NDArray[np.float64]]:
    """``value`` (finite, >= 0) and ``probability`` (in [0, 1] or missing) as float64."""
    out: dict[str, npt.NDArray[np.float64]] = {}
    value = frame["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(value) | (value < 0.0)
    if bad.any():
        raise InvalidInputError(
            f"{TABLE}: 'value' must be a finite number >= 0; not so for "
            f"{deals_named(ids[bad], pd.Series(value[bad].tolist()))}"
        )
    out["value"] = value
    if "probability" in frame:
        chance = frame["probability"].to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = ~np.isnan(chance) & ~((chance >= 0.0) & (chance <= 1.0))
        if bad.any():
            above = chance[bad]
            hint = f"; {_PERCENT_HINT}" if np.any((above > 1.0) & (above <= 100.0)) else ""
            raise InvalidInputError(
                f"{TABLE}: 'probability' must be a fraction in [0, 1] or missing; not so for "
                f"{deals_named(ids[bad], pd.Series(above.tolist()))}{hint}"
            )
        out["probability"] = chance
    return out


def _numbered(ids: pd.Series[Any]) -> tuple[IntArray, pd.Index[Any]]:
    """Each row's deal as a number in order of deal id, and the sorted deal ids."""
    try:
        codes, uniques = pd.factorize(ids, sort=True)
    except TypeError:
        kinds = sorted({type(value).__name__ for value in ids.drop_duplicates().tolist()})
        raise InvalidInputError(
            f"{TABLE}: 'deal_id' mixes values that cannot be sorted together "
            f"({', '.join(kinds)}); give every deal id the same type"
        ) from None
    return np.asarray(codes, dtype=np.intp), pd.Index(uniques, name="deal_id")


def _clock(stamps: pd.Series[Any]) -> npt.NDArray[np.int64]:
    """Moments as integers that sort like them (UTC for a zoned column)."""
    return np.asarray(pd.DatetimeIndex(stamps).asi8, dtype=np.int64)


def _by_deal_and_moment(deal: IntArray, clock: npt.NDArray[np.int64]) -> IntArray:
    """The row order that sorts by deal, then by moment (rows of one moment adjacent).

    Two plain sorts instead of a lexsort: the moments are ranked, and deal * rows +
    rank is a unique integer key (no overflow below 3e9 rows). A log already in that
    order is recognised in one pass.
    """
    size = deal.size
    step = np.diff(deal)
    if size < 2 or ((step > 0) | ((step == 0) & (np.diff(clock) >= 0))).all():
        return np.arange(size, dtype=np.intp)
    rank = np.empty(size, dtype=np.int64)
    rank[np.argsort(clock)] = np.arange(size, dtype=np.int64)
    return np.asarray(np.argsort(deal.astype(np.int64) * size + rank), dtype=np.intp)


def changes_of(changes: object, *, others: list[str] | None = None) -> Changes:
    """The checked change log, sorted by deal id and moment.

    ``others`` names further columns a calculation reads (the ``by`` groups); they must
    be present, whatever their dtype.

    Raises
    ------
    SchemaError
        ``changes`` is not a DataFrame, lacks a required column or ``others``, or a
        column has a dtype that cannot be read.
    InvalidInputError
        A row problem, naming the first few deals.
    """
    given = changes.columns if isinstance(changes, pd.DataFrame) else ()
    present = {name: name for name in _SPEC.names if name in _SPEC.required or name in given}
    schema.check_columns(changes, TABLE, present, others=others or ())
    assert isinstance(changes, pd.DataFrame)
    if not changes.columns.is_unique:
        repeated = changes.columns[changes.columns.duplicated()].unique().tolist()
        raise SchemaError(f"{TABLE}: more than one column is named {listed(repeated)}")

    # Positions from here on are 0-based row numbers, whatever the log's index.
    frame = changes.reset_index(drop=True)
    ids = frame["deal_id"]
    _required_present(ids, frame)
    status = _statuses(ids, frame["status"])
    numbers = _numbers(ids, frame)
    deal, uniques = _numbered(ids)

    clock = _clock(frame["changed_at"])
    order = _by_deal_and_moment(deal, clock)
    deal, clock = deal[order], clock[order]
    twice = np.flatnonzero((deal[1:] == deal[:-1]) & (clock[1:] == clock[:-1])) + 1
    if twice.size:
        stamps = frame["changed_at"]
        pairs = [f"{uniques[deal[i]]!r} at {stamps.iloc[order[i]]}" for i in twice[:_SHOWN]]
        count = np.unique(deal[twice]).size
        more = ", …" if twice.size > _SHOWN else ""
        raise InvalidInputError(
            f"{TABLE}: {_count(count, 'deal')} {'has' if count == 1 else 'have'} two rows "
            f"at the same 'changed_at' ({', '.join(pairs)}{more}); "
            "the order of the changes would be a guess: keep one row per deal and moment"
        )
    return Changes(frame, order, deal, uniques, status[order], numbers["value"][order], clock)
