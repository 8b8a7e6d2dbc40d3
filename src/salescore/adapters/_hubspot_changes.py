"""HubSpot deals read with ``propertiesWithHistory`` as the canonical deal-changes table.

The change-log importer of :mod:`salescore.adapters.hubspot`. Asked for
``propertiesWithHistory``, HubSpot's CRM API returns every value each named property
of a deal has held, each with its ``timestamp``. The deal's state changes at each of
those moments; at each one, every property holds its latest value at or before it.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
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
)
from ._hubspot_inputs import _SOURCE, _id_field, _stage_table, _stages_of, _unwrap

__all__ = ["TRACKED_PROPERTIES", "deal_changes"]

#: The deal properties whose history makes the change log: a row for every moment
#: one of them changed. Ask for them as ``propertiesWithHistory``.
TRACKED_PROPERTIES: Final = (
    "dealstage",
    "amount",
    "closedate",
    "hs_deal_stage_probability",
    "hs_manual_forecast_category",
    "hs_forecast_category",
    "hubspot_owner_id",
    "deal_currency_code",
)
_HISTORY_KEYS: Final = ("propertiesWithHistory", "properties_with_history")
_MANUAL: Final = "hs_manual_forecast_category"
_CALCULATED: Final = "hs_forecast_category"
_OPTIONAL: Final = ("forecast_category", "owner")


@nesting_refused
def deal_changes(records: object, *, stages: object = None) -> ImportResult:
    r"""Import the change log of HubSpot deals from their property histories.

    Parameters
    ----------
    records : list of dict, dict or hubspot-api-client objects
        Deals as the CRM API returns them when asked for ``propertiesWithHistory``
        (``{"id": ..., "propertiesWithHistory": {"amount": [{"value": ...,
        "timestamp": ..., "sourceType": ...}, ...], ...}, "archived": ...}``), the
        body of a list or batch-read response (``{"results": [...]}``), or what
        hubspot-api-client returns (its ``properties_with_history``).
    stages : dict or list of dict, keyword-only, optional
        The deal pipelines, as for :func:`deals`: each stage's label, probability
        and whether it is closed. Without it, HubSpot's default pipeline is assumed.

    Returns
    -------
    ImportResult
        ``table="deal_changes"``: one row per deal and moment at which a property of
        :data:`TRACKED_PROPERTIES` changed, ordered by record and moment. ``rows_in``
        counts those moments (and the history entries, or histories, that cannot be
        placed in time), not records. A rejected row keeps ``record`` (the deal's input
        position), the id field, ``changed_at`` (the moment as given) and each tracked
        property's value at that moment.

    Raises
    ------
    SchemaError
        ``records`` is not a list of mappings or a response body, or no record has
        an id.
    InvalidInputError
        ``stages`` is not a pipelines table.

    See Also
    --------
    deals : the deals as they are now.
    stage_history : the stage visits of the same deals.
    salescore.adapters.from_records : any other CRM's change log.

    Notes
    -----
    For each deal, the moments are the union of the ``timestamp`` values of its
    tracked properties' histories, and at a moment :math:`t` each property holds the
    value of its entry with the latest timestamp :math:`\le t`:

    .. math::

        x_p(t) = v_{p,k^*}, \qquad k^* = \arg\max_k \{ t_{p,k} : t_{p,k} \le t \}

    HubSpot lists each history newest first; the entries are sorted by their
    timestamps here, so their order does not matter. ``value`` is ``amount``,
    ``close_date`` the date (in UTC) of ``closedate``, ``probability``
    ``hs_deal_stage_probability`` or else the stage's probability (a warning counts
    those rows when it comes from the default pipeline), ``forecast_category``
    ``hs_manual_forecast_category`` (or, for a deal without its history,
    ``hs_forecast_category``), ``owner`` ``hubspot_owner_id`` and ``currency``
    ``deal_currency_code``. The status is that of the stage, as :func:`deals` reads
    it without ``hs_is_closed_won``: open unless the stage is closed, then won when
    the stage's probability is 1, else lost. A property whose history was not asked
    for is unknown at every moment: its current value is not read into the past.

    A row is rejected, with its reason, when its deal is archived or has no id (or
    an id another record carries too), when ``amount`` or ``closedate`` is not yet
    set at that moment or has no history at all (never filled from a later value),
    when the stage is missing, unknown or not known to be open or closed, when a
    value does not parse, or when a property has two different values at the same
    latest timestamp (which holds is unknown). A history entry without a usable
    timestamp is a rejected row of its own. A deal none of whose tracked properties
    has a history gives no rows; a warning counts such deals.

    References
    ----------
    .. [1] HubSpot developer documentation, "CRM API | Deals" (retrieve deals with
       ``propertiesWithHistory``),
       https://developers.hubspot.com/docs/api-reference/crm-deals-v3/guide

    Examples
    --------
    >>> from salescore.adapters import hubspot
    >>> deal = {"id": "1001", "propertiesWithHistory": {
    ...     "dealstage": [
    ...         {"value": "closedwon", "timestamp": "2024-03-20T16:00:00.000Z"},
    ...         {"value": "appointmentscheduled", "timestamp": "2024-03-04T09:30:00.000Z"}],
    ...     "amount": [
    ...         {"value": "30000", "timestamp": "2024-03-12T11:00:00.000Z"},
    ...         {"value": "27600", "timestamp": "2024-03-04T09:30:00.000Z"}],
    ...     "closedate": [{"value": "2024-06-28T00:00:00.000Z",
    ...                    "timestamp": "2024-03-04T09:30:00.000Z"}]}}
    >>> result = hubspot.deal_changes([deal])
    >>> result.frame[["changed_at", "value", "probability", "status"]]
               changed_at    value  probability status
    0 2024-03-04 09:30:00  27600.0          0.2   open
    1 2024-03-12 11:00:00  30000.0          0.2   open
    2 2024-03-20 16:00:00  30000.0          1.0    won

    A deal whose amount was set after its creation has no value at first:

    >>> late = {"id": "1002", "propertiesWithHistory": {
    ...     "dealstage": [{"value": "qualifiedtobuy", "timestamp": "2024-04-01T08:00:00Z"}],
    ...     "closedate": [{"value": "2024-09-30T00:00:00Z", "timestamp": "2024-04-01T08:00:00Z"}],
    ...     "amount": [{"value": "5000", "timestamp": "2024-04-03T08:00:00Z"}]}}
    >>> result = hubspot.deal_changes([late])
    >>> result.accepted, result.rejected["reason"].tolist()
    (1, ['amount: not yet set at this moment'])
    """
    table = None if stages is None else _stage_table(stages)
    raw = records_frame(_unwrap(records), source=_SOURCE, properties="properties")
    key = _id_field(raw)
    histories = _histories(raw)
    rows, silent = _rows(raw, key, histories)
    index = rows.index
    labels, stage_probability, stage_closed, stage_reasons = _stages_of(rows["dealstage"], table)
    closed = np.equal(stage_closed, True)
    status = np.where(closed & (stage_probability == 1.0), "won", np.where(closed, "lost", "open"))
    status_reasons = np.full(len(rows), None, dtype=object)
    unknown = pd.isna(stage_closed) & stage_reasons.isna().to_numpy(dtype=bool)
    for position in np.flatnonzero(unknown):
        status_reasons[position] = _closedness_reason(
            labels[position], rows["_has_dealstage"].iloc[position], given=table is not None
        )

    probability = parse_probability(
        rows["hs_deal_stage_probability"], field="hs_deal_stage_probability", scale="fraction"
    )
    fallback = (probability.canonical.isna() & probability.reasons.isna()).to_numpy(dtype=bool)
    filled = probability.canonical.where(~fallback, pd.Series(stage_probability, index=index))
    warnings = _warnings(silent, fallback & ~np.isnan(stage_probability) & (table is None))

    manual = parse_forecast_category(rows[_MANUAL], field=_MANUAL)
    calculated = parse_forecast_category(rows[_CALCULATED], field=_CALCULATED)
    use_manual = rows["_has_" + _MANUAL].to_numpy(dtype=bool)
    category = Parsed(
        manual.canonical.where(use_manual, calculated.canonical),
        manual.reasons.where(use_manual, calculated.reasons),
    )
    archived = parse_bool(rows["archived"], field="archived")
    gone = np.equal(archived.canonical.to_numpy(dtype=object), True)
    columns = {
        "deal_id": parse_id(rows[key], field=key),
        "changed_at": Parsed(rows["_moment"], pd.Series(None, index=index, dtype=object)),
        "stage": Parsed(pd.Series(labels, index=index, dtype=object), stage_reasons),
        "value": _required(parse_money(rows["amount"], field="amount"), rows, "amount"),
        "probability": Parsed(filled, probability.reasons),
        "close_date": _required(
            parse_date(rows["closedate"], field="closedate"), rows, "closedate"
        ),
        "forecast_category": category,
        "status": Parsed(
            pd.Series(status, index=index, dtype=object),
            pd.Series(status_reasons, index=index, dtype=object).fillna(archived.reasons),
        ),
        "currency": parse_currency(rows["deal_currency_code"], field="deal_currency_code"),
        "owner": parse_text(rows["hubspot_owner_id"], field="hubspot_owner_id", numbers=True),
    }
    ids = parse_id(field(raw, key), field=key)
    present = ids.canonical.notna()
    twice = (present & ids.canonical.where(present).duplicated(keep=False)).to_numpy(dtype=bool)
    repeated = twice[rows["record"].to_numpy(dtype=np.int64)] & ~gone
    shown = rows.drop(columns=[name for name in rows.columns if name.startswith("_")])
    return assemble(
        "deal_changes",
        shown,
        columns,
        source=_SOURCE,
        extra_reasons=[
            rows["_problem"],
            reasons_where(gone, "archived", index),
            reasons_where(repeated, f"{key}: given in more than one record (duplicate id)", index),
            rows["_ambiguous"],
        ],
        warnings=warnings,
        optional=_OPTIONAL,
        id_field=key,
    )


def _histories(raw: pd.DataFrame) -> list[object]:
    """Each record's property histories (``propertiesWithHistory``), or None."""
    found = [name for name in _HISTORY_KEYS if name in raw.columns]
    out: list[object] = [None] * len(raw)
    for name in found:
        for position, value in enumerate(raw[name].to_numpy(dtype=object)):
            if out[position] is None and value is not None:
                out[position] = value
    return out


