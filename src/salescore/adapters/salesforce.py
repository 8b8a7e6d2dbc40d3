"""Salesforce records to canonical tables: opportunities, their stage history, and leads.

Reads what the REST or SOAP API returns for a SOQL query (a list of records as dicts,
or the whole query response with its ``records``) or what a Data Loader or report
export holds (a DataFrame), with the field names and formats Salesforce documents:

- ``Opportunity``: ``Amount`` (currency), ``Probability`` (percent, 0 to 100),
  ``StageName``, ``ForecastCategory`` (API values ``Omitted``, ``Pipeline``,
  ``BestCase``, ``MostLikely``, ``Forecast``, ``Closed``) or ``ForecastCategoryName``
  (labels such as ``Best Case`` and ``Commit``), ``CloseDate`` (a date),
  ``CreatedDate`` (a dateTime such as ``2024-03-04T09:30:00.000+0000``, in UTC),
  ``IsClosed`` and ``IsWon`` (booleans), ``LeadSource``, ``OwnerId``, ``AccountId``,
  ``CurrencyIsoCode`` (multi-currency orgs) and ``IsDeleted`` (records in the
  Recycle Bin, returned by ``queryAll``). ``ExpectedRevenue`` is Salesforce's own
  ``Amount × Probability / 100``; it is not imported, only compared.
- ``OpportunityHistory``: one record per change of an opportunity's amount,
  probability, stage or close date, with ``OpportunityId``, ``StageName`` and
  ``CreatedDate`` (when the change was made).
- ``Lead`` and ``Task``: ``CreatedDate``, ``LeadSource``, ``OwnerId``,
  ``IsConverted``; a lead's first contact is the first task logged on it
  (``WhoId``), at its ``CreatedDate``.

Each function returns an :class:`~salescore.adapters.ImportResult`; every record is
either accepted into the canonical frame or rejected with a reason. Money stays in the
record's currency. No network call is made: query Salesforce with your own client.

The field names, types and formats are Salesforce's, from its Object Reference for the
Salesforce Platform (`Opportunity
<https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunity.htm>`__,
`Lead
<https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_lead.htm>`__,
`Task
<https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm>`__)
and SOAP API Developer Guide (`OpportunityHistory
<https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_objects_opportunityhistory.htm>`__,
`date and dateTime formats
<https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/primitive_data_types.htm>`__).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import InvalidInputError, SchemaError
from ..pipeline.presets import SALESFORCE_STAGE_PROBABILITIES
from ._core import (
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
    plain,
    records_frame,
    require_fields,
)

__all__ = [
    "FLAG_FIELDS",
    "OPPORTUNITY_FIELDS",
    "STANDARD_STAGES",
    "leads",
    "opportunities",
    "opportunity_history",
]

SOURCE: Final = "salesforce"

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
# Fivetran's soft-delete flag on warehouse copies of Salesforce objects.
_SYNC_DELETED: Final = "_fivetran_deleted"
_CENT: Final = 0.005  # ExpectedRevenue is rounded to the currency's cents


def _records(records: object) -> tuple[object, list[str]]:
    """The records of a query response, and a warning when it is only a first page.

    A REST query response (``{"totalSize": ..., "done": ..., "records": [...]}``), as
    simple-salesforce's ``query`` and ``query_all`` return it (an ``OrderedDict``),
    gives its ``records``; anything else is returned as given.
    """
    records = plain(records)
    if not (isinstance(records, Mapping) and "records" in records):
        return records, []
    notes = []
    if records.get("done") is False:
        rows = records["records"]
        count = len(rows) if isinstance(rows, (list, tuple)) else "some"
        notes.append(
            f"the query response is one page: it holds {count} of its {records.get('totalSize')} "
            "records (done is false); fetch them all (simple-salesforce's query_all, or "
            "follow nextRecordsUrl) and import the whole list"
        )
    return records["records"], notes


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


def _api_named(received: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The records with fields renamed to their API names, for reading.

    A field that differs from its API name only in case or underscores
    (``opportunity_id``, ``createddate``) is read under the API name.
    """
    found = match_fields(received, {name: name for name in names}, source=SOURCE, underscores=True)
    renames = {actual: name for name, actual in found.items() if actual != name}
    return received.rename(columns=renames) if renames else received


