"""HubSpot deals, and their stage history, as canonical tables.

HubSpot's CRM API (v3) returns a deal as ``{"id": "1001", "properties": {...},
"archived": false}``, every property value a string: ``"amount": "27600"``,
``"hs_deal_stage_probability": "0.12"`` (a fraction), ``"hs_is_closed_won": "true"``,
dates as ISO 8601 moments in UTC (``"2024-06-28T00:00:00Z"``). :func:`deals` reads
such records, the body of a list or search response (``{"results": [...]}``), or an
export whose columns carry the properties' internal names. The deal pipelines
(``GET /crm/v3/pipelines/deals``) give each ``dealstage`` id its label, its probability
and whether it is closed; pass them as ``stages`` (without them, HubSpot's default
pipeline is assumed). Objects of HubSpot's Python client, hubspot-api-client, are read
through their ``to_dict()``.

=============================== ==========================================================
canonical column                HubSpot property
=============================== ==========================================================
``deal_id``                     ``id`` (or ``hs_object_id``)
``account_id``                  the first associated company (``associations.companies``)
``owner``                       ``hubspot_owner_id``
``stage``                       ``dealstage``: the stage's label from ``stages``, else the id
``value``                       ``amount`` (required)
``probability``                 ``hs_deal_stage_probability`` (0–1), else the stage's
``currency``                    ``deal_currency_code``
``created``                     ``createdate``
``close_date``                  ``closedate`` (its date in UTC)
``status``                      ``hs_is_closed_won``, ``hs_is_closed`` and the stage
``forecast_category``           ``hs_manual_forecast_category``
``source``                      ``hs_analytics_source``
``lost_reason``                 ``closed_lost_reason``
=============================== ==========================================================

:func:`stage_history` reads the ``hs_v2_date_entered_<stage>`` and
``hs_v2_date_exited_<stage>`` properties of the same records into the canonical stage
history, and :func:`deal_changes` reads the deals' ``propertiesWithHistory`` into the
canonical change log (one row per moment a tracked property changed, holding the
deal's whole state). The weighted amount HubSpot shows, ``hs_projected_amount``, is
``amount × hs_deal_stage_probability``: the canonical ``value × probability``.

The property names and formats are HubSpot's, from its developer documentation
(`CRM API | Deals
<https://developers.hubspot.com/docs/api-reference/crm-deals-v3/guide>`__, `CRM API |
Pipelines <https://developers.hubspot.com/docs/api-reference/crm-pipelines-v3/guide>`__)
and its knowledge base (`HubSpot's default deal properties
<https://knowledge.hubspot.com/crm-deals/hubspots-default-deal-properties>`__).
"""

from __future__ import annotations

import re
from typing import Any, Final

import numpy as np
import pandas as pd

from ._core import (
    ImportResult,
    Parsed,
    assemble,
    field,
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
    reasons_where,
    records_frame,
    require_fields,
)
from ._hubspot_changes import TRACKED_PROPERTIES, deal_changes
from ._hubspot_inputs import (
    _SOURCE,
    BoolArray,
    ObjectArray,
    _first_company,
    _id_field,
    _stage_table,
    _stages_of,
    _unwrap,
)

__all__ = ["TRACKED_PROPERTIES", "deal_changes", "deals", "stage_history"]

_ENTERED: Final = "hs_v2_date_entered_"
_EXITED: Final = "hs_v2_date_exited_"
# hs_v2_date_entered_current_stage is a property of its own, not a stage called so.
_NOT_A_STAGE: Final = frozenset({"current_stage"})
_STAGE_PROPERTY: Final = re.compile(r"hs_v2_date_(entered|exited)_(.+)")


# ------------------------------------------------------------------ deals


