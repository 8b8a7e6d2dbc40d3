"""Where rates tables come from: a rates CSV file and Salesforce ``DatedConversionRate``.

The private readers behind :func:`salescore.money.read_rates` and
:meth:`salescore.money.ExchangeRates.from_salesforce`: each gives the currency, the
valid_from and the rate of every row (and, for Salesforce, the NextStartDate, to check
that no record was left out), and refuses what it cannot read with the line or record
it is on. The rows are then checked as every rates table is
(:func:`salescore.money._read.check_rows`).
"""

from __future__ import annotations

import datetime
import decimal
import io
import numbers
import warnings
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._tables import counted, which
from ..errors import InvalidInputError, SchemaError
from ._read import NAT, ObjectArray, Stamps, day, nanoseconds

__all__ = ["check_ranges", "csv_values", "read_csv_rows", "salesforce_rows"]

# Salesforce's open ends: a DatedConversionRate range that runs to "the end of time" has
# no NextStartDate or a far one such as 9999-12-31; its first range starts at the
# beginning of time. Dates beyond what datetime64[ns] holds are read as those open ends.
_EARLIEST: Final = pd.Timestamp.min.ceil("D")  # 1677-09-22
_LATEST: Final = pd.Timestamp.max.floor("D")  # 2262-04-11


# ------------------------------------------------------------------ a rates CSV file


def read_csv_rows(path: object) -> tuple[pd.DataFrame, str]:
    """The rows of a rates CSV file as text, and how messages name the file.

    The file is UTF-8 (with or without a byte-order mark), separated by commas, with a
    header naming at least ``currency``, ``valid_from`` and ``rate``; other columns are
    ignored. The frame's index is each row's line number in the file.
    """
    if not isinstance(path, (str, PathLike)):
        raise InvalidInputError(
            f"path must be a str or a path; got {type(path).__name__} {path!r:.60}"
        )
    file = Path(path)
    shown = str(file) if str(file).isprintable() else repr(str(file))
    where = f"rates file {shown}"
    try:
        data = file.read_bytes()
    except ValueError:  # a NUL character in the path
        raise InvalidInputError(
            f"cannot read {where}: a path cannot hold a NUL character"
        ) from None
    except IsADirectoryError:
        raise InvalidInputError(f"cannot read {where}: it is a directory, not a file") from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InvalidInputError(f"cannot read {where}: {reason}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"cannot read {where}: it is not UTF-8 text (byte {error.start}); save it as CSV UTF-8"
        ) from None
    if not text.strip():
        raise InvalidInputError(f"cannot read {where}: it is empty")
    try:
        with warnings.catch_warnings():
            # pandas warns, and cuts the line, when a line has more fields than the
            # header: the cut fields would be lost, so it is an error here.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            rows = pd.read_csv(
                io.StringIO(text),
                sep=",",
                dtype=str,
                keep_default_na=False,
                na_values=[],
                skip_blank_lines=False,
                index_col=False,
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError) as error:
        reason = " ".join(str(error).split())
        raise InvalidInputError(f"cannot read {where} as CSV: {reason:.200}") from None
    rows.columns = [str(name).strip() for name in rows.columns]
    wanted = ("currency", "valid_from", "rate")
    missing = [name for name in wanted if name not in rows.columns]
    if missing:
        raise SchemaError(
            f"{where}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(map(repr, missing))} (its header has {list(rows.columns)!r}); a rates "
            "file has the columns currency,valid_from,rate"
        )
    repeated = [name for name in wanted if list(rows.columns).count(name) > 1]
    if repeated:
        raise SchemaError(
            f"{where}: more than one column is named {', '.join(map(repr, repeated))}"
        )
    # A line with fewer fields than the header (or none) leaves NaN in its cells.
    rows = rows[list(wanted)].astype(object).fillna("").map(str.strip)
    rows.index = pd.RangeIndex(2, len(rows) + 2)  # line 1 is the header
    blank = (rows == "").all(axis=1).to_numpy(dtype=bool)
    return rows[~blank], where


