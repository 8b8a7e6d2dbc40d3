"""The accounts of the sample CRM and their hidden state."""

from __future__ import annotations

from typing import Final

import attrs
import numpy as np
import pandas as pd

from ._calendar import END, SELLERS, BoolArray, FloatArray, IntArray, ids

__all__ = ["SIZE_CYCLE", "SIZE_DEALS", "Book", "make_book", "make_last_contact", "pick"]

_SIZES: Final = ("small", "medium", "large", "enterprise")
_SIZE_SHARE: Final = (0.45, 0.30, 0.18, 0.07)
# What an account could spend a year on the subscription (its potential), by size.
_SIZE_POTENTIAL: Final = np.array([10_000.0, 22_000.0, 42_000.0, 66_000.0])
SIZE_CYCLE: Final = np.array([0.8, 1.0, 1.3, 1.7])  # stage durations scale with size
SIZE_DEALS: Final = np.array([1.0, 1.5, 2.5, 4.0])  # bigger accounts have more deals
_SIZE_LEGACY: Final = np.array([0.35, 0.45, 0.6, 0.85])  # customers before 2024
_SIZE_ANNUAL: Final = np.array([0.5, 0.75, 0.9, 1.0])  # on a yearly contract, not monthly
_SIZE_RENEWAL: Final = np.array([0.78, 0.84, 0.88, 0.92])  # chance to renew a yearly contract
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
    annual: BoolArray  # a yearly contract renewed in a deal; otherwise month to month
    renewal: FloatArray  # the chance of renewing a yearly contract


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
    # Blue A accounts (the tier article's): customers like the best ones that spend little.
    best = np.flatnonzero(legacy & (size == 3) & (scale >= 0.85))
    cold = np.zeros(count, dtype=bool)
    cold[rng.choice(best, size=min(8, best.size), replace=False)] = True
    realised[cold] = rng.uniform(0.03, 0.1, size=int(cold.sum()))
    annual = (rng.random(count) < _SIZE_ANNUAL[size]) | cold
    renewal = np.where(cold, 1.0, _SIZE_RENEWAL[size])
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
        annual=annual,
        renewal=renewal,
    )


def pick(rng: np.random.Generator, pool: BoolArray, weight: FloatArray, count: int) -> IntArray:
    """``count`` accounts drawn from ``pool`` in proportion to ``weight``."""
    chance = np.where(pool, weight, 0.0)
    return rng.choice(pool.size, size=count, p=chance / chance.sum())


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