@nesting_refused
def deals(records: object, *, stages: object = None) -> ImportResult:
    """Import HubSpot deals into the canonical deals table, accounting for every row.

    Parameters
    ----------
    records : list of dict, dict, DataFrame or hubspot-api-client objects
        Deals as the CRM API returns them (``{"id": ..., "properties": {...},
        "archived": ...}``), the body of a list or search response
        (``{"results": [...]}``), flat dicts of properties, an export whose columns
        are the properties' internal names, or what hubspot-api-client returns (a
        page of deals, or a list of deal objects).
    stages : dict or list of dict, keyword-only, optional
        The deal pipelines: the body of ``GET /crm/v3/pipelines/deals``, its list of
        pipelines, or a list of stages, each with ``id``, ``label`` and
        ``metadata.probability`` / ``metadata.isClosed`` (strings or native values).
        Without it, HubSpot's default pipeline is assumed.

    Returns
    -------
    ImportResult
        The canonical deals (index: input position), the rejected records with their
        values as received (properties flattened) and a ``reason``, warnings and counts;
        ``accepted + n_rejected == rows_in``.

    Raises
    ------
    SchemaError
        The whole call: ``records`` is not a list of mappings, a response body or a
        DataFrame; or no record has an id, an ``amount`` or a ``dealstage`` field.
    InvalidInputError
        ``stages`` is not a pipelines table (a stage without an id, a probability
        outside [0, 1], an ``isClosed`` that is not true or false).

    See Also
    --------
    stage_history : the stage visits of the same records.
    deal_changes : the change log of the same deals, from their property histories.
    salescore.adapters.from_records : any other CRM.

    Notes
    -----
    The status is ``"won"`` when ``hs_is_closed_won`` is true; otherwise the deal is
    closed, hence ``"lost"``, when ``hs_is_closed`` is true or its stage is closed
    (``metadata.isClosed``), and ``"open"`` when they say it is not. Without
    ``hs_is_closed_won``, a closed stage with probability 1 is won, HubSpot's own
    rule. Without ``stages``, the stages of HubSpot's default pipeline are known by
    their ids (``appointmentscheduled``, ``qualifiedtobuy``,
    ``presentationscheduled``, ``decisionmakerboughtin``, ``contractsent`` open;
    ``closedwon`` won; ``closedlost`` lost) and by their labels, with the
    probabilities of :data:`~salescore.pipeline.presets.HUBSPOT_STAGE_PROBABILITIES`;
    the stage column then holds the stage as given.

    The probability is ``hs_deal_stage_probability``, a fraction; when a deal has
    none, its stage's probability from ``stages`` or, without ``stages``, from the
    default pipeline (a warning counts those deals). A value outside 0–1 is
    rejected, never read as a percentage.

    hubspot-api-client's objects are read through their ``to_dict()``: a page such
    as ``CollectionResponseSimplePublicObjectWithAssociationsForwardPaging`` (its
    ``results``), or a list of ``SimplePublicObject`` /
    ``SimplePublicObjectWithAssociations`` deals (``id``, ``properties``,
    ``archived``, ``associations``; ``properties_with_history`` is not read).

    A record is rejected, with its reason, when it is archived (``"archived"``, a
    deleted deal in the recycle bin), has no id or no amount, an amount that is not a
    plain number (``"12,000"``) or is negative, a property that does not parse, a
    stage missing from ``stages`` (or, without ``stages``, a stage outside the
    default pipeline when ``hs_is_closed`` does not tell whether the deal is closed;
    the reason says which option would tell), a close date before its creation date,
    or an id that another record carries too (every such record is rejected). An
    unreadable optional property (an unknown ``hs_manual_forecast_category``, a
    ``closedate`` that does not parse) is left empty with a warning; the deal is
    kept.

    References
    ----------
    .. [1] HubSpot developer documentation, "CRM API | Deals",
       https://developers.hubspot.com/docs/api-reference/crm-deals-v3/guide
    .. [2] HubSpot developer documentation, "CRM API | Pipelines",
       https://developers.hubspot.com/docs/api-reference/crm-pipelines-v3/guide
    .. [3] HubSpot Knowledge Base, "HubSpot's default deal properties",
       https://knowledge.hubspot.com/crm-deals/hubspots-default-deal-properties

    Examples
    --------
    >>> from salescore.adapters import hubspot
    >>> records = [
    ...     {"id": "1001", "properties": {"amount": "27600", "dealstage": "appointmentscheduled",
    ...      "hs_deal_stage_probability": "0.12", "hs_is_closed": "false",
    ...      "hs_is_closed_won": "false", "deal_currency_code": "EUR"}},
    ...     {"id": "1002", "properties": {"amount": "34500.00", "dealstage": "closedwon",
    ...      "hs_deal_stage_probability": "0.83", "deal_currency_code": "EUR"}},
    ...     {"id": "1003", "properties": {"amount": "12,000", "dealstage": "closedlost"}},
    ... ]
    >>> result = hubspot.deals(records)
    >>> result.frame[["deal_id", "stage", "value", "probability", "status"]]
      deal_id                 stage    value  probability status
    0    1001  appointmentscheduled  27600.0         0.12   open
    1    1002             closedwon  34500.0         0.83    won
    >>> float((result.frame["value"] * result.frame["probability"]).sum())  # Nutshell's figures
    31947.0
    >>> result.rejected["reason"].tolist()
    ["amount: not a plain number: '12,000'"]

    No records, an empty table:

    >>> hubspot.deals({"results": []}).frame.shape
    (0, 13)
    """
    table = None if stages is None else _stage_table(stages)
    raw = records_frame(_unwrap(records), source=_SOURCE, properties="properties")
    key = _id_field(raw)
    require_fields(raw, [key, "amount", "dealstage"], source=_SOURCE)
    index = raw.index

    labels, stage_probability, stage_closed, stage_reasons = _stages_of(
        field(raw, "dealstage"), table
    )
    won_flag = parse_bool(field(raw, "hs_is_closed_won"), field="hs_is_closed_won")
    closed_flag = parse_bool(field(raw, "hs_is_closed"), field="hs_is_closed")
    won = won_flag.canonical.to_numpy(dtype=object)
    closed = closed_flag.canonical.to_numpy(dtype=object).copy()
    told = ~pd.isna(closed)
    closed[~told] = stage_closed[~told]
    known_closed = ~pd.isna(closed)
    is_closed = np.equal(closed, True)
    # Without hs_is_closed_won: a closed stage at probability 1 is a won one.
    stage_won = is_closed & (stage_probability == 1.0)
    is_won = np.where(pd.isna(won), stage_won, np.equal(won, True))
    status = np.where(is_won, "won", np.where(is_closed, "lost", "open")).astype(object)
    unknown = ~is_won & ~known_closed & pd.isna(stage_reasons).to_numpy(dtype=bool)
    status_reasons = np.full(len(raw), None, dtype=object)
    for position in np.flatnonzero(unknown):
        status_reasons[position] = _closedness_reason(labels[position], given=table is not None)

    probability = parse_probability(
        field(raw, "hs_deal_stage_probability"), field="hs_deal_stage_probability", scale="fraction"
    )
    fallback = probability.canonical.isna() & pd.isna(probability.reasons)
    filled = probability.canonical.where(~fallback, pd.Series(stage_probability, index=index))
    warnings: list[str] = []
    preset = fallback.to_numpy(dtype=bool) & ~np.isnan(stage_probability)
    if table is None and preset.any():
        count = int(preset.sum())
        warnings.append(
            f"{'1 deal has' if count == 1 else f'{count} deals have'} no "
            "hs_deal_stage_probability: its stage's probability in HubSpot's default "
            "pipeline (salescore.pipeline.presets.HUBSPOT_STAGE_PROBABILITIES) is used; pass "
            "stages=, your deal pipelines, if your portal changed them"
        )

    archived = parse_bool(field(raw, "archived"), field="archived")
    gone = np.equal(archived.canonical.to_numpy(dtype=object), True)
    columns = {
        "deal_id": parse_id(field(raw, key), field=key),
        "account_id": parse_id(
            _first_company(field(raw, "associations")), field="associations", required=False
        ),
        "owner": parse_text(field(raw, "hubspot_owner_id"), field="hubspot_owner_id", numbers=True),
        "stage": Parsed(pd.Series(labels, index=index, dtype=object), stage_reasons),
        "value": parse_money(field(raw, "amount"), field="amount", required=True),
        "probability": Parsed(filled, probability.reasons),
        "currency": parse_currency(field(raw, "deal_currency_code"), field="deal_currency_code"),
        "created": parse_timestamp(field(raw, "createdate"), field="createdate"),
        "close_date": parse_date(field(raw, "closedate"), field="closedate"),
        "status": Parsed(
            pd.Series(status, index=index, dtype=object),
            _first_of(
                won_flag.reasons,
                closed_flag.reasons,
                pd.Series(status_reasons, index=index, dtype=object),
                archived.reasons,
            ),
        ),
        "forecast_category": parse_forecast_category(
            field(raw, "hs_manual_forecast_category"), field="hs_manual_forecast_category"
        ),
        "source": parse_text(field(raw, "hs_analytics_source"), field="hs_analytics_source"),
        "lost_reason": parse_text(field(raw, "closed_lost_reason"), field="closed_lost_reason"),
    }
    return assemble(
        "deals",
        raw,
        columns,
        source=_SOURCE,
        extra_reasons=[reasons_where(gone, "archived", index)],
        warnings=warnings,
        id_field=key,
    )