def _deleted(raw: pd.DataFrame, flag: str | None = None) -> pd.Series[Any]:
    """The reason "deleted" for records in the Recycle Bin (IsDeleted true).

    A warehouse copy's ``_fivetran_deleted`` true is read the same way.
    """
    flags = parse_bool(field(raw, flag or "IsDeleted"), field=flag or "IsDeleted")
    deleted = flags.canonical.eq(True)
    synced = match_fields(raw, {"sync": _SYNC_DELETED}, source=SOURCE).get("sync")
    if synced is not None:
        deleted |= parse_bool(raw[synced], field=synced).canonical.eq(True)
    return flags.reasons.where(~deleted, "deleted")


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


@nesting_refused
def opportunity_history(records: object) -> ImportResult:
    r"""Salesforce ``OpportunityHistory`` records as the canonical stage-history table.

    Parameters
    ----------
    records : list of dict, query response or DataFrame
        OpportunityHistory records with ``OpportunityId``, ``StageName`` and
        ``CreatedDate`` (``Id`` and ``IsDeleted`` are used when present).

    Returns
    -------
    ImportResult
        ``table="stage_history"``: one row per visit of an opportunity to a stage,
        with ``deal_id`` (the ``OpportunityId``), ``stage``, ``entered`` (the
        ``CreatedDate`` of the record that moved it there) and ``exited`` (the
        ``CreatedDate`` of the record that moved it on, NaT while it is there); the
        index is the position of the visit's first record. The other records are in
        ``rejected``, each with its reason.

    Raises
    ------
    SchemaError
        ``records`` is not a list of mappings, a query response or a DataFrame, or
        ``OpportunityId``, ``StageName`` or ``CreatedDate`` is absent from every
        record.

    See Also
    --------
    opportunities : the opportunities themselves.
    salescore.pipeline.time_in_stage : days per stage from this table.

    Notes
    -----
    Salesforce writes a history record whenever the amount, probability, stage or
    close date changes, so a stay in one stage can span several consecutive records.
    The first of them starts the visit; each later one in the same stage is listed
    in ``rejected`` with a reason beginning ``"merged"`` and naming the visit's row,
    so that every record is accounted for while a visit is counted once.

    Records that are rejected outright: records in the Recycle Bin (``"deleted"``),
    a missing or unparseable ``OpportunityId``, ``StageName`` or ``CreatedDate``, an
    ``Id`` given twice. They are left out before visits are formed.

    .. math::

        \text{exited}_k = \text{entered}_{k+1}
        \quad \text{(visits of one opportunity in time order)}

    References
    ----------
    .. [1] Salesforce, "OpportunityHistory", SOAP API Developer Guide.

    Examples
    --------
    >>> from salescore.adapters import salesforce
    >>> history = [
    ...     {"OpportunityId": "006A1", "StageName": "Prospecting",
    ...      "CreatedDate": "2024-03-04T09:30:00.000+0000"},
    ...     {"OpportunityId": "006A1", "StageName": "Prospecting", "Amount": 30000.0,
    ...      "CreatedDate": "2024-03-08T12:00:00.000+0000"},
    ...     {"OpportunityId": "006A1", "StageName": "Negotiation",
    ...      "CreatedDate": "2024-03-18T15:00:00.000+0000"},
    ...     {"OpportunityId": "006A1", "StageName": "Negotiation",
    ...      "CreatedDate": "not a date"},
    ... ]
    >>> result = salesforce.opportunity_history(history)
    >>> result.frame
      deal_id        stage             entered              exited
    0   006A1  Prospecting 2024-03-04 09:30:00 2024-03-18 15:00:00
    2   006A1  Negotiation 2024-03-18 15:00:00                 NaT
    >>> result.rejected["reason"].tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['StageName: same stage as the record before (merged into its visit): row 0',
     "CreatedDate: not in a recognised date format (use ISO 8601, such as 2025-12-31 or
     2025-12-31T14:00:00Z): 'not a date'"]
    >>> salesforce.opportunity_history([]).rows_in
    0
    """
    items, notes = _records(records)
    received = records_frame(items, source=SOURCE)
    raw = _api_named(received, ["OpportunityId", "StageName", "CreatedDate", "Id", "IsDeleted"])
    require_fields(raw, ["OpportunityId", "StageName", "CreatedDate"], source=SOURCE)
    deal = parse_id(field(raw, "OpportunityId"), field="OpportunityId")
    stage = parse_text(field(raw, "StageName"), field="StageName", required=True)
    entered = parse_timestamp(field(raw, "CreatedDate"), field="CreatedDate", required=True)
    extra = [_deleted(raw)]
    if "Id" in raw.columns:
        extra.append(_repeated_ids(parse_id(raw["Id"], field="Id")))
    usable = np.ones(len(raw), dtype=bool)
    for reasons in (deal.reasons, stage.reasons, entered.reasons, *extra):
        usable &= reasons.isna().to_numpy(dtype=bool)
    exited, merged = _visits(deal.canonical, stage.canonical, entered.canonical, usable)
    extra.append(merged)
    columns = {
        "deal_id": deal,
        "stage": stage,
        "entered": entered,
        "exited": Parsed(exited, pd.Series(None, index=raw.index, dtype=object)),
    }
    return assemble(
        "stage_history",
        received,
        columns,
        source=SOURCE,
        extra_reasons=extra,
        warnings=notes,
        id_field=match_fields(received, {"Id": "Id"}, source=SOURCE, underscores=True).get("Id"),
    )


