"""The shared core of the CRM adapters: raw records in, an accounted import out.

Every vendor adapter follows the same four steps, with the helpers of this module:

1. ``raw = records_frame(records, source="hubspot", properties="properties")``: a list
   of mappings (API records) becomes an object-dtype frame of raw values, a DataFrame
   (an export) a copy with its dtypes; either on a ``RangeIndex`` (the input
   position). Anything else is refused as a whole with
   :class:`~salescore.errors.SchemaError`. With ``properties=`` a sub-mapping such as
   HubSpot's ``{"id": ..., "properties": {...}}`` is flattened into the record (a
   top-level key wins over a property of the same name).
2. ``require_fields(raw, ["Id", "Amount"], source=...)``: a field absent from every
   record rejects the whole call (SchemaError); ``field(raw, "LeadSource")`` reads an
   optional field (all ``None`` when absent).
3. Parse each field with a ``parse_*`` function. A parser never raises for a bad value:
   it returns ``Parsed(canonical, reasons)``, two Series on ``raw.index`` holding the
   canonical values (missing where unusable) and, per row, ``None`` or a reason such as
   ``"Amount: not a plain number: '1,234'"``. The parsers live in ``_parse`` and are
   importable from here: :func:`parse_id`,
   :func:`parse_text`, :func:`parse_money`, :func:`parse_probability` (``scale=
   "fraction" | "percent"``), :func:`parse_timestamp` (UTC-aware), :func:`parse_date`
   (naive midnight), :func:`parse_bool`, :func:`parse_choice`,
   :func:`parse_currency`, :func:`parse_forecast_category`. With ``required=True`` a
   missing value is a reason too. :func:`reasons_where` makes a reason Series from a
   mask (for "deleted" and other vendor rules).
4. ``assemble("deals", raw, {"deal_id": ..., "value": ...}, source=...,
   extra_reasons=[...], warnings=[...])`` builds the :class:`ImportResult`: rows with
   any reason are rejected, with their original values and the reasons joined by
   ``"; "`` (a row with an extra reason, e.g. ``"deleted"``, gets only its extra
   reasons); an id repeated in the input rejects every row that carries it; the
   remaining rows are checked against :mod:`salescore.schema` row by row (a close date
   before the creation date, ...), and the accepted rows form the canonical frame in
   the schema's column order and dtypes. Columns not given are missing
   (they must be nullable). Mixed currencies add a warning; values are never summed
   across currencies.

The index of both frames of the result is the input position, so each row of the
input is in exactly one of them: ``accepted + n_rejected == rows_in``.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import schema
from ..errors import InvalidInputError, SchemaError
from ._parse import (
    Parsed,
    _absent,
    parse_bool,
    parse_choice,
    parse_currency,
    parse_date,
    parse_forecast_category,
    parse_id,
    parse_money,
    parse_probability,
    parse_text,
    parse_timestamp,
    reasons_where,
)

__all__ = [
    "REASON",
    "ImportResult",
    "Parsed",
    "assemble",
    "field",
    "parse_bool",
    "parse_choice",
    "parse_currency",
    "parse_date",
    "parse_forecast_category",
    "parse_id",
    "parse_money",
    "parse_probability",
    "parse_text",
    "parse_timestamp",
    "reasons_where",
    "records_frame",
    "require_fields",
]

#: The column of :attr:`ImportResult.rejected` that holds each row's reason.
REASON: Final = "reason"

BoolArray = npt.NDArray[np.bool_]
_SHOWN: Final = 5


def _none_series(index: pd.Index[Any]) -> pd.Series[Any]:
    return pd.Series([None] * len(index), index=index, dtype=object)


# ------------------------------------------------------------------ the result


def _frame(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, pd.DataFrame):
        raise InvalidInputError(f"{attribute.name} must be a DataFrame; got {type(value).__name__}")


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(value) for value in values)


@attrs.frozen(kw_only=True, eq=False)
class ImportResult:
    """What an adapter made of a CRM's records: the canonical table and the rejects.

    Every input row is either in :attr:`frame` (accepted) or in :attr:`rejected`, with
    a reason; the two indexes are the input positions (0-based), so a row can be
    traced back to the record it came from.

    Parameters
    ----------
    table : str
        The canonical table of :attr:`frame` (``"deals"``, ``"stage_history"``,
        ``"leads"``, ...; see :data:`salescore.schema.TABLES`).
    source : str
        Where the rows came from, such as ``"salesforce"`` or ``"records"``.
    frame : DataFrame
        The accepted rows in the canonical columns and dtypes.
    rejected : DataFrame
        The rejected rows with their original values as received, plus a column
        ``reason`` (:data:`REASON`).
    warnings : tuple of str, default ()
        Things worth knowing that did not reject a row (e.g. mixed currencies).
    rows_in : int
        How many rows were given.

    Raises
    ------
    InvalidInputError
        The accepted and rejected rows do not add up to ``rows_in``, or ``rejected``
        lacks the ``reason`` column.

    Examples
    --------
    >>> from salescore.adapters import from_records
    >>> result = from_records([{"id": "D-17", "amount": 27_600},
    ...                        {"id": "D-18", "amount": "n/a"}],
    ...                       {"deal_id": "id", "value": "amount"})
    >>> result.accepted, result.n_rejected, result.rows_in
    (1, 1, 2)
    >>> print(result.summary())
    deals from records: 2 rows in, 1 accepted, 1 rejected
      1 × amount: not a plain number: 'n/a'
    """

    table: str
    source: str
    frame: pd.DataFrame = attrs.field(validator=_frame)
    rejected: pd.DataFrame = attrs.field(validator=_frame)
    warnings: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    rows_in: int

    def __attrs_post_init__(self) -> None:
        if REASON not in self.rejected.columns:
            raise InvalidInputError(f"rejected must have a {REASON!r} column")
        if len(self.frame) + len(self.rejected) != self.rows_in:
            raise InvalidInputError(
                f"{len(self.frame)} accepted + {len(self.rejected)} rejected rows do not "
                f"add up to the {self.rows_in} rows given"
            )

    @property
    def accepted(self) -> int:
        """How many rows are in the canonical frame."""
        return len(self.frame)

    @property
    def n_rejected(self) -> int:
        """How many rows were rejected."""
        return len(self.rejected)

    def reasons(self) -> pd.Series[int]:
        """How many rows were rejected for each reason, most frequent first.

        Returns
        -------
        Series
            Counts (int64) indexed by reason; empty when nothing was rejected.
        """
        counts: pd.Series[int] = self.rejected[REASON].value_counts(sort=True)
        return counts

    def summary(self) -> str:
        """A few lines for a person: the counts, the reasons and the warnings.

        Returns
        -------
        str
            The counts on the first line, then one line per reason (with how many
            rows it rejected) and one per warning.
        """
        lines = [
            f"{self.table} from {self.source}: {self.rows_in} rows in, "
            f"{self.accepted} accepted, {self.n_rejected} rejected"
        ]
        lines += [f"  {count} × {reason}" for reason, count in self.reasons().items()]
        lines += [f"  warning: {text}" for text in self.warnings]
        return "\n".join(lines)


# ------------------------------------------------------------------ raw records


def records_frame(records: object, *, source: str, properties: str | None = None) -> pd.DataFrame:
    """The raw values of API records or of an export, one row per record.

    A list or tuple of mappings becomes an object-dtype frame (a key missing from a
    record gives ``None``); a DataFrame is copied with its dtypes and given a
    ``RangeIndex``. With ``properties``, that key's sub-mapping is merged into its
    record (top-level keys win). Anything else raises :class:`SchemaError`.
    """
    if isinstance(records, pd.DataFrame):
        names = list(records.columns)
        twice = [name for name, count in collections.Counter(names).items() if count > 1]
        if twice:
            raise SchemaError(f"{source}: more than one column is named {_listed(twice)}")
        return records.reset_index(drop=True)
    if not isinstance(records, (list, tuple)):
        raise SchemaError(
            f"{source}: records must be a list of mappings (API records) or a DataFrame "
            f"(an export); got {type(records).__name__}"
        )
    rows: list[Mapping[Any, Any]] = []
    wrong: list[str] = []
    for position, record in enumerate(records):
        if not isinstance(record, Mapping):
            wrong.append(f"[{position}] {type(record).__name__}")
            continue
        if properties is not None and properties in record:
            inner = record[properties]
            if inner is None:
                inner = {}
            if not isinstance(inner, Mapping):
                wrong.append(f"[{position}] {properties!r} is {type(inner).__name__}")
                continue
            merged = dict(inner)
            merged.update((key, value) for key, value in record.items() if key != properties)
            record = merged
        rows.append(record)
    if wrong:
        more = ", …" if len(wrong) > _SHOWN else ""
        raise SchemaError(
            f"{source}: records must be mappings; {len(wrong)} of {len(records)} are not "
            f"(0-based positions: {', '.join(wrong[:_SHOWN])}{more})"
        )
    keys = list(dict.fromkeys(key for row in rows for key in row))
    data = {}
    for key in keys:
        column = np.empty(len(rows), dtype=object)
        column[:] = [row.get(key) for row in rows]
        data[key] = column
    # dtype=object: pandas 3 would otherwise turn text into its str dtype and None into NaN.
    return pd.DataFrame(
        data, index=pd.RangeIndex(len(rows)), columns=pd.Index(keys, dtype=object), dtype=object
    )


def require_fields(raw: pd.DataFrame, fields: Iterable[str], *, source: str) -> None:
    """Refuse the whole call when a required field is absent from every record.

    An empty list of records (no rows, no columns) passes: it has nothing to import.
    """
    if len(raw) == 0 and len(raw.columns) == 0:
        return
    missing = [name for name in dict.fromkeys(fields) if name not in raw.columns]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise SchemaError(
            f"{source}: required field{plural} {_listed(missing)} absent from every record "
            f"(the records have {_listed(map(str, raw.columns), 12)})"
        )


def field(raw: pd.DataFrame, name: str) -> pd.Series[Any]:
    """The raw values of one field, or ``None`` for every row when no record has it."""
    if name in raw.columns:
        values: pd.Series[Any] = raw[name]
        return values
    return _none_series(raw.index)


def _listed(items: Iterable[object], limit: int = _SHOWN) -> str:
    shown = list(items)
    more = ", …" if len(shown) > limit else ""
    return ", ".join(repr(item) for item in shown[:limit]) + more


# ------------------------------------------------------------------ assembling


def _canonical(
    column: schema.Column, values: pd.Series[Any] | None, index: pd.Index[Any]
) -> pd.Series[Any]:
    """A column in its canonical dtype (all missing when not given)."""
    kind = column.kind
    if kind in ("number", "fraction"):
        if values is None:
            return pd.Series(np.nan, index=index, dtype=np.float64)
        return pd.Series(values.to_numpy(dtype=np.float64, na_value=np.nan), index=index)
    if kind == "date":
        if values is None:
            return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
        return pd.Series(values, index=index).astype("datetime64[ns]")
    if kind == "timestamp":
        if values is None:
            return pd.Series(pd.NaT, index=index, dtype="datetime64[ns, UTC]")
        stamps = pd.Series(values, index=index)
        if not isinstance(stamps.dtype, pd.DatetimeTZDtype):
            stamps = pd.to_datetime(stamps).dt.tz_localize("UTC")  # naive: read as UTC
        utc: pd.Series[Any] = stamps.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
        return utc
    if kind == "flag":
        if values is None:
            raise InvalidInputError(f"assemble: column {column.name!r} must be given")
        flags = values.to_numpy(dtype=object)
        return pd.Series(np.equal(flags, True), index=index, dtype=bool)
    if values is None:
        return _none_series(index)
    objects = values.to_numpy(dtype=object).copy()
    objects[pd.isna(values).to_numpy(dtype=bool)] = None
    return pd.Series(objects, index=index, dtype=object)


def _joined(parts: Sequence[pd.Series[Any]], n: int) -> npt.NDArray[Any]:
    """Per row: the non-None reasons of ``parts`` joined by "; ", or None."""
    out = np.full(n, None, dtype=object)
    for part in parts:
        reasons = part.to_numpy(dtype=object)
        for position in np.flatnonzero(~pd.isna(reasons)):
            reason = str(reasons[position])
            out[position] = reason if out[position] is None else f"{out[position]}; {reason}"
    return out


def _currency_warning(currencies: pd.Series[Any]) -> str | None:
    counts = currencies.fillna("(none)").value_counts(sort=True)
    if len(counts) <= 1:
        return None
    listed = ", ".join(f"{code}: {count}" for code, count in counts.items())
    return (
        f"the deals are in {len(counts)} currencies ({listed} rows); values are kept with "
        "their codes and never summed across currencies: convert them or group by currency"
    )


def assemble(
    table: str,
    raw: pd.DataFrame,
    columns: Mapping[str, Parsed],
    *,
    source: str,
    extra_reasons: Iterable[pd.Series[Any]] = (),
    warnings: Iterable[str] = (),
) -> ImportResult:
    """The import result of parsed columns: accepted rows in canonical form, rejects.

    Parameters
    ----------
    table : str
        The canonical table (a key of :data:`salescore.schema.TABLES`).
    raw : DataFrame
        The raw records from :func:`records_frame`; rejected rows are taken from it.
    columns : Mapping of str to Parsed
        Canonical column name → its parsed field. Every column that is required or
        not nullable must be given; the others default to missing.
    source : str
        The vendor, for the result and messages.
    extra_reasons : iterable of Series
        Reasons that reject a row by themselves (``"deleted"``, ``"archived"``); a row
        with one is reported with those only.
    warnings : iterable of str
        Passed on to the result (a mixed-currency warning is added here).
    """
    spec = schema.TABLES[table]
    unknown = [name for name in columns if name not in spec]
    needed = [
        column.name
        for column in spec
        if (column.required or not column.nullable) and column.name not in columns
    ]
    if unknown or needed:
        raise InvalidInputError(
            f"assemble({table!r}): unknown columns {_listed(unknown)}; "
            f"columns that must be given: {_listed(needed)}"
        )
    index = raw.index
    n = len(raw)
    extra = _joined(list(extra_reasons), n)
    parsed = _joined([columns[name].reasons for name in spec.names if name in columns], n)
    reasons = np.where(_absent(extra), parsed, extra)
    candidate = pd.DataFrame(
        {
            column.name: _canonical(
                column, columns[column.name].canonical if column.name in columns else None, index
            )
            for column in spec
        },
        index=index,
    )
    key = spec.key
    if key is not None and n:
        # An id given twice cannot be told apart: every row carrying it is rejected.
        ids = candidate[key]
        counted = _absent(extra) & ~ids.isna().to_numpy(dtype=bool)
        repeated = schema._repeated(ids, counted)
        positions: dict[object, list[int]] = collections.defaultdict(list)
        for position in np.flatnonzero(repeated):
            positions[ids.iloc[position]].append(int(position))
        for value, rows in positions.items():
            text = f"duplicate {key} {value!r} (rows {_listed(rows)})"
            for row in rows:
                current = reasons[row]
                reasons[row] = text if current is None else f"{current}; {text}"
    clean = _absent(reasons)
    if clean.any():
        problems = schema.row_problems(candidate.loc[clean], spec).to_numpy(dtype=object)
        reasons[np.flatnonzero(clean)] = problems
    accepted = _absent(reasons)
    frame = candidate.loc[accepted]
    if accepted.all():
        frame = frame.reset_index(drop=True)
    rejected = raw.loc[~accepted].copy()
    name = REASON if REASON not in rejected.columns else f"_{REASON}"
    rejected[name] = pd.Series(reasons[~accepted], index=rejected.index, dtype=object)
    if name != REASON:
        rejected = rejected.rename(columns={REASON: f"{REASON} (input)", name: REASON})
    # Every accepted row passed row_problems, so the frame fits the schema.
    notes = list(warnings)
    if "currency" in spec and len(frame):
        mixed = _currency_warning(frame["currency"])
        if mixed is not None:
            notes.append(mixed)
    return ImportResult(
        table=table, source=source, frame=frame, rejected=rejected, warnings=tuple(notes), rows_in=n
    )
