"""Salesforce opportunities as the canonical deals table.

The ``Opportunity`` importer of :mod:`salescore.adapters.salesforce`: which field is
read for each canonical column (:data:`OPPORTUNITY_FIELDS`, :data:`FLAG_FIELDS`,
dotted paths into sub-records), the status from ``IsClosed`` and ``IsWon`` or else
from the stage (:data:`STANDARD_STAGES`, or the org's own stages), and the check of
Salesforce's ``ExpectedRevenue`` against ``Amount × Probability / 100``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from ...errors import InvalidInputError, SchemaError
from ...pipeline.presets import SALESFORCE_STAGE_PROBABILITIES
from .._core import (
    ImportResult,
    Parsed,
    assemble,
    field,
    match_fields,
    nesting_refused,
    parse_bool,
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
from ._records import SOURCE, _deleted, _records

__all__ = ["FLAG_FIELDS", "OPPORTUNITY_FIELDS", "STANDARD_STAGES", "opportunities"]

#: The Salesforce field read for each canonical deals column; ``fields=`` overrides
#: them (e.g. ``{"lost_reason": "Loss_Reason__c"}``: Salesforce has no standard field
#: for why a deal was lost).
OPPORTUNITY_FIELDS: Final = {
    "deal_id": "Id",
    "account_id": "AccountId",
    "owner": "OwnerId",
    "stage": "StageName",
    "value": "Amount",
    "probability": "Probability",
    "currency": "CurrencyIsoCode",
    "created": "CreatedDate",
    "close_date": "CloseDate",
    "source": "LeadSource",
}
#: The flags read for a deal's status and for records in the Recycle Bin; ``fields=``
#: overrides them too (``{"is_closed": "is_closed__c"}``).
FLAG_FIELDS: Final = {"is_closed": "IsClosed", "is_won": "IsWon", "is_deleted": "IsDeleted"}

#: Salesforce's standard opportunity stages (the ``OpportunityStage`` standard value set
#: of a new org) and the status each stands for: the status of a record without
#: ``IsClosed`` and ``IsWon`` is read from its ``StageName`` through this table, or
#: through the org's own stages given as ``stages=``.
STANDARD_STAGES: Final[Mapping[str, str]] = MappingProxyType(
    {
        name: ("won" if chance == 1.0 else "lost" if chance == 0.0 else "open")
        for name, chance in SALESFORCE_STAGE_PROBABILITIES.items()
    }
)
_OTHER_FIELDS: Final = {
    "forecast_category": "ForecastCategory",
    "forecast_category_name": "ForecastCategoryName",
    "expected_revenue": "ExpectedRevenue",
}
_CENT: Final = 0.005  # ExpectedRevenue is rounded to the currency's cents


def _fields(fields: object) -> tuple[dict[str, str], set[str]]:
    """The field of each key (canonical columns and flags), and the keys the caller named."""
    defaults = {**OPPORTUNITY_FIELDS, **FLAG_FIELDS}
    if fields is None:
        return defaults, set()
    if not isinstance(fields, Mapping):
        raise InvalidInputError(
            f"fields must map canonical deals columns to Salesforce fields; "
            f"got {type(fields).__name__}"
        )
    allowed = (*OPPORTUNITY_FIELDS, "forecast_category", "lost_reason", *FLAG_FIELDS)
    unknown = [name for name in fields if name not in allowed]
    if unknown or not all(isinstance(value, str) for value in fields.values()):
        raise InvalidInputError(
            f"fields: keys must be among {', '.join(allowed)} and values field names; "
            f"got {dict(fields)!r:.200}"
        )
    return {**defaults, **fields}, set(fields)


def _stage_statuses(stages: object) -> dict[str, str]:
    """An org's stages as folded name → status, from a mapping or OpportunityStage records."""
    if isinstance(stages, Mapping) and "records" not in stages:
        table: dict[str, str] = {}
        for name, status in stages.items():
            if not isinstance(name, str) or status not in ("open", "won", "lost"):
                raise InvalidInputError(
                    "stages must map stage names to 'open', 'won' or 'lost', or be the org's "
                    f"OpportunityStage records; got {name!r:.40}: {status!r:.40}"
                )
            table[name.strip().casefold()] = str(status)
        return table
    items, _ = _records(stages)
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, Mapping) for i in items):
        raise InvalidInputError(
            "stages must map stage names to 'open', 'won' or 'lost', or be the org's "
            "OpportunityStage records (ApiName or MasterLabel, IsClosed, IsWon); "
            f"got {stages!r:.80}"
        )
    table = {}
    for item in items:
        names = [item.get(key) for key in ("ApiName", "MasterLabel")]
        closed = parse_bool(pd.Series([item.get("IsClosed")], dtype=object), field="IsClosed")
        won = parse_bool(pd.Series([item.get("IsWon")], dtype=object), field="IsWon")
        flags = (closed.canonical.iloc[0], won.canonical.iloc[0])
        if not any(isinstance(name, str) for name in names) or None in flags:
            raise InvalidInputError(
                "stages: each OpportunityStage needs ApiName or MasterLabel, IsClosed and "
                f"IsWon; got {dict(item)!r:.120}"
            )
        status = "won" if flags[1] else "lost" if flags[0] else "open"
        for name in names:
            if isinstance(name, str):
                table[name.strip().casefold()] = status
    return table