_Entries = dict[str, list[tuple[int, object, object]]]


def _entries(histories: list[object]) -> tuple[list[_Entries], list[list[tuple[object, str]]]]:
    """Per record, its entries per tracked property (ns, value, raw timestamp), and problems.

    A problem is (the raw timestamp or None, a reason): an entry that cannot be placed
    in time, or a history that is not a list of entries. The timestamps of all records
    are parsed at once.
    """
    found: list[_Entries] = [{} for _ in histories]
    problems: list[list[tuple[object, str]]] = [[] for _ in histories]
    owners: list[tuple[int, str]] = []
    values: list[object] = []
    stamps: list[object] = []
    for record, history in enumerate(histories):
        if history is None:
            continue
        if not isinstance(history, Mapping):
            problems[record].append(
                (None, "propertiesWithHistory: not a mapping of property to history")
            )
            continue
        for name in TRACKED_PROPERTIES:
            entries = history.get(name)
            if entries is None:
                continue
            if not isinstance(entries, (list, tuple)) or not all(
                isinstance(entry, Mapping) for entry in entries
            ):
                problems[record].append(
                    (None, f"{name}: history is not a list of values with timestamps")
                )
                continue
            found[record][name] = []
            for entry in entries:
                owners.append((record, name))
                values.append(entry.get("value"))
                stamps.append(entry.get("timestamp"))
    raw = pd.Series(stamps, dtype=object)
    moments = parse_timestamp(raw, field="<property> timestamp", required=True)
    reasons = moments.reasons.to_numpy(dtype=object)
    nanoseconds = moments.canonical.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    for position, (record, name) in enumerate(owners):
        reason = reasons[position]
        if reason is not None and not pd.isna(reason):
            problems[record].append((stamps[position], str(reason).replace("<property>", name)))
        else:
            found[record][name].append(
                (int(nanoseconds[position]), values[position], raw.iloc[position])
            )
    for entries in found:
        for items in entries.values():
            items.sort(key=lambda item: item[0])
    return found, problems


