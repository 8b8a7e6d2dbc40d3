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

__all__ = ["OPPORTUNITY_FIELDS", "leads", "opportunities", "opportunity_history"]

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
_CENT: Final = 0.005  # ExpectedRevenue is rounded to the currency's cents


def _records(records: object) -> object:
    """The records of a REST query response (``{"records": [...]}``), else as given."""
    if isinstance(records, Mapping) and "records" in records:
        return records["records"]
    return records


def _fields(fields: object) -> dict[str, str]:
    if fields is None:
        return dict(OPPORTUNITY_FIELDS)
    if not isinstance(fields, Mapping):
        raise InvalidInputError(
            f"fields must map canonical deals columns to Salesforce fields; "
            f"got {type(fields).__name__}"
        )
    allowed = (*OPPORTUNITY_FIELDS, "lost_reason")
    unknown = [name for name in fields if name not in allowed]
    if unknown or not all(isinstance(value, str) for value in fields.values()):
        raise InvalidInputError(
            f"fields: keys must be among {', '.join(allowed)} and values field names; "
            f"got {dict(fields)!r:.200}"
        )
    return {**OPPORTUNITY_FIELDS, **fields}


def _deleted(raw: pd.DataFrame) -> pd.Series[Any]:
    """The reason "deleted" for records in the Recycle Bin (IsDeleted true)."""
    flags = parse_bool(field(raw, "IsDeleted"), field="IsDeleted")
    deleted = flags.canonical.eq(True)
    return flags.reasons.where(~deleted, "deleted")


def _status(raw: pd.DataFrame) -> Parsed:
    """The status (open, won or lost) from IsClosed and IsWon."""
    closed = parse_bool(field(raw, "IsClosed"), field="IsClosed", required=True)
    won = parse_bool(field(raw, "IsWon"), field="IsWon", required=True)
    is_closed = closed.canonical.eq(True).to_numpy(dtype=bool)
    is_won = won.canonical.eq(True).to_numpy(dtype=bool)
    status = np.where(is_closed, np.where(is_won, "won", "lost"), "open").astype(object)
    known = closed.canonical.notna().to_numpy(dtype=bool) & won.canonical.notna().to_numpy(
        dtype=bool
    )
    status[~known] = None
    reasons = closed.reasons.fillna(won.reasons)
    impossible = is_won & ~is_closed
    reasons = reasons.where(~impossible | reasons.notna(), "IsWon is true but IsClosed is false")
    return Parsed(pd.Series(status, index=raw.index, dtype=object), reasons)


def _expected_revenue_warning(raw: pd.DataFrame, frame: pd.DataFrame) -> list[str]:
    """Compare Salesforce's ExpectedRevenue with value × probability on accepted rows."""
    if "ExpectedRevenue" not in raw.columns or frame.empty:
        return []
    stated = parse_money(raw.loc[frame.index, "ExpectedRevenue"], field="ExpectedRevenue")
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


