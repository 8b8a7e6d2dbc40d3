"""Pipedrive deals as the canonical deals table.

Pipedrive's API (v1) returns deals as ``{"success": true, "data": [...]}``: ``value``
a number in the deal's ``currency``, ``probability`` a percentage (0–100) or null,
``status`` one of ``open``, ``won``, ``lost`` and ``deleted``, times such as
``add_time`` as ``"YYYY-MM-DD HH:MM:SS"`` in UTC, ``expected_close_date`` as
``"YYYY-MM-DD"``, and ``user_id`` / ``org_id`` as objects (``{"id": 9001, "name": ...}``,
``{"value": 501, "name": ...}``) or plain ids. API v2 names the owner ``owner_id`` and
flags deleted deals with ``is_deleted``; both shapes are read. The stages
(``GET /v1/stages``) give each ``stage_id`` its name and ``deal_probability``, the
probability of a deal that has none of its own; pass them as ``stages``.

=============================== ==========================================================
canonical column                Pipedrive field
=============================== ==========================================================
``deal_id``                     ``id``
``account_id``                  ``org_id`` (its ``value`` or ``id`` when an object)
``owner``                       the name in ``user_id`` (v1) or ``owner_name``, else the
                                id in ``user_id`` / ``owner_id`` (v2) as text
``stage``                       ``stage_id``: the stage's ``name`` from ``stages``, else the id
``value``                       ``value`` (required)
``probability``                 ``probability`` / 100, else ``weighted_value`` / ``value``,
                                else the stage's ``deal_probability``
``currency``                    ``currency``
``created``                     ``add_time``
``close_date``                  ``won_time`` / ``lost_time`` (else ``close_time``) when
                                closed, ``expected_close_date`` when open
``status``                      ``status``
``lost_reason``                 ``lost_reason``
=============================== ==========================================================

Pipedrive's ``weighted_value`` (v1) is ``value × probability / 100``, with the stage's
probability standing in for a missing one: the canonical ``value × probability``.

The field names and formats are Pipedrive's, from its API reference (`Deals
<https://developers.pipedrive.com/docs/api/v1/Deals>`__, `Stages
<https://developers.pipedrive.com/docs/api/v1/Stages>`__) and the field descriptions of
its generated API clients (``pipedrive/client-php``, ``docs/Model/``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import InvalidInputError
from ._core import (
    ImportResult,
    Parsed,
    assemble,
    field,
    nesting_refused,
    parse_bool,
    parse_choice,
    parse_currency,
    parse_date,
    parse_id,
    parse_money,
    parse_probability,
    parse_text,
    parse_timestamp,
    reasons_where,
    records_frame,
    require_fields,
    weighted_share,
)

__all__ = ["deals"]

_SOURCE: Final = "pipedrive"
_STATUSES: Final = {"open": "open", "won": "won", "lost": "lost", "deleted": "deleted"}

ObjectArray = npt.NDArray[np.object_]
# What pandas infers for a column without objects or lists in it.
_PLAIN: Final = frozenset({"empty", "string", "integer", "floating", "mixed-integer-float"})


def _unwrap(records: object) -> object:
    """The list of a response body (``{"success": true, "data": [...]}``); null data is []."""
    if isinstance(records, Mapping) and "data" in records:
        data = records["data"]
        return [] if data is None else data
    return records


def _integer_key(value: object) -> int | None:
    """An id as int (from an int, an integral float or a string of digits), else None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and value == int(value):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _reference(values: pd.Series[Any], key: str) -> pd.Series[Any]:
    """The id inside each object-valued reference (``user_id`` / ``org_id``); others as is."""
    if pd.api.types.infer_dtype(values, skipna=True) in _PLAIN:
        return values  # plain ids (API v2, an export): nothing to take out
    objects = values.to_numpy(dtype=object).copy()
    for position, value in enumerate(objects):
        if isinstance(value, Mapping):
            inner = value.get(key, value.get("id"))
            objects[position] = inner if not isinstance(inner, Mapping) else None
    return pd.Series(objects, index=values.index, dtype=object)