def _repeated_ids(ids: Parsed) -> pd.Series[Any]:
    """A reason for every record whose ``Id`` occurs more than once, else the id's."""
    values = ids.canonical
    repeated = values.notna() & values.duplicated(keep=False)
    return ids.reasons.where(~repeated, "Id: given in more than one record: " + values.map(repr))


def _visits(
    deals: pd.Series[Any],
    stages: pd.Series[Any],
    entered: pd.Series[Any],
    usable: npt.NDArray[np.bool_],
) -> tuple[pd.Series[Any], pd.Series[Any]]:
    """Each visit's exit (on its first record), and a reason for records merged into one."""
    index = deals.index
    exited = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    merged = pd.Series(None, index=index, dtype=object)
    positions = np.flatnonzero(usable)
    if positions.size == 0:
        return exited, merged
    deal_codes, _ = pd.factorize(deals.iloc[positions])
    stage_codes, _ = pd.factorize(stages.iloc[positions])
    times = entered.iloc[positions].to_numpy(dtype="datetime64[ns]")
    order = np.lexsort((positions, times, deal_codes))
    rows, deal_codes, stage_codes, times = (
        positions[order],
        deal_codes[order],
        stage_codes[order],
        times[order],
    )
    # A record opens a visit unless the one before it is of the same deal and stage.
    continued = np.zeros(rows.size, dtype=bool)
    continued[1:] = (deal_codes[1:] == deal_codes[:-1]) & (stage_codes[1:] == stage_codes[:-1])
    starts = np.flatnonzero(~continued)
    first_row = rows[starts][np.cumsum(~continued) - 1]
    for position, head in zip(rows[continued], first_row[continued], strict=True):
        merged.iloc[position] = (
            f"StageName: same stage as the record before (merged into its visit): row {head}"
        )
    # A visit ends where the deal's next visit starts.
    following = np.full(starts.size, np.datetime64("NaT", "ns"))
    same_deal = deal_codes[starts][1:] == deal_codes[starts][:-1]
    following[:-1] = np.where(same_deal, times[starts][1:], np.datetime64("NaT", "ns"))
    exited.iloc[rows[starts]] = following
    return exited, merged


