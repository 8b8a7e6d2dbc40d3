"""What each endpoint computes: a request model in, a JSON-ready dict out.

Each function is a thin layer over the library: it builds the table or arguments a
library function takes, calls it, and writes its result in JSON types. Nothing is
computed here that the library computes; the checks of meaning (a value >= 0, a
probability in [0, 1], a stage the preset knows) are the library's, and its
:class:`~salescore.errors.InvalidInputError` reaches the client as a 422 with its
message.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .. import tiers, value
from ..adapters import webhook
from ..errors import InvalidInputError
from ..pipeline import (
    book_distribution,
    fill_probabilities,
    pipeline_coverage,
    presets,
    weighted_forecast,
)
from ._schemas import CustomerValueRequest, ForecastRequest, TiersRequest

__all__ = ["customer_value", "deal_metrics", "forecast", "plan_accounts", "records_in"]

_PRESETS = {
    "salesforce": presets.SALESFORCE_STAGE_PROBABILITIES,
    "hubspot": presets.HUBSPOT_STAGE_PROBABILITIES,
    "espocrm": presets.ESPOCRM_STAGE_PROBABILITIES,
    "suitecrm": presets.SUITECRM_STAGE_PROBABILITIES,
}


def _number(x: Any) -> float | None:
    """A float, or None for NaN (JSON has no NaN)."""
    number = float(x)
    return None if math.isnan(number) else number


def _once(ids: list[str], what: str) -> None:
    """Refuse ids given twice: one record counted twice would be a wrong figure."""
    counts = pd.Series(ids, dtype=object).value_counts(sort=False)
    repeated = counts.index[counts.to_numpy() > 1].tolist()
    if repeated:
        raise InvalidInputError(
            f"{what}: each id must be given once; repeated: {repeated[:5]!r}"
            f"{' …' if len(repeated) > 5 else ''}"
        )


def _one_currency(request: ForecastRequest) -> str | None:
    """The request's one currency; deals in another are refused, never added up."""
    named = {deal.currency for deal in request.deals if deal.currency is not None}
    unnamed = [deal.deal_id for deal in request.deals if deal.currency is None]
    if request.currency is None and named and unnamed:
        raise InvalidInputError(
            f"deals: some deals name their currency and {len(unnamed)} do not "
            f"({unnamed[:5]!r}); name it on every deal, or once as the request's currency"
        )
    wanted = request.currency
    others = sorted(named - {wanted}) if wanted is not None else sorted(named)[1:]
    if others:
        first = wanted if wanted is not None else sorted(named)[0]
        odd = [d.deal_id for d in request.deals if d.currency not in (None, first)]
        raise InvalidInputError(
            f"deals: every amount must be in one currency ({first!r}); "
            f"{len(odd)} deal(s) are in {others!r}: {odd[:5]!r}; convert them first"
        )
    return wanted if wanted is not None else (next(iter(named)) if named else None)


def _in_period(request: ForecastRequest) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Which deals close in the period (all of them without one)."""
    start, end = request.period_start, request.period_end
    if start is None and end is None:
        return np.ones(len(request.deals), dtype=bool)
    if start is None or end is None or end < start:
        raise InvalidInputError(
            "period_start and period_end go together, the start no later than the end; "
            f"got period_start={start!s}, period_end={end!s}"
        )
    undated = [deal.deal_id for deal in request.deals if deal.close_date is None]
    if undated:
        raise InvalidInputError(
            f"deals: a period needs each deal's close_date; missing for {len(undated)} "
            f"deal(s): {undated[:5]!r}"
        )
    dates = [deal.close_date for deal in request.deals]
    return np.array([day is not None and start <= day <= end for day in dates], dtype=np.bool_)


def forecast(request: ForecastRequest) -> dict[str, Any]:
    """POST /v1/forecast: the book's weighted forecast, quantiles and P(reach quota)."""
    if request.preset is not None and request.stage_probabilities is not None:
        raise InvalidInputError(
            "give preset or stage_probabilities, not both: which one a stage takes would be a guess"
        )
    _once([deal.deal_id for deal in request.deals], "deals")
    if request.quota is None and request.closed != 0.0:
        raise InvalidInputError(
            f"closed is the revenue already won toward the quota, so it needs a quota; "
            f"got closed={request.closed!r} without one"
        )
    if request.quota is not None and not request.quota > 0.0:
        raise InvalidInputError(f"quota must be a number > 0; got {request.quota!r}")
    currency = _one_currency(request)
    kept = _in_period(request)
    deals = [deal for deal, keep in zip(request.deals, kept, strict=True) if keep]
    frame = pd.DataFrame(
        {
            "deal_id": pd.Series([deal.deal_id for deal in deals], dtype=object),
            "stage": pd.Series([deal.stage for deal in deals], dtype=object),
            "value": np.array([deal.value for deal in deals], dtype=np.float64),
            "probability": np.array(
                [np.nan if deal.probability is None else deal.probability for deal in deals],
                dtype=np.float64,
            ),
        }
    )
    table = request.stage_probabilities or (
        _PRESETS[request.preset] if request.preset is not None else None
    )
    if table is not None:
        frame, _ = fill_probabilities(frame, table)
    unknown = frame["probability"].isna().to_numpy()
    if unknown.any():
        ids = frame["deal_id"][unknown].tolist()
        raise InvalidInputError(
            f"deals: {len(ids)} deal(s) have no probability: {ids[:5]!r}; give each its "
            "probability, or its stage with a preset or stage_probabilities"
        )
    distribution = book_distribution(frame)
    p10, p50, p90 = (float(q) for q in distribution.quantile(np.array([0.1, 0.5, 0.9])))
    pipeline = math.fsum(frame["value"])
    reach = coverage = None
    if request.quota is not None:
        coverage = _number(pipeline_coverage(pipeline, request.quota, closed=request.closed))
        reach = float(distribution.probability_at_least(request.quota - request.closed))
    return {
        "currency": currency,
        "deals": len(frame),
        "excluded": int((~kept).sum()),
        "pipeline": pipeline,
        "weighted_forecast": float(weighted_forecast(frame["value"], frame["probability"])),
        "p10": p10,
        "p50": p50,
        "p90": p90,
        "quota": request.quota,
        "probability_reach_quota": reach,
        "coverage": coverage,
        "method": distribution.method,
    }


