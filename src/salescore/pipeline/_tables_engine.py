"""The open pipeline and the forecast rollup of a deals table held by an engine.

One query run where the deals live counts every row the pandas path refuses, and only
when something is wrong does a further query fetch a few of them to name. A second
query reduces the deals to one row per group (and period), currency and (with rates)
UTC day of the close date: the number of deals, the sums of the known amounts and how
many were unknown. Only that table comes back to pandas, where the currencies are
checked, each row's sums converted at its day's rate (rate × sum is the sum of the
converted amounts, up to rounding), and :mod:`salescore.pipeline.tables` finishes the
table as for a pandas frame. An engine's rows have no order: groups follow their labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, NamedTuple

import narwhals as nw
import numpy as np
import pandas as pd

from .._tables import PERIOD
from ..engines._frames import EngineFrame, collect
from ..engines._frames import count_true as _count
from ..engines._frames import found_count as _number
from ..engines._frames import sure as _sure
from ..engines._frames import text_of as _text
from ..engines._periods import engine_dtype, utc_naive, with_period
from ..errors import InvalidInputError
from ..fiscal._freq import period_kind
from ..money import ExchangeRates, convert
from ..schema.vocabularies import CURRENCIES, FORECAST_CATEGORIES, WITHDRAWN_CURRENCIES
from ._categories import _SPELLINGS
from ._deals import _PERCENT_HINT
from ._engine import day_number, deal_dates, status_is

__all__ = ["Reduced", "pipeline_sums", "rollup_sums"]

_KNOWN: Final = CURRENCIES | WITHDRAWN_CURRENCIES
_TEXT: Final = pd.Series([""]).dtype  # the dtype pandas infers for text (str from pandas 3)
#: The categories whose values the rollup sums, the won deals first.
_FIGURES: Final = ("closed", "commit", "most_likely", "best_case", "pipeline")

# Column names inside the engine's queries.
_ID, _S, _V, _PR = "__salescore_deal", "__salescore_status", "__salescore_value", "__salescore_p"
_CAT, _CUR, _CLOSE = "__salescore_category", "__salescore_currency", "__salescore_close"
_CREATED, _UTC, _DAY = "__salescore_created", "__salescore_utc", "__salescore_day"
_P, _N, _F, _X = "__salescore_period", "__salescore_deals", "__salescore_used", "__salescore_max"


class Reduced(NamedTuple):
    """The reduced deals, as the pandas path's tail takes them."""

    parts: pd.DataFrame  # one row per reduced row: its figures (NaN where one is unknown)
    keys: list[pd.Series[Any]]  # the group keys of those rows (by columns, then period)
    deals: Any  # the number of deals of each row (int64 array)


def _group(index: int) -> str:
    return f"__salescore_by_{index}"


