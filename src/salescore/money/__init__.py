"""How much is it in our currency? Dated exchange rates, and amounts converted with them.

A company that sells in several currencies keeps a currency per deal (Salesforce
``CurrencyIsoCode``, HubSpot ``deal_currency_code``, Pipedrive ``currency``) and adds
amounts up in its corporate currency, each converted at the rate in force on its date:
Salesforce's advanced currency management converts an opportunity at the
``DatedConversionRate`` of its close date. :class:`ExchangeRates` holds such rates
(from arrays, a DataFrame, Salesforce records or a CSV file with :func:`read_rates`),
and :func:`convert` and :func:`convert_amounts` convert a table's or an array's amounts
with them, refusing by name every row for which there is no rate, so that money is
never converted at a wrong rate and no row is dropped.

The package's modules: :mod:`~salescore.money.rates` (the table, :func:`read_rates`)
and :mod:`~salescore.money.conversion` (:func:`convert`, :func:`convert_amounts`).
It stands on the schema (its ISO 4217 vocabulary) and nothing above it.
"""

from .conversion import convert, convert_amounts
from .rates import ExchangeRates, read_rates

__all__ = ["ExchangeRates", "convert", "convert_amounts", "read_rates"]
