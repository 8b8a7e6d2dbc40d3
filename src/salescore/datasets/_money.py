"""The sample CRM's second currency: its dated rates, its deals in SEK, its fiscal year.

The corporate currency is the euro. With ``sample(currencies=("EUR", "SEK"))`` the
deals of the accounts of the North region are kept in Swedish kronor, as a Nordic
subsidiary's CRM keeps them, at the rate in force on their close date, rounded to
the öre; :func:`salescore.money.convert` with :data:`RATES` brings them back to euros
within that rounding. The rates are synthetic (a smooth path between 11.0 and 11.8
kronor a euro, the range of 2024 and 2025), one a month from December 2023, the last
from 1 January 2026: a deal due later converts at the last rate, as it would in a CRM
on the report date. The company's fiscal year starts in April (named by the year it
ends), so the quota's quarter, January to March 2026, is FY2026 Q4.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from ..fiscal import FiscalCalendar
from ..money import ExchangeRates, convert
from ._calendar import CURRENCY

__all__ = ["CURRENCIES", "FISCAL_CALENDAR", "RATES", "SECOND", "in_currencies", "rates_frame"]

#: The second currency the sample can hold, beside the euro.
SECOND: Final = "SEK"
#: The currencies ``sample(currencies=...)`` accepts: the euro first, then SEK or not.
CURRENCIES: Final = ((CURRENCY,), (CURRENCY, SECOND))
#: The fiscal calendar of the sample company: years from 1 April, named by their end.
FISCAL_CALENDAR: Final = FiscalCalendar.from_start_month(4)

_REGION: Final = "North"  # the accounts whose deals are in the second currency


def rates_frame() -> pd.DataFrame:
    """The monthly SEK rates (kronor per euro), from 2023-12-01 to 2026-01-01."""
    months = pd.date_range("2023-12-01", "2026-01-01", freq="MS")
    step = np.arange(months.size, dtype=np.float64)
    rate = np.round(11.4 + 0.4 * np.sin(step / 4.0), 4)
    return pd.DataFrame({"currency": SECOND, "valid_from": months, "rate": rate})


#: The sample's exchange rates: SEK against the euro, one a month.
RATES: Final = ExchangeRates.from_frame(rates_frame(), base=CURRENCY)


def in_currencies(
    deals: pd.DataFrame, accounts: pd.DataFrame, currencies: tuple[str, ...]
) -> pd.DataFrame:
    """The deals with those of the North accounts in SEK when ``currencies`` holds it."""
    if SECOND not in currencies:
        return deals
    north = accounts.loc[accounts["region"] == _REGION, "account_id"]
    local = deals["account_id"].isin(north).to_numpy(dtype=bool)
    kronor = convert(deals.loc[local].assign(currency=CURRENCY), to=SECOND, rates=RATES)
    out = deals.copy()
    out.loc[local, "value"] = kronor["value"].round(2).to_numpy()
    out.loc[local, "currency"] = SECOND
    return out