def _as_of(entries: Sequence[tuple[int, object, object]], moment: int) -> tuple[object, str | None]:
    """The value held at ``moment``: the latest entry at or before it, or a reason."""
    times = [item[0] for item in entries]
    last = bisect.bisect_right(times, moment) - 1
    if last < 0:
        return None, None
    first = bisect.bisect_left(times, times[last])
    values = [entries[k][1] for k in range(first, last + 1)]
    if len({repr(value) for value in values}) > 1:
        shown = ", ".join(repr(value)[:30] for value in values[:3])
        return None, f"two values at the same latest moment, so which holds is unknown: {shown}"
    return values[-1], None


def _rows(raw: pd.DataFrame, key: str, histories: list[object]) -> tuple[pd.DataFrame, int]:
    """One raw row per record and moment of change, and the count of records without one."""
    ids = field(raw, key).to_numpy(dtype=object)
    flags = field(raw, "archived").to_numpy(dtype=object)
    out: list[dict[str, object]] = []
    silent = 0
    every, failures = _entries(histories)
    for position, (found, problems) in enumerate(zip(every, failures, strict=True)):
        base = {"record": position, key: ids[position], "archived": flags[position]}
        moments = sorted({item[0] for entries in found.values() for item in entries})
        if not moments and not problems:
            silent += 1
        for moment in moments:
            row: dict[str, object] = {**base}
            ambiguous: list[str] = []
            given = None
            for name in TRACKED_PROPERTIES:
                entries = found.get(name, [])
                value, reason = _as_of(entries, moment)
                row[name] = value
                row["_has_" + name] = bool(entries)
                if reason is not None:
                    ambiguous.append(f"{name}: {reason}")
                for item in entries:
                    if item[0] == moment and given is None:
                        given = item[2]
            row["changed_at"] = given
            row["_moment"] = pd.Timestamp(moment)
            row["_problem"] = None
            row["_ambiguous"] = "; ".join(ambiguous) or None
            out.append(row)
        for stamp, reason in problems:
            row = {**base, "changed_at": stamp, "_moment": pd.NaT, "_problem": reason}
            row.update(dict.fromkeys(TRACKED_PROPERTIES))
            row.update({"_has_" + name: False for name in TRACKED_PROPERTIES})
            row["_ambiguous"] = None
            out.append(row)
    names = [
        "record",
        key,
        "changed_at",
        *TRACKED_PROPERTIES,
        "archived",
        "_moment",
        "_problem",
        "_ambiguous",
        *("_has_" + name for name in TRACKED_PROPERTIES),
    ]
    data: dict[str, pd.Series[Any]] = {}
    for name in names:
        values = np.empty(len(out), dtype=object)
        values[:] = [row.get(name) for row in out]
        data[name] = pd.Series(values, dtype=object)
    rows = pd.DataFrame(data, index=pd.RangeIndex(len(out)))
    rows["record"] = rows["record"].astype(np.int64)
    rows["_moment"] = pd.to_datetime(rows["_moment"]).astype("datetime64[ns]")
    for name in TRACKED_PROPERTIES:
        rows["_has_" + name] = rows["_has_" + name].astype(bool)
    return rows, silent