def _closedness_reason(label: str | None, *, given: bool) -> str:
    """Why a deal's status is unknown, and what the caller can do, with or without stages."""
    read = "read the hs_is_closed and hs_is_closed_won properties too"
    if label is None:
        if given:
            return f"dealstage: missing, so whether the deal is closed is unknown ({read})"
        return (
            "dealstage: missing, so whether the deal is closed is unknown "
            f"({read}, or pass stages=)"
        )
    if given:
        return (
            "dealstage: the stages given do not say whether this stage is closed "
            f"(metadata.isClosed), so the deal's status is unknown ({read}): {label!r}"
        )
    return (
        "dealstage: not a stage of HubSpot's default pipeline, so whether the deal is "
        "closed is unknown (pass stages=, the body of GET /crm/v3/pipelines/deals, or "
        f"{read}): {label!r}"
    )


def _first_of(*parts: pd.Series[Any]) -> pd.Series[Any]:
    """Per row, the first non-None reason of ``parts``."""
    out = parts[0].to_numpy(dtype=object).copy()
    for part in parts[1:]:
        empty = pd.isna(out)
        out[empty] = part.to_numpy(dtype=object)[empty]
    return pd.Series(out, index=parts[0].index, dtype=object)


# ------------------------------------------------------------------ stage history