class _Deals:
    """An engine's deals read once: the columns used under private names, and naming."""

    def __init__(
        self,
        native: object,
        engine: str,
        *,
        groups: Sequence[str],
        columns: dict[str, str],
        currency: str | None,
        deal_id: str | None,
    ) -> None:
        self.frame = EngineFrame("deals", native, engine)
        self.groups = list(groups)
        ids = [] if deal_id is None else [deal_id]
        money = [] if currency is None else [currency]
        self.frame.require([*columns.values(), *money, *ids, *self.groups])
        self.currency = currency
        self.who = {} if deal_id is None else {_ID: deal_id}
        self.selected: list[nw.Expr] = [] if deal_id is None else [nw.col(deal_id).alias(_ID)]
        self.texts = [self.text(column, _group(index)) for index, column in enumerate(groups)]
        if currency is not None:
            self.text(currency, _CUR)
        self.log: nw.LazyFrame[Any] = self.frame.frame

    def text(self, column: str, name: str) -> bool:
        """Select ``column`` under ``name``; whether it holds text (or categories)."""
        text = _text(self.frame, column)
        self.selected.append((nw.col(column) if text is None else text).alias(name))
        return text is not None

    def select(self, *more: nw.Expr) -> None:
        self.log = self.frame.frame.select(*self.selected, *more)
        if _UTC in self.log.collect_schema():  # the day whose rate converts the deal
            self.log = self.log.with_columns(day_number(_UTC, None).alias(_DAY))

    def rows(self, condition: nw.Expr, count: int, shown: dict[str, str]) -> str:
        return self.frame.rows(self.log, condition, count, {**self.who, **shown})

    def checks(self, checks: dict[str, nw.Expr]) -> None:
        """Count the rows of each check (one aggregate query), for :meth:`check`."""
        counts = (_count(condition).alias(name) for name, condition in checks.items())
        self.found = collect(self.log.select(*counts)).iloc[0]

    def check(self, name: str, condition: nw.Expr, shown: dict[str, str], *text: str) -> None:
        """Refuse the rows of ``condition`` if check ``name`` found any, ``text`` around them."""
        count = _number(self.found, name)
        if count:
            where = self.rows(condition, count, shown)
            raise InvalidInputError(f"{text[0]}{where}{''.join(text[1:])}")

    def statuses(self, bad: nw.Expr, status: str) -> None:
        text = f"{status} must be one of 'open', 'won', 'lost'; not so for "
        self.check("bad", bad, {_S: status}, text)

    def amounts(self, wrong: nw.Expr, value: str) -> None:
        self.check(
            "wrong", wrong, {_V: value}, f"{value} must be a finite number >= 0; not so for "
        )

    def one_currency(self, table: pd.DataFrame, used: nw.Expr) -> None:
        """Money is one currency per call: name the currencies and some deals of each."""
        currency = self.currency
        assert currency is not None
        table = table[table[_F].to_numpy(dtype=np.int64) > 0]
        labels = table[_CUR].to_numpy(dtype=object)
        counts = table[_F].astype(np.int64).groupby(labels, dropna=False, sort=False).sum()
        if len(counts) <= 1:
            return
        order = sorted(counts.index, key=lambda label: (pd.isna(label), str(label)))
        parts = []
        for label in order:
            missing = pd.isna(label)
            condition = used & (nw.col(_CUR).is_null() if missing else _sure(nw.col(_CUR) == label))
            where = self.rows(condition, int(counts[label]), {_CUR: currency})
            parts.append(f"{'missing' if missing else repr(label)} ({where})")
        raise InvalidInputError(
            f"{currency}: the deals are in more than one currency: {'; '.join(parts)}; "
            "convert the values to one currency first, or group by the currency column "
            f"(by=[..., {currency!r}])"
        )


def _known(amount: nw.Expr) -> tuple[nw.Expr, nw.Expr]:
    """(unknown, the amount with 0 where unknown): NaN and null are both missing."""
    unknown = amount.is_null() | _sure(amount.is_nan())
    return unknown, nw.when(unknown).then(nw.lit(0.0)).otherwise(amount)


def _dated(deals: _Deals, close_date: str) -> None:
    """The UTC day of the close dates, for their rates (naive dates mean UTC)."""
    deals.frame.require_dates(close_date)
    deals.selected.append(utc_naive(nw.col(close_date), deals.frame.zone(close_date)).alias(_UTC))


def _reduce(
    deals: _Deals, rows: nw.LazyFrame[Any], keys: list[str], sums: list[str], maximum: bool
) -> pd.DataFrame:
    """The rows grouped by ``keys`` (nulls kept): sums of ``sums``, the largest value."""
    aggregations = [nw.col(name).sum() for name in sums]
    if maximum:
        aggregations.append(nw.col(_X).max())
    # Plain sums of columns made beforehand, as Dask requires of a grouped aggregation.
    table = collect(rows.group_by(*keys, drop_null_keys=False).agg(*aggregations))
    labels = [_group(index) for index in range(len(deals.groups))]
    order = [*labels, *([_P] if _P in table else [])]
    if order:  # categories were cast to text in the engine
        table = table.sort_values(order, na_position="last", kind="stable")
    return table.reset_index(drop=True)


