"""Salesforce ``OpportunityHistory`` records as the canonical deal-changes table.

The change-log importer of :mod:`salescore.adapters.salesforce`: Salesforce writes an
``OpportunityHistory`` record whenever an opportunity's amount, probability, stage or
close date changes, holding the opportunity's whole state after the change, which is
the shape of the canonical ``deal_changes`` table. The status of each record comes
from its stage; two records of one opportunity at the same moment are not put in an
order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from .._core import (
    ImportResult,
    Parsed,
    assemble,
    field,
    match_fields,
    nesting_refused,
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
from ._history import _repeated_ids
from ._opportunities import STANDARD_STAGES, _stage_statuses
from ._records import SOURCE, _api_named, _deleted, _records

__all__ = ["opportunity_changes"]

_FIELDS: Final = (
    "OpportunityId",
    "CreatedDate",
    "StageName",
    "Amount",
    "Probability",
    "CloseDate",
    "ForecastCategory",
    "ForecastCategoryName",
    "CurrencyIsoCode",
    "Id",
    "IsDeleted",
)
# The columns whose unreadable value is left empty, with a warning, keeping the row.
_OPTIONAL: Final = ("forecast_category", "owner")


@nesting_refused
def opportunity_changes(records: object, *, stages: object = None) -> ImportResult:
    r"""Salesforce ``OpportunityHistory`` records as the canonical deal-changes table.

    Parameters
    ----------
    records : list of dict, query response or DataFrame
        OpportunityHistory records (``SELECT OpportunityId, CreatedDate, StageName,
        Amount, Probability, CloseDate, ForecastCategory FROM OpportunityHistory``),
        a REST query response with its ``records``, or an export as a DataFrame, with
        the API field names in any case or in snake_case (``opportunity_id``).
        ``Id``, ``IsDeleted`` and ``CurrencyIsoCode`` are read when present;
        ``ExpectedRevenue``, ``PrevAmount`` and ``PrevCloseDate`` are not read.
    stages : Mapping or list of dict, keyword-only, optional
        The org's stages, to read each record's status from its ``StageName``: a
        mapping of stage name → ``"open"``, ``"won"`` or ``"lost"`` (compared without
        regard to case), or the ``OpportunityStage`` records (``ApiName`` or
        ``MasterLabel``, ``IsClosed``, ``IsWon``), as :func:`opportunities` takes
        them. By default the standard stages (:data:`STANDARD_STAGES`).

    Returns
    -------
    ImportResult
        ``table="deal_changes"``: one row per accepted record (index: input
        position) with ``deal_id`` (``OpportunityId``), ``changed_at``
        (``CreatedDate``, naive UTC), ``stage``, ``value`` (``Amount``),
        ``probability`` (``Probability / 100``), ``close_date``,
        ``forecast_category``, ``status`` and ``currency``; ``owner`` is empty (the
        history does not record it). The other records are in ``rejected`` with
        their reasons; ``accepted + n_rejected == rows_in``.

    Raises
    ------
    SchemaError
        ``records`` is not a list of mappings, a query response or a DataFrame; or
        ``OpportunityId``, ``CreatedDate``, ``StageName``, ``Amount`` or
        ``CloseDate`` is absent from every record; or two fields differ only in case
        or underscores.
    InvalidInputError
        ``stages`` is not a stage table.

    See Also
    --------
    opportunity_history : the same records as stage visits.
    opportunities : the opportunities as they are now.
    salescore.adapters.from_records : any other CRM's change log.

    Notes
    -----
    Each record holds the opportunity's state after a change, so it becomes one row
    as it is; the first record of an opportunity is its creation. The status is that
    of the ``StageName`` in ``stages`` or the standard stages (``Closed Won`` won,
    ``Closed Lost`` lost, the others open): the history has no ``IsClosed`` or
    ``IsWon``. ``ForecastCategory`` (or ``ForecastCategoryName`` where it is
    absent) becomes the canonical category (``BestCase`` → ``best_case``).

    Rejected, with a reason each: records in the Recycle Bin (``"deleted"``); a
    missing or unreadable ``OpportunityId``, ``CreatedDate``, ``StageName`` or
    ``CloseDate``; a missing ``Amount`` (Salesforce lets it be empty, the canonical
    value may not be: the change is not imported, and until the opportunity's next
    accepted record its state is that of the accepted record before it);
    an amount that is negative or not a plain number; a probability outside 0–100; a
    stage outside the stages known; an unknown currency code; an ``Id`` given twice;
    and records of one opportunity at the same ``CreatedDate``: when they hold the
    same state the first is kept and the others are rejected as repeats of it,
    otherwise all of them are rejected (which came last is unknown). An unknown
    forecast category is left empty, with a counted warning, and the record kept.

    .. math::

        \text{value} = \text{Amount}, \qquad
        \text{probability} = \text{Probability} / 100, \qquad
        \text{changed\_at} = \text{CreatedDate}

    References
    ----------
    .. [1] Salesforce, "OpportunityHistory", SOAP API Developer Guide,
       https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_objects_opportunityhistory.htm

    Examples
    --------
    >>> from salescore.adapters import salesforce
    >>> history = [
    ...     {"OpportunityId": "006A1", "StageName": "Prospecting", "Amount": 27600.0,
    ...      "Probability": 10.0, "CloseDate": "2024-06-28", "ForecastCategory": "Pipeline",
    ...      "CreatedDate": "2024-03-04T09:30:00.000+0000"},
    ...     {"OpportunityId": "006A1", "StageName": "Closed Won", "Amount": 30000.0,
    ...      "Probability": 100.0, "CloseDate": "2024-05-15", "ForecastCategory": "Closed",
    ...      "CreatedDate": "2024-05-15T16:00:00.000+0000"},
    ...     {"OpportunityId": "006A2", "StageName": "Prospecting", "Amount": None,
    ...      "Probability": 10.0, "CloseDate": "2024-07-31",
    ...      "CreatedDate": "2024-03-05T10:00:00.000+0000"},
    ... ]
    >>> result = salesforce.opportunity_changes(history)
    >>> result.frame[["deal_id", "changed_at", "value", "probability", "status"]]
      deal_id          changed_at    value  probability status
    0   006A1 2024-03-04 09:30:00  27600.0          0.1   open
    1   006A1 2024-05-15 16:00:00  30000.0          1.0    won
    >>> result.rejected["reason"].tolist()
    ['Amount: missing']
    >>> salesforce.opportunity_changes([]).rows_in
    0
    """
    given = stages is not None
    table = (
        _stage_statuses(stages)
        if given
        else {name.casefold(): status for name, status in STANDARD_STAGES.items()}
    )
    items, notes = _records(records)
    received = records_frame(items, source=SOURCE)
    raw = _api_named(received, list(_FIELDS))
    require_fields(
        raw, ["OpportunityId", "CreatedDate", "StageName", "Amount", "CloseDate"], source=SOURCE
    )
    categories = field(raw, "ForecastCategory")
    category_field = "ForecastCategory"
    if "ForecastCategory" not in raw.columns and "ForecastCategoryName" in raw.columns:
        categories, category_field = raw["ForecastCategoryName"], "ForecastCategoryName"
    stage = parse_text(field(raw, "StageName"), field="StageName", required=True)
    columns = {
        "deal_id": parse_id(field(raw, "OpportunityId"), field="OpportunityId"),
        "changed_at": parse_timestamp(
            field(raw, "CreatedDate"), field="CreatedDate", required=True
        ),
        "stage": stage,
        "value": parse_money(field(raw, "Amount"), field="Amount", required=True),
        "probability": parse_probability(
            field(raw, "Probability"), field="Probability", scale="percent"
        ),
        "close_date": parse_date(field(raw, "CloseDate"), field="CloseDate", required=True),
        "forecast_category": parse_forecast_category(categories, field=category_field),
        "status": _status(stage, table, given=given),
        "currency": parse_currency(field(raw, "CurrencyIsoCode"), field="CurrencyIsoCode"),
    }
    extra = [_deleted(raw)]
    if "Id" in raw.columns:
        extra.append(_repeated_ids(parse_id(raw["Id"], field="Id")))
    extra.append(_same_moment(columns, extra))
    return assemble(
        "deal_changes",
        received,
        columns,
        source=SOURCE,
        extra_reasons=extra,
        warnings=notes,
        optional=_OPTIONAL,
        id_field=match_fields(received, {"Id": "Id"}, source=SOURCE, underscores=True).get("Id"),
    )


def _status(stage: Parsed, table: Mapping[str, str], *, given: bool) -> Parsed:
    """Each record's status, from its stage in ``table`` (folded name → status)."""
    names = stage.canonical.to_numpy(dtype=object)
    status = np.full(names.size, None, dtype=object)
    reasons = np.full(names.size, None, dtype=object)
    where = "the stages given" if given else "Salesforce's standard stages"
    todo = "add it to stages=" if given else "pass stages=, your org's stages"
    for position, name in enumerate(names):
        if not isinstance(name, str):
            continue  # missing or unreadable: the stage's own reason rejects the record
        found = table.get(name.strip().casefold())
        if found is None:
            reasons[position] = (
                f"StageName: not among {where}, so the status is unknown ({todo}): {name!r:.60}"
            )
        else:
            status[position] = found
    index = stage.canonical.index
    return Parsed(
        pd.Series(status, index=index, dtype=object), pd.Series(reasons, index=index, dtype=object)
    )