def _visits(raw: pd.DataFrame, key: str) -> pd.DataFrame:
    """One raw row per (record, stage) with an entry or exit moment, by record and entry."""
    stage_ids: list[str] = []
    for name in raw.columns:
        match = _STAGE_PROPERTY.fullmatch(str(name))
        if match is not None and match.group(2) not in _NOT_A_STAGE:
            stage_ids.append(match.group(2))
    names = ["record", key, "stage_id", "hs_v2_date_entered", "hs_v2_date_exited", "archived"]
    parts = []
    for stage in dict.fromkeys(stage_ids):
        entered = field(raw, _ENTERED + stage).to_numpy(dtype=object)
        exited = field(raw, _EXITED + stage).to_numpy(dtype=object)
        rows = np.flatnonzero(~(_blank(entered) & _blank(exited)))
        if rows.size:
            values = [
                rows,
                field(raw, key).to_numpy(dtype=object)[rows],
                np.full(rows.size, stage, dtype=object),
                entered[rows],
                exited[rows],
                field(raw, "archived").to_numpy(dtype=object)[rows],
            ]
            parts.append(dict(zip(names, values, strict=True)))
    columns = {
        name: np.concatenate([part[name] for part in parts]) if parts else np.array([])
        for name in names
    }
    visits = pd.DataFrame({name: pd.Series(columns[name], dtype=object) for name in names})
    moments = parse_timestamp(visits["hs_v2_date_entered"], field="entered").canonical
    nanoseconds = moments.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    nanoseconds[moments.isna().to_numpy(dtype=bool)] = np.iinfo(np.int64).max
    order = np.lexsort((nanoseconds, visits["record"].to_numpy(dtype=np.int64)))
    return visits.iloc[order].reset_index(drop=True)


def _blank(objects: ObjectArray) -> BoolArray:
    blank = np.asarray([isinstance(v, str) and not v.strip() for v in objects], dtype=bool)
    missing: BoolArray = np.asarray(pd.isna(objects), dtype=bool) | blank
    return missing


def _named(reasons: pd.Series[Any], stage_ids: pd.Series[Any]) -> pd.Series[Any]:
    """Reasons with each row's property name in place of ``<stage>``."""
    out = reasons.to_numpy(dtype=object).copy()
    for position in np.flatnonzero(~pd.isna(out)):
        out[position] = str(out[position]).replace("<stage>", str(stage_ids.iloc[position]))
    return pd.Series(out, index=reasons.index, dtype=object)


