"""Salesforce ``OpportunityHistory`` records as the canonical stage-history table.

The history importer of :mod:`salescore.adapters.salesforce`: Salesforce writes a
history record whenever an opportunity's amount, probability, stage or close date
changes, so consecutive records in one stage are merged into one visit, and each
visit ends where the opportunity's next one starts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._core import (
    ImportResult,
    Parsed,
    assemble,
    field,
    match_fields,
    nesting_refused,
    parse_id,
    parse_text,
    parse_timestamp,
    records_frame,
    require_fields,
)
from ._records import SOURCE, _api_named, _deleted, _records

__all__ = ["opportunity_history"]


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