def _same_moment(columns: Mapping[str, Parsed], extra: list[pd.Series[Any]]) -> pd.Series[Any]:
    """A reason for records of one opportunity at the same moment as another record.

    Among the records that are otherwise usable, a group at one (opportunity, moment)
    keeps its first record when all hold the same state, the others being repeats of
    it; a group whose states differ is rejected as a whole.
    """
    index = columns["deal_id"].canonical.index
    out = np.full(len(index), None, dtype=object)
    usable = np.ones(len(index), dtype=bool)
    for reasons in [*(parsed.reasons for parsed in columns.values()), *extra]:
        usable &= reasons.isna().to_numpy(dtype=bool)
    positions = np.flatnonzero(usable)
    if positions.size < 2:
        return pd.Series(out, index=index, dtype=object)
    deals = columns["deal_id"].canonical.to_numpy(dtype=object)[positions]
    moments = columns["changed_at"].canonical.iloc[positions]
    keys = pd.DataFrame({"deal": deals, "moment": moments.to_numpy()})
    clash = keys.duplicated(keep=False).to_numpy(dtype=bool)
    groups: dict[tuple[object, object], list[tuple[int, tuple[str, ...]]]] = {}
    values = [parsed.canonical.to_numpy(dtype=object) for parsed in columns.values()]
    for row in positions[clash]:
        state = tuple(repr(column[row]) for column in values)
        groups.setdefault((state[0], state[1]), []).append((int(row), state))
    for members in groups.values():
        rows = [row for row, _ in members]
        if len({state for _, state in members}) == 1:
            for row in rows[1:]:
                out[row] = (
                    "CreatedDate: a repeat of another record of the opportunity, at the same "
                    f"moment with the same state: row {rows[0]}"
                )
        else:
            listed = ", ".join(str(row) for row in rows)
            for row in rows:
                out[row] = (
                    "CreatedDate: records of the opportunity at the same moment hold different "
                    f"states, so which came last is unknown: rows {listed}"
                )
    return pd.Series(out, index=index, dtype=object)