def _first_tasks(
    tasks: object, lead_ids: pd.Series[Any], created: pd.Series[Any]
) -> tuple[pd.Series[Any], pd.Series[Any], list[str]]:
    """Each lead's first contact and its channel, from the tasks logged on it."""
    index = lead_ids.index
    first = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    channel = pd.Series(None, index=index, dtype=object)
    if tasks is None:
        return first, channel, []
    items, _ = _records(tasks)
    raw = _api_named(
        records_frame(items, source="salesforce tasks"),
        ["WhoId", "CreatedDate", "TaskSubtype", "IsDeleted"],
    )
    require_fields(raw, ["WhoId", "CreatedDate"], source="salesforce tasks")
    who = parse_id(field(raw, "WhoId"), field="WhoId", required=False)
    when = parse_timestamp(field(raw, "CreatedDate"), field="CreatedDate", required=True)
    kind = parse_text(field(raw, "TaskSubtype"), field="TaskSubtype")
    deleted = parse_bool(field(raw, "IsDeleted"), field="IsDeleted").canonical.eq(True)
    bad = when.reasons.notna() | who.reasons.notna()
    usable = ~bad & ~deleted & who.canonical.notna()
    # A lead id given twice is rejected later; its tasks go to the first of them.
    lead_created = pd.Series(created.to_numpy(), index=pd.Index(lead_ids.to_numpy(dtype=object)))
    lead_created = lead_created[lead_created.index.notna() & ~lead_created.index.duplicated()]
    logged = pd.DataFrame(
        {
            "who": who.canonical[usable],
            "when": when.canonical[usable],
            "kind": kind.canonical[usable],
        }
    )
    logged = logged[logged["who"].isin(lead_created.index)]
    since = lead_created.reindex(logged["who"].to_numpy()).to_numpy()
    early = (logged["when"].to_numpy() < since) & ~pd.isna(since)
    logged = logged[~early].sort_values("when", kind="stable").drop_duplicates("who")
    position = pd.Series(np.arange(len(index)), index=pd.Index(lead_ids.to_numpy(dtype=object)))
    position = position[~position.index.duplicated()]
    rows = position.reindex(logged["who"].to_numpy()).to_numpy()
    first.iloc[rows] = logged["when"].to_numpy()
    channel.iloc[rows] = logged["kind"].to_numpy(dtype=object)
    notes = []
    if bad.any():
        notes.append(f"{int(bad.sum())} tasks were ignored for an unreadable WhoId or CreatedDate")
    if early.any():
        notes.append(
            f"{int(early.sum())} tasks were ignored for being logged before their lead was created"
        )
    return first, channel, notes


