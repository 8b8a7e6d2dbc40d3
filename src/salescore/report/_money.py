"""The deals in one currency: the report's conversion with ``--currency`` and ``--rates``.

:class:`Money` says what the deals are converted to and with which rates;
:func:`converted` converts the deals of an import, each at the rate in force on its
close date with :func:`salescore.money.convert`, and moves every deal that cannot be
converted (no currency or close date, no rate of its currency, or none yet on its
close date, an amount beyond float range once converted) to the import's rejected
rows with its reason, so that the report counts it and says why rather than abort or
use a wrong rate. :func:`currency_code` checks a code given as an argument. Reading
the rates file is :mod:`.data`'s, with the other files.
"""

from __future__ import annotations

from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from ..adapters import ImportResult
from ..adapters._result import REASON
from ..errors import InvalidInputError
from ..money import ExchangeRates, convert
from ..schema.vocabularies import CURRENCIES, WITHDRAWN_CURRENCIES

__all__ = ["Money", "converted", "currency_code"]


@attrs.frozen(kw_only=True)
class Money:
    """The deals' amounts are converted to ``to`` with ``rates``, read from ``file``."""

    to: str
    rates: ExchangeRates
    file: str


def currency_code(name: str, value: object) -> str:
    """An ISO 4217 code given as an argument, upper-cased; anything else is refused."""
    if isinstance(value, str) and value.strip().upper() in CURRENCIES | WITHDRAWN_CURRENCIES:
        return value.strip().upper()
    raise InvalidInputError(
        f"{name} must be an ISO 4217 currency code such as 'EUR'; got "
        f"{type(value).__name__} {value!r:.60}"
    )


def unconvertible(deals: pd.DataFrame, money: Money) -> pd.Series[Any]:
    """Why each deal cannot be converted to ``money.to`` (None: it can), as a reject reason.

    The reasons follow the adapters' ``"column: problem: value"`` form, so that the
    import groups them. This only sorts the rows: :func:`salescore.money.convert`
    converts the others, and refuses any without a rate rather than use a wrong one.
    """
    to, rates = money.to, money.rates
    table = rates.to_frame()
    first = table.groupby("currency")["valid_from"].min()
    first[rates.base] = pd.NaT  # the base has rate 1 at every date
    rows = len(deals)
    codes = (
        deals["currency"].astype(object)
        if "currency" in deals.columns
        else pd.Series([None] * rows, index=deals.index, dtype=object)
    )
    dates = (
        pd.to_datetime(deals["close_date"])
        if "close_date" in deals.columns
        else pd.Series(pd.NaT, index=deals.index, dtype="datetime64[ns]")
    )
    source = f"in {money.file}"
    reasons: list[str | None] = []
    for code, date in zip(codes.tolist(), dates.tolist(), strict=True):
        reasons.append(None)
        if code is None or (isinstance(code, float) and np.isnan(code)):
            reasons[-1] = f"currency: missing, and the amount cannot be converted to {to}"
            continue
        code = str(code)
        if code == to:
            continue
        if date is None or pd.isna(date):
            reasons[-1] = f"close_date: missing, and the rate of {code} to {to} depends on it"
            continue
        if code not in first.index:
            reasons[-1] = f"currency: no rate of it {source}: {code!r}"
            continue
        for needed in (code, to):
            start = first[needed]
            if not pd.isna(start) and date < start:
                reasons[-1] = (
                    f"close_date: before the first {needed} rate {source} "
                    f"({start.date().isoformat()}): '{date.date().isoformat()}'"
                )
                break
    return pd.Series(reasons, index=deals.index, dtype=object)


def beyond(deals: pd.DataFrame, fine: pd.Series[bool], money: Money) -> pd.Series[Any]:
    """The reason of each convertible deal whose amount would overflow a float, else None."""
    out = pd.Series(None, index=deals.index, dtype=object)
    if "value" not in deals.columns or "currency" not in deals.columns:
        return out
    rates = money.rates
    todo = deals.loc[fine.to_numpy(dtype=bool) & (deals["currency"] != money.to).to_numpy(bool)]
    for code, group in todo.groupby("currency", sort=False):
        dates = group["close_date"]
        factor = np.asarray(rates.rate(money.to, dates), dtype=np.float64) / np.asarray(
            rates.rate(str(code), dates), dtype=np.float64
        )
        amounts = group["value"].to_numpy(dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            over = np.isinf(amounts * factor) & np.isfinite(amounts)
        for label, amount in zip(group.index[over], amounts[over], strict=True):
            out[label] = (
                f"value: beyond float range (about 1.8e308) once converted to {money.to}: "
                f"{float(amount)!r}"
            )
    return out


def converted(result: ImportResult, money: Money | None) -> ImportResult:
    """The deals (or deal changes) of ``result`` in ``money.to``: the unconvertible ones rejected.

    A deal is converted at the rate in force on its close date. Every row of a deal's
    change log is converted at one rate, that of the close date in its latest row, so
    that a moved close date does not show as a change of value and the latest row
    agrees with the deal's row of the deals table. (A backtest of such a log reads its
    amounts at that later rate; its states and probabilities are unaffected.)
    """
    if money is None or result.table not in ("deals", "deal_changes"):
        return result
    frame = dated = result.frame
    if result.table == "deal_changes" and {"deal_id", "changed_at", "close_date"} <= set(
        frame.columns
    ):
        latest = (
            frame.sort_values("changed_at", kind="stable")
            .groupby("deal_id", sort=False)["close_date"]
            .last()
        )
        dated = frame.assign(close_date=frame["deal_id"].map(latest))
    reasons = unconvertible(dated, money)
    reasons = reasons.where(reasons.notna(), beyond(dated, reasons.isna(), money))
    bad = reasons.notna().to_numpy(dtype=bool)
    good = dated.loc[~bad]
    foreign = "currency" in good.columns and bool((good["currency"] != money.to).any())
    if "value" in good.columns and foreign:
        try:
            good = convert(good, to=money.to, rates=money.rates)
        except InvalidInputError as error:
            raise InvalidInputError(f"{result.table}: {error}") from error
    if dated is not frame and "close_date" in good.columns:
        good = good.assign(close_date=frame.loc[good.index, "close_date"])
    if "currency" in frame.columns:
        good = good.assign(currency=money.to)
    moved = frame.loc[bad].astype(object).assign(**{REASON: reasons[bad]})
    rejected = pd.concat([result.rejected, moved]) if len(moved) else result.rejected
    # The readers' advice to convert mixed currencies is taken: say how instead.
    said = tuple(
        (
            f"{warning.partition('; values are kept')[0]}; converted to {money.to} at the rate "
            f"in force on each deal's close date ({money.file})"
        )
        if warning.endswith(_MIXED)
        else warning
        for warning in result.warnings
    )
    return attrs.evolve(result, frame=good, rejected=rejected, warnings=said)


# How the readers' warning about deals in several currencies ends.
_MIXED: Final = "never summed across currencies: convert them or group by currency"