def records_in(payload: Any) -> int:
    """How many records a webhook payload holds (checked against the batch limit)."""
    return len(webhook._records(payload))


def deal_metrics(
    payload: Any, source: str, mapping: dict[str, str] | None, scale: str
) -> dict[str, Any]:
    """POST /v1/deal-metrics/{source}: :func:`salescore.adapters.webhook.deal_metrics`."""
    metrics = webhook.deal_metrics(payload, source=source, mapping=mapping, probability_scale=scale)
    # Ids as text, whatever type the CRM gives them (Pipedrive's and Odoo's are numbers):
    # one type in the published schema, which Salesforce's flows can read.
    for deal in metrics["deals"]:
        if deal["deal_id"] is not None:
            deal["deal_id"] = str(deal["deal_id"])
    return metrics


def plan_accounts(request: TiersRequest) -> dict[str, Any]:
    """POST /v1/tiers: :func:`salescore.tiers.tier_accounts` on the accounts."""
    _once([account.account_id for account in request.accounts], "accounts")
    rows = [account.model_dump() for account in request.accounts]
    columns = ["account_id", "annual_revenue", "size", "region", "industry", "last_contact"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["annual_revenue"] = frame["annual_revenue"].astype(np.float64)
    frame["last_contact"] = pd.to_datetime(frame["last_contact"])
    plan = tiers.tier_accounts(
        frame, today=pd.Timestamp(request.today), segments=list(request.segments)
    )
    out = []
    for row in plan.to_dict(orient="records"):
        item: dict[str, Any] = {}
        for name, cell in row.items():
            key = str(name)
            if key in ("last_contact", "next_contact"):
                item[key] = None if pd.isna(cell) else pd.Timestamp(cell).date().isoformat()
            elif isinstance(cell, (float, np.floating)):
                item[key] = _number(cell)
            else:
                item[key] = None if pd.isna(cell) else str(cell)
        out.append(item)
    return {"accounts": out}


def customer_value(request: CustomerValueRequest) -> dict[str, Any]:
    """POST /v1/customer-value: :class:`salescore.value.UnitEconomics` of the inputs."""
    ways = {
        "acquisition_cost": request.acquisition_cost is not None,
        "spend and new_customers": request.spend is not None or request.new_customers is not None,
        "hours and hourly_cost": request.hours is not None or request.hourly_cost is not None,
    }
    given = [name for name, present in ways.items() if present]
    if len(given) > 1:
        raise InvalidInputError(
            f"give the acquisition cost one way, not {' and '.join(given)}: which to use would "
            "be a guess"
        )
    cac = request.acquisition_cost
    won = request.new_customers
    if won is not None and not (won >= 1.0 and float(won).is_integer()):
        raise InvalidInputError(
            f"new_customers must be a whole number >= 1 (a CAC needs a customer won); got {won!r}"
        )
    if given == ["spend and new_customers"]:
        cac = float(
            value.acquisition_cost(
                _both(request.spend, "spend"), _both(request.new_customers, "new_customers")
            )
        )
    elif given == ["hours and hourly_cost"]:
        cac = float(
            value.time_cost(
                _both(request.hours, "hours"), _both(request.hourly_cost, "hourly_cost")
            )
        )
    economics = value.UnitEconomics(
        margin=request.margin,
        retention=request.retention,
        discount_rate=request.discount_rate,
        acquisition_cost=cac,
        timing=request.timing,
    )
    return {
        "clv": float(economics.clv),
        "expected_lifetime": float(economics.expected_lifetime),
        "acquisition_cost": None if cac is None else cac,
        "clv_cac_ratio": None if cac is None else _number(economics.clv_cac_ratio),
        "payback_periods": None if cac is None else _number(economics.payback),
    }


def _both(number: float | None, name: str) -> float:
    if number is None:
        raise InvalidInputError(f"{name} is missing: it goes with the other half of its pair")
    return number