@nesting_refused
def leads(records: object, tasks: object = None) -> ImportResult:
    r"""Salesforce leads as the canonical leads table, first contacts from their tasks.

    Parameters
    ----------
    records : list of dict, query response or DataFrame
        Lead records with ``Id``, ``CreatedDate`` and ``IsConverted``
        (``LeadSource``, ``OwnerId`` and ``IsDeleted`` are read when present).
    tasks : list of dict, query response or DataFrame, optional
        Task records with ``WhoId`` and ``CreatedDate`` (``TaskSubtype`` and
        ``IsDeleted`` when present); tasks on anything but these leads are ignored.

    Returns
    -------
    ImportResult
        ``table="leads"``: ``lead_id``, ``source`` (``LeadSource``), ``owner``
        (``OwnerId``), ``created``, ``first_contact`` (the ``CreatedDate`` of the
        lead's first task, NaT without one), ``converted`` (``IsConverted``) and
        ``channel`` (that task's ``TaskSubtype``, such as ``Call`` or ``Email``).

    Raises
    ------
    SchemaError
        ``records`` or ``tasks`` is not a list of mappings, a query response or a
        DataFrame, or a required field (``Id``, ``CreatedDate``, ``IsConverted``;
        ``WhoId``, ``CreatedDate`` for tasks) is absent from every record.

    See Also
    --------
    salescore.leads.response_times : the minutes from ``created`` to
        ``first_contact``.

    Notes
    -----
    A lead's response time is the time from its ``CreatedDate`` to the
    ``CreatedDate`` of the first task logged on it (``WhoId``), the moment a seller
    recorded a call or an email. Deleted tasks, tasks with an unreadable ``WhoId`` or
    date, and tasks logged before the lead was created are not used (the last two are
    counted in a warning). Rejected leads: deleted ones (``"deleted"``), a missing
    ``Id``, ``CreatedDate`` or ``IsConverted``, unreadable values, an ``Id`` given
    twice.

    .. math::

        \text{first\_contact} = \min \{\, t.\text{CreatedDate} :
        t.\text{WhoId} = \text{Id},\ t.\text{CreatedDate} \ge
        \text{CreatedDate} \,\}

    References
    ----------
    .. [1] Salesforce, "Lead", Object Reference for the Salesforce Platform.
    .. [2] Salesforce, "Task", Object Reference for the Salesforce Platform.

    Examples
    --------
    >>> from salescore.adapters import salesforce
    >>> leads = [
    ...     {"Id": "00Q1", "CreatedDate": "2024-03-04T09:30:00.000+0000",
    ...      "LeadSource": "Web", "IsConverted": False},
    ...     {"Id": "00Q2", "CreatedDate": "2024-03-04T10:00:00.000+0000",
    ...      "LeadSource": "Phone Inquiry", "IsConverted": True},
    ... ]
    >>> tasks = [
    ...     {"WhoId": "00Q1", "CreatedDate": "2024-03-04T09:34:00.000+0000",
    ...      "TaskSubtype": "Call"},
    ...     {"WhoId": "00Q1", "CreatedDate": "2024-03-04T11:00:00.000+0000",
    ...      "TaskSubtype": "Email"},
    ... ]
    >>> result = salesforce.leads(leads, tasks)
    >>> result.frame[["lead_id", "first_contact", "channel"]]
      lead_id       first_contact channel
    0    00Q1 2024-03-04 09:34:00    Call
    1    00Q2                 NaT    None
    >>> (result.frame["first_contact"] - result.frame["created"]).dt.total_seconds().tolist()
    [240.0, nan]
    """
    items, page = _records(records)
    received = records_frame(items, source=SOURCE)
    raw = _api_named(
        received, ["Id", "CreatedDate", "IsConverted", "LeadSource", "OwnerId", "IsDeleted"]
    )
    require_fields(raw, ["Id", "CreatedDate", "IsConverted"], source=SOURCE)
    lead_id = parse_id(field(raw, "Id"), field="Id")
    created = parse_timestamp(field(raw, "CreatedDate"), field="CreatedDate", required=True)
    first, channel, notes = _first_tasks(tasks, lead_id.canonical, created.canonical)
    none = pd.Series(None, index=raw.index, dtype=object)
    columns = {
        "lead_id": lead_id,
        "source": parse_text(field(raw, "LeadSource"), field="LeadSource"),
        "owner": parse_text(field(raw, "OwnerId"), field="OwnerId"),
        "created": created,
        "first_contact": Parsed(first, none),
        "converted": parse_bool(field(raw, "IsConverted"), field="IsConverted", required=True),
        "channel": Parsed(channel, none),
    }
    return assemble(
        "leads",
        received,
        columns,
        source=SOURCE,
        extra_reasons=[_deleted(raw)],
        warnings=[*page, *notes],
    )
