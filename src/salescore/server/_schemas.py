"""The request and response bodies of the HTTP API, as Pydantic models.

The models give each body its shape and types (what the OpenAPI document
publishes): numbers must be JSON numbers (text such as ``"100"`` and ``true`` are
refused, not converted), unknown fields are refused, and ``NaN`` or ``Infinity`` are
no numbers. What the values mean — a value >= 0, a probability in [0, 1], a stage
the preset knows — is checked by the library's functions the endpoints call, whose
messages the errors carry.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Account",
    "AccountPlan",
    "CustomerValueRequest",
    "CustomerValueResponse",
    "DealMetricsResponse",
    "ErrorBody",
    "ForecastDeal",
    "ForecastRequest",
    "ForecastResponse",
    "Health",
    "Problem",
    "TiersRequest",
    "TiersResponse",
]

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Text = Annotated[str, Field(strict=True, min_length=1)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------- the forecast


class ForecastDeal(_Body):
    """One open deal of the book to forecast."""

    deal_id: Text = Field(description="The deal's id in the CRM, unique in the request.")
    value: Number = Field(description="The deal's value, >= 0, in the request's currency.")
    probability: Number | None = Field(
        default=None,
        description="The chance of winning it, in [0, 1]; without it, the stage's "
        "probability from `preset` or `stage_probabilities`.",
    )
    stage: Text | None = Field(default=None, description="The deal's stage.")
    currency: Text | None = Field(
        default=None, description="ISO 4217 code; when given, the request's `currency`."
    )
    close_date: dt.date | None = Field(
        default=None,
        description="The expected close date (YYYY-MM-DD); needed with `period_start`.",
    )


class ForecastRequest(_Body):
    """A book of open deals, and what to forecast it against."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "currency": "USD",
                    "quota": 50000,
                    "closed": 12000,
                    "preset": "salesforce",
                    "deals": [
                        {"deal_id": "006A", "value": 30000, "probability": 0.6},
                        {"deal_id": "006B", "value": 20000, "stage": "Negotiation/Review"},
                        {"deal_id": "006C", "value": 15000, "probability": 0.25},
                    ],
                }
            ]
        },
    )

    deals: list[ForecastDeal] = Field(description="The open deals, at most the server's batch.")
    currency: Text | None = Field(
        default=None,
        description="The currency of every amount; deals must not differ. Without it, every "
        "deal or none names its currency.",
    )
    quota: Number | None = Field(default=None, description="The target of the period, > 0.")
    closed: Number = Field(
        default=0.0, description="Revenue already won in the period, >= 0; needs a quota."
    )
    preset: Literal["salesforce", "hubspot", "espocrm", "suitecrm"] | None = Field(
        default=None, description="A CRM's default probability per stage, for deals without one."
    )
    stage_probabilities: dict[str, Number] | None = Field(
        default=None, description="Your own probability per stage, for deals without one."
    )
    period_start: dt.date | None = Field(
        default=None, description="With `period_end`: forecast only deals closing in it."
    )
    period_end: dt.date | None = Field(default=None, description="The period's last day.")


class ForecastResponse(BaseModel):
    """The revenue the book is expected to bring, and how sure that is."""

    currency: str | None = Field(description="The request's currency, if it named one.")
    deals: int = Field(description="The deals forecast.")
    excluded: int = Field(description="Deals left out: their close date is outside the period.")
    pipeline: float = Field(description="The total value of the deals forecast.")
    weighted_forecast: float = Field(description="Σ value × probability.")
    p10: float = Field(description="Revenue reached with 90 % probability.")
    p50: float = Field(description="The median revenue.")
    p90: float = Field(description="Revenue exceeded with 10 % probability only.")
    quota: float | None = Field(description="The request's quota.")
    probability_reach_quota: float | None = Field(
        description="P(closed + revenue >= quota), or null without a quota."
    )
    coverage: float | None = Field(
        description="pipeline ÷ (quota − closed); null without a quota, or when the quota "
        "is reached already (nothing left to cover)."
    )
    method: str = Field(description="How the distribution was computed.")


# ------------------------------------------------------------------ deal metrics


class WeightedDeal(BaseModel):
    deal_id: str | None = Field(description="The deal's id as text (a number is written as text).")
    status: str | None
    currency: str | None
    value: float | None
    probability: float | None
    weighted_value: float | None


