"""The accounts of the sample CRM, their hidden state, and the customers' invoices."""

from __future__ import annotations

from typing import Final

import attrs
import numpy as np
import pandas as pd

from ._calendar import END, SELLERS, START, YEAR_AGO, BoolArray, FloatArray, IntArray, ids, stamps

_SIZES: Final = ("small", "medium", "large", "enterprise")
_SIZE_SHARE: Final = (0.45, 0.30, 0.18, 0.07)
_SIZE_POTENTIAL: Final = np.array([45_000.0, 100_000.0, 190_000.0, 300_000.0])
SIZE_CYCLE: Final = np.array([0.8, 1.0, 1.3, 1.7])  # stage durations scale with size
SIZE_DEALS: Final = np.array([1.0, 1.5, 2.5, 4.0])  # bigger accounts have more deals
_SIZE_LEGACY: Final = np.array([0.35, 0.45, 0.6, 0.85])  # customers before 2024
_REGIONS: Final = ("North", "South", "East", "West")
_REGION_SHARE: Final = (0.30, 0.25, 0.20, 0.25)
_REGION_FACTOR: Final = np.array([1.0, 0.97, 0.96, 0.98])
_INDUSTRIES: Final = (
    "Software",
    "Finance",
    "Manufacturing",
    "Healthcare",
    "Logistics",
    "Retail",
    "Public sector",
)
_INDUSTRY_SHARE: Final = (0.16, 0.12, 0.20, 0.14, 0.13, 0.15, 0.10)
_INDUSTRY_FACTOR: Final = np.array([1.0, 0.98, 0.97, 0.95, 0.93, 0.92, 0.75])
_NAME_FIRST: Final = (
    "Alder", "Amber", "Arc", "Aster", "Beacon", "Birch", "Blue", "Bright", "Cedar",
    "Clear", "Cobalt", "Copper", "Crest", "Delta", "East", "Ember", "Fjord", "Granite",
    "Harbor", "Iron", "Juniper", "Lake", "Linden", "Maple", "Meadow", "North", "Oak",
    "Orbit", "Pine", "Polar", "Quarry", "Raven", "River", "Silver", "Stone", "Summit",
    "Timber", "Vale", "West", "Willow",
)  # fmt: skip
_NAME_SECOND: Final = (
    "Analytics", "Bakery", "Bank", "Brands", "Care", "Clinics", "Components", "Consulting",
    "Data", "Design", "Energy", "Engineering", "Foods", "Freight", "Group", "Health",
    "Holdings", "Industries", "Insurance", "Labs", "Logistics", "Machines", "Media",
    "Metals", "Mobility", "Networks", "Partners", "Pharma", "Plastics", "Retail",
    "Robotics", "Shipping", "Software", "Solutions", "Stores", "Systems", "Textiles",
    "Tools", "Trading", "Works",
)  # fmt: skip


@attrs.define
class Book:
    """The accounts' hidden state: what drives the tables, before the tables exist."""

    frame: pd.DataFrame
    size: IntArray
    owner: IntArray
    previous_owner: IntArray  # who had the account before the new hire joined
    potential: FloatArray
    realised: FloatArray  # the share of its potential a customer spends with us
    legacy: BoolArray  # a customer since before 2024
    never: BoolArray  # a segment that never buys (tier D)
    cold: BoolArray  # an enterprise customer that spends little (a blue A)


@attrs.frozen
class Wins:
    """The won deals, for the invoices: account (position), close day, value."""

    account: IntArray
    day: FloatArray
    value: FloatArray


# ---------------------------------------------------------------------- accounts