def _path(raw: pd.DataFrame, name: str, found: Mapping[str, str]) -> pd.Series[Any]:
    """The values of a field, or of a dotted path into sub-records (``Owner.Name``)."""
    if name in found:
        return field(raw, found[name])
    head, _, rest = name.partition(".")
    if not rest or head not in found:
        return field(raw, name)
    values = field(raw, found[head]).to_numpy(dtype=object).copy()
    for part in rest.split("."):
        for position, value in enumerate(values):
            values[position] = _inner(value, part)
    return pd.Series(values, index=raw.index, dtype=object)


def _inner(value: object, key: str) -> object:
    if not isinstance(value, Mapping):
        return None
    if key in value:
        return value[key]
    folded = [k for k in value if isinstance(k, str) and k.casefold() == key.casefold()]
    return value[folded[0]] if len(folded) == 1 else None


def _resolve(raw: pd.DataFrame, names: Mapping[str, str], explicit: set[str]) -> dict[str, str]:
    """Each key's record field, matched without regard to case or underscores."""
    wanted = {**_OTHER_FIELDS, **names}
    for name in list(wanted.values()):
        head, dot, _ = name.partition(".")
        if dot:
            wanted[head] = head  # a path: find its first part
    return match_fields(raw, wanted, source=SOURCE, exact=explicit, underscores=True)


def _nothing(raw: pd.DataFrame) -> pd.Series[Any]:
    return pd.Series(None, index=raw.index, dtype=object)


def _status(
    closed_values: pd.Series[Any],
    won_values: pd.Series[Any],
    stages: pd.Series[Any],
    names: tuple[str, str, str],
    table: Mapping[str, str],
    *,
    have_flags: bool,
    given: bool,
) -> Parsed:
    """The status (open, won or lost) from IsClosed and IsWon, else from the stage."""
    closed_name, won_name, stage_name = names
    closed = parse_bool(closed_values, field=closed_name)
    won = parse_bool(won_values, field=won_name)
    is_closed = closed.canonical.eq(True).to_numpy(dtype=bool)
    is_won = won.canonical.eq(True).to_numpy(dtype=bool)
    flagged = closed.canonical.notna().to_numpy(dtype=bool) & won.canonical.notna().to_numpy(
        dtype=bool
    )
    status = np.where(is_closed, np.where(is_won, "won", "lost"), "open").astype(object)
    reasons = closed.reasons.fillna(won.reasons).to_numpy(dtype=object).copy()
    impossible = flagged & is_won & ~is_closed & pd.isna(reasons)
    reasons[impossible] = f"{won_name}: true while {closed_name} is false"
    status[~flagged] = None
    # Without the flags, the stage tells: the standard stages or the org's.
    rest = np.flatnonzero(~flagged & pd.isna(reasons))
    if rest.size:
        raw = stages.to_numpy(dtype=object)
        where = "the stages given" if given else "Salesforce's standard stages"
        todo = ("add it to stages=" if given else "pass stages=, your org's stages") + (
            "" if have_flags else f", or read {closed_name} and {won_name}"
        )
        for position in rest:
            value = raw[position]
            key = value.strip().casefold() if isinstance(value, str) else None
            found = table.get(key) if key else None
            if found is not None:
                status[position] = found
            elif key:
                reasons[position] = (
                    f"{stage_name}: not among {where}, so the status is unknown ({todo}): "
                    f"{value!r:.60}"
                )
            else:
                reasons[position] = (
                    f"{stage_name}: missing, and no {closed_name} and {won_name} to tell the status"
                )
    return Parsed(
        pd.Series(status, index=stages.index, dtype=object),
        pd.Series(reasons, index=stages.index, dtype=object),
    )


