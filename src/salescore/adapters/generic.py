"""Records of any CRM, read through a mapping of field names, and canonical rows back out.

:func:`from_records` is the adapter for a CRM without a module of its own: the caller
says which of the CRM's fields holds each canonical column, and on which scale its
probabilities are written. :func:`to_records` is its inverse, a canonical table as
JSON-ready dicts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from .. import schema
from ..errors import InvalidInputError, SchemaError
from ._core import (
    ImportResult,
    Parsed,
    assemble,
    field,
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
    records_frame,
    require_fields,
)

__all__ = ["from_records", "to_records"]

# Values a column takes when the records have no field for it at all.
_DEFAULTS: Final = {("deals", "status"): "open"}


def _options(table: object, probability_scale: object) -> schema.Table:
    if not isinstance(table, str) or table not in schema.TABLES:
        raise InvalidInputError(
            f"table must be one of {', '.join(schema.TABLES)}; got {table!r:.60}"
        )
    if probability_scale not in ("fraction", "percent"):
        raise InvalidInputError(
            f"probability_scale must be 'fraction' or 'percent'; got {probability_scale!r:.60}"
        )
    return schema.TABLES[table]


def _fields(spec: schema.Table, mapping: object) -> dict[str, str]:
    """The record field of each canonical column: the mapping's, else the column name."""
    if mapping is None:
        mapping = {}
    if not isinstance(mapping, Mapping):
        raise InvalidInputError(
            f"mapping must map canonical column names to field names; got {type(mapping).__name__}"
        )
    unknown = [name for name in mapping if name not in spec]
    if unknown:
        raise InvalidInputError(
            f"mapping: {', '.join(map(repr, unknown))} not a column of {spec.name}; "
            f"the columns are {', '.join(spec.names)}"
        )
    fields = {name: mapping.get(name, name) for name in spec.names}
    used: dict[object, str] = {}
    for name, key in fields.items():
        if not isinstance(key, str):
            raise InvalidInputError(f"mapping[{name!r}] must be a field name (str); got {key!r}")
        if key in used:
            raise InvalidInputError(
                f"mapping: columns {used[key]!r} and {name!r} both read field {key!r}"
            )
        used[key] = name
    return fields


def _parse(column: schema.Column, values: pd.Series[Any], key: str, scale: str) -> Parsed:
    required = not column.nullable
    kind = column.kind
    if kind == "id":
        return parse_id(values, field=key, required=required)
    if kind == "text":
        return parse_text(values, field=key, required=required, numbers=True)
    if kind == "choice":
        if column.name == "forecast_category":
            return parse_forecast_category(values, field=key, required=required)
        allowed = column.allowed or ()
        return parse_choice(
            values, field=key, choices={value: value for value in allowed}, required=required
        )
    if kind == "currency":
        return parse_currency(values, field=key, required=required)
    if kind == "number":
        negative = column.minimum is None or column.minimum < 0
        return parse_money(values, field=key, required=required, negative=negative)
    if kind == "fraction":
        return parse_probability(values, field=key, scale=scale, required=required)
    if kind == "date":
        return parse_date(values, field=key, required=required)
    if kind == "timestamp":
        return parse_timestamp(values, field=key, required=required)
    return parse_bool(values, field=key, required=required)