def opportunities(records: object, *, fields: Mapping[str, str] | None = None) -> ImportResult:
    r"""Salesforce opportunities as the canonical deals table.

    Parameters
    ----------
    records : list of dict, query response or DataFrame
        Opportunity records from the API (``"attributes"`` and relationship
        sub-records are ignored), a REST query response with its ``records``, or an
        export as a DataFrame with the API field names as columns.
    fields : Mapping of str to str, keyword-only, optional
        Canonical deals column → Salesforce field, overriding
        :data:`OPPORTUNITY_FIELDS`; ``lost_reason`` is read only when mapped here
        (to a custom field such as ``Loss_Reason__c``).

    Returns
    -------
    ImportResult
        ``table="deals"``: the accepted opportunities (index: input position) and
        the rejected ones with their reasons; ``accepted + n_rejected == rows_in``.

    Raises
    ------
    SchemaError
        The whole call: ``records`` is not a list of mappings, a query response or a
        DataFrame; or ``Id``, ``Amount``, ``IsClosed`` or ``IsWon`` (under their
        mapped names) is absent from every record.
    InvalidInputError
        ``fields`` is not a mapping of known columns to field names.

    See Also
    --------
    opportunity_history : the stage history of opportunities.
    salescore.adapters.from_records : any other CRM.

    Notes
    -----
    ``Probability`` is a percent field: 83 means 0.83. ``status`` is ``open`` unless
    ``IsClosed``, then ``won`` if ``IsWon``, else ``lost``. ``forecast_category``
    comes from ``ForecastCategory``, or ``ForecastCategoryName`` where the former is
    absent. ``CreatedDate`` becomes a UTC timestamp; ``CloseDate`` a date.

    Rejected, with a reason each: records in the Recycle Bin (``IsDeleted`` true:
    reason ``"deleted"``); a missing ``Id`` or ``Amount`` (Salesforce lets
    ``Amount`` be empty, the deals table does not); an amount that is not a plain
    number or is negative; a probability outside 0–100; a date that does not parse;
    ``IsWon`` without ``IsClosed``; an unknown forecast category or currency code; an
    ``Id`` given twice; a ``CloseDate`` before the ``CreatedDate``. Where the records
    carry ``ExpectedRevenue``, a warning lists the opportunities for which it is not
    ``Amount × Probability / 100`` to the cent. Several currencies are kept row by
    row, with a warning; they are never summed.

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
    >>> float((result.frame["value"] * result.frame["probability"]).sum())  # seed 002
    31947.0
    >>> result.rejected["reason"].tolist()
    ['Amount: missing']
    >>> salesforce.opportunities([]).accepted
    0
    """
    names = _fields(fields)
    raw = records_frame(_records(records), source=SOURCE)
    require_fields(raw, [names["deal_id"], names["value"], "IsClosed", "IsWon"], source=SOURCE)
    category_field = "ForecastCategory" if "ForecastCategory" in raw.columns else None
    categories = field(raw, "ForecastCategory")
    if "ForecastCategoryName" in raw.columns:
        categories = categories.where(categories.notna(), raw["ForecastCategoryName"])
        category_field = category_field or "ForecastCategoryName"
    columns = {
        "deal_id": parse_id(field(raw, names["deal_id"]), field=names["deal_id"]),
        "account_id": parse_id(
            field(raw, names["account_id"]), field=names["account_id"], required=False
        ),
        "owner": parse_text(field(raw, names["owner"]), field=names["owner"]),
        "stage": parse_text(field(raw, names["stage"]), field=names["stage"]),
        "value": parse_money(field(raw, names["value"]), field=names["value"], required=True),
        "probability": parse_probability(
            field(raw, names["probability"]), field=names["probability"], scale="percent"
        ),
        "currency": parse_currency(field(raw, names["currency"]), field=names["currency"]),
        "created": parse_timestamp(field(raw, names["created"]), field=names["created"]),
        "close_date": parse_date(field(raw, names["close_date"]), field=names["close_date"]),
        "status": _status(raw),
        "forecast_category": parse_forecast_category(
            categories, field=category_field or "ForecastCategory"
        ),
        "source": parse_text(field(raw, names["source"]), field=names["source"]),
    }
    if "lost_reason" in names:
        columns["lost_reason"] = parse_text(
            field(raw, names["lost_reason"]), field=names["lost_reason"]
        )
    result = assemble("deals", raw, columns, source=SOURCE, extra_reasons=[_deleted(raw)])
    extra = _expected_revenue_warning(raw, result.frame)
    if not extra:
        return result
    return ImportResult(
        table=result.table,
        source=result.source,
        frame=result.frame,
        rejected=result.rejected,
        warnings=(*result.warnings, *extra),
        rows_in=result.rows_in,
    )


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
      deal_id        stage                   entered                   exited
    0   006A1  Prospecting 2024-03-04 09:30:00+00:00 2024-03-18 15:00:00+00:00
    2   006A1  Negotiation 2024-03-18 15:00:00+00:00                       NaT
    >>> result.rejected["reason"].tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['merged into the visit of row 0 (same stage)',
     "CreatedDate: not a date and time in 1677-09-22 to 2262-04-11: 'not a date'"]
    >>> salesforce.opportunity_history([]).rows_in
    0
    """
    raw = records_frame(_records(records), source=SOURCE)
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
    return assemble("stage_history", raw, columns, source=SOURCE, extra_reasons=extra)


def _repeated_ids(ids: Parsed) -> pd.Series[Any]:
    """A reason for every record whose ``Id`` occurs more than once, else the id's."""
    values = ids.canonical
    repeated = values.notna() & values.duplicated(keep=False)
    return ids.reasons.where(~repeated, "duplicate Id " + values.astype(str))


def _visits(
    deals: pd.Series[Any],
    stages: pd.Series[Any],
    entered: pd.Series[Any],
    usable: npt.NDArray[np.bool_],
) -> tuple[pd.Series[Any], pd.Series[Any]]:
    """Each visit's exit (on its first record), and a reason for records merged into one."""
    index = deals.index
    exited = pd.Series(pd.NaT, index=index, dtype="datetime64[ns, UTC]")
    merged = pd.Series(None, index=index, dtype=object)
    positions = np.flatnonzero(usable)
    if positions.size == 0:
        return exited, merged
    deal_codes, _ = pd.factorize(deals.iloc[positions])
    stage_codes, _ = pd.factorize(stages.iloc[positions])
    times = entered.iloc[positions].dt.tz_convert(None).to_numpy(dtype="datetime64[ns]")
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
        merged.iloc[position] = f"merged into the visit of row {head} (same stage)"
    # A visit ends where the deal's next visit starts.
    following = np.full(starts.size, np.datetime64("NaT", "ns"))
    same_deal = deal_codes[starts][1:] == deal_codes[starts][:-1]
    following[:-1] = np.where(same_deal, times[starts][1:], np.datetime64("NaT", "ns"))
    exited.iloc[rows[starts]] = pd.Series(following).dt.tz_localize("UTC").to_numpy()
    return exited, merged


def _first_tasks(
    tasks: object, lead_ids: pd.Series[Any], created: pd.Series[Any]
) -> tuple[pd.Series[Any], pd.Series[Any], list[str]]:
    """Each lead's first contact and its channel, from the tasks logged on it."""
    index = lead_ids.index
    first = pd.Series(pd.NaT, index=index, dtype="datetime64[ns, UTC]")
    channel = pd.Series(None, index=index, dtype=object)
    if tasks is None:
        return first, channel, []
    raw = records_frame(_records(tasks), source="salesforce tasks")
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
      lead_id             first_contact channel
    0    00Q1 2024-03-04 09:34:00+00:00    Call
    1    00Q2                       NaT    None
    >>> (result.frame["first_contact"] - result.frame["created"]).dt.total_seconds().tolist()
    [240.0, nan]
    """
    raw = records_frame(_records(records), source=SOURCE)
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
        "leads", raw, columns, source=SOURCE, extra_reasons=[_deleted(raw)], warnings=notes
    )