def _expected_revenue_warning(values: pd.Series[Any], frame: pd.DataFrame) -> list[str]:
    """Compare Salesforce's ExpectedRevenue with value × probability on accepted rows."""
    if values.isna().all() or frame.empty:
        return []
    stated = parse_money(values.loc[frame.index], field="ExpectedRevenue")
    ours = (frame["value"] * frame["probability"]).to_numpy(dtype=np.float64)
    theirs = stated.canonical.to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        off = np.abs(ours - theirs) > _CENT + 1e-9 * np.abs(theirs)
    off &= ~np.isnan(ours) & ~np.isnan(theirs)
    if not off.any():
        return []
    ids = frame["deal_id"].to_numpy(dtype=object)[off]
    shown = ", ".join(repr(deal) for deal in ids[:5]) + (", …" if off.sum() > 5 else "")
    return [
        f"ExpectedRevenue differs from Amount × Probability / 100 for {int(off.sum())} "
        f"{'opportunity' if off.sum() == 1 else 'opportunities'} ({shown}); the forecast "
        "uses Amount and Probability"
    ]


@nesting_refused
def opportunities(
    records: object, *, fields: Mapping[str, str] | None = None, stages: object = None
) -> ImportResult:
    r"""Salesforce opportunities as the canonical deals table.

    Parameters
    ----------
    records : list of dict, query response or DataFrame
        Opportunity records from the API (``"attributes"`` and relationship
        sub-records are ignored unless a path names them), a REST query response
        with its ``records`` (what simple-salesforce's ``query`` and ``query_all``
        return), or an export as a DataFrame: with the API field names as columns,
        in any case (``stagename``), or as warehouse sync tools write them
        (``stage_name``, ``is_closed``).
    fields : Mapping of str to str, keyword-only, optional
        Canonical deals column, or a flag of :data:`FLAG_FIELDS`, → Salesforce
        field, overriding :data:`OPPORTUNITY_FIELDS`; ``lost_reason`` is read only
        when mapped here (to a custom field such as ``Loss_Reason__c``), and
        ``forecast_category`` replaces the ``ForecastCategory`` /
        ``ForecastCategoryName`` pair. A dotted path reads a sub-record:
        ``{"owner": "Owner.Name"}`` after ``SELECT Owner.Name``, or
        ``{"deal_id": "attributes.referenceId"}`` for a data plan.
    stages : Mapping or list of dict, keyword-only, optional
        The org's stages, to read the status of a record without ``IsClosed`` and
        ``IsWon`` from its ``StageName``: a mapping of stage name → ``"open"``,
        ``"won"`` or ``"lost"``, or the ``OpportunityStage`` records (``ApiName`` or
        ``MasterLabel``, ``IsClosed``, ``IsWon``). By default the standard stages
        (:data:`STANDARD_STAGES`).

    Returns
    -------
    ImportResult
        ``table="deals"``: the accepted opportunities (index: input position) and
        the rejected ones with their reasons; ``accepted + n_rejected == rows_in``.

    Raises
    ------
    SchemaError
        The whole call: ``records`` is not a list of mappings, a query response or a
        DataFrame; ``Id`` or ``Amount`` (under their mapped names) is absent from
        every record (the message names the ``fields=`` option for records without
        ``Id``); neither the flags nor ``StageName`` are there; or two fields differ
        only in case or underscores (``Amount`` and ``amount``).
    InvalidInputError
        ``fields`` is not a mapping of known columns to field names, or ``stages`` is
        not a stage table.

    See Also
    --------
    opportunity_history : the stage history of opportunities.
    salescore.adapters.from_records : any other CRM.

    Notes
    -----
    ``Probability`` is a percent field: 83 means 0.83. ``status`` is ``open`` unless
    ``IsClosed``, then ``won`` if ``IsWon``, else ``lost``; a record without those
    flags (a sample app's data plan, an export that left them out) takes the status
    of its ``StageName`` in ``stages`` or the standard stages (``Closed Won`` won,
    ``Closed Lost`` lost, the others open), and an unknown stage rejects it with a
    reason naming ``stages=``. ``forecast_category`` comes from
    ``ForecastCategory``, or ``ForecastCategoryName`` where the former is absent.
    ``CreatedDate`` becomes a naive UTC timestamp; ``CloseDate`` a date.

    Fields are matched by their API names, else without regard to case and
    underscores, so Data Loader exports, lower-case exports and the snake_case
    tables of warehouse sync tools (Fivetran's ``opportunity``: ``id``,
    ``is_closed``, ``is_won``, ``is_deleted``, ``stage_name``, ``close_date``,
    ``created_date``, ``owner_id``, ``currency_iso_code``, ...) are read as they
    are; Fivetran's ``_fivetran_deleted`` true counts as deleted. Without ``Id`` the
    call is refused unless ``fields={"deal_id": ...}`` names another unique field:
    ids are never made up. A query response that is only a first page (``done``
    false) gives a warning.

    Rejected, with a reason each: records in the Recycle Bin (``IsDeleted`` true:
    reason ``"deleted"``); a missing ``Id`` or ``Amount`` (Salesforce lets
    ``Amount`` be empty, the deals table does not); an amount that is not a plain
    number or is negative; a probability outside 0–100; ``IsWon`` without
    ``IsClosed``; an unknown currency code; an ``Id`` given twice; a ``CloseDate``
    before the ``CreatedDate``. An unreadable optional value (an unknown forecast
    category, a ``CreatedDate`` or ``CloseDate`` that does not parse or lies beyond
    2262, such as ``9999-12-31``) is left empty with a counted warning and the
    record is kept. Where the records carry ``ExpectedRevenue``, a warning lists the
    opportunities for which it is not ``Amount × Probability / 100`` to the cent.
    Several currencies are kept row by row, with a warning; they are never summed.

    .. math::

        \text{value} = \text{Amount}, \qquad
        \text{probability} = \text{Probability} / 100

    References
    ----------
    .. [1] Salesforce, "Opportunity", Object Reference for the Salesforce Platform.

    Examples
    --------
    >>> from salescore.adapters import salesforce
    >>> records = [
    ...     {"Id": "006A1", "Amount": 27600.0, "Probability": 12.0,
    ...      "StageName": "Prospecting", "IsClosed": False, "IsWon": False,
    ...      "CloseDate": "2024-06-28", "CreatedDate": "2024-03-04T09:30:00.000+0000"},
    ...     {"Id": "006A2", "Amount": 34500.0, "Probability": 83.0,
    ...      "StageName": "Negotiation", "IsClosed": False, "IsWon": False,
    ...      "ForecastCategory": "BestCase", "ExpectedRevenue": 28635.0},
    ...     {"Id": "006A3", "Amount": None, "Probability": 10.0,
    ...      "StageName": "Prospecting", "IsClosed": False, "IsWon": False},
    ... ]
    >>> result = salesforce.opportunities(records)
    >>> result.frame[["deal_id", "value", "probability", "forecast_category"]]
      deal_id    value  probability forecast_category
    0   006A1  27600.0         0.12              None
    1   006A2  34500.0         0.83         best_case
    >>> float((result.frame["value"] * result.frame["probability"]).sum())  # Nutshell's figures
    31947.0
    >>> result.rejected["reason"].tolist()
    ['Amount: missing']
    >>> salesforce.opportunities([]).accepted
    0
    """
    names, explicit = _fields(fields)
    given = stages is not None
    table = (
        _stage_statuses(stages)
        if given
        else {name.casefold(): status for name, status in STANDARD_STAGES.items()}
    )
    items, notes = _records(records)
    raw = records_frame(items, source=SOURCE)
    found = _resolve(raw, names, explicit)

    def values(key: str) -> pd.Series[Any]:
        if key in found:
            return field(raw, found[key])
        return _path(raw, names[key], found)

    def name(key: str) -> str:
        return found.get(key, names[key])

    if len(raw.columns) and "deal_id" not in found and "." not in names["deal_id"]:
        raise SchemaError(
            f"salesforce: no record has the id field {names['deal_id']!r} (the records have "
            f"{', '.join(repr(str(c)) for c in list(raw.columns)[:12])}); records without Id, "
            "such as a sample app's data plan, need fields={'deal_id': ...} naming a field "
            "that is unique per record (such as 'Name', or 'attributes.referenceId' in a data "
            "plan): ids are never made up"
        )
    require_fields(raw, [name("value")], source=SOURCE)
    have_flags = "is_closed" in found and "is_won" in found
    if not have_flags and "stage" not in found:
        require_fields(raw, [name("is_closed"), name("is_won")], source=SOURCE)
    category_field: str | None
    if "forecast_category" in explicit:
        categories = values("forecast_category")
        category_field = name("forecast_category")
    else:
        categories = field(raw, found.get("forecast_category", "ForecastCategory"))
        category_field = found.get("forecast_category")
        if "forecast_category_name" in found:
            labels = raw[found["forecast_category_name"]]
            categories = categories.where(categories.notna(), labels)
            category_field = category_field or found["forecast_category_name"]
    status = _status(
        values("is_closed") if "is_closed" in found else _nothing(raw),
        values("is_won") if "is_won" in found else _nothing(raw),
        values("stage"),
        (name("is_closed"), name("is_won"), name("stage")),
        table,
        have_flags=have_flags,
        given=given,
    )
    columns = {
        "deal_id": parse_id(values("deal_id"), field=name("deal_id")),
        "account_id": parse_id(values("account_id"), field=name("account_id"), required=False),
        "owner": parse_text(values("owner"), field=name("owner")),
        "stage": parse_text(values("stage"), field=name("stage")),
        "value": parse_money(values("value"), field=name("value"), required=True),
        "probability": parse_probability(
            values("probability"), field=name("probability"), scale="percent"
        ),
        "currency": parse_currency(values("currency"), field=name("currency")),
        "created": parse_timestamp(values("created"), field=name("created")),
        "close_date": parse_date(values("close_date"), field=name("close_date")),
        "status": status,
        "forecast_category": parse_forecast_category(
            categories, field=category_field or "ForecastCategory"
        ),
        "source": parse_text(values("source"), field=name("source")),
    }
    if "lost_reason" in names:
        columns["lost_reason"] = parse_text(values("lost_reason"), field=name("lost_reason"))
    deleted = _deleted(raw, found.get("is_deleted"))
    key_field = found.get("deal_id")
    result = assemble(
        "deals",
        raw,
        columns,
        source=SOURCE,
        extra_reasons=[deleted],
        warnings=notes,
        id_field=key_field,
    )
    expected = field(raw, found.get("expected_revenue", "ExpectedRevenue"))
    extra = _expected_revenue_warning(expected, result.frame)
    if not extra:
        return result
    return attrs.evolve(result, warnings=(*result.warnings, *extra))