def _figure(table: pd.DataFrame, total: str, unknown: str, factor: Any) -> Any:
    """A reduced row's sum, NaN where a value was unknown, in the currency of the table."""
    sums = table[total].to_numpy(dtype=np.float64, na_value=np.nan)
    # The amounts summed are finite and not negative: NaN is a sum that overflowed
    # (Dask adds as pandas does, with Kahan's compensation: inf - inf).
    sums = np.where(np.isnan(sums), np.inf, sums)
    missing = table[unknown].fillna(0).to_numpy(dtype=np.int64) > 0
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(missing, np.nan, sums * factor)


def _keys(
    deals: _Deals,
    table: pd.DataFrame,
    conversion: tuple[ExchangeRates, str] | None,
    period: tuple[pd.PeriodDtype, int] | None = None,
) -> list[pd.Series[Any]]:
    """The group keys of the reduced rows, as the pandas path's keys read."""
    keys: list[pd.Series[Any]] = []
    for index, column in enumerate(deals.groups):
        labels = table[_group(index)].reset_index(drop=True).rename(column)
        if deals.texts[index]:  # as pandas infers text (str), whatever the engine gave
            values = labels.astype(object)
            labels = values.where(values.notna(), np.nan).astype(_TEXT)
        if conversion is not None and column == deals.currency:
            target = conversion[1].upper()
            labels = pd.Series(np.full(len(table), target, dtype=object), name=column)
        keys.append(labels)
    if period is not None:
        dtype, shift = period
        ordinals = table[_P].to_numpy(dtype=np.int64) + shift
        keys.append(pd.Series(pd.arrays.PeriodArray(ordinals, dtype=dtype), name=PERIOD))
    return keys


# ------------------------------------------------------------------ currencies