class PipelineLine(BaseModel):
    currency: str | None
    deals: int
    value: float | None
    weighted_value: float | None = Field(
        description="null when a deal of the currency has no known probability."
    )


class RejectedRecord(BaseModel):
    row: int = Field(description="The record's position in the payload, from 0.")
    reason: str


class Counts(BaseModel):
    rows_in: int
    accepted: int
    rejected: int


class DealMetricsResponse(BaseModel):
    """Each deal's weighted value, the open pipeline per currency, the import report."""

    counts: Counts
    deals: list[WeightedDeal]
    pipeline: list[PipelineLine]
    rejected: list[RejectedRecord]
    warnings: list[str]


# ------------------------------------------------------------------------ tiers


class Account(_Body):
    """An account: its yearly revenue, its segment, and when it was last contacted."""

    account_id: Text
    annual_revenue: Number = Field(description="Revenue of the last twelve months, >= 0.")
    size: Text | None = None
    region: Text | None = None
    industry: Text | None = None
    last_contact: dt.date | None = None


class TiersRequest(_Body):
    """Accounts to classify A–D, with the segments that make their peer groups."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "today": "2026-12-01",
                    "segments": ["size"],
                    "accounts": [
                        {
                            "account_id": "001A",
                            "annual_revenue": 120000,
                            "size": "enterprise",
                            "last_contact": "2026-11-02",
                        },
                        {
                            "account_id": "001B",
                            "annual_revenue": 30000,
                            "size": "enterprise",
                            "last_contact": "2026-07-15",
                        },
                    ],
                }
            ]
        },
    )

    accounts: list[Account]
    today: dt.date = Field(description="The day overdue contacts are counted on.")
    segments: list[Literal["size", "region", "industry"]] = Field(
        default=["size", "region", "industry"],
        description="The fields whose values make a peer group; [] for one group.",
    )


class AccountPlan(BaseModel):
    account_id: str
    revenue: float
    potential: float | None
    tier: str | None
    expected_revenue: float | None
    temperature: float | None
    band: str | None
    channel: str | None
    cadence_days: float | None
    last_contact: dt.date | None
    next_contact: dt.date | None
    days_overdue: float | None


class TiersResponse(BaseModel):
    accounts: list[AccountPlan]


# --------------------------------------------------------------- customer value


class CustomerValueRequest(_Body):
    """A customer's margin and retention, and what it cost to win one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "margin": 1200,
                    "retention": 0.8,
                    "discount_rate": 0.1,
                    "hours": 40,
                    "hourly_cost": 45,
                }
            ]
        },
    )

    margin: Number = Field(description="Margin per period from one customer.")
    retention: Number = Field(description="Share of customers kept each period, in [0, 1).")
    discount_rate: Number = Field(default=0.0, description="Per period, >= 0.")
    timing: Literal["end", "begin"] = Field(
        default="end", description="Whether each period's margin comes at its end or its beginning."
    )
    acquisition_cost: Number | None = Field(
        default=None, description="The cost of winning one customer, if known."
    )
    spend: Number | None = Field(default=None, description="With `new_customers`: CAC = spend ÷ n.")
    new_customers: Number | None = None
    hours: Number | None = Field(
        default=None, description="With `hourly_cost`: CAC = hours × hourly cost (time × salary)."
    )
    hourly_cost: Number | None = None


class CustomerValueResponse(BaseModel):
    clv: float = Field(description="Customer lifetime value.")
    expected_lifetime: float = Field(description="Periods a customer is expected to stay.")
    acquisition_cost: float | None
    clv_cac_ratio: float | None
    payback_periods: float | None = Field(description="Periods of margin that repay the CAC.")


# ------------------------------------------------------------------------ other


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class Problem(BaseModel):
    field: str | None = Field(description="Where in the request, such as `deals[2].value`.")
    message: str


class ErrorDetail(BaseModel):
    status: int
    type: str = Field(description="invalid_json, invalid_input, unauthorized, too_large, …")
    message: str
    problems: list[Problem]


class ErrorBody(BaseModel):
    error: ErrorDetail


def example(model: type[BaseModel]) -> Any:
    """The first example of a model's schema."""
    extra = model.model_config.get("json_schema_extra")
    return extra["examples"][0] if isinstance(extra, dict) else None  # type: ignore[index]