def csv_values(
    rows: pd.DataFrame, where: str
) -> tuple[ObjectArray, Stamps, npt.NDArray[np.float64]]:
    """The currency, valid_from and rate of each row of a rates file's text."""
    ids = rows.index.to_numpy(dtype=object)
    raw = rows["currency"].to_numpy(dtype=object)
    raw[raw == ""] = None
    text = rows["valid_from"]
    parsed = pd.to_datetime(text.where(text != ""), format="ISO8601", errors="coerce")
    starts = nanoseconds("valid_from", pd.DatetimeIndex(parsed))
    unread = (starts == NAT) & (text != "").to_numpy(dtype=bool)
    rates = pd.to_numeric(rows["rate"].where(rows["rate"] != ""), errors="coerce")
    rates_array = rates.to_numpy(dtype=np.float64, na_value=np.nan)
    unparsed = np.isnan(rates_array) & (rows["rate"] != "").to_numpy(dtype=bool)
    problems = []
    if unread.any():
        problems.append(
            "'valid_from' must hold ISO 8601 dates such as '2026-04-01'; "
            + which(ids, unread, list(text), noun="line")
        )
    if unparsed.any():
        problems.append(
            "'rate' must hold numbers with a decimal point such as '11.25'; "
            + which(ids, unparsed, list(rows["rate"]), noun="line")
        )
    if problems:
        raise InvalidInputError(f"{where}: {'; '.join(problems)}")
    return raw, starts, rates_array


# ------------------------------------------------------------------ Salesforce records


_SALESFORCE: Final = ("IsoCode", "ConversionRate", "StartDate", "NextStartDate")


def _records_frame(records: object) -> pd.DataFrame:
    """Salesforce records (a list of dicts, a query response or a DataFrame) as a frame."""
    if isinstance(records, Mapping) and "records" in records:
        records = records["records"]
    if isinstance(records, pd.DataFrame):
        frame = records
    elif isinstance(records, Sequence) and not isinstance(records, (str, bytes)):
        odd = [
            position for position, record in enumerate(records) if not isinstance(record, Mapping)
        ]
        if odd:
            first = records[odd[0]]
            raise SchemaError(
                f"records must be DatedConversionRate records (mappings); "
                f"{counted(len(odd), 'record')} are not, the first at position {odd[0]}: "
                f"{type(first).__name__} {first!r:.60}"
            )
        frame = pd.DataFrame.from_records([dict(record) for record in records])
    else:
        raise SchemaError(
            "records must be a list of DatedConversionRate records (dicts), a query "
            f"response with its 'records', or a DataFrame; got {type(records).__name__} "
            f"{records!r:.60}"
        )
    if isinstance(frame.columns, pd.MultiIndex):
        raise SchemaError("records: the columns must be one row of field names, not a MultiIndex")
    by_lower: dict[str, list[object]] = {}
    for name in frame.columns:
        if isinstance(name, str):
            by_lower.setdefault(name.lower(), []).append(name)
    found: dict[str, object] = {}
    for field in _SALESFORCE:
        names = by_lower.get(field.lower(), [])
        if len(names) > 1:
            raise SchemaError(f"records: the field {field} is given more than once: {names!r}")
        if names:
            found[field] = names[0]
    missing = [field for field in _SALESFORCE[:3] if field not in found]
    if missing and len(frame):
        raise SchemaError(
            f"records: missing field{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(the records have {[str(name) for name in frame.columns][:12]!r}); query "
            "SELECT IsoCode, ConversionRate, StartDate, NextStartDate FROM DatedConversionRate"
        )
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for field in _SALESFORCE:
        column = found.get(field)
        out[field] = (
            frame[column].to_numpy(dtype=object)
            if column is not None
            else np.full(len(frame), None)
        )
    return out


def _is_missing(value: object) -> bool:
    return (
        value is None
        or value is pd.NaT
        or value is pd.NA
        or (isinstance(value, float) and value != value)
    )


def _salesforce_date(value: object) -> datetime.date | None:
    """A Salesforce date field's value as a date (None if missing or unreadable)."""
    if isinstance(value, datetime.datetime):
        return None if value != value else value.date()  # a NaT is a datetime too
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, np.datetime64) and not np.isnat(value):
        return value.astype("datetime64[D]").item()  # type: ignore[no-any-return]
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _salesforce_rate(value: object) -> float:
    if isinstance(value, (bool, np.bool_)):
        return np.nan
    if isinstance(value, (numbers.Real, decimal.Decimal, np.integer, np.floating)):
        try:
            return float(value)
        except (OverflowError, ValueError):  # beyond float range, a signalling NaN
            return np.nan
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return np.nan
    return np.nan


