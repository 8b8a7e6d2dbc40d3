"""Odoo CRM opportunities (``crm.lead``) as the canonical deals table.

Odoo's external API (JSON-RPC or XML-RPC ``read`` / ``search_read`` on ``crm.lead``)
returns one dict per lead or opportunity. Its conventions: an empty field is ``false``,
not null; a many-to-one field is a pair ``[id, "display name"]`` (or ``false``);
``probability`` is a percentage (0–100); datetimes such as ``create_date`` are
``"YYYY-MM-DD HH:MM:SS"`` in UTC, dates such as ``date_deadline`` ``"YYYY-MM-DD"``. An
export (the "Export" dialog, read into a DataFrame) has the same fields with the
many-to-one ones as display names. The stages (``crm.stage``: ``id``, ``name``,
``is_won``) tell which stage is a won one; pass them as ``stages``.

=============================== ==========================================================
canonical column                ``crm.lead`` field
=============================== ==========================================================
``deal_id``                     ``id``
``account_id``                  ``partner_id`` (the id of the pair, or the exported name)
``owner``                       ``user_id`` (the name of the pair, or the exported name)
``stage``                       ``stage_id`` (the stage's name)
``value``                       ``expected_revenue`` (required)
``probability``                 ``probability`` / 100, else ``prorated_revenue`` /
                                ``expected_revenue`` (one of them required)
``currency``                    ``company_currency`` (its code)
``created``                     ``create_date``
``close_date``                  ``date_closed`` when won or lost, else ``date_deadline``
``status``                      won: probability 100 in a won stage; lost: archived
                                (``active`` false) at probability 0; else open
``source``                      ``source_id`` (its name)
``lost_reason``                 ``lost_reason_id`` (Odoo 16 and later) or ``lost_reason``
=============================== ==========================================================

Odoo's ``prorated_revenue`` is ``expected_revenue × probability / 100``, rounded to the
cent: the canonical ``value × probability``.

The field names and formats are Odoo's, from its documentation (`External API
<https://www.odoo.com/documentation/17.0/developer/reference/external_api.html>`__) and
its source (``addons/crm/models/crm_lead.py``: the fields ``expected_revenue``,
``prorated_revenue``, ``probability``, ``active``, ``lost_reason_id`` and the rule of
``_compute_won_status``; ``addons/crm/models/crm_stage.py``: ``is_won``), version 17.0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final, TypeGuard

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import InvalidInputError, SchemaError
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

_SOURCE: Final = "odoo"
# Fields whose false is a value, not Odoo's marker of an empty field.
_FLAGS: Final = frozenset({"active", "is_won"})
_TYPES: Final = {"opportunity": "opportunity", "lead": "lead"}

ObjectArray = npt.NDArray[np.object_]
# What pandas infers for a column without objects or lists in it.
_PLAIN: Final = frozenset({"empty", "string", "integer", "floating", "mixed-integer-float"})
BoolArray = npt.NDArray[np.bool_]
_Stages = tuple[dict[int, tuple[str, bool]], dict[str, set[bool]]]


# ------------------------------------------------------------------ Odoo's encodings


def _unwrap(records: object) -> object:
    """The records of a JSON-RPC response body (``{"jsonrpc": "2.0", "result": [...]}``)."""
    if isinstance(records, Mapping):
        if "error" in records:
            error = records["error"]
            message = error.get("message") if isinstance(error, Mapping) else error
            raise SchemaError(f"odoo: the response is an error, not records: {message!r:.120}")
        if "result" in records:
            records = records["result"]
        if isinstance(records, Mapping) and "records" in records:  # web_search_read
            records = records["records"]
    return records


def _is_false(value: object) -> bool:
    return isinstance(value, (bool, np.bool_)) and not value


def _without_false(raw: pd.DataFrame) -> pd.DataFrame:
    """Odoo's ``false`` for an empty field as None, except in true/false fields."""
    out = raw.copy()
    for name in out.columns:
        if name in _FLAGS:
            continue
        column = out[name]
        if pd.api.types.is_bool_dtype(column.dtype) or column.dtype == object:
            objects = column.to_numpy(dtype=object).copy()
            falsy = np.fromiter((_is_false(v) for v in objects), dtype=bool, count=len(objects))
            if falsy.any():
                objects[falsy] = None
                out[name] = pd.Series(objects, index=out.index, dtype=object)
    return out


def _is_pair(value: object) -> TypeGuard[list[Any] | tuple[Any, ...]]:
    return isinstance(value, (list, tuple)) and len(value) == 2


