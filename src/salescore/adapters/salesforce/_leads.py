"""Salesforce leads as the canonical leads table, first contacts from their tasks.

The ``Lead`` and ``Task`` importer of :mod:`salescore.adapters.salesforce`: a lead's
first contact, which its response time is measured to, is the first task logged on
it (``WhoId``), at the task's ``CreatedDate``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._core import (
    ImportResult,
    Parsed,
    assemble,
    field,
    nesting_refused,
    parse_bool,
    parse_id,
    parse_text,
    parse_timestamp,
    records_frame,
    require_fields,
)
from ._records import SOURCE, _api_named, _deleted, _records

__all__ = ["leads"]


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
