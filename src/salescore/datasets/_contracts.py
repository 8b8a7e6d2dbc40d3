"""The customers' subscriptions: renewals, upsells, and the invoices they bring.

Every customer pays a subscription, billed every month on the day it started, at a
twelfth of its yearly value. A yearly contract is renewed on its anniversary by a
renewal deal; a month-to-month one runs until the customer cancels. A won upsell adds
its value to the subscription from its close date until the next renewal, whose value
takes it in. Customers from before 2024 started their current term in 2023.
"""

from __future__ import annotations

from typing import Final

import attrs
import numpy as np
import pandas as pd

from ._accounts import SIZE_CYCLE, SIZE_DEALS, Book
from ._calendar import (
    END,
    START,
    YEAR_AGO,
    BoolArray,
    FloatArray,
    IntArray,
    calendar,
    month,
    stamps,
)
from ._deals import RENEWAL, UPSELL, WARM_UP, Drafts, progress, rival, whole_seconds

__all__ = ["bill", "lives", "renewals", "upsells"]

_TERMS: Final = 3  # anniversaries that can fall before the renewal deals of 2026 open
_CANCEL: Final = 0.02  # chance a month-to-month customer cancels after a month
_FALLING: Final = 0.08  # share of older yearly customers who renew 25-65 % smaller in 2025
_LOST_AT: Final = np.array([0.1, 0.2, 0.35, 0.35])  # stage where a renewal is lost
_DAY: Final = START.astype("datetime64[D]")


@attrs.frozen
class Lives:
    """Each account's subscription: start, end (inf: still running), anniversaries."""

    start: FloatArray  # inf: never a customer
    end: FloatArray
    value: FloatArray  # yearly value of the first term in the extract
    anniversary: FloatArray  # (accounts, _TERMS); inf for month-to-month customers
    renewed: BoolArray  # (accounts, _TERMS)
    taken: BoolArray  # (accounts, _TERMS): lost to the competitor's spike