def _part(values: pd.Series[Any], which: int) -> pd.Series[Any]:
    """The id (0) or the display name (1) of each ``[id, name]`` pair; others as given."""
    if pd.api.types.infer_dtype(values, skipna=True) in _PLAIN:
        return values  # an export: names or ids, no pairs
    objects = values.to_numpy(dtype=object).copy()
    for position, value in enumerate(objects):
        if _is_pair(value):
            objects[position] = value[which]
    return pd.Series(objects, index=values.index, dtype=object)


def _integer(value: object) -> int | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and value == int(value):
        return int(value)
    return None


def _stage_table(stages: object) -> _Stages:
    """Stage id → (name, is_won), and stage name → the is_won values of that name."""
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
            "stages must be Odoo's crm.stage records (a list of dicts with id, name and "
            f"is_won, a JSON-RPC response body, or a DataFrame); got {stages!r:.60}"
        )
    by_id: dict[int, tuple[str, bool]] = {}
    by_name: dict[str, set[bool]] = {}
    for row in rows:
        key = _integer(row.get("id"))
        name = row.get("name")
        won = row.get("is_won", False)
        if key is None or not isinstance(name, str) or not isinstance(won, (bool, np.bool_)):
            raise InvalidInputError(
                "stages: each stage needs an integer id, a name and is_won true or false; "
                f"got {dict(row)!r:.100}"
            )
        by_id[key] = (name, bool(won))
        by_name.setdefault(name, set()).add(bool(won))
    return by_id, by_name


def _memo_key(value: object) -> object:
    """A hashable stand-in for a raw value (a pair by its parts' types and values)."""
    if isinstance(value, (list, tuple)):
        value = tuple((type(part), part) for part in value)
    try:
        hash(value)
    except TypeError:
        return None
    return (type(value), value)


def _stage_of(value: object, table: _Stages | None) -> tuple[str | None, bool | None, str | None]:
    """One raw stage_id: the stage's name, whether it is won (None: unknown), a reason."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, (None if table is None else False), None  # no stage is no won stage
    pair_name = value[1] if _is_pair(value) else None
    key = _integer(value[0] if _is_pair(value) else value)
    name = value if isinstance(value, str) and value.strip() else None
    unknown = f"stage_id: unknown stage {value!r:.60} (not in stages)"
    if key is None and name is None:
        return None, None, f"stage_id: not a stage: {value!r:.60}"
    if table is None:
        return (pair_name if isinstance(pair_name, str) else (name or str(key))), None, None
    if key is not None:
        return (*table[0][key], None) if key in table[0] else (None, None, unknown)
    flags = table[1].get(name, set()) if name is not None else set()
    if len(flags) == 1:
        return name, next(iter(flags)), None
    if flags:
        return None, None, f"stage_id: stages named {name!r} differ in is_won; give ids"
    return None, None, unknown


def _stages_of(
    values: pd.Series[Any], table: _Stages | None
) -> tuple[ObjectArray, ObjectArray, pd.Series[Any]]:
    """Per row: the stage's name, whether it is a won stage (None: unknown), a reason."""
    n = len(values)
    out = np.full((3, n), None, dtype=object)
    seen: dict[object, tuple[str | None, bool | None, str | None]] = {}
    for position, value in enumerate(values.to_numpy(dtype=object)):
        key = _memo_key(value)
        found = seen.get(key) if key is not None else None
        if found is None:
            found = _stage_of(value, table)
            if key is not None:
                seen[key] = found
        out[:, position] = found
    return out[0], out[1], pd.Series(out[2], index=values.index, dtype=object)


def _either(use: BoolArray, first: Parsed, second: Parsed) -> Parsed:
    """``first`` where ``use`` holds and it has a value, else ``second``; both reasons."""
    chosen = first.canonical.where(use & first.canonical.notna(), second.canonical)
    out = first.reasons.to_numpy(dtype=object).copy()
    empty = pd.isna(out)
    out[empty] = second.reasons.to_numpy(dtype=object)[empty]
    return Parsed(chosen, pd.Series(out, index=chosen.index, dtype=object))


# ------------------------------------------------------------------ the adapter


