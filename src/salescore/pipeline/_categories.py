"""Deal statuses and forecast categories: reading a vendor's spelling as the canonical value.

The canonical values themselves (:data:`STATUSES`, :data:`FORECAST_CATEGORIES`) are
vocabularies of the schema, defined in :mod:`salescore.schema.vocabularies` and
re-exported here for the modules that read deals.
"""

from __future__ import annotations

import math
from typing import Final

from ..errors import InvalidInputError
from ..schema.vocabularies import FORECAST_CATEGORIES, STATUSES

__all__ = [
    "FORECAST_CATEGORIES",
    "STATUSES",
    "forecast_category",
    "status",
]

# Spellings seen in CRM data, compared after lower-casing and removing spaces,
# underscores and hyphens. Salesforce's ForecastCategory API values are Omitted,
# Pipeline, BestCase, MostLikely, Forecast (shown as "Commit") and Closed; its
# ForecastCategoryName labels are Omitted, Pipeline, Best Case, Most Likely, Commit and
# Closed. HubSpot's hs_manual_forecast_category uses OMIT, PIPELINE, BEST_CASE, COMMIT
# and CLOSED.
_SPELLINGS: Final = {
    "omitted": "omitted",
    "omit": "omitted",
    "notforecasted": "omitted",
    "pipeline": "pipeline",
    "bestcase": "best_case",
    "mostlikely": "most_likely",
    "commit": "commit",
    "forecast": "commit",
    "closed": "closed",
    "closedwon": "closed",
}


def _key(value: str) -> str:
    return value.lower().replace(" ", "").replace("_", "").replace("-", "")


def forecast_category(value: object, *, deal_id: object = None) -> str | None:
    """The canonical forecast category for a vendor's spelling; ``None`` stays ``None``.

    Raises
    ------
    InvalidInputError
        An unknown category; the message names the deal (if given) and lists the
        accepted values.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        canonical = _SPELLINGS.get(_key(value))
        if canonical is not None:
            return canonical
    where = "" if deal_id is None else f" (deal {deal_id!r})"
    raise InvalidInputError(
        f"forecast_category{where} must be one of {', '.join(FORECAST_CATEGORIES)} "
        f"(or a Salesforce or HubSpot spelling of one); got {value!r}"
    )


def status(value: object, *, deal_id: object = None) -> str:
    """The canonical status ('open', 'won' or 'lost'), case-insensitive.

    Raises
    ------
    InvalidInputError
        Anything else, naming the deal if given.
    """
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in STATUSES:
            return lowered
    where = "" if deal_id is None else f" (deal {deal_id!r})"
    raise InvalidInputError(f"status{where} must be one of 'open', 'won', 'lost'; got {value!r}")