def salesforce_rows(
    records: object,
) -> tuple[ObjectArray, Stamps, npt.NDArray[np.float64], Stamps]:
    """The IsoCode, StartDate, ConversionRate and NextStartDate of DatedConversionRate records.

    A StartDate before 1677-09-22 (the first range of a currency starts at the beginning
    of time) is read as that date, the earliest that ``datetime64[ns]`` holds; a missing
    NextStartDate, or one after 2262-04-11 (such as 9999-12-31, the end of time), is
    read as none (NaT).
    """
    frame = _records_frame(records)
    ids = np.arange(len(frame), dtype=object)
    raw = frame["IsoCode"].to_numpy(dtype=object)
    rates = np.array([_salesforce_rate(value) for value in frame["ConversionRate"]], dtype=float)
    starts = np.full(len(frame), NAT, dtype=np.int64)
    nexts = np.full(len(frame), NAT, dtype=np.int64)
    unread = np.zeros(len(frame), dtype=bool)
    late = np.zeros(len(frame), dtype=bool)
    pairs = zip(frame["StartDate"], frame["NextStartDate"], strict=True)
    for position, (start, following) in enumerate(pairs):
        first = _salesforce_date(start)
        if first is None:
            unread[position] = not _is_missing(start)
        elif first > _LATEST.date():
            late[position] = True
        else:
            starts[position] = pd.Timestamp(max(first, _EARLIEST.date())).value
        then = _salesforce_date(following)
        if then is not None and then <= _LATEST.date():
            nexts[position] = pd.Timestamp(max(then, _EARLIEST.date())).value
        elif then is None and not _is_missing(following):
            unread[position] = True
    problems = []
    if unread.any():
        shown = [
            f"{a!r:.30} / {b!r:.30}"
            for a, b in zip(frame["StartDate"], frame["NextStartDate"], strict=True)
        ]
        problems.append(
            "StartDate and NextStartDate must be dates such as '2026-04-01'; "
            + which(ids, unread, shown, noun="record")
        )
    if late.any():
        problems.append(
            "StartDate must be before 2262-04-12, the last date datetime64[ns] holds; "
            + which(ids, late, list(frame["StartDate"]), noun="record")
        )
    if problems:
        raise InvalidInputError(f"records: {'; '.join(problems)}")
    return raw, starts, rates, nexts


def check_ranges(read: ObjectArray, starts: Stamps, nexts: Stamps) -> None:
    """Refuse records whose NextStartDate is not the StartDate of the next of their currency.

    Records left out of the query (a filter on StartDate) would otherwise stretch a
    rate over a range in which another was in force. ``read`` are the checked codes
    (:func:`check_rows`), ``nexts`` the NextStartDates (NaT for none).
    """
    keys, _ = pd.factorize(read)
    order = np.lexsort((starts, keys))
    begins, upto = starts[order], nexts[order]
    has_next = np.zeros(order.size, dtype=bool)  # the next record is of the same currency
    has_next[:-1] = keys[order][1:] == keys[order][:-1]
    then = np.full(order.size, NAT, dtype=np.int64)
    then[:-1] = begins[1:]
    given = upto != NAT
    last = ~has_next
    checks = (
        (given & (upto <= begins), "its NextStartDate is not after its StartDate"),
        (
            given & ~last & (upto != then),
            "its NextStartDate is not the StartDate of the next record of its currency",
        ),
        (given & last, "its NextStartDate names a later rate that is not among the records"),
    )
    for mask, why in checks:
        if mask.any():
            listed = ", ".join(
                f"{position} ({read[position]} from {day(int(starts[position]))} "
                f"to {day(int(nexts[position]))})"
                for position in order[mask][:5]
            )
            raise InvalidInputError(
                f"records: the rates are not one unbroken history per currency: "
                f"{counted(int(mask.sum()), 'record')} where {why}: {listed}; query every "
                "DatedConversionRate record (no filter on StartDate), so that no rate is "
                "stretched over a range in which another was in force"
            )