def months_after(day: FloatArray, count: IntArray | FloatArray) -> FloatArray:
    """The day ``count`` calendar months after ``day``, on the same day of the month.

    A day that the month has not (31 in April) becomes the month's last day.
    """
    dates = _DAY + np.floor(day).astype(np.int64)
    first = dates.astype("datetime64[M]")
    offset = dates - first.astype("datetime64[D]")
    target = first + np.asarray(count).astype(np.int64)
    last = (target + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    moved = np.minimum(target.astype("datetime64[D]") + offset, last)
    return np.asarray((moved - _DAY).astype(np.int64), dtype=np.float64)


def lives(rng: np.random.Generator, book: Book, new: Drafts) -> Lives:
    """When each customer starts, renews and leaves."""
    count = book.size.size
    close = new.close
    signed = (new.furthest == 4) & (close < END)
    start = np.full(count, np.inf)
    value = np.zeros(count)
    start[new.account[signed]] = np.floor(close[signed])
    value[new.account[signed]] = new.value[signed]
    # The current term of a customer from before 2024 started in 2023.
    start[book.legacy] = -rng.integers(1, 366, size=int(book.legacy.sum())).astype(np.float64)
    value[book.legacy] = np.round(book.potential * book.realised, -2)[book.legacy]
    customer = np.isfinite(start)
    begin = np.where(customer, start, 0.0)

    terms = np.arange(1, _TERMS + 1)
    anniversary = months_after(np.repeat(begin, _TERMS), np.tile(12 * terms, count))
    anniversary = anniversary.reshape(count, _TERMS)
    anniversary[~(customer & book.annual)] = np.inf
    renewed = rng.random((count, _TERMS)) < book.renewal[:, None]
    taken = rival(rng, renewed, np.where(np.isfinite(anniversary), anniversary, -1.0))
    taken &= ~book.cold[:, None]
    renewed &= ~taken
    # A yearly customer leaves on the first anniversary it does not renew.
    lapse = np.where(renewed, np.inf, anniversary).min(axis=1)
    # A month-to-month one cancels after a geometric number of months, counted from
    # January 2024 for a customer from before (the months before are behind it).
    since = np.where(begin < 0.0, -month(begin), 0)
    cancel = months_after(begin, since + rng.geometric(_CANCEL, size=count))
    end = np.where(book.annual, lapse, cancel)
    end[~customer] = np.inf
    return Lives(
        start=start,
        end=end,
        value=value,
        anniversary=anniversary,
        renewed=renewed,
        taken=taken,
    )


def renewals(rng: np.random.Generator, book: Book, life: Lives) -> Drafts:
    """A renewal deal for each anniversary a customer reaches, opened 45-100 days before."""
    account, term = np.nonzero(np.isfinite(life.anniversary))
    due = life.anniversary[account, term]
    reached = life.end[account] >= due  # renewed every time before
    lead = rng.uniform(45.0, 100.0, size=account.size)
    created = np.floor(due - lead) + rng.uniform(8 / 24, 18 / 24, size=account.size)
    keep = reached & (created < END)
    account, term, due, created = account[keep], term[keep], due[keep], created[keep]
    count = account.size
    renewed = life.renewed[account, term]
    furthest = np.where(renewed, 4, rng.choice(4, size=count, p=_LOST_AT)).astype(np.int64)
    # The stages share the time to the anniversary, the day a won renewal closes; the
    # first takes a day at least, so that a renewal lost in it closes after creation.
    share = np.cumsum(rng.dirichlet(np.full(4, 2.0), size=count), axis=1)
    span = (due - created - 1.0)[:, None]
    entry = created[:, None] + np.column_stack([np.zeros(count), 1.0 + share * span])
    entry = whole_seconds(entry)
    entry[:, 4] = due
    drafts = Drafts(
        created=created,
        account=account.astype(np.int64),
        source=np.full(count, RENEWAL, dtype=np.int64),
        value=np.full(count, np.nan),  # priced by bill(), with the term's upsells
        furthest=furthest,
        entry=entry,
        expected=due.copy(),
        taken=life.taken[account, term],
    )
    return drafts.subset(drafts.close >= 0.0)  # lost before 2024: not in the extract


def upsells(rng: np.random.Generator, book: Book, life: Lives, count: int) -> Drafts:
    """``count`` deals to sell more to customers while they are customers."""
    pool = 4 * count
    days, chance = calendar(-WARM_UP, int(END), weekend=0.0)
    created = rng.choice(days, size=pool, p=chance) + rng.uniform(8 / 24, 18 / 24, size=pool)
    customer = np.isfinite(life.start)
    weight = np.where(customer, SIZE_DEALS[book.size] * book.realised, 0.0)
    account = rng.choice(weight.size, size=pool, p=weight / weight.sum())
    source = np.full(pool, UPSELL, dtype=np.int64)
    furthest, entry = progress(rng, created, SIZE_CYCLE[book.size[account]], source)
    rows = np.arange(pool)
    close = entry[rows, np.minimum(furthest + 1, 4)]
    taken = rival(rng, furthest == 4, close)
    furthest[taken] = 3
    close = entry[rows, np.minimum(furthest + 1, 4)]
    # Sold to a customer of a month or more, closed while it still is one.
    fits = (created > life.start[account] + 30.0) & (close >= 0.0)
    fits &= np.minimum(close, END) < life.end[account]
    chosen = np.flatnonzero(fits)[:count]
    value = np.maximum(np.round(book.potential[account] * rng.uniform(0.05, 0.15, pool), -2), 100.0)
    return Drafts(
        created=created,
        account=account.astype(np.int64),
        source=source,
        value=value,
        furthest=furthest.astype(np.int64),
        entry=entry,
        expected=np.full(pool, np.nan),
        taken=taken,
    ).subset(chosen)


def bill(
    rng: np.random.Generator, book: Book, life: Lives, renewal: Drafts, upsell: Drafts
) -> tuple[Drafts, pd.DataFrame, FloatArray, FloatArray]:
    """The priced renewals, the invoices, each account's revenue in 2025 and 2024."""
    count = book.size.size
    renewal_term = np.argmax(life.anniversary[renewal.account] == renewal.expected[:, None], axis=1)
    renewal_value = np.full(renewal.value.size, np.nan)
    up_close = np.floor(upsell.close)
    up_won = (upsell.furthest == 4) & (upsell.close < END)
    falling = book.legacy & book.annual & ~book.cold & (rng.random(count) < _FALLING)
    # Pieces of subscription: account, first invoice, end (exclusive), yearly value.
    pieces: list[tuple[IntArray, FloatArray, FloatArray, FloatArray]] = []
    customer = np.flatnonzero(np.isfinite(life.start))
    base = life.value.copy()
    begin = life.start.copy()
    for term in range(_TERMS + 1):
        until = life.anniversary[:, term] if term < _TERMS else np.full(count, np.inf)
        stop = np.minimum(until, life.end)
        live = customer[begin[customer] < np.minimum(stop[customer], END)]
        pieces.append((live, begin[live], stop[live], base[live]))
        if term == _TERMS:
            break
        # The renewal's value: the term's subscription and upsells, a little dearer
        # (or much smaller for a customer that cuts back in 2025).
        added = np.zeros(count)
        inside = up_won & (up_close >= begin[upsell.account]) & (up_close < until[upsell.account])
        np.add.at(added, upsell.account[inside], upsell.value[inside])
        factor = rng.uniform(1.0, 1.05, count)
        cut = falling & (until >= YEAR_AGO) & (until < END)
        factor[cut] = rng.uniform(0.35, 0.75, int(cut.sum()))
        base = np.round((base + added) * factor, -2)
        mine = renewal_term == term
        renewal_value[mine] = base[renewal.account[mine]]
        begin = np.where(np.isfinite(until), until, np.inf)
    # An upsell is billed until the next anniversary, or to the end for month to month.
    after = np.where(
        life.anniversary[upsell.account] > up_close[:, None],
        life.anniversary[upsell.account],
        np.inf,
    ).min(axis=1)
    stop = np.minimum(after, life.end[upsell.account])
    pieces.append((upsell.account[up_won], up_close[up_won], stop[up_won], upsell.value[up_won]))

    who = np.concatenate([p[0] for p in pieces])
    first = np.concatenate([p[1] for p in pieces])
    stop = np.concatenate([p[2] for p in pieces])
    monthly = np.round(np.concatenate([p[3] for p in pieces]) / 12.0, 2)
    steps = np.arange(40)  # a term begun in January 2023 bills until December 2025
    dates = months_after(np.repeat(first, steps.size), np.tile(steps, first.size))
    dates = dates.reshape(first.size, steps.size)
    due = (dates >= 0.0) & (dates < END) & (dates < stop[:, None])
    row, _ = np.nonzero(due)
    customer_of = who[row]
    day = dates[due]
    amount = monthly[row]
    order = np.lexsort((customer_of, day))
    transactions = pd.DataFrame(
        {
            "customer_id": book.frame["account_id"].to_numpy()[customer_of[order]],
            "date": stamps(day[order]),
            "amount": amount[order],
        }
    )
    recent = day >= YEAR_AGO
    annual = np.bincount(customer_of[recent], weights=amount[recent], minlength=count)
    previous = np.bincount(customer_of[~recent], weights=amount[~recent], minlength=count)
    priced = attrs.evolve(renewal, value=renewal_value)
    return (
        priced,
        transactions,
        annual.round(2).astype(np.float64),
        previous.round(2).astype(np.float64),
    )