@nesting_refused
def stage_history(records: object, *, stages: object = None) -> ImportResult:
    """Import the stage history of HubSpot deals: one row per deal and stage entered.

    HubSpot keeps, for every stage of a deal's pipeline, when the deal last entered it
    (``hs_v2_date_entered_<stage id>``) and last left it
    (``hs_v2_date_exited_<stage id>``). Each pair with a moment becomes one visit of
    the canonical stage history.

    Parameters
    ----------
    records : list of dict, dict or DataFrame
        The deals, as for :func:`deals`, with the ``hs_v2_date_*`` properties asked
        for (the API returns only the properties named in the request).
    stages : dict or list of dict, keyword-only, optional
        The deal pipelines, as for :func:`deals`, to give each stage its label.

    Returns
    -------
    ImportResult
        The canonical stage history, ordered by record and entry; its rows are the
        visits found, so ``rows_in`` counts visits, not records. A rejected visit keeps
        its raw values under ``record`` (the deal's input position), the id field,
        ``stage_id``, ``hs_v2_date_entered``, ``hs_v2_date_exited`` and ``archived``.

    Raises
    ------
    SchemaError
        ``records`` is not a list of mappings, a response body or a DataFrame, or no
        record has an id.
    InvalidInputError
        ``stages`` is not a pipelines table.

    See Also
    --------
    deals : the deals themselves.
    deal_changes : every change of the deals' amount, stage and close date.
    salescore.pipeline.time_in_stage : time spent per stage, from this table.

    Notes
    -----
    A visit is rejected when its deal is archived (``"archived"``) or its id is
    missing, its stage is not in ``stages``, its entry moment is missing or does not
    parse, or it was left before it was entered. A deal that entered a stage twice
    has one visit, the latest: HubSpot overwrites these properties. Without
    ``stages`` the stage column holds the stage id.

    References
    ----------
    .. [1] HubSpot developer documentation, "CRM API | Deals",
       https://developers.hubspot.com/docs/api-reference/crm-deals-v3/guide

    Examples
    --------
    >>> from salescore.adapters import hubspot
    >>> records = [{"id": "1002", "properties": {
    ...     "hs_v2_date_entered_qualifiedtobuy": "2024-02-01T10:00:00.000Z",
    ...     "hs_v2_date_exited_qualifiedtobuy": "2024-03-15T16:30:00.000Z",
    ...     "hs_v2_date_entered_contractsent": "2024-03-15T16:30:00.000Z",
    ...     "hs_v2_date_exited_contractsent": None}}]
    >>> history = hubspot.stage_history(records).frame
    >>> history[["deal_id", "stage", "entered"]]
      deal_id           stage             entered
    0    1002  qualifiedtobuy 2024-02-01 10:00:00
    1    1002    contractsent 2024-03-15 16:30:00
    >>> history["exited"].isna().tolist()
    [False, True]

    Deals without those properties have no visits:

    >>> hubspot.stage_history([{"id": "1003", "properties": {}}]).rows_in
    0
    """
    table = None if stages is None else _stage_table(stages)
    raw = records_frame(_unwrap(records), source=_SOURCE, properties="properties")
    key = _id_field(raw)
    visits = _visits(raw, key)
    index = visits.index
    labels, _, _, stage_reasons = _stages_of(visits["stage_id"], table)
    # Name the column of the rejected visit that holds the stage.
    stage_reasons = stage_reasons.str.replace("dealstage:", "stage_id:", regex=False)
    archived = parse_bool(visits["archived"], field="archived")
    gone = np.equal(archived.canonical.to_numpy(dtype=object), True)
    ids = parse_id(field(raw, key), field=key)
    present = ids.canonical.notna()
    twice = (present & ids.canonical.where(present).duplicated(keep=False)).to_numpy(dtype=bool)
    repeated = twice[visits["record"].to_numpy(dtype=np.int64)]
    entered = parse_timestamp(
        visits["hs_v2_date_entered"], field=_ENTERED + "<stage>", required=True
    )
    exited = parse_timestamp(visits["hs_v2_date_exited"], field=_EXITED + "<stage>")
    entered = Parsed(entered.canonical, _named(entered.reasons, visits["stage_id"]))
    exited = Parsed(exited.canonical, _named(exited.reasons, visits["stage_id"]))
    columns = {
        "deal_id": parse_id(visits[key], field=key),
        "stage": Parsed(pd.Series(labels, index=index, dtype=object), stage_reasons),
        "entered": entered,
        "exited": Parsed(exited.canonical, _first_of(exited.reasons, archived.reasons)),
    }
    return assemble(
        "stage_history",
        visits,
        columns,
        source=_SOURCE,
        extra_reasons=[
            reasons_where(gone, "archived", index),
            reasons_where(
                repeated & ~gone, f"{key}: given in more than one record (duplicate id)", index
            ),
        ],
        id_field=key,
    )
