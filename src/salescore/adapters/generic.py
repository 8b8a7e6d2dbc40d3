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
from .._tables import option_column
from ..errors import InvalidInputError, SchemaError
from ..pipeline._categories import STATUSES
from ._core import (
    ImportResult,
    Parsed,
    assemble,
    field,
    match_fields,
    nesting_refused,
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
# Columns that may read the same field: a CRM's one stage field says both.
_SHARED: Final = {"stage", "status"}


def _options(table: object, probability_scale: object) -> schema.Table:
    if not isinstance(table, str) or table not in schema.TABLES:
        raise InvalidInputError(
            f"table must be one of {', '.join(schema.TABLES)}; got {table!r:.60}"
        )
    if not isinstance(probability_scale, str) or probability_scale not in ("fraction", "percent"):
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
        if key in used and {used[key], name} != _SHARED:
            raise InvalidInputError(
                f"mapping: columns {used[key]!r} and {name!r} both read field {key!r}"
            )
        used[key] = name
    return fields


def _stage_status(stage_status: object) -> dict[str, str] | None:
    """The caller's stage → status table, keys folded for case-insensitive lookup."""
    if stage_status is None:
        return None
    if not isinstance(stage_status, Mapping) or not stage_status:
        raise InvalidInputError(
            "stage_status must map stage names to 'open', 'won' or 'lost'; "
            f"got {stage_status!r:.80}"
        )
    table: dict[str, str] = {}
    for stage, status in stage_status.items():
        if not isinstance(stage, str) or status not in STATUSES:
            raise InvalidInputError(
                "stage_status must map stage names (str) to 'open', 'won' or 'lost'; "
                f"got {stage!r:.40}: {status!r:.40}"
            )
        folded = stage.strip().casefold()
        if table.get(folded, status) != status:
            raise InvalidInputError(
                f"stage_status: stage {stage!r} is given twice (differing only in case) "
                "with different statuses"
            )
        table[folded] = status
    return table


def _derived_status(
    raw: pd.DataFrame, stage_key: str, status_key: str, table: dict[str, str], *, given: bool
) -> Parsed:
    """Each deal's status: its own status field where it has one, else its stage's.

    ``given`` says whether the caller gave ``stage_status`` (else only the stages
    ``open``, ``won`` and ``lost`` are known).
    """
    stages = field(raw, stage_key)
    mapped = parse_choice(stages, field=stage_key, choices=table, required=True)
    if status_key == stage_key or status_key not in raw.columns:
        return _stage_reason(mapped, stages, stage_key, given=given)
    own = parse_choice(
        field(raw, status_key),
        field=status_key,
        choices={value: value for value in STATUSES},
    )
    has_own = own.canonical.notna() | own.reasons.notna()
    canonical = own.canonical.where(has_own, mapped.canonical)
    reasons = own.reasons.where(
        has_own, _stage_reason(mapped, stages, stage_key, given=given).reasons
    )
    return Parsed(canonical, reasons)


def _stage_reason(mapped: Parsed, stages: pd.Series[Any], stage_key: str, *, given: bool) -> Parsed:
    """Reasons of a stage → status lookup that say which option to extend."""
    reasons = mapped.reasons.to_numpy(dtype=object).copy()
    values = stages.to_numpy(dtype=object)
    unknown = (
        "stage not in stage_status"
        if given
        else "stage not open, won or lost (stage_status= gives each stage its status)"
    )
    for position in np.flatnonzero(~pd.isna(reasons)):
        value = values[position]
        if isinstance(value, np.generic):
            value = value.item()
        blank = isinstance(value, str) and not value.strip()
        if value is None or (isinstance(value, float) and math.isnan(value)) or blank:
            reasons[position] = f"{stage_key}: missing, so the status is unknown"
        else:
            reasons[position] = f"{stage_key}: {unknown}, so the status is unknown: {value!r:.60}"
    return Parsed(mapped.canonical, pd.Series(reasons, index=mapped.reasons.index, dtype=object))


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


@nesting_refused
def from_records(
    records: object,
    mapping: Mapping[str, str] | None = None,
    *,
    table: str = "deals",
    probability_scale: str = "fraction",
    properties: str | None = None,
    source: str = "records",
    stage_status: Mapping[str, str] | None = None,
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
    stage_status : Mapping of str to str, keyword-only, optional
        For deals: each stage name → ``"open"``, ``"won"`` or ``"lost"`` (compared
        without regard to case), to derive a deal's status from its stage, e.g.
        ``{"Closed Won": "won", "Closed Lost": "lost", "Proposal": "open"}``. A deal
        whose own status field has a value keeps it; one whose stage is missing from
        the table is rejected, naming the stage.

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
    SchemaError
        Two fields of the records differ only in case and would both match a mapped
        name (``"Amount"`` and ``"amount"``).
    InvalidInputError
        ``table``, ``mapping``, ``probability_scale``, ``properties``, ``source`` or
        ``stage_status`` is invalid.

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

    Field names are matched exactly, else without regard to case (``amount`` for
    ``Amount``); two fields that differ only in case are refused as ambiguous. The
    ``stage`` and ``status`` columns may read the same field: its values are then
    stages, and ``stage_status`` (by default only ``open``, ``won`` and ``lost``)
    gives each its status.

    An unreadable value in an optional column (:data:`salescore.adapters.OPTIONAL`:
    an owner, an account, a creation or close date, a forecast category, a source,
    a lost reason) does not reject the row: the value is left empty and a warning
    counts such rows per column and kind of problem (a date such as ``9999-12-31``,
    a CRM's "no end date", is one). Timestamps come out as naive ``datetime64[ns]``
    in UTC, dates as midnight.

    References
    ----------
    .. [1] The canonical tables: see "Schema and CRM adapters" in the API reference of
       the documentation (section "The canonical tables").

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
    >>> float((result.frame["value"] * result.frame["probability"]).sum())  # Nutshell's figures
    31947.0
    >>> result.rejected[["Id", "Worth", "reason"]]
        Id      Worth                                     reason
    2  P-3  34.500,00  Worth: not a plain number: '34.500,00'

    An empty list imports to an empty table:

    >>> from_records([], {"deal_id": "Id", "value": "Worth"}).frame.shape
    (0, 13)
    """
    spec = _options(table, probability_scale)
    option_column("properties", properties, optional=True)
    if not isinstance(source, str) or not source:  # type: ignore[redundant-expr]
        raise InvalidInputError(
            f"source must be a non-empty str; got {type(source).__name__} {source!r:.60}"
        )
    fields = _fields(spec, mapping)
    statuses = _stage_status(stage_status)
    if statuses is not None and table != "deals":
        raise InvalidInputError(f"stage_status is for table='deals'; got table={table!r}")
    raw = records_frame(records, source=source, properties=properties)
    explicit = set(mapping or {})
    found = match_fields(raw, fields, source=source, exact=explicit)
    fields = {name: found.get(name, key) for name, key in fields.items()}
    shared = table == "deals" and fields["stage"] == fields["status"]
    if shared and statuses is None:
        statuses = {status: status for status in STATUSES}
    derive = statuses is not None and fields["stage"] in raw.columns
    needed = [
        column.name
        for column in spec
        if (column.required or not column.nullable)
        and (table, column.name) not in _DEFAULTS
        and not (derive and column.name == "status")
    ]
    if stage_status is not None:  # the status is to come from the stage: it must be there
        needed.append("stage")
    require_fields(raw, [fields[name] for name in needed], source=source)
    columns: dict[str, Parsed] = {}
    for column in spec:
        key = fields[column.name]
        if derive and column.name == "status" and statuses is not None:
            columns["status"] = _derived_status(
                raw, fields["stage"], key, statuses, given=stage_status is not None
            )
        elif key in raw.columns:
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
    key_field = fields[spec.key] if spec.key is not None else None
    return assemble(table, raw, columns, source=source, warnings=warnings, id_field=key_field)


def _json_value(value: object, kind: str) -> object:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if kind in ("date", "timestamp"):
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
        if kind == "date":
            return stamp.date().isoformat()
        # A naive timestamp means UTC (the canonical convention); write its offset.
        utc = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        return utc.isoformat()
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


@nesting_refused
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
        strings in UTC with their offset (``"2024-03-04T09:30:00+00:00"``; a naive
        timestamp is read as UTC), numbers as ``float``, flags as ``bool``.

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
