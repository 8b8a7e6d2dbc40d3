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
   "fraction" | "percent"``), :func:`parse_timestamp` (naive datetime64[ns] holding
   UTC wall-clock time: an aware moment is converted to UTC and its zone dropped),
   :func:`parse_date` (naive midnight), :func:`parse_bool`, :func:`parse_choice`,
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
   across currencies. A problem in an *optional* column (:data:`OPTIONAL`: an owner,
   a forecast category, a creation or close date, ...) does not reject the row: that
   value is left empty, the row is kept, and a warning counts such rows per column and
   kind of problem (the rows are listed in :attr:`ImportResult.emptied`).

The index of both frames of the result is the input position, so each row of the
input is in exactly one of them: ``accepted + n_rejected == rows_in``.

Timestamps follow the library's convention: canonical tables hold naive
``datetime64[ns]`` meaning UTC (instants are UTC wall-clock time with the zone
dropped; calendar dates are midnight of that date).

A reason is written ``"<field>: <problem>: <value>"`` (the value as its ``repr``, cut
at 60 characters), or ``"<field>: <problem>"`` when there is no value to show, or a
plain ``"<problem>"`` for the record as a whole (``"deleted"``); a row with several
problems has them joined by ``"; "``. The problem part never embeds the value, so that
:meth:`ImportResult.reason_groups` can count rows per field and kind of problem.
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final, ParamSpec, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import schema
from .._arrays import utc_naive
from ..errors import InvalidInputError, SchemaError
from ..schema.validation import _repeated
from ._parse import (
    DATE_FORMATS,
    FAR_DATE,
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
    weighted_share,
)
from ._result import REASON, ImportResult, _groups, _head, _shown_id, split_reason

__all__ = [
    "DATE_FORMATS",
    "FAR_DATE",
    "OPTIONAL",
    "REASON",
    "ImportResult",
    "Parsed",
    "assemble",
    "field",
    "match_fields",
    "nesting_refused",
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
    "plain",
    "reasons_where",
    "records_frame",
    "require_fields",
    "split_reason",
    "weighted_share",
]

#: The optional columns of each table: an unreadable value there (an unknown forecast
#: category, a creation date in an unknown format, a "no end date" such as 9999-12-31)
#: is left empty, with a warning counting such rows, and the row is kept. A problem in
#: any other column (an id, a value, a probability, a status, a stage, a currency, a
#: required date) rejects the row.
OPTIONAL: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "deals": frozenset(
            {
                "account_id",
                "owner",
                "created",
                "close_date",
                "forecast_category",
                "source",
                "lost_reason",
            }
        ),
        "leads": frozenset({"source", "owner", "channel"}),
        "accounts": frozenset({"name"}),
    }
)

BoolArray = npt.NDArray[np.bool_]
_SHOWN: Final = 5
_P = ParamSpec("_P")
_R = TypeVar("_R")


