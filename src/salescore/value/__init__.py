"""What is a customer worth, and what does winning one cost?

What a customer brings: the customer lifetime value (:func:`clv`, discounted with
retention), the expected lifetime (:func:`expected_lifetime`) and the plain margin ×
lifetime (:func:`customer_value`); what winning one costs, as spend per customer won
(:func:`acquisition_cost`) or as selling time × hourly cost (:func:`time_cost`), and
the profit of a sale (:func:`sale_profit`); how the two compare (:func:`clv_cac_ratio`,
:func:`cac_payback`); the :class:`UnitEconomics` record for a customer segment; and,
from a table of won customers, profitability by acquisition source
(:func:`profitability_by_source`).

Every formula function follows the container contract and the NaN policy of
:doc:`/conventions`: scalars give ``float``, arrays give float64 arrays, Series give a
Series on the same index, NaN propagates, a zero denominator gives NaN, and impossible
values raise :class:`~salescore.InvalidInputError`.
"""

from .acquisition import acquisition_cost, cac_payback, clv_cac_ratio, sale_profit, time_cost
from .lifetime import clv, customer_value, expected_lifetime
from .records import UnitEconomics
from .tables import profitability_by_source

__all__ = [
    "UnitEconomics",
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
