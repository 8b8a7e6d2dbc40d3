"""A CRM webhook's records in, the deal metrics out, as plain JSON-ready dicts.

:func:`deal_metrics` is the whole server-side step of a CRM integration, without a web
framework: give it the body a CRM posts (the changed deals, as its API writes them)
and send back what it returns. It reads the records with the vendor's adapter,
weighs each deal by its probability and sums the open pipeline per currency.
"""

from __future__ import annotations

import importlib
import json
import math
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from ..errors import InvalidInputError, SchemaError
from ..pipeline.forecast import weighted_value
from ..pipeline.tables import weighted_pipeline
from ._core import ImportResult, nesting_refused
from .generic import from_records

__all__ = ["SOURCES", "deal_metrics"]

#: The sources :func:`deal_metrics` reads: the vendor module and function of each.
SOURCES: Final = {
    "salesforce": ("salesforce", "opportunities"),
    "hubspot": ("hubspot", "deals"),
    "pipedrive": ("pipedrive", "deals"),
    "odoo": ("odoo", "deals"),
    "records": ("generic", "from_records"),
}
# Keys under which APIs and webhooks wrap a list of records.
_WRAPPERS: Final = ("records", "results", "data", "result", "deals")


def _records(payload: object) -> list[Any]:
    """The list of records in a payload: JSON text, a list, a wrapper or one record."""
    if isinstance(payload, (bytes, bytearray)):
        payload = payload.decode("utf-8", errors="replace")
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except RecursionError:
            raise SchemaError("payload is not valid JSON: it is nested too deeply") from None
        except ValueError as error:
            reason = " ".join(str(error).split())
            raise SchemaError(f"payload is not valid JSON: {reason}") from None
    if isinstance(payload, Mapping):
        for key in _WRAPPERS:
            if key in payload and isinstance(payload[key], list):
                return list(payload[key])
        return [payload]
    if isinstance(payload, list):
        return payload
    raise SchemaError(
        "payload must be JSON text, a list of records, a mapping wrapping one "
        f"(under {', '.join(map(repr, _WRAPPERS))}) or a single record; "
        f"got {type(payload).__name__}"
    )