def _stage_table(stages: object) -> dict[int, tuple[str, float]]:
    """Each stage id → (name, deal probability as a fraction, NaN when not given)."""
    stages = _unwrap(stages)
    if isinstance(stages, pd.DataFrame):
        rows: list[Mapping[Any, Any]] = [
            {str(name): value for name, value in row.items()}
            for row in stages.to_dict(orient="records")
        ]
    elif isinstance(stages, (list, tuple)) and all(isinstance(s, Mapping) for s in stages):
        rows = list(stages)
    else:
        raise InvalidInputError(
            "stages must be Pipedrive's stages (the body of GET /v1/stages, its list of "
            f"stages, or a DataFrame with id, name, deal_probability); got {stages!r:.60}"
        )
    table: dict[int, tuple[str, float]] = {}
    for row in rows:
        key = _integer_key(row.get("id"))
        if key is None:
            raise InvalidInputError(f"stages: a stage has no integer id: {dict(row)!r:.80}")
        name = row.get("name")
        chance = row.get("deal_probability")
        if chance is None or (isinstance(chance, float) and math.isnan(chance)):
            fraction = math.nan
        elif (
            isinstance(chance, (int, float, np.integer, np.floating))
            and not isinstance(chance, (bool, np.bool_))
            and 0 <= chance <= 100
        ):
            fraction = float(chance) / 100.0
        else:
            raise InvalidInputError(
                f"stages: stage {key} deal_probability must be a percentage from 0 to 100; "
                f"got {chance!r:.60}"
            )
        table[key] = (name if isinstance(name, str) and name.strip() else str(key), fraction)
    return table


def _stage_of(
    value: object, table: dict[int, tuple[str, float]] | None
) -> tuple[str | None, float, str | None]:
    """One raw stage_id: the stage's label, its deal probability (NaN: unknown), a reason."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, math.nan, None
    key = _integer_key(value)
    if key is None:
        return None, math.nan, f"stage_id: not a stage id: {value!r:.60}"
    if table is None:
        return str(key), math.nan, None
    if key in table:
        return (*table[key], None)
    return None, math.nan, f"stage_id: unknown stage {key} (not in stages)"


def _stages_of(
    raw: pd.Series[Any], table: dict[int, tuple[str, float]] | None
) -> tuple[ObjectArray, npt.NDArray[np.float64], pd.Series[Any]]:
    """Per row: the stage's label, its deal probability (NaN if unknown), a reason."""
    n = len(raw)
    labels = np.full(n, None, dtype=object)
    chances = np.full(n, np.nan)
    reasons = np.full(n, None, dtype=object)
    seen: dict[object, tuple[str | None, float, str | None]] = {}
    for position, value in enumerate(raw.to_numpy(dtype=object)):
        try:
            key: object = (type(value), value)
            found = seen.get(key)
        except TypeError:  # an unhashable value, such as an object where an id belongs
            key, found = None, None
        if found is None:
            found = _stage_of(value, table)
            if key is not None:
                seen[key] = found
        labels[position], chances[position], reasons[position] = found
    return labels, chances, pd.Series(reasons, index=raw.index, dtype=object)


def _owner_field(raw: pd.DataFrame) -> str:
    return "user_id" if "user_id" in raw.columns or "owner_id" not in raw.columns else "owner_id"


def _close_dates(raw: pd.DataFrame, codes: ObjectArray) -> Parsed:
    """The actual close date of a closed deal, the expected one of an open deal.

    A won deal's ``won_time``, a lost deal's ``lost_time``, either's ``close_time`` when
    that is missing (and its ``expected_close_date`` when both are); an open deal's
    ``expected_close_date``. A field that does not parse rejects the row whichever field
    is used.
    """
    parsed = {
        name: parse_date(field(raw, name), field=name)
        for name in ("won_time", "lost_time", "close_time", "expected_close_date")
    }
    won = np.equal(codes, "won")
    lost = np.equal(codes, "lost")
    days = parsed["expected_close_date"].canonical.where(~(won | lost))
    days = days.mask(won, parsed["won_time"].canonical).mask(lost, parsed["lost_time"].canonical)
    days = days.mask((won | lost) & days.isna().to_numpy(), parsed["close_time"].canonical)
    days = days.mask(days.isna().to_numpy(), parsed["expected_close_date"].canonical)
    # Only the fields a row's status makes it read can give it a reason.
    closed = won | lost
    used = {
        "won_time": won,
        "lost_time": lost,
        "close_time": closed,
        "expected_close_date": np.ones(len(raw), dtype=bool),
    }
    reasons = np.full(len(raw), None, dtype=object)
    for name, part in parsed.items():
        empty = pd.isna(reasons) & used[name]
        reasons[empty] = part.reasons.to_numpy(dtype=object)[empty]
    return Parsed(days, pd.Series(reasons, index=raw.index, dtype=object))


