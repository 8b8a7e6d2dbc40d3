"""salescore: typed, vectorised sales metrics with their formulas and sources.

Every public name is re-exported here; see the API reference for each module.
"""

from ._version import __version__
from .errors import (
    ConvergenceError,
    IndexMismatchError,
    InvalidInputError,
    SalescoreError,
    SalescoreWarning,
    SchemaError,
)
from .value import (
    UnitEconomics,
    acquisition_cost,
    cac_payback,
    clv,
    clv_cac_ratio,
    customer_value,
    expected_lifetime,
    profitability_by_source,
    sale_profit,
    time_cost,
)

__all__ = [
    "ConvergenceError",
    "IndexMismatchError",
    "InvalidInputError",
    "SalescoreError",
    "SalescoreWarning",
    "SchemaError",
    "UnitEconomics",
    "__version__",
    "acquisition_cost",
    "cac_payback",
    "clv",
    "clv_cac_ratio",
    "customer_value",
    "expected_lifetime",
    "profitability_by_source",
    "sale_profit",
    "time_cost",
]