@nesting_refused
def deals(records: object, *, stages: object = None) -> ImportResult:
    """Import Odoo CRM opportunities (``crm.lead``) into the canonical deals table.

    Parameters
    ----------
    records : list of dict, dict or DataFrame
        ``crm.lead`` records as ``read`` / ``search_read`` return them (with ``false``
        for empty fields and ``[id, name]`` pairs), the body of a JSON-RPC response
        (``{"jsonrpc": "2.0", "result": [...]}``), or an export (a DataFrame whose
        columns are the field names, many-to-one fields as display names).
    stages : dict, list of dict or DataFrame, keyword-only, optional
        The ``crm.stage`` records (``id``, ``name``, ``is_won``), to tell won stages
        and to check each lead's stage.

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
        DataFrame, it is a JSON-RPC error, or no record has an ``id``, an
        ``expected_revenue`` or a ``probability``.
    InvalidInputError
        ``stages`` is not a stages table (a stage without an integer id, a name or a
        true/false ``is_won``).

    See Also
    --------
    salescore.adapters.from_records : any other CRM.

    Notes
    -----
    Odoo's own rule (``_compute_won_status``, Odoo 16 and later) gives the status:
    won at probability 100 in a stage with ``is_won``, lost when archived (``active``
    false) at probability 0, open otherwise. Without ``stages`` the won stages are
    unknown, and a lead at probability 100 is taken as won (Odoo's rule before 16),
    with a warning. An archived lead that is neither won nor lost is rejected as
    ``"archived"``; a record of ``type`` ``"lead"`` (not yet an opportunity, outside
    the pipeline) as ``"lead, not an opportunity"``. Without an ``active`` field every
    record is taken as active (Odoo's search leaves archived records out unless asked),
    with a warning.

    A record whose ``probability`` is empty takes the probability Odoo weighted it
    by, its own ``prorated_revenue`` / ``expected_revenue`` (when the revenue is
    positive). The owner is the salesperson's name, the second part of the
    ``user_id`` pair (an export holds the name already).

    A record is also rejected, with its reason, when it has no id, no expected
    revenue or probability (nor a prorated revenue to read it from), a negative
    revenue, a probability outside 0–100, a date
    that does not parse, a stage missing from ``stages``, a close date before its
    creation date, or an id that another record carries too (every such record is
    rejected). ``false`` is read as an empty value everywhere but in ``active``.

    References
    ----------
    .. [1] Odoo documentation, "External API",
       https://www.odoo.com/documentation/17.0/developer/reference/external_api.html
    .. [2] Odoo source, ``addons/crm/models/crm_lead.py`` and
       ``addons/crm/models/crm_stage.py`` (version 17.0).

    Examples
    --------
    >>> from salescore.adapters import odoo
    >>> records = [
    ...     {"id": 41, "active": True, "stage_id": [2, "Qualified"], "probability": 12.0,
    ...      "expected_revenue": 27600.0, "company_currency": [1, "EUR"],
    ...      "date_deadline": "2024-06-28", "user_id": [2, "Mitchell Admin"]},
    ...     {"id": 43, "active": True, "stage_id": [4, "Won"], "probability": 100.0,
    ...      "expected_revenue": 34500.0, "company_currency": [1, "EUR"],
    ...      "date_deadline": False, "user_id": False},
    ...     {"id": 44, "active": False, "stage_id": [2, "Qualified"], "probability": 0.0,
    ...      "expected_revenue": 4000.0, "company_currency": [1, "EUR"],
    ...      "lost_reason_id": [1, "Too expensive"], "date_deadline": False, "user_id": False},
    ... ]
    >>> stages = [{"id": 2, "name": "Qualified", "is_won": False},
    ...           {"id": 4, "name": "Won", "is_won": True}]
    >>> result = odoo.deals(records, stages=stages)
    >>> result.frame[["deal_id", "owner", "stage", "probability", "status", "lost_reason"]]
       deal_id           owner      stage  probability status    lost_reason
    0       41  Mitchell Admin  Qualified         0.12   open           None
    1       43            None        Won         1.00    won           None
    2       44            None  Qualified         0.00   lost  Too expensive
    >>> first = result.frame.iloc[0]  # Nutshell's figures: 27,600 at 12 %
    >>> float(first["value"] * first["probability"])
    3312.0

    An archived record still in play is rejected:

    >>> odoo.deals([dict(records[0], active=False)]).rejected["reason"].tolist()
    ['archived']
    """
    table = None if stages is None else _stage_table(stages)
    received = records_frame(_unwrap(records), source=_SOURCE)
    require_fields(received, ["id", "expected_revenue", "probability"], source=_SOURCE)
    raw = _without_false(received)
    index = raw.index
    n = len(raw)
    warnings: list[str] = []

    probability = _probability(raw)
    certain = (probability.canonical == 1.0).to_numpy(dtype=bool)
    nothing = (probability.canonical == 0.0).to_numpy(dtype=bool)
    labels, won_stage, stage_reasons = _stages_of(field(raw, "stage_id"), table)
    if "active" in raw.columns:
        active = parse_bool(field(raw, "active"), field="active", required=True)
    else:
        active = Parsed(
            pd.Series(True, index=index, dtype=object), pd.Series(None, index=index, dtype=object)
        )
        if n:
            warnings.append(
                "the records have no 'active' field: every one is taken as active, so none "
                "is lost (read 'active' too, with active_test off, to import lost ones)"
            )
    archived = np.equal(active.canonical.to_numpy(dtype=object), False)
    if table is None:
        won = certain
        guessed = int((won & pd.isna(probability.reasons).to_numpy(dtype=bool)).sum())
        if guessed:
            leads_text = "1 record is" if guessed == 1 else f"{guessed} records are"
            warnings.append(
                f"{leads_text} at probability 100 and taken as won: no stages were given "
                "to tell won stages (pass stages=, the crm.stage records with is_won)"
            )
    else:
        won = certain & np.equal(won_stage, True)
    lost = ~won & archived & nothing
    status = np.where(won, "won", np.where(lost, "lost", "open")).astype(object)
    kind = parse_choice(field(raw, "type"), field="type", choices=_TYPES)
    is_lead = np.equal(kind.canonical.to_numpy(dtype=object), "lead")

    closed = won | lost
    close_date = _either(
        closed,
        parse_date(field(raw, "date_closed"), field="date_closed"),
        parse_date(field(raw, "date_deadline"), field="date_deadline"),
    )
    reason_field = "lost_reason_id" if "lost_reason_id" in raw.columns else "lost_reason"
    columns = {
        "deal_id": parse_id(field(raw, "id"), field="id"),
        "account_id": parse_id(
            _part(field(raw, "partner_id"), 0), field="partner_id", required=False
        ),
        "owner": parse_text(_part(field(raw, "user_id"), 1), field="user_id", numbers=True),
        "stage": Parsed(pd.Series(labels, index=index, dtype=object), stage_reasons),
        "value": parse_money(
            field(raw, "expected_revenue"), field="expected_revenue", required=True
        ),
        "probability": probability,
        "currency": parse_currency(
            _part(field(raw, "company_currency"), 1), field="company_currency"
        ),
        "created": parse_timestamp(field(raw, "create_date"), field="create_date"),
        "close_date": close_date,
        "status": Parsed(
            pd.Series(status, index=index, dtype=object),
            _first_reason(active.reasons, kind.reasons),
        ),
        "source": parse_text(_part(field(raw, "source_id"), 1), field="source_id"),
        "lost_reason": parse_text(_part(field(raw, reason_field), 1), field=reason_field),
    }
    return assemble(
        "deals",
        received,
        columns,
        source=_SOURCE,
        extra_reasons=[
            reasons_where(is_lead, "lead, not an opportunity (type 'lead')", index),
            reasons_where(archived & ~won & ~lost & ~is_lead, "archived", index),
        ],
        warnings=warnings,
        id_field="id",
    )