def _owners(raw: pd.DataFrame, key: str) -> Parsed:
    """Each deal's owner: the name in the ``user_id`` object, or ``owner_name``, else the id.

    API v1 writes ``user_id`` as ``{"id": 9001, "name": "Kari Nordmann", ...}`` and
    also ``owner_name``; API v2 and exports may hold the plain id only.
    """
    values = field(raw, key).to_numpy(dtype=object).copy()
    names = field(raw, "owner_name").to_numpy(dtype=object)
    for position, value in enumerate(values):
        if isinstance(value, Mapping):
            inner = value.get("name")
            if not (isinstance(inner, str) and inner.strip()):
                inner = value.get("id", value.get("value"))
            values[position] = inner if not isinstance(inner, Mapping) else None
        named = names[position]
        if isinstance(named, str) and named.strip() and not isinstance(values[position], str):
            values[position] = named
    field_name = key if "owner_name" not in raw.columns else f"{key} / owner_name"
    series = pd.Series(values, index=raw.index, dtype=object)
    return parse_text(series, field=field_name, numbers=True)


@nesting_refused
def deals(records: object, *, stages: object = None) -> ImportResult:
    """Import Pipedrive deals into the canonical deals table, accounting for every row.

    Parameters
    ----------
    records : list of dict, dict or DataFrame
        Deals as the API returns them (v1 or v2), the body of a list response
        (``{"success": true, "data": [...]}``), or an export whose columns carry the
        API's field names.
    stages : dict, list of dict or DataFrame, keyword-only, optional
        Pipedrive's stages (the body of ``GET /v1/stages``, its list, or a frame with
        ``id``, ``name`` and ``deal_probability``), for stage names and the probability
        of deals that have none.

    Returns
    -------
    ImportResult
        The canonical deals (index: input position), the rejected records with their
        values as received and a ``reason``, warnings and counts;
        ``accepted + n_rejected == rows_in``.

    Raises
    ------
    SchemaError
        The whole call: ``records`` is not a list of mappings, a response body or a
        DataFrame, or no record has an ``id``, a ``value`` or a ``status``.
    InvalidInputError
        ``stages`` is not a stages table (a stage without an integer id, a
        ``deal_probability`` outside 0–100).

    See Also
    --------
    salescore.adapters.from_records : any other CRM.

    Notes
    -----
    ``probability`` is a percentage, divided by 100; a value outside 0–100 is
    rejected. A deal whose ``probability`` is null takes the probability Pipedrive
    itself weighted it by: its own ``weighted_value`` / ``value`` (when ``value`` is
    positive; a ``weighted_value`` above the value is rejected). Without a
    ``weighted_value`` it takes its stage's ``deal_probability`` when ``stages`` is
    given, as Pipedrive's weighted value does; without either, it is kept with a
    missing probability and a warning counts such deals (a missing probability
    propagates as NaN through every forecast).

    The owner is the user's name where the record carries it (the ``name`` of the
    v1 ``user_id`` object, or ``owner_name``), else the user id as text (API v2's
    ``owner_id``). An unreadable optional field (a date that does not parse or
    lies beyond 2262, an owner) is left empty with a counted warning; the deal is
    kept.

    A deal is rejected, with its reason, when its status is ``"deleted"`` or it is
    flagged ``deleted`` / ``is_deleted`` (``"deleted"``), its status is none of open,
    won, lost, it has no id or no value, a value that is not a plain number
    (``"€3,500"``) or is negative, a time or date that does not parse, a stage
    missing from ``stages``, a close date before its creation date, or an id that
    another record carries too (every such record is rejected).

    References
    ----------
    .. [1] Pipedrive API reference, Deals,
       https://developers.pipedrive.com/docs/api/v1/Deals
    .. [2] Pipedrive API reference, Stages,
       https://developers.pipedrive.com/docs/api/v1/Stages

    Examples
    --------
    >>> from salescore.adapters import pipedrive
    >>> records = [
    ...     {"id": 101, "value": 27600, "currency": "EUR", "probability": 12,
    ...      "status": "open", "stage_id": 2, "add_time": "2024-03-04 09:30:00"},
    ...     {"id": 102, "value": 34500, "currency": "EUR", "probability": None,
    ...      "status": "open", "stage_id": 5, "add_time": "2024-01-10 08:15:00"},
    ...     {"id": 106, "value": 5000, "currency": "EUR", "probability": 50,
    ...      "status": "deleted", "stage_id": 1, "add_time": "2024-02-20 09:00:00"},
    ... ]
    >>> stages = [{"id": 2, "name": "Contact Made", "deal_probability": 20},
    ...           {"id": 5, "name": "Negotiations Started", "deal_probability": 83},
    ...           {"id": 1, "name": "Lead In", "deal_probability": 10}]
    >>> result = pipedrive.deals(records, stages=stages)
    >>> result.frame[["deal_id", "stage", "value", "probability", "status"]]
       deal_id                 stage    value  probability status
    0      101          Contact Made  27600.0         0.12   open
    1      102  Negotiations Started  34500.0         0.83   open
    >>> float((result.frame["value"] * result.frame["probability"]).sum())  # Nutshell's figures
    31947.0
    >>> result.rejected[["id", "status", "reason"]]
        id   status   reason
    2  106  deleted  deleted

    Without ``stages`` the missing probability stays missing, with a warning:

    >>> print(pipedrive.deals(records).warnings[0])
    1 deal has no probability, no weighted_value to read it from and no stages ...

    A null probability is read from the deal's own ``weighted_value``, and the owner
    from the ``user_id`` object's name:

    >>> deal = {"id": 107, "value": 34500, "currency": "EUR", "probability": None,
    ...         "weighted_value": 28635, "status": "open",
    ...         "user_id": {"id": 9001, "name": "Kari Nordmann", "value": 9001}}
    >>> pipedrive.deals([deal]).frame[["owner", "probability"]]
               owner  probability
    0  Kari Nordmann         0.83
    """
    table = None if stages is None else _stage_table(stages)
    raw = records_frame(_unwrap(records), source=_SOURCE)
    require_fields(raw, ["id", "value", "status"], source=_SOURCE)
    index = raw.index

    status = parse_choice(field(raw, "status"), field="status", choices=_STATUSES, required=True)
    codes = status.canonical.to_numpy(dtype=object)
    deleted = np.equal(codes, "deleted")
    for flag in ("deleted", "is_deleted"):
        flags = parse_bool(field(raw, flag), field=flag).canonical.to_numpy(dtype=object)
        deleted |= np.equal(flags, True)

    labels, chances, stage_reasons = _stages_of(field(raw, "stage_id"), table)
    own = parse_probability(field(raw, "probability"), field="probability", scale="percent")
    lacking = own.canonical.isna() & pd.isna(own.reasons)
    value = parse_money(field(raw, "value"), field="value").canonical.to_numpy(dtype=np.float64)
    weighted = weighted_share(
        parse_money(field(raw, "weighted_value"), field="weighted_value"),
        value,
        field="weighted_value",
        whole="the value",
    )
    use_weighted = lacking & weighted.canonical.notna()
    probability_reasons = own.reasons.where(~lacking, weighted.reasons)
    lacking &= ~use_weighted
    probability = own.canonical.where(~use_weighted, weighted.canonical)
    probability = probability.where(~lacking, pd.Series(chances, index=index))
    warnings = []
    if table is None:
        count = int((lacking & ~pd.Series(deleted, index=index) & probability_reasons.isna()).sum())
        if count:
            deals_text = "1 deal has" if count == 1 else f"{count} deals have"
            warnings.append(
                f"{deals_text} no probability, no weighted_value to read it from and no "
                "stages were given to take it from; their probability is missing (pass "
                "stages=, Pipedrive's stages)"
            )

    owner_key = _owner_field(raw)
    columns = {
        "deal_id": parse_id(field(raw, "id"), field="id"),
        "account_id": parse_id(
            _reference(field(raw, "org_id"), "value"), field="org_id", required=False
        ),
        "owner": _owners(raw, owner_key),
        "stage": Parsed(pd.Series(labels, index=index, dtype=object), stage_reasons),
        "value": parse_money(field(raw, "value"), field="value", required=True),
        "probability": Parsed(probability, probability_reasons),
        "currency": parse_currency(field(raw, "currency"), field="currency"),
        "created": parse_timestamp(field(raw, "add_time"), field="add_time"),
        "close_date": _close_dates(raw, codes),
        "status": Parsed(status.canonical.where(~deleted, None), status.reasons),
        "lost_reason": parse_text(field(raw, "lost_reason"), field="lost_reason"),
    }
    return assemble(
        "deals",
        raw,
        columns,
        source=_SOURCE,
        extra_reasons=[reasons_where(deleted, "deleted", index)],
        warnings=warnings,
        id_field="id",
    )