def nesting_refused(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function`` refusing, with a SchemaError, records nested too deeply to read.

    A value nested a thousand lists or dicts deep (no CRM writes one; JSON text that
    deep is refused when it is read) exhausts Python's recursion limit wherever it is
    shown or compared; the whole call is refused rather than ending in a
    RecursionError.
    """

    @functools.wraps(function)
    def refusing(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        except RecursionError:
            raise SchemaError(
                f"{function.__module__.rsplit('.', 1)[-1]}.{function.__name__}: a value is "
                "nested too deeply to read (lists or dicts hundreds of levels deep)"
            ) from None

    return refusing


def _none_series(index: pd.Index[Any]) -> pd.Series[Any]:
    return pd.Series([None] * len(index), index=index, dtype=object)


# ------------------------------------------------------------------ raw records


def records_frame(records: object, *, source: str, properties: str | None = None) -> pd.DataFrame:
    """The raw values of API records or of an export, one row per record.

    A list or tuple of mappings becomes an object-dtype frame (a key missing from a
    record gives ``None``); a DataFrame is copied with its dtypes and given a
    ``RangeIndex``. With ``properties``, that key's sub-mapping is merged into its
    record (top-level keys win). Anything else raises :class:`SchemaError`.
    """
    records = plain(records)
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
        record = plain(record)
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


def plain(value: object) -> object:
    """An API client's model object as its dict (``to_dict()``); anything else as given.

    The vendors' generated Python clients (hubspot-api-client and the like) return
    model objects with a ``to_dict()`` method giving the JSON the API sent, with the
    same keys. Mappings, lists and DataFrames are returned as they are.
    """
    if isinstance(value, (Mapping, list, tuple, pd.DataFrame, str, bytes)):
        return value
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        converted = to_dict()
        if isinstance(converted, Mapping):
            return converted
    return value


def _folded(name: object, underscores: bool) -> str:
    text = str(name).strip().casefold()
    return text.replace("_", "") if underscores else text


def match_fields(
    raw: pd.DataFrame,
    wanted: Mapping[str, str],
    *,
    source: str,
    exact: Iterable[str] = (),
    underscores: bool = False,
) -> dict[str, str]:
    """The record field that holds each wanted field, matched without regard to case.

    ``wanted`` maps a key (a canonical column, a flag) to the field name the vendor
    documents. A field of exactly that name is used; otherwise one that differs only
    in case (``amount`` for ``Amount``) and, with ``underscores=True``, in underscores
    too (``stage_name`` and ``stagename`` for ``StageName``, as warehouse sync tools
    write Salesforce tables). Keys in ``exact`` were named by the caller: an exact
    match wins for them even when another field differs from it only in case. Two
    fields that match equally well are refused (:class:`SchemaError`), naming both.
    Keys without a matching field are left out of the result.
    """
    chosen = set(exact)
    columns = [str(name) for name in raw.columns]
    by_fold: dict[str, list[str]] = collections.defaultdict(list)
    for name in columns:
        by_fold[_folded(name, underscores)].append(name)
    found: dict[str, str] = {}
    for key, name in wanted.items():
        if key in chosen and name in columns:
            found[key] = name
            continue
        candidates = by_fold.get(_folded(name, underscores), [])
        if len(candidates) > 1:
            raise SchemaError(
                f"{source}: the fields {_listed(candidates)} differ only in case"
                f"{' or underscores' if underscores else ''}, so which one holds {name!r} is "
                "ambiguous; drop one, or name the one to read"
            )
        if candidates:
            found[key] = candidates[0]
    return found


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
        # The canonical convention: naive datetime64[ns] holding UTC wall-clock time.
        if values is None:
            return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
        stamps = pd.Series(values, index=index)
        stamps = utc_naive(stamps)
        naive: pd.Series[Any] = pd.to_datetime(stamps).astype("datetime64[ns]")
        return naive
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


def _emptied_warnings(
    soft: Mapping[str, pd.Series[Any]], kept: BoolArray, id_values: pd.Series[Any] | None
) -> tuple[list[str], pd.DataFrame]:
    """Warnings counting optional values left empty in kept rows, and those rows."""
    notes: list[str] = []
    positions: list[Any] = []
    names: list[str] = []
    texts: list[str] = []
    for name, reasons in soft.items():
        present = kept & ~_absent(reasons.to_numpy(dtype=object))
        if not present.any():
            continue
        chosen = reasons[present]
        positions += chosen.index.tolist()
        names += [name] * len(chosen)
        texts += [str(text) for text in chosen.tolist()]
        ids = None if id_values is None else id_values[present]
        for row in _groups(chosen, ids, 2, "row").itertuples(index=False):
            head = _head(row.column, row.problem)
            rows = "1 kept row" if row.rows == 1 else f"{row.rows} kept rows"
            empty = "left empty (no date)" if row.problem == FAR_DATE else "left empty"
            notes.append(f"{name} {empty} in {rows}: {head} (e.g. {row.examples})")
    emptied = pd.DataFrame(
        {"column": pd.Series(names, dtype=object), "reason": pd.Series(texts, dtype=object)}
    )
    emptied.index = pd.Index(positions, dtype=np.int64)
    return notes, emptied.sort_index(kind="stable")


def assemble(
    table: str,
    raw: pd.DataFrame,
    columns: Mapping[str, Parsed],
    *,
    source: str,
    extra_reasons: Iterable[pd.Series[Any]] = (),
    warnings: Iterable[str] = (),
    optional: Iterable[str] | None = None,
    id_field: str | None = None,
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
    optional : iterable of str, optional
        Canonical columns whose unreadable values are left empty, with a warning,
        instead of rejecting the row; by default :data:`OPTIONAL` of the table.
    id_field : str, optional
        The raw field holding the record's id, for examples in messages.
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
    soft_names = set(OPTIONAL.get(table, ()) if optional is None else optional)
    index = raw.index
    n = len(raw)
    extra = _joined(list(extra_reasons), n)
    given = [name for name in spec.names if name in columns]
    soft = {name: columns[name].reasons for name in given if name in soft_names}
    parsed = _joined([columns[name].reasons for name in given if name not in soft], n)
    reasons = np.where(_absent(extra), parsed, extra)
    values: dict[str, pd.Series[Any]] = {}
    for name in given:
        canonical = columns[name].canonical
        if name in soft:
            bad = ~_absent(soft[name].to_numpy(dtype=object))
            if bad.any():  # an unreadable optional value is left empty
                canonical = canonical.where(~pd.Series(bad, index=canonical.index), None)
        values[name] = canonical
    candidate = pd.DataFrame(
        {column.name: _canonical(column, values.get(column.name), index) for column in spec},
        index=index,
    )
    key = spec.key
    if key is not None and n:
        # An id given twice cannot be told apart: every row carrying it is rejected.
        ids = candidate[key]
        counted = _absent(extra) & ~ids.isna().to_numpy(dtype=bool)
        repeated = _repeated(ids, counted)
        positions: dict[object, list[int]] = collections.defaultdict(list)
        for position in np.flatnonzero(repeated):
            positions[ids.iloc[position]].append(int(position))
        # Named by the records' own id field when known, else the canonical column.
        label = id_field if id_field is not None and id_field in raw.columns else key
        for value, rows in positions.items():
            text = (
                f"{label}: given in more than one record: {_shown_id(value)} (rows {_listed(rows)})"
            )
            for row in rows:
                current = reasons[row]
                reasons[row] = text if current is None else f"{current}; {text}"
    clean = _absent(reasons)
    if clean.any():
        problems = schema.row_problems(candidate.loc[clean], spec).to_numpy(dtype=object)
        reasons[np.flatnonzero(clean)] = problems
    accepted = _absent(reasons)
    # A rejected row's reason names its unreadable optional values too.
    if soft:
        optional_text = _joined(list(soft.values()), n)
        add = ~accepted & _absent(extra) & ~_absent(optional_text)
        for position in np.flatnonzero(add):
            reasons[position] = f"{reasons[position]}; {optional_text[position]}"
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
    id_values = raw[id_field] if id_field is not None and id_field in raw.columns else None
    emptied_notes, emptied = _emptied_warnings(soft, accepted, id_values)
    notes += emptied_notes
    if "currency" in spec and len(frame):
        mixed = _currency_warning(frame["currency"])
        if mixed is not None:
            notes.append(mixed)
    return ImportResult(
        table=table,
        source=source,
        frame=frame,
        rejected=rejected,
        warnings=tuple(notes),
        rows_in=n,
        emptied=emptied,
        id_field=id_field if id_field is not None and id_field in raw.columns else None,
    )