def _json(value: Any) -> Any:
    """A value JSON can hold: None for missing, plain float, int, str or bool."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def _check_source(source: object) -> None:
    if not isinstance(source, str) or source not in SOURCES:
        raise InvalidInputError(f"source must be one of {', '.join(SOURCES)}; got {source!r:.60}")


def _import(
    records: list[Any], source: str, mapping: Mapping[str, str] | None, scale: str
) -> ImportResult:
    if source == "records":
        return from_records(records, mapping, probability_scale=scale)
    if mapping is not None:
        raise InvalidInputError(f"mapping is for source='records' only; got source={source!r}")
    module, name = SOURCES[source]
    adapter = getattr(importlib.import_module(f"{__package__}.{module}"), name)
    result: ImportResult = adapter(records)
    return result


@nesting_refused
def deal_metrics(
    payload: object,
    *,
    source: str = "records",
    mapping: Mapping[str, str] | None = None,
    probability_scale: str = "fraction",
) -> dict[str, Any]:
    r"""The weighted value of each deal in a webhook payload, and the open pipeline.

    Parameters
    ----------
    payload : str, bytes, list or dict
        The request body: JSON text, or the parsed JSON. It holds deal records as the
        CRM's API writes them, as a list, wrapped in a mapping under ``records``,
        ``results``, ``data``, ``result`` or ``deals``, or a single record.
    source : str, keyword-only, default "records"
        Whose records: ``"salesforce"``, ``"hubspot"``, ``"pipedrive"``, ``"odoo"``
        (read by that vendor's adapter), or ``"records"`` for any other CRM (read by
        :func:`~salescore.adapters.from_records` with ``mapping``).
    mapping : Mapping of str to str, keyword-only, optional
        For ``source="records"``: canonical column → the records' field name.
    probability_scale : {"fraction", "percent"}, keyword-only, default "fraction"
        For ``source="records"``: how the records write probabilities.

    Returns
    -------
    dict
        Only JSON types (``json.dumps`` takes it as it is):

        - ``"counts"``: ``rows_in``, ``accepted`` and ``rejected``;
        - ``"deals"``: per accepted deal, ``deal_id``, ``status``, ``currency``,
          ``value``, ``probability`` and ``weighted_value`` (``None`` where the
          probability is unknown);
        - ``"pipeline"``: per currency of the open deals, ``currency``, ``deals``,
          ``value`` and ``weighted_value``;
        - ``"rejected"``: per rejected record, its position ``row`` in the payload
          and the ``reason``;
        - ``"warnings"``: the import's warnings.

    Raises
    ------
    SchemaError
        The payload is not JSON or holds no list of records, or a required field is
        absent from every record (rejected as a whole, so answer with an error
        status).
    InvalidInputError
        An unknown ``source``, a ``mapping`` for a vendor source, or an invalid
        ``mapping`` or ``probability_scale``.

    See Also
    --------
    salescore.weighted_value : the weighted value of one deal.
    salescore.weighted_pipeline : the open pipeline of a deals table.

    Notes
    -----
    A bad record never fails the call: it is listed under ``"rejected"``, and the
    other records are measured. Values in different currencies are never added up.
    For each deal and each currency :math:`c` of the open deals:

    .. math::

        w_i = v_i\, p_i, \qquad W_c = \sum_{i \text{ open},\ \text{currency}_i = c} w_i .

    References
    ----------
    .. [1] Nutshell, "Sales forecast", in its article on the sales metrics a sales
       manager should track (Norwegian edition): each prospect adds its value ×
       confidence.

    Examples
    --------
    >>> from salescore.adapters.webhook import deal_metrics
    >>> body = '''{"records": [
    ...     {"id": "D-17", "amount": 27600, "chance": 0.12, "currency": "USD"},
    ...     {"id": "D-18", "amount": 34500, "chance": 0.83, "currency": "USD"},
    ...     {"id": "D-19", "amount": "lots", "chance": 0.5, "currency": "USD"}]}'''
    >>> names = {"deal_id": "id", "value": "amount", "probability": "chance"}
    >>> metrics = deal_metrics(body, mapping=names)
    >>> [deal["weighted_value"] for deal in metrics["deals"]]  # Nutshell's figures
    [3312.0, 28635.0]
    >>> metrics["pipeline"]
    [{'currency': 'USD', 'deals': 2, 'value': 62100.0, 'weighted_value': 31947.0}]
    >>> metrics["rejected"]
    [{'row': 2, 'reason': "amount: not a plain number: 'lots'"}]
    >>> deal_metrics("[]", mapping=names)["counts"]
    {'rows_in': 0, 'accepted': 0, 'rejected': 0}
    """
    _check_source(source)
    records = _records(payload)
    result = _import(records, source, mapping, probability_scale)
    frame = result.frame
    weighted = weighted_value(frame["value"], frame["probability"])
    deals = [
        {
            "deal_id": _json(deal_id),
            "status": status,
            "currency": _json(currency),
            "value": _json(value),
            "probability": _json(probability),
            "weighted_value": _json(weight),
        }
        for deal_id, status, currency, value, probability, weight in zip(
            frame["deal_id"].tolist(),
            frame["status"].tolist(),
            frame["currency"].tolist(),
            frame["value"].tolist(),
            frame["probability"].tolist(),
            weighted.tolist(),
            strict=True,
        )
    ]
    pipeline: list[dict[str, Any]] = []
    if (frame["status"] == "open").any():
        table = weighted_pipeline(frame, by="currency")
        pipeline = [
            {
                "currency": _json(currency),
                "deals": int(row["deals"]),
                "value": _json(row["value"]),
                "weighted_value": _json(row["weighted_value"]),
            }
            for currency, row in table.iterrows()
        ]
    rejected = [
        {"row": int(row), "reason": str(reason)}
        for row, reason in zip(
            result.rejected.index.tolist(), result.rejected["reason"].tolist(), strict=True
        )
    ]
    return {
        "counts": {
            "rows_in": result.rows_in,
            "accepted": result.accepted,
            "rejected": result.n_rejected,
        },
        "deals": deals,
        "pipeline": pipeline,
        "rejected": rejected,
        "warnings": list(result.warnings),
    }
