"""The leads and the activities of the sample CRM."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd

from ._calendar import END, HIRED, SEASON, SELLERS, calendar, ids, month, sellers, stamps

__all__ = ["TARGETS", "make_activities", "make_leads"]

_LEADS: Final = 10_000
_RESPONSE_MINUTES: Final = np.array([5.0, 8.0, 12.0, 18.0, 25.0, 35.0, 60.0, 15.0])  # per seller
_LEAD_SOURCES: Final = ("Google Ads", "Website", "Facebook", "LinkedIn", "Webinar", "Referral")
_LEAD_SOURCE_SHARE: Final = (0.28, 0.22, 0.20, 0.15, 0.08, 0.07)
_LEAD_CONVERSION: Final = np.array([0.06, 0.07, 0.025, 0.045, 0.09, 0.175])  # once reached
_CHANNELS: Final = ("phone", "email", "social")
_CHANNEL_SHARE: Final = (0.55, 0.35, 0.10)
_CHANNEL_REACH: Final = np.array([0.75, 0.55, 0.40])  # at 5 minutes
_CHANNEL_CONVERSION: Final = np.array([1.3, 0.7, 0.6])
_DECAY: Final = 0.8  # exponent of the odds of reaching a lead in the wait
_HOUR_SHARE: Final = np.array(
    [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 14, 12, 14, 15, 14, 12, 9, 7, 6, 5, 4, 2, 1], dtype=float
)

KINDS: Final = ("call", "email", "meeting", "visit")
_KIND_RATE: Final = np.array([48.0, 52.0, 7.0, 3.6])  # a typical seller's week
TARGETS: Final = MappingProxyType({"call": 50.0, "email": 50.0, "meeting": 8.0, "visit": 4.0})
_OUTCOMES: Final = (
    (("connected", "voicemail", "no answer"), (0.35, 0.40, 0.25)),
    (("sent", "replied"), (0.75, 0.25)),
    (("held", "cancelled"), (0.85, 0.15)),
    (("held", "cancelled"), (0.90, 0.10)),
)


def make_leads(rng: np.random.Generator) -> pd.DataFrame:
    """The leads table, sorted by arrival."""
    count = _LEADS
    days, chance = calendar(0, int(END), weekend=0.25)
    day = rng.choice(days, size=count, p=chance)
    hour = rng.choice(24, size=count, p=_HOUR_SHARE / _HOUR_SHARE.sum())
    created = np.sort(day + (hour + rng.random(count)) / 24.0)
    day = np.floor(created)
    owner = sellers(rng, created)
    source = rng.choice(len(_LEAD_SOURCES), size=count, p=_LEAD_SOURCE_SHARE)
    channel = rng.choice(len(_CHANNELS), size=count, p=_CHANNEL_SHARE)

    # The wait starts when the office opens: at once in 09:00-17:00 on working days.
    weekday = day.astype(np.int64) % 7
    clock = created - day
    working = weekday < 5
    in_hours = working & (clock >= 9 / 24) & (clock < 17 / 24)
    next_day = day + np.select([weekday == 4, weekday == 5], [3.0, 2.0], 1.0)
    opening = np.where(working & (clock < 9 / 24), day, next_day) + 9 / 24
    wait = rng.lognormal(np.log(_RESPONSE_MINUTES[owner]), 1.0)
    first = np.where(in_hours, created, opening) + wait / 1440.0
    attempted = (rng.random(count) >= 0.03) & (first < END)
    minutes = (first - created) * 1440.0
    base = _CHANNEL_REACH[channel] / (1.0 - _CHANNEL_REACH[channel])
    odds = base * (np.maximum(minutes, 1.0) / 5.0) ** -_DECAY
    reached = attempted & (rng.random(count) < odds / (1.0 + odds))
    chance_won = _LEAD_CONVERSION[source] * _CHANNEL_CONVERSION[channel]
    converted = reached & (rng.random(count) < chance_won)
    # A converted lead is worth what a new customer's first year brings (the deals').
    value = np.where(converted, np.round(rng.lognormal(np.log(16_000.0), 0.7, count), -2), np.nan)
    return pd.DataFrame(
        {
            "lead_id": ids("L", count, 5),
            "source": np.asarray(_LEAD_SOURCES)[source],
            "owner": np.asarray(SELLERS)[owner],
            "channel": np.asarray(_CHANNELS)[channel],
            "created": stamps(created),
            "first_contact": stamps(np.where(attempted, first, np.nan)),
            "reached": reached,
            "converted": converted,
            "value": value,
        }
    )


def make_activities(rng: np.random.Generator) -> pd.DataFrame:
    """The activities table, sorted by date."""
    weeks = np.arange(105)  # Mondays from 2024-01-01 to 2025-12-29
    habit = rng.lognormal(0.0, 0.2, size=(len(SELLERS), 1, len(KINDS)))
    season = SEASON[month(7.0 * weeks + 3.0) % 12]
    rate = _KIND_RATE[None, None, :] * habit * season[None, :, None]
    rate[-1, 7 * weeks < HIRED, :] = 0.0
    counts = rng.poisson(rate)
    seller, week, kind = np.unravel_index(
        np.repeat(np.arange(counts.size), counts.ravel()), counts.shape
    )
    day = 7.0 * week + rng.integers(0, 5, size=week.size) + rng.uniform(8 / 24, 18 / 24, week.size)
    outcome = np.empty(week.size, dtype=object)
    for code, (labels, shares) in enumerate(_OUTCOMES):
        mine = kind == code
        outcome[mine] = np.asarray(labels)[rng.choice(len(labels), size=int(mine.sum()), p=shares)]
    keep = day < END
    order = np.argsort(day[keep], kind="stable")
    return pd.DataFrame(
        {
            "owner": np.asarray(SELLERS)[seller[keep][order]],
            "date": stamps(day[keep][order]),
            "kind": np.asarray(KINDS)[kind[keep][order]],
            "outcome": outcome[keep][order],
        }
    )