def from_records(
    records: object,
    mapping: Mapping[str, str] | None = None,
    *,
    table: str = "deals",
    probability_scale: str = "fraction",
    properties: str | None = None,
    source: str = "records",
) -> ImportResult:
    """Import any CRM's records into a canonical table, accounting for every row.

    Each canonical column is read from the field ``mapping`` names for it, or from a
    field of the column's own name. Values are parsed strictly, by the column's kind
    in :data:`salescore.schema.TABLES`: plain numbers or numeric strings for amounts,
    probabilities on the stated scale, ISO 8601 or datetime values for dates (UTC
    when no offset is given), ``true``/``false`` for flags. A row with a bad value is
    rejected with a reason; the others are kept.

    Parameters
    ----------
    records : list of dict or DataFrame
        API records (a list of mappings, e.g. parsed JSON) or an export (a DataFrame).
    mapping : Mapping of str to str, optional
        Canonical column name → the records' field name, e.g. ``{"value": "Amount"}``.
    table : str, keyword-only, default "deals"
        The canonical table to make (a key of :data:`salescore.schema.TABLES`).
    probability_scale : {"fraction", "percent"}, keyword-only, default "fraction"
        How the records write probabilities: 0.1 or 10 for 10 %. Never guessed.
    properties : str, keyword-only, optional
        A key whose sub-mapping holds the fields (HubSpot's ``"properties"``); it is
        merged into each record, top-level fields winning.
    source : str, keyword-only, default "records"
        The CRM's name, for the report.

    Returns
    -------
    ImportResult
        The canonical frame (index: input position), the rejected rows with their
        original values and a ``reason``, warnings (fields left unmapped, mixed
        currencies) and the counts; ``accepted + n_rejected == rows_in``.

    Raises
    ------
    SchemaError
        The whole call: ``records`` is not a list of mappings or a DataFrame, or a
        required column's field is absent from every record.
    InvalidInputError
        ``table``, ``mapping`` or ``probability_scale`` is invalid.

    See Also
    --------
    to_records : the inverse, canonical rows as JSON-ready dicts.
    salescore.schema.validate : check a frame that is already canonical.

    Notes
    -----
    Rules for rows: a missing value in a column that may not be missing (the id, a
    deal's value, a lead's creation time), a value that does not parse, one outside
    its range (a negative amount; a probability outside 0–1, or 0–100 with
    ``probability_scale="percent"``, which divides by 100), an id that occurs in
    more than one record, or a close date before the creation date rejects that row.
    When the records have no status field at all, deals are open. Blank strings are
    missing values (CRMs write ``""`` for an unset field); an integer in a text column
    (a numeric owner id) becomes its decimal string. Currencies are kept per row and a
    mix of them is reported as a warning, never summed.

    References
    ----------
    .. [1] salescore design notes, "Canonical schema (tables)".

    Examples
    --------
    >>> from salescore.adapters import from_records
    >>> records = [
    ...     {"Id": "P-1", "Worth": "27600", "Chance": 12, "Stage": "Proposal"},
    ...     {"Id": "P-2", "Worth": 34500.0, "Chance": "83", "Stage": "Negotiation"},
    ...     {"Id": "P-3", "Worth": "34.500,00", "Chance": 50, "Stage": "Proposal"},
    ... ]
    >>> result = from_records(
    ...     records,
    ...     {"deal_id": "Id", "value": "Worth", "probability": "Chance", "stage": "Stage"},
    ...     probability_scale="percent",
    ... )
    >>> result.frame[["deal_id", "value", "probability", "status"]]
      deal_id    value  probability status
    0     P-1  27600.0         0.12   open
    1     P-2  34500.0         0.83   open
    >>> float((result.frame["value"] * result.frame["probability"]).sum())  # seed 002
    31947.0
    >>> result.rejected[["Id", "Worth", "reason"]]
        Id      Worth                                     reason
    2  P-3  34.500,00  Worth: not a plain number: '34.500,00'

    An empty list imports to an empty table:

    >>> from_records([], {"deal_id": "Id", "value": "Worth"}).frame.shape
    (0, 13)
    """
    spec = _options(table, probability_scale)
    fields = _fields(spec, mapping)
    raw = records_frame(records, source=source, properties=properties)
    needed = [
        column.name
        for column in spec
        if (column.required or not column.nullable) and (table, column.name) not in _DEFAULTS
    ]
    require_fields(raw, [fields[name] for name in needed], source=source)
    columns: dict[str, Parsed] = {}
    for column in spec:
        key = fields[column.name]
        if key in raw.columns:
            columns[column.name] = _parse(column, field(raw, key), key, probability_scale)
        elif (table, column.name) in _DEFAULTS:
            constant = pd.Series(_DEFAULTS[table, column.name], index=raw.index, dtype=object)
            columns[column.name] = Parsed(constant, pd.Series(None, index=raw.index, dtype=object))
        elif not column.nullable:  # pragma: no cover - only with an empty record list
            empty = pd.Series(None, index=raw.index, dtype=object)
            columns[column.name] = Parsed(empty, empty)
    unused = [str(name) for name in raw.columns if name not in set(fields.values())]
    warnings = []
    if unused:
        shown = ", ".join(map(repr, unused[:8])) + (", …" if len(unused) > 8 else "")
        warnings.append(f"fields not mapped to a {table} column were ignored: {shown}")
    return assemble(table, raw, columns, source=source, warnings=warnings)


def _json_value(value: object, kind: str) -> object:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if kind in ("date", "timestamp"):
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
        return stamp.date().isoformat() if kind == "date" else stamp.isoformat()
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def to_records(
    frame: pd.DataFrame,
    mapping: Mapping[str, str] | None = None,
    *,
    table: str = "deals",
    probability_scale: str = "fraction",
) -> list[dict[str, Any]]:
    """A canonical table as JSON-ready dicts, one per row, under the CRM's field names.

    Parameters
    ----------
    frame : DataFrame
        A canonical table (it is validated first).
    mapping : Mapping of str to str, optional
        Canonical column name → field name, as for :func:`from_records`.
    table : str, keyword-only, default "deals"
        The canonical table.
    probability_scale : {"fraction", "percent"}, keyword-only, default "fraction"
        How to write probabilities (``"percent"`` multiplies by 100).

    Returns
    -------
    list of dict
        Missing values as ``None``, dates as ``"YYYY-MM-DD"``, timestamps as ISO 8601
        strings with their offset, numbers as ``float``, flags as ``bool``.

    Raises
    ------
    SchemaError
        ``frame`` does not fit the table (every problem is listed).
    InvalidInputError
        ``table``, ``mapping`` or ``probability_scale`` is invalid.

    See Also
    --------
    from_records : the inverse.

    Notes
    -----
    ``from_records(to_records(frame))`` gives ``frame`` back, value for value, with
    the fraction scale; the percent scale may move a probability by one unit in the
    last place.

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.adapters import to_records
    >>> deals = pd.DataFrame({"deal_id": ["D-17"], "value": [27_600.0],
    ...                       "probability": [0.12]})
    >>> to_records(deals, {"deal_id": "Id", "value": "Amount",
    ...                    "probability": "Probability"}, probability_scale="percent")
    [{'Id': 'D-17', 'Amount': 27600.0, 'Probability': 12.0}]
    >>> to_records(deals.iloc[:0])
    []
    """
    spec = _options(table, probability_scale)
    fields = _fields(spec, mapping)
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"{table} must be a pandas DataFrame; got {type(frame).__name__}")
    schema.validate(frame, spec)
    present = [column for column in spec if column.name in frame.columns]
    columns = []
    for column in present:
        values = frame[column.name]
        if column.kind == "fraction" and probability_scale == "percent":
            values = values * 100.0
        kind = column.kind
        columns.append([_json_value(value, kind) for value in values.tolist()])
    names = [fields[column.name] for column in present]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