def _stamps(numbers: pd.Series[Any]) -> pd.DatetimeIndex:
    """The days of :func:`~salescore.pipeline._engine.day_number`'s numbers (NaT if none)."""
    values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    known = ~np.isnan(values)
    whole = values[known].astype(np.int64)
    parts = {"year": whole // 416, "month": whole % 416 // 32, "day": whole % 32}
    out = np.full(values.size, np.datetime64("NaT"), dtype="datetime64[ns]")
    out[known] = pd.to_datetime(pd.DataFrame(parts)).to_numpy(dtype="datetime64[ns]")
    return pd.DatetimeIndex(out)


def _codes(raw: pd.Series[Any]) -> Any:
    """Currency codes upper-cased (None where not a known code), as the conversion reads."""
    codes = [item.upper() if isinstance(item, str) else None for item in raw]
    return np.array([code if code in _KNOWN else None for code in codes], dtype=object)


def _factors(
    deals: _Deals,
    table: pd.DataFrame,
    used: nw.Expr,
    conversion: tuple[ExchangeRates, str],
    names: tuple[str, str, str],
) -> Any:
    """Each reduced row's rate to ``to``: converted from its currency on its UTC day.

    Rows that no figure reads (no deal used) keep the factor 1. Rows without a rate are
    refused as :func:`salescore.money.convert` refuses the deals, naming them.
    """
    rates, to = conversion
    value, currency, close_date = names
    if len(set(names)) < len(names):
        raise InvalidInputError(
            "value, currency and close_date must name three different columns when rates "
            f"and to are given; got value={value!r}, currency={currency!r}, "
            f"close_date={close_date!r}"
        )
    factor = np.ones(len(table))
    needed = table[_F].to_numpy(dtype=np.int64) > 0
    codes, days = table[_CUR].to_numpy(dtype=object), _stamps(table[_DAY])
    part = pd.DataFrame({value: 1.0, currency: codes, close_date: days}).loc[needed]
    try:
        converted = convert(
            part, to=to, rates=rates, value=value, currency=currency, date=close_date
        )
    except InvalidInputError as error:
        if not str(error).startswith("frame: "):
            raise
        _refuse(deals, table[needed], used, conversion, names)
        raise type(error)(f"deals: {str(error).removeprefix('frame: ')}") from None
    factor[needed] = converted[value].to_numpy(dtype=np.float64)
    top = table[_X].to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        beyond = np.isinf(top * factor) & needed
    if beyond.any():  # a deal too large once converted: the deals of those rows, named
        big = (nw.col(_V) * nw.lit(float(np.max(factor[beyond])))).is_finite()
        condition = used & _pairs(table[beyond]) & ~_sure(big)
        deals.checks({"beyond": condition})
        text = f"deals: {value!r} is beyond float range (about 1.8e308) once converted to "
        deals.check("beyond", condition, {_V: value}, f"{text}{to.upper()}; ")
    return factor


def _pairs(table: pd.DataFrame) -> nw.Expr:
    """The deals of the reduced rows of ``table``: their currency and day."""
    condition: nw.Expr | None = None
    labels = table[_CUR].to_numpy(dtype=object)
    label: Any
    for label, rows in table.groupby(labels, dropna=False, sort=False):
        days = rows[_DAY].dropna().astype(np.float64).tolist()
        same = nw.col(_CUR).is_null() if pd.isna(label) else _sure(nw.col(_CUR) == label)
        when = _sure(nw.col(_DAY).is_in(days))
        if rows[_DAY].isna().any():
            when = when | nw.col(_DAY).is_null()
        term = same & when
        condition = term if condition is None else condition | term
    assert condition is not None
    return condition


def _refuse(
    deals: _Deals,
    table: pd.DataFrame,
    used: nw.Expr,
    conversion: tuple[ExchangeRates, str],
    names: tuple[str, str, str],
) -> None:
    """Refuse the deals without a rate, each reason with its deals, as ``convert`` does."""
    rates, to = conversion
    value, currency, close_date = names
    target = to.upper()
    if target not in _KNOWN or not isinstance(rates, ExchangeRates):
        return  # convert's own message names the option
    raw = table[_CUR].reset_index(drop=True)
    codes = _codes(raw)
    days = table[_DAY].reset_index(drop=True)
    counts = table[_F].to_numpy(dtype=np.int64)
    frame = rates.to_frame()
    starts = frame.groupby("currency", sort=False)["valid_from"].min()
    held = list(dict.fromkeys(frame["currency"].tolist()))
    stamps = _stamps(days)

    def why(code: str, day: Any) -> int:
        """As the rates' lookup: 0 a rate, 1 no rates, 2 before the first, 3 no date."""
        if code == rates.base:
            return 0
        if code not in starts.index:
            return 1
        if pd.isna(day):
            return 3
        return 2 if pd.Timestamp(str(day)) < pd.Timestamp(starts[code]) else 0

    missing = raw.isna().to_numpy()
    unknown = ~missing & pd.isna(codes)
    side = np.zeros(len(raw), dtype=bool)  # True: the target's rate is missing
    reason = np.zeros(len(raw), dtype=np.int8)
    for position in np.flatnonzero(~missing & ~unknown & (codes != target)):
        source = why(str(codes[position]), stamps[int(position)])
        reason[position] = source or why(target, stamps[int(position)])
        side[position] = not source and bool(reason[position])
    undated = reason == 3
    shown = {_CUR: currency}
    dated = {_CUR: currency, _UTC: close_date}
    found: list[tuple[str, Any, dict[str, str]]] = []  # each reason, its rows, shown
    if missing.any():
        found.append((f"{currency!r} is missing; ", missing, shown))
    if unknown.any():
        found.append((f"{currency!r} is not an ISO 4217 code such as 'EUR'; ", unknown, shown))
    if undated.any():
        text = f"{close_date!r} is missing (NaT), and the rate depends on the date; "
        found.append((text, undated, shown))
    own = ~side & ((reason == 1) | (reason == 2))
    groups = [(item, own & (codes == item)) for item in sorted(set(codes[own].tolist()))]
    groups.append((target, side))
    for item, group in groups:
        if (group & (reason == 1)).any():
            text = (
                f"the rates table has no rate of {item} (it has rates of "
                f"{', '.join(held) or 'none'} against {rates.base}); "
            )
            found.append((text, group & (reason == 1), shown))
        if (group & (reason == 2)).any():
            start = pd.Timestamp(starts[item])
            text = f"no {item} rate is in force on {close_date!r}, before {start:%Y-%m-%d}; "
            found.append((text, group & (reason == 2), dated))
    if not found:
        return
    problems = []
    for text, mask, columns in found:
        condition = used & _pairs(table[mask])
        problems.append(text + deals.rows(condition, int(counts[mask].sum()), columns))
    head = f"deals: cannot convert {value!r} to {target}"
    if len(problems) == 1:
        raise InvalidInputError(f"{head}: {problems[0]}")
    listed = "\n".join(f"- {problem}" for problem in problems)
    raise InvalidInputError(f"{head}; {len(problems)} problems:\n{listed}")


# ------------------------------------------------------------------ the two tables

_KEY = "__salescore_spelling"
_MV, _W, _MW, _K = "__salescore_nan", "__salescore_weighted", "__salescore_wnan", "__salescore_ml"


def _money_keys(deals: _Deals, conversion: object) -> list[str]:
    """The currency (and day) keys a reduction needs besides the groups."""
    currency = deals.currency
    if currency is None or (conversion is None and currency in deals.groups):
        return []
    return [_CUR, *([] if conversion is None else [_DAY])]


def pipeline_sums(
    native: object,
    engine: str,
    *,
    groups: Sequence[str],
    freq: object,
    value: str,
    probability: str,
    status: str,
    close_date: str,
    created: str | None,
    currency: str | None,
    deal_id: str | None,
    conversion: tuple[ExchangeRates, str] | None,
) -> Reduced:
    """Check an engine's deals as :func:`~salescore.weighted_pipeline` does; reduce them.

    The options have been checked by the caller.
    """
    period = None if freq is None else engine_dtype(period_kind(freq), freq)
    columns = {"status": status, "value": value, "probability": probability}
    if period is not None or conversion is not None:
        columns["close_date"] = close_date
    deals = _Deals(
        native, engine, groups=groups, columns=columns, currency=currency, deal_id=deal_id
    )
    deals.frame.require_numeric([value, probability])
    texts = deals.text(status, _S)
    more = [
        nw.col(value).cast(nw.Float64).alias(_V),
        nw.col(probability).cast(nw.Float64).alias(_PR),
    ]
    dates = None
    if period is not None:
        dates = deal_dates(deals.frame, close_date, created)
        more.append(dates.close.alias(_CLOSE))
        if dates.made is not None:
            more.append(dates.made.alias(_CREATED))
    if conversion is not None:
        _dated(deals, close_date)
    deals.select(*more)

    bad, is_open = status_is(nw.col(_S), text=texts, wanted="open")
    amount, chance = nw.col(_V), nw.col(_PR)
    unknown, known = _known(amount)
    wrong = is_open & ~unknown & _sure(~amount.is_finite() | (amount < 0.0))
    vague, _ = _known(chance)
    outside = is_open & ~vague & ~_sure((chance >= 0.0) & (chance <= 1.0))
    percent = outside & _sure((chance > 1.0) & (chance <= 100.0))
    checks = {"bad": bad, "wrong": wrong, "outside": outside, "percent": percent}
    undated = backwards = None
    if dates is not None:
        undated = checks["undated"] = is_open & nw.col(_CLOSE).is_null()
        if dates.made is not None:
            before = day_number(_CLOSE, dates.close_zone) < day_number(_CREATED, dates.made_zone)
            backwards = checks["backwards"] = is_open & _sure(before)
    deals.checks(checks)
    found = deals.found
    deals.statuses(bad, status)
    deals.amounts(wrong, value)
    hint = f"; {_PERCENT_HINT}" if _number(found, "percent") else ""
    text = f"{probability} must be a fraction in [0, 1]; not so for "
    deals.check("outside", outside, {_PR: probability}, text, hint)

    late = any(_number(found, name) for name in ("undated", "backwards") if name in found)
    keys = [_group(index) for index in range(len(deals.groups))]
    by_period = period is not None and not late  # no period of a deal without a date
    if by_period:
        keys.append(_P)
    keys += _money_keys(deals, conversion)
    weighted_unknown = unknown | vague
    weighted = nw.when(weighted_unknown).then(nw.lit(0.0)).otherwise(amount * chance)
    parts = [
        *(nw.col(key) for key in keys if key != _P),
        *([nw.col(_CLOSE)] if by_period else []),
        nw.lit(1, dtype=nw.Int64).alias(_N),
        known.alias(_V),
        unknown.cast(nw.Int64).alias(_MV),
        weighted.alias(_W),
        weighted_unknown.cast(nw.Int64).alias(_MW),
        *([] if conversion is None else [known.alias(_X)]),
    ]
    rows = deals.log.filter(is_open).select(*parts)
    if by_period and period is not None and dates is not None:
        rows = with_period(rows, _CLOSE, dates.close_zone, period[0], freq, _P).drop(_CLOSE)
    table = _reduce(deals, rows, keys, [_N, _V, _MV, _W, _MW], conversion is not None)
    table[_F] = table[_N]
    factor: Any = 1.0
    if conversion is not None:
        factor = _factors(deals, table, is_open, conversion, (value, str(currency), close_date))
    elif currency is not None and currency not in deals.groups:
        deals.one_currency(table, is_open)
    if backwards is not None:
        shown = {_CLOSE: close_date, _CREATED: str(created)}
        text = f"{close_date} is before the date in {created} for "
        deals.check("backwards", backwards, shown, text)
    if undated is not None:
        text = f"{close_date} is missing for open deals; "
        after = " (a table by period needs each of their dates)"
        deals.check("undated", undated, {_CLOSE: close_date}, text, after)
    value_sums, weighted_sums = _figure(table, _V, _MV, factor), _figure(table, _W, _MW, factor)
    figures = pd.DataFrame({"value": value_sums, "weighted_value": weighted_sums})
    deals_per_row = table[_N].to_numpy(dtype=np.int64)
    return Reduced(figures, _keys(deals, table, conversion, period), deals_per_row)


def _categories(
    deals: _Deals, column: str, text: bool, is_open: nw.Expr
) -> tuple[dict[str, nw.Expr], nw.Expr, nw.Expr]:
    """The open deals of each canonical category, and the unknown and missing ones."""
    raw = nw.col(_CAT)
    missing = raw.is_null()
    dtype = deals.frame.schema[column]
    if not text and dtype.is_float():
        missing = missing | _sure(raw.is_nan())
    if not text:  # numbers, flags, dates: no value reads as a category
        never = is_open & ~is_open
        return dict.fromkeys(_SPELLINGS.values(), never), is_open & ~missing, is_open & missing
    # The spelling once, as a column: Dask computes something for each replacement.
    spelling = raw.str.to_lowercase().str.replace_all("[ _-]", "", literal=False)
    deals.log = deals.log.with_columns(spelling.alias(_KEY))
    key = nw.col(_KEY)
    masks = {
        name: is_open & _sure(key.is_in([k for k, v in _SPELLINGS.items() if v == name]))
        for name in set(_SPELLINGS.values())
    }
    return masks, is_open & ~missing & ~_sure(key.is_in(list(_SPELLINGS))), is_open & missing


def rollup_sums(
    native: object,
    engine: str,
    *,
    groups: Sequence[str],
    value: str,
    forecast_category: str,
    status: str,
    currency: str | None,
    deal_id: str | None,
    close_date: str,
    conversion: tuple[ExchangeRates, str] | None,
) -> Reduced:
    """Check an engine's deals as :func:`~salescore.forecast_rollup` does; reduce them.

    The options have been checked by the caller.
    """
    columns = {"status": status, "value": value, "forecast_category": forecast_category}
    if conversion is not None:
        columns["close_date"] = close_date
    deals = _Deals(
        native, engine, groups=groups, columns=columns, currency=currency, deal_id=deal_id
    )
    deals.frame.require_numeric([value])
    texts = deals.text(status, _S)
    categorised = deals.text(forecast_category, _CAT)
    if conversion is not None:
        _dated(deals, close_date)
    deals.select(nw.col(value).cast(nw.Float64).alias(_V))

    bad, is_open = status_is(nw.col(_S), text=texts, wanted="open")
    _, is_won = status_is(nw.col(_S), text=texts, wanted="won")
    masks, unknown_category, missing = _categories(deals, forecast_category, categorised, is_open)
    masks["closed"], closed = is_won, masks["closed"]
    forecast = is_won | masks["commit"] | masks["most_likely"] | masks["best_case"]
    forecast = forecast | masks["pipeline"]
    amount = nw.col(_V)
    unknown, known = _known(amount)
    wrong = forecast & ~unknown & _sure(~amount.is_finite() | (amount < 0.0))
    checks = {"bad": bad, "unknown": unknown_category, "missing": missing, "closed": closed}
    deals.checks({**checks, "wrong": wrong})
    deals.statuses(bad, status)
    shown, name = {_CAT: forecast_category}, forecast_category
    accepted = ", ".join(FORECAST_CATEGORIES)
    text = f"{name} must be one of {accepted} (or a Salesforce or HubSpot spelling of one); "
    deals.check("unknown", unknown_category, shown, f"{text}not so for ")
    text = "; an open deal needs a forecast category ('omitted' leaves it out of the forecast)"
    deals.check("missing", missing, shown, f"{name} is missing for ", text)
    text = ", which are open; mark won deals as won, and give open deals the category they "
    after = "are forecast in"
    deals.check("closed", closed, shown, f"{name} is 'closed' for ", text, after)
    deals.amounts(wrong, value)

    keys = [_group(index) for index in range(len(deals.groups))] + _money_keys(deals, conversion)
    parts = [nw.col(key) for key in keys]
    sums = []
    for name in _FIGURES:
        total, nan = f"__salescore_sum_{name}", f"__salescore_nan_{name}"
        parts.append(nw.when(masks[name] & ~unknown).then(amount).otherwise(0.0).alias(total))
        parts.append((masks[name] & unknown).cast(nw.Int64).alias(nan))
        sums += [total, nan]
    parts.append(forecast.cast(nw.Int64).alias(_F))
    parts.append(masks["most_likely"].cast(nw.Int64).alias(_K))
    if conversion is not None:
        parts.append(nw.when(forecast).then(known).otherwise(0.0).alias(_X))
    table = _reduce(deals, deals.log.select(*parts), keys, [*sums, _F, _K], conversion is not None)
    factor: Any = 1.0
    if conversion is not None:
        factor = _factors(deals, table, forecast, conversion, (value, str(currency), close_date))
    elif currency is not None and currency not in deals.groups:
        deals.one_currency(table, forecast)
    figure = {
        name: _figure(table, f"__salescore_sum_{name}", f"__salescore_nan_{name}", factor)
        for name in _FIGURES
    }
    with np.errstate(over="ignore", invalid="ignore"):  # beyond float range: refused
        closed_sum, commit, likely = figure["closed"], figure["commit"], figure["most_likely"]
        out = {"closed": closed_sum, "commit": closed_sum + commit}
        if table[_K].fillna(0).to_numpy(dtype=np.int64).sum():
            out["most_likely"] = closed_sum + commit + likely
        out["best_case"] = closed_sum + commit + likely + figure["best_case"]
        out["open_pipeline"] = commit + likely + figure["best_case"] + figure["pipeline"]
    return Reduced(pd.DataFrame(out), _keys(deals, table, conversion), None)