def _probability(raw: pd.DataFrame) -> Parsed:
    """``probability`` / 100, else the record's own ``prorated_revenue`` / ``expected_revenue``.

    Odoo computes ``prorated_revenue`` as ``expected_revenue × probability / 100``, so
    where ``probability`` is empty (``false``) the ratio is the probability it used;
    it is read only where ``expected_revenue`` is positive.
    """
    own = parse_probability(field(raw, "probability"), field="probability", scale="percent")
    lacking = own.canonical.isna() & own.reasons.isna()
    revenue = parse_money(field(raw, "expected_revenue"), field="expected_revenue")
    share = weighted_share(
        parse_money(field(raw, "prorated_revenue"), field="prorated_revenue"),
        revenue.canonical.to_numpy(dtype=np.float64),
        field="prorated_revenue",
        whole="expected_revenue",
    )
    values = own.canonical.where(~lacking, share.canonical)
    reasons = own.reasons.where(~lacking, share.reasons)
    still = lacking & values.isna() & reasons.isna()
    reasons[still] = "probability: missing (and no prorated_revenue to read it from)"
    return Parsed(values.astype(np.float64), reasons.astype(object))


def _first_reason(first: pd.Series[Any], second: pd.Series[Any]) -> pd.Series[Any]:
    out = first.to_numpy(dtype=object).copy()
    empty = pd.isna(out)
    out[empty] = second.to_numpy(dtype=object)[empty]
    return pd.Series(out, index=first.index, dtype=object)