def make_book(rng: np.random.Generator, count: int = 1_500) -> Book:
    """The accounts table without revenue or contacts, and what drives the rest."""
    size = rng.choice(len(_SIZES), size=count, p=_SIZE_SHARE)
    region = rng.choice(len(_REGIONS), size=count, p=_REGION_SHARE)
    industry = rng.choice(len(_INDUSTRIES), size=count, p=_INDUSTRY_SHARE)
    scale = _INDUSTRY_FACTOR[industry] * _REGION_FACTOR[region]
    potential = _SIZE_POTENTIAL[size] * scale * rng.uniform(0.95, 1.05, size=count)
    never = (industry == _INDUSTRIES.index("Public sector")) & (size <= 1)
    legacy = ~never & (rng.random(count) < _SIZE_LEGACY[size])
    realised = rng.beta(30.0, 5.0, size=count)
    # Seed 003's blue A accounts: customers like the best ones that spend little.
    best = np.flatnonzero(legacy & (size == 3) & (scale >= 0.85))
    cold = np.zeros(count, dtype=bool)
    cold[rng.choice(best, size=min(8, best.size), replace=False)] = True
    realised[cold] = rng.uniform(0.03, 0.1, size=int(cold.sum()))
    owner = rng.integers(0, len(SELLERS), size=count)
    names = rng.permutation(len(_NAME_FIRST) * len(_NAME_SECOND))[:count]
    first = np.asarray(_NAME_FIRST)[names // len(_NAME_SECOND)]
    second = np.asarray(_NAME_SECOND)[names % len(_NAME_SECOND)]
    frame = pd.DataFrame(
        {
            "account_id": ids("A", count, 4),
            "name": np.char.add(np.char.add(first, " "), second),
            "owner": np.asarray(SELLERS)[owner],
            "size": np.asarray(_SIZES)[size],
            "region": np.asarray(_REGIONS)[region],
            "industry": np.asarray(_INDUSTRIES)[industry],
        }
    )
    return Book(
        frame=frame,
        size=size,
        owner=owner,
        previous_owner=rng.integers(0, len(SELLERS) - 1, size=count),
        potential=potential,
        realised=realised,
        legacy=legacy,
        never=never,
        cold=cold,
    )


def pick(rng: np.random.Generator, pool: BoolArray, weight: FloatArray, count: int) -> IntArray:
    """``count`` accounts drawn from ``pool`` in proportion to ``weight``."""
    chance = np.where(pool, weight, 0.0)
    return rng.choice(pool.size, size=count, p=chance / chance.sum())


# ------------------------------------------------------------------ transactions


def make_transactions(
    rng: np.random.Generator, book: Book, wins: Wins
) -> tuple[pd.DataFrame, FloatArray, FloatArray]:
    """The invoices, and each account's revenue in 2025 and in 2024."""
    count = book.size.size
    first_win = np.full(count, np.inf)
    np.minimum.at(first_win, wins.account, wins.day)
    last_win = np.full(count, -np.inf)
    np.maximum.at(last_win, wins.account, wins.day)
    start = np.where(book.legacy, -1.0, first_win)  # inf: never bought
    # Some customers leave, some time after their last order; the cold ones stay.
    leaves = (rng.random(count) < np.where(book.legacy, 0.1, 0.05)) & ~book.cold
    leaving = np.maximum(np.maximum(start, 0.0) + rng.uniform(60.0, 700.0, count), last_win + 30)
    end = np.where(leaves & (leaving < END), leaving, END)
    falls = book.legacy & ~leaves & ~book.cold & (rng.random(count) < 0.06)
    factor_2025 = np.where(falls, rng.uniform(0.35, 0.75, count), 1.0)

    # What a customer spends in a year is its potential times the share it realises
    # (lower in 2025 for the falling ones): the year's won deals, invoiced on their
    # close dates, and a monthly run rate on the customer's invoice day for the rest.
    # Some customers skip a month now and then.
    months = np.arange(24)
    first_of_month = (np.datetime64("2024-01", "M") + months).astype("datetime64[D]")
    day = (first_of_month - START.astype("datetime64[D]")).astype(np.int64)[None, :]
    day = day + rng.integers(0, 28, size=(count, 1))
    active = (day > start[:, None]) & (day < end[:, None])
    rate = np.where(rng.random(count) < 0.8, 1.0, rng.uniform(0.7, 0.95, count))
    bills = active & (rng.random((count, 24)) < rate[:, None])
    year = (wins.day >= YEAR_AGO).astype(np.int64)
    won = np.zeros((count, 2))
    np.add.at(won, (wins.account, year), wins.value)
    budget = (book.potential * book.realised)[:, None] * np.column_stack(
        [np.ones(count), factor_2025]
    )
    # A year's run rate, for the months the customer was one, spread over its invoices.
    months_active = active.reshape(count, 2, 12).sum(axis=2)
    invoices = np.maximum(bills.reshape(count, 2, 12).sum(axis=2), 1)
    per_invoice = np.maximum(budget - won, 0.2 * budget) * months_active / 12.0 / invoices
    who, when = np.nonzero(bills)
    billed = per_invoice[who, when // 12] * rng.uniform(0.9, 1.1, size=who.size)

    customer = np.concatenate([who, wins.account])
    dates = np.concatenate([day[who, when].astype(np.float64), wins.day])
    amounts = np.concatenate([billed.round(2), wins.value])
    order = np.lexsort((customer, dates))
    transactions = pd.DataFrame(
        {
            "customer_id": book.frame["account_id"].to_numpy()[customer[order]],
            "date": stamps(dates[order]),
            "amount": amounts[order],
        }
    )
    recent = dates >= YEAR_AGO
    annual = np.bincount(customer[recent], weights=amounts[recent], minlength=count)
    previous = np.bincount(customer[~recent], weights=amounts[~recent], minlength=count)
    return transactions, annual.round(2).astype(np.float64), previous.round(2).astype(np.float64)


def make_last_contact(rng: np.random.Generator, book: Book, bought: BoolArray) -> FloatArray:
    """Day of each account's last contact; NaN for a few prospects never contacted."""
    count = book.size.size
    mean_gap = np.array([70.0, 50.0, 30.0, 18.0])[book.size] * np.where(bought, 1.0, 1.6)
    gap = rng.exponential(mean_gap)
    forgotten = rng.random(count) < 0.04
    gap[forgotten] = rng.uniform(100.0, 400.0, int(forgotten.sum()))
    day = np.floor(END - 1.0 - np.minimum(gap, 700.0))
    never = ~bought & (rng.random(count) < np.where(book.never, 0.4, 0.05))
    day[never] = np.nan
    return day
