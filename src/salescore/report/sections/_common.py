"""What every section shares: :class:`Section`, the time windows, and small helpers.

Every window of the report is anchored on the report date ``as_of``; see the comment
above the window helpers.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Callable
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from ..._arrays import option_number, utc_naive
from ..._tables import counted
from ...engines import engine_name
from ...errors import InvalidInputError, SalescoreError, SchemaError
from .. import _checks
from .._plain import plain

__all__ = ["Section", "days_text", "months_text", "quarter_end"]


def _text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{attribute.name} must be a str; got {type(value).__name__} {value!r:.60}"
        )


def _keyed(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise InvalidInputError(
            f"{attribute.name} must be a dict keyed by str; got {type(value).__name__} "
            f"{value!r:.60}"
        )


def _metric_values(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Metrics are keyed by str and hold None, a bool, a str or a number within float range."""
    _keyed(instance, attribute, value)
    assert isinstance(value, dict)
    for key, metric in value.items():
        if metric is None or isinstance(metric, (bool, np.bool_, str)):
            continue
        number = option_number(f"metrics[{key!r:.40}]", metric, allow_nan=True)
        if math.isinf(number):
            raise InvalidInputError(f"metrics[{key!r:.40}] must be finite or NaN; got {metric!r}")


def _texts_by_key(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _keyed(instance, attribute, value)
    assert isinstance(value, dict)
    if not all(isinstance(text, str) for text in value.values()):
        raise InvalidInputError(f"{attribute.name} must map str to str; got {value!r:.60}")


def _text_list(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(text, str) for text in value):
        raise InvalidInputError(
            f"{attribute.name} must be a list of str; got {type(value).__name__} {value!r:.60}"
        )


@attrs.define(kw_only=True)
class Section:
    """One section of the report: metrics, tables, notes, and results for charts.

    ``periods`` names the section's time windows for the metric labels (``"months"``:
    ``"Jan–Dec 2025"``, see ``docs/report-json.md``); ``caveats`` maps a metric's key
    to a sentence the reader must see beside that figure (a window the data cover
    only in part, deals left out of it). A field of the wrong kind raises
    :class:`~salescore.InvalidInputError` naming it.
    """

    key: str = attrs.field(validator=_text)
    title: str = attrs.field(validator=_text)
    metrics: dict[str, Any] = attrs.field(factory=dict, validator=_metric_values)
    tables: dict[str, dict[str, Any]] = attrs.field(factory=dict, validator=_keyed)
    notes: list[str] = attrs.field(factory=list, validator=_text_list)
    charts: dict[str, Any] = attrs.field(factory=dict, validator=_keyed)
    periods: dict[str, str] = attrs.field(factory=dict, validator=_texts_by_key)
    caveats: dict[str, str] = attrs.field(factory=dict, validator=_texts_by_key)

    def flag(self, text: str | None, *keys: str) -> None:
        """Add ``text`` to the caveats of the metrics ``keys`` (nothing if ``text`` is None).

        Raises :class:`~salescore.InvalidInputError` when ``text`` is neither a str
        nor None, or a key is not a str.
        """
        if text is not None and not isinstance(text, str):
            raise InvalidInputError(
                f"text must be a str or None; got {type(text).__name__} {text!r:.60}"
            )
        odd = [key for key in keys if not isinstance(key, str)]  # type: ignore[redundant-expr]
        if odd:
            raise InvalidInputError(f"keys must be str; got {odd[0]!r:.60}")
        if not text:
            return
        for key in keys:
            known = self.caveats.get(key)
            if known is None:
                self.caveats[key] = text
            elif text not in known:
                self.caveats[key] = f"{known}; {text}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready part: title, metrics, caveats, periods, tables and notes."""
        return {
            "title": self.title,
            "metrics": {k: plain(v) for k, v in self.metrics.items()},
            "caveats": {k: v for k, v in self.caveats.items() if k in self.metrics},
            "periods": dict(self.periods),
            "tables": self.tables,
            "notes": list(self.notes),
        }


def _optional(frame: pd.DataFrame, *names: str) -> dict[str, Any]:
    """``name=None`` for each optional column the frame lacks.

    The table functions' defaults name the canonical columns, which must then exist.
    """
    return {name: None for name in names if name not in frame.columns}


def _deal_options(deals: pd.DataFrame) -> dict[str, Any]:
    return _optional(deals, "currency", "created", "deal_id")


# ------------------------------------------------------------------------ time windows
#
# Every window of the report is anchored on the report date ``as_of`` (records dated
# before it count): "the 12 months" are the 12 full calendar months before the month
# of ``as_of``, "the 12 months before" the 12 before those, and the quarter is the
# calendar quarter of ``as_of``. A period without records counts as zero. The part of
# the month of ``as_of`` before it is a part month and is in none of the monthly
# figures. A window that begins before the data do is flagged beside each figure
# computed from it.


def _utc_naive(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The frame with the named time-zone-aware columns in UTC, their zone dropped."""
    changed = {
        c: utc_naive(frame[c])
        for c in columns
        if c in frame.columns and isinstance(frame[c].dtype, pd.DatetimeTZDtype)
    }
    return frame.assign(**changed) if changed else frame


def _months(as_of: pd.Timestamp, back: int = 0) -> pd.PeriodIndex:
    """The 12 full calendar months before the month of ``as_of`` (``back`` years earlier)."""
    last = as_of.to_period("M") - 1 - 12 * back
    return pd.period_range(end=last, periods=12, freq="M")


def _bounds(months: pd.PeriodIndex) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first moment of ``months`` and the first moment after them."""
    return pd.Timestamp(months[0].start_time), pd.Timestamp((months[-1] + 1).start_time)


def months_text(months: pd.PeriodIndex) -> str:
    """Consecutive months as a reader writes them, for the labels of the report.

    Parameters
    ----------
    months : PeriodIndex
        Monthly periods in time order; the first and the last are named.

    Returns
    -------
    str
        ``"Jan–Dec 2025"`` within one year, ``"Feb 2025–Jan 2026"`` across two,
        ``"Dec 2025"`` for one month.

    Examples
    --------
    >>> import pandas as pd
    >>> months_text(pd.period_range("2025-01", "2025-12", freq="M"))
    'Jan–Dec 2025'
    >>> months_text(pd.period_range("2025-02", "2026-01", freq="M"))
    'Feb 2025–Jan 2026'
    >>> months_text(pd.period_range("2025-12", "2025-12", freq="M"))
    'Dec 2025'
    """
    if not isinstance(months, pd.PeriodIndex) or not len(months):  # type: ignore[redundant-expr]
        raise InvalidInputError(
            f"months must be a non-empty PeriodIndex; got {type(months).__name__} {months!r:.60}"
        )
    first, last = months[0], months[-1]
    if first == last:
        return last.strftime("%b %Y")
    if first.year == last.year:
        return f"{first.strftime('%b')}–{last.strftime('%b %Y')}"
    return f"{first.strftime('%b %Y')}–{last.strftime('%b %Y')}"


def _day(moment: pd.Timestamp) -> str:
    return f"{moment.day} {moment.strftime('%b %Y')}"


def days_text(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """The days from ``start`` up to ``end`` (not included), for the labels of the report.

    Parameters
    ----------
    start, end : Timestamp
        Midnights: the first day, and the day after the last.

    Returns
    -------
    str
        ``"2 Oct–31 Dec 2025"`` within one year, ``"11 Oct 2025–9 Jan 2026"`` across two.

    Examples
    --------
    >>> import pandas as pd
    >>> days_text(pd.Timestamp("2025-10-02"), pd.Timestamp("2026-01-01"))
    '2 Oct–31 Dec 2025'
    >>> days_text(pd.Timestamp("2025-10-11"), pd.Timestamp("2026-01-10"))
    '11 Oct 2025–9 Jan 2026'
    """
    for name, moment in (("start", start), ("end", end)):
        if not isinstance(moment, pd.Timestamp):  # NaT is no Timestamp
            raise InvalidInputError(
                f"{name} must be a Timestamp; got {type(moment).__name__} {moment!r:.60}"
            )
    try:
        last = end - pd.Timedelta(days=1)
    except (OverflowError, ValueError):  # OutOfBoundsDatetime is a ValueError
        raise InvalidInputError(f"end must be a day after the first one; got {end!r}") from None
    if start.year == last.year:
        return f"{start.day} {start.strftime('%b')}–{_day(last)}"
    return f"{_day(start)}–{_day(last)}"


def _extent(*columns: pd.Series[Any]) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The earliest and the latest moment in the columns (None when all are empty)."""
    dates = pd.concat([c.dropna() for c in columns]) if columns else pd.Series([], dtype=object)
    if not len(dates):
        return None, None
    return pd.Timestamp(dates.min()), pd.Timestamp(dates.max())


def _coverage(
    extent: tuple[pd.Timestamp | None, pd.Timestamp | None],
    start: pd.Timestamp,
    end: pd.Timestamp,
    what: str,
    window: str,
) -> str | None:
    """A caveat when the records (``what``) do not reach back to ``start``, or stop before it.

    Records are taken as complete from the first of them up to the report date.
    """
    first, last = extent
    days = (end - start).days
    if first is None or last is None:
        return f"{window}: no {what} at all"
    if last < start:
        return f"{window}: no {what} in it (they end on {_day(last)})"
    begin = first.normalize()
    if begin <= start:
        return None
    covered = max((end - begin).days, 0)
    return f"{window}: the {what} begin on {_day(first)}, so {covered} of its {days} days have data"


def _part_month_note(as_of: pd.Timestamp, months: pd.PeriodIndex) -> str | None:
    days = (as_of.normalize() - as_of.to_period("M").start_time).days
    if days == 0:
        return None
    return (
        f"Monthly and 12-month figures are for {months_text(months)}; the "
        f"{counted(days, 'day')} of {as_of.strftime('%B %Y')} before the report date are a "
        "part month and are in none of them."
    )


def quarter_end(as_of: pd.Timestamp) -> pd.Timestamp:
    """The first day after the calendar quarter that contains ``as_of``.

    Raises :class:`~salescore.InvalidInputError` when ``as_of`` is not a report date
    (a Timestamp from 1700-01-01 to 2200-12-31).
    """
    as_of = _checks.report_date("as_of", as_of)
    return pd.Timestamp((as_of.to_period("Q") + 1).start_time)


def _one_currency(deals: pd.DataFrame, section: Section) -> pd.DataFrame:
    """The deals in the most common currency; the others are counted in a note."""
    if "currency" not in deals.columns or len(deals["currency"].dropna().unique()) <= 1:
        return deals
    main = str(deals["currency"].mode().iloc[0])
    keep = deals["currency"] == main
    others = int((~keep).sum())
    section.notes.append(
        f"{counted(others, 'deal')} in other currencies than {main} left out "
        "of the amounts (salescore never adds two currencies)."
    )
    section.metrics["currency"] = main
    return deals.loc[keep]


_FOREIGN_OPTION: Final = re.compile(
    r"[;,]?\s*\(?\s*(?:pass|use|set)\s+[^;()]*?\b(?:skipna|stages|other_stages)=[^;)]*\)?"
)


# Each section's arguments by name: its tables (canonical table, may it be None) and
# its settings, checked before the section reads them.
_TABLES: Final = {
    "deals": "deals",
    "history": "stage_history",
    "changes": "deal_changes",
    "accounts": "accounts",
    "leads": "leads",
    "transactions": "transactions",
    "activities": "activities",
}


# Columns a section reads beyond its table's required ones, and the flags it averages
# (a flag column outside the schema, such as the leads' "reached", is checked here).
_NEEDS: Final = {
    ("forecast_section", "deals"): ("status",),
    ("funnel_section", "deals"): ("status",),
    ("team_section", "deals"): ("status",),
}
_FLAGS: Final = {("leads_section", "leads"): ("converted", "reached")}


def _columns(section: str, name: str, frame: pd.DataFrame | None, table: str) -> None:
    """Refuse a table that lacks a column the section reads, or holds a flag that is none."""
    if frame is None:
        return
    needed = _NEEDS.get((section, name), ())
    missing = [column for column in needed if column not in frame.columns]
    if missing:
        raise SchemaError(
            f"{table}: the {section.removesuffix('_section')} section needs the column"
            f"{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}"
        )
    for column in _FLAGS.get((section, name), ()):
        if column in frame.columns and not _is_flag(frame[column]):
            raise SchemaError(
                f"{table}: column {column!r} must hold True or False (or be empty); got dtype "
                f"{frame[column].dtype}"
            )


def _is_flag(values: pd.Series[Any]) -> bool:
    """A bool (or nullable boolean) column, or an object column of True, False and blanks."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return False
    if pd.api.types.is_bool_dtype(dtype):
        return True
    if not pd.api.types.is_object_dtype(dtype):
        return bool(values.isna().all())
    return all(isinstance(v, (bool, np.bool_)) for v in values.dropna())


def _setting(name: str, value: Any, default: Any) -> Any:
    """A section's setting, checked; None where the setting may be left out."""
    if name == "as_of":
        if value is None and default is None:  # the leads section's "all leads"
            return None
        return _checks.report_date(name, value)
    if name == "quota":
        return None if value is None else _checks.finite(name, value)
    if name == "headcount":
        return _checks.headcount(name, value)
    if name == "sellers":  # NaN: unknown (no headcount for the year)
        number = option_number(name, value, allow_nan=True)
        return number if math.isnan(number) else _checks.finite(name, value)
    if name == "margin":
        return _checks.fraction(name, value)
    if name in ("seller_cost", "discount_rate"):
        return _checks.finite(name, value)
    if name == "targets":
        return _checks.targets(name, value)
    if name == "stages":
        return None if value is None else _checks.texts(name, value)
    return value


def _own_words(run: Callable[..., Section]) -> Callable[..., Section]:
    """Run a section on checked arguments; advice to pass ``skipna=``/``stages=`` is cut.

    Every table must fit its canonical table (:func:`salescore.schema.validate`) and
    every setting its kind and range, or :class:`~salescore.errors.InvalidInputError`
    (:class:`~salescore.errors.SchemaError` for a table) names it. The report's reader
    calls no library function and cannot pass the options a library error suggests.
    """
    signature = inspect.signature(run)

    @functools.wraps(run)
    def wrapper(*args: Any, **kwargs: Any) -> Section:
        bound = signature.bind(*args, **kwargs)
        for name, value in bound.arguments.items():
            if name == "transactions" and engine_name(value) is not None:
                continue  # checked in its engine (see _transactions)
            if name in _TABLES:
                optional = signature.parameters[name].annotation != "pd.DataFrame"
                checked = _checks.frame(name, value, _TABLES[name], optional=optional)
                _columns(run.__name__, name, checked, _TABLES[name])
                bound.arguments[name] = checked
            else:
                default = signature.parameters[name].default
                bound.arguments[name] = _setting(name, value, default)
        try:
            # Sums of amounts near the float limit overflow: NumPy's warning (or, under
            # errstate(all="raise"), its FloatingPointError) is replaced by the check
            # of the results below.
            with np.errstate(all="ignore"):
                section = run(*bound.args, **bound.kwargs)
        except SalescoreError as error:
            text = str(error)
            if not _FOREIGN_OPTION.search(text):
                raise
            raise type(error)(_FOREIGN_OPTION.sub("", text).strip()) from error
        beyond = _beyond_float(section)
        if beyond is not None:
            raise InvalidInputError(
                f"{section.title}: {beyond} is beyond the largest float (about 1.8e308): "
                "the amounts are too large to add up; express them in a larger unit "
                "(thousands, millions)"
            )
        return section

    return wrapper


def _beyond_float(section: Section) -> str | None:
    """The first metric or table cell of ``section`` that is infinite, or None.

    No input of the report is infinite (the tables are checked), so an infinity is a
    sum or a ratio that overflowed.
    """
    for key, value in section.metrics.items():
        if isinstance(value, (float, np.floating)) and math.isinf(value):
            return f"the metric {key!r}"
    for key, data in section.tables.items():
        for row in data.get("rows", ()):
            for column, value in row.items():
                if isinstance(value, (float, np.floating)) and math.isinf(value):
                    return f"the column {column!r} of the table {key!r}"
    return None


def _windows(
    transactions: pd.DataFrame, as_of: pd.Timestamp
) -> tuple[pd.Series[float], pd.Series[float]]:
    """Revenue per customer in the 12 months before the month of ``as_of``, and the 12 before.

    Both Series share one index: every customer who bought in either window.
    """
    start, end = _bounds(_months(as_of))
    prior_start, _ = _bounds(_months(as_of, 1))
    dates = transactions["date"]
    last = (dates >= start) & (dates < end)
    prior = (dates >= prior_start) & (dates < start)
    customers = transactions["customer_id"]
    previous = transactions.loc[prior, "amount"].groupby(customers[prior]).sum()
    current = transactions.loc[last, "amount"].groupby(customers[last]).sum()
    index = previous.index.union(current.index)
    return (
        previous.reindex(index, fill_value=0.0).astype(float),
        current.reindex(index, fill_value=0.0).astype(float),
    )


def _year_caveats(
    section: Section,
    extent: tuple[pd.Timestamp | None, pd.Timestamp | None],
    later: int,
    as_of: pd.Timestamp,
) -> tuple[str | None, str | None]:
    """Set the section's month windows; the caveats of the prior and the last 12 months.

    ``extent`` holds the first and last transaction dates, ``later`` the number of
    transactions dated on or after ``as_of``.
    """
    last, prior = _months(as_of), _months(as_of, 1)
    section.periods.update(months=months_text(last), prior_months=months_text(prior))
    part = _part_month_note(as_of, last)
    if part:
        section.notes.append(part)
    if later:
        section.notes.append(
            f"{counted(later, 'transaction')} dated on or after the report date "
            f"{'is' if later == 1 else 'are'} in none of the figures."
        )
    return (
        _coverage(extent, *_bounds(prior), "transactions", months_text(prior)),
        _coverage(extent, *_bounds(last), "transactions", months_text(last)),
    )


def _join(*texts: str | None) -> str | None:
    kept = [t for t in texts if t]
    return "; ".join(kept) if kept else None