def _required(parsed: Parsed, rows: pd.DataFrame, name: str) -> Parsed:
    """A required property's values, with a reason where it holds none at that moment."""
    unset = parsed.canonical.isna().to_numpy(dtype=bool) & parsed.reasons.isna().to_numpy(
        dtype=bool
    )
    never = pd.isna(rows[name].to_numpy(dtype=object))  # no entry yet: else a blank value
    known = rows["_has_" + name].to_numpy(dtype=bool)
    reasons = parsed.reasons.to_numpy(dtype=object).copy()
    reasons[unset & ~never] = f"{name}: missing"
    reasons[unset & never & known] = f"{name}: not yet set at this moment"
    reasons[unset & never & ~known] = f"{name}: no history (ask for it in propertiesWithHistory)"
    return Parsed(parsed.canonical, pd.Series(reasons, index=parsed.reasons.index, dtype=object))


def _closedness_reason(label: str | None, has_history: bool, *, given: bool) -> str:
    """Why a row's status is unknown, and what the caller can do."""
    if label is None:
        if has_history:
            return "dealstage: not yet set at this moment, so the status is unknown"
        return "dealstage: no history (ask for it in propertiesWithHistory)"
    if given:
        return (
            "dealstage: the stages given do not say whether this stage is closed "
            f"(metadata.isClosed), so the status is unknown: {label!r:.60}"
        )
    return (
        "dealstage: not a stage of HubSpot's default pipeline, so whether the deal is "
        f"closed is unknown (pass stages=, the body of GET /crm/v3/pipelines/deals): {label!r:.60}"
    )


def _warnings(silent: int, preset: np.ndarray[Any, np.dtype[np.bool_]]) -> list[str]:
    notes = []
    if silent:
        notes.append(
            f"{'1 deal has' if silent == 1 else f'{silent} deals have'} no history of "
            f"{', '.join(TRACKED_PROPERTIES)}, so no rows: ask for them as "
            "propertiesWithHistory"
        )
    count = int(preset.sum())
    if count:
        notes.append(
            f"{'1 row has' if count == 1 else f'{count} rows have'} no "
            "hs_deal_stage_probability: its stage's probability in HubSpot's default "
            "pipeline (salescore.pipeline.presets.HUBSPOT_STAGE_PROBABILITIES) is used; pass "
            "stages=, your deal pipelines, if your portal changed them"
        )
    return notes
