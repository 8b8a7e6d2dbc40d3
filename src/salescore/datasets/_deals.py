"""The deals of the sample CRM and their stage history."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from ._accounts import SIZE_CYCLE, SIZE_DEALS, Book, Wins, pick
from ._calendar import CURRENCY, END, HIRED, SELLERS, calendar, ids, month, stamps

STAGES: Final = ("Prospecting", "Qualification", "Proposal", "Negotiation")
WON: Final = "Closed Won"
LOST: Final = "Closed Lost"
_STAGE_PROBABILITY: Final = np.array([0.1, 0.2, 0.5, 0.8])  # EspoCRM's defaults
_PASS: Final = np.array([0.65, 0.65, 0.7, 0.7])
_STAGE_DAYS: Final = np.array([15.0, 25.0, 35.0, 30.0])
_DEAL_SOURCES: Final = ("existing customer", "referral", "inbound", "outbound")
_DEAL_SOURCE_SHARE: Final = (0.25, 0.12, 0.33, 0.30)
_DEAL_SOURCE_EASE: Final = np.array([0.4, 0.6, 1.0, 1.4])  # power on _PASS: < 1 is easier
_DEALS: Final = 5_000
_POOL: Final = 5_800  # deals simulated; those closed before 2024 are not in the extract
_WARM_UP: Final = 120
_REASONS: Final = ("price", "no budget", "no decision", "timing", "product fit")
_REASON_SHARE: Final = np.array([0.30, 0.20, 0.22, 0.15, 0.13])
_COMPETITOR: Final = 0.15  # share of losses to a competitor, outside the spike
_SPIKE: Final = {7: 0.7, 8: 0.45, 9: 0.35, 10: 0.28, 11: 0.23, 12: 0.19}  # months since 2024-01


def make_deals(rng: np.random.Generator, book: Book) -> tuple[pd.DataFrame, pd.DataFrame, Wins]:
    """The deals table, the stage history, and the won deals for the invoices."""
    count = _POOL
    days, chance = calendar(-_WARM_UP, int(END), weekend=0.0)
    created = rng.choice(days, size=count, p=chance) + rng.uniform(8 / 24, 18 / 24, size=count)
    source = rng.choice(len(_DEAL_SOURCES), size=count, p=_DEAL_SOURCE_SHARE)
    existing = source == 0
    account = np.empty(count, dtype=np.int64)
    weight = SIZE_DEALS[book.size]
    # Upsells go to customers in proportion to what they buy; the rest to prospects.
    account[existing] = pick(rng, book.legacy, weight * book.realised, int(existing.sum()))
    account[~existing] = pick(rng, ~book.legacy, weight, int((~existing).sum()))
    cycle = SIZE_CYCLE[book.size[account]]

    # How far each deal gets: lost in stage 0-3, or 4 for won.
    passed = rng.random((count, 4)) < _PASS[None, :] ** _DEAL_SOURCE_EASE[source][:, None]
    passed[book.never[account], 3] = False
    furthest = np.argmin(np.column_stack([passed, np.zeros(count, dtype=bool)]), axis=1)
    spent = rng.gamma(2.0, _STAGE_DAYS / 2.0, size=(count, 4)) * cycle[:, None]
    # The close date is a date: at least a day after creation, so not before it.
    spent[:, 0] = np.maximum(spent[:, 0], 1.0)
    entry = created[:, None] + np.column_stack([np.zeros(count), np.cumsum(spent, axis=1)])
    entry = np.round(entry * 86_400.0) / 86_400.0  # whole seconds, as the tables hold them
    close = entry[np.arange(count), np.minimum(furthest + 1, 4)]
    # A competitor's new offer takes deals that were about to be won.
    closing = month(close)
    chance_taken = np.select([closing == 7, closing == 8], [0.35, 0.1])
    taken = (furthest == 4) & (rng.random(count) < chance_taken)
    furthest[taken] = 3

    kept = np.flatnonzero(close >= 0.0)  # deals closed before 2024 are not in the extract
    chosen = rng.choice(kept, size=_DEALS, replace=False)
    chosen = chosen[np.argsort(created[chosen], kind="stable")]
    created, source, account, cycle = (
        created[chosen],
        source[chosen],
        account[chosen],
        cycle[chosen],
    )
    furthest, entry, close, taken = furthest[chosen], entry[chosen], close[chosen], taken[chosen]
    rows = np.arange(_DEALS)

    closed = close < END
    won = closed & (furthest == 4)
    lost = closed & ~won
    current = (entry[:, 1:] < END).sum(axis=1)  # the open deals' stage
    stage = np.where(won, WON, np.where(lost, LOST, np.asarray(STAGES)[np.minimum(current, 3)]))

    nudge = rng.choice([-0.1, -0.05, 0.05, 0.1], size=_DEALS) * (rng.random(_DEALS) < 1 / 3)
    guess = np.clip(_STAGE_PROBABILITY[np.minimum(current, 3)] + nudge, 0.05, 0.95).round(2)
    probability = np.where(won, 1.0, np.where(lost, 0.0, guess))

    age = END - entry[rows, np.minimum(current, 3)]
    category = np.select(
        [won, lost, age > 90.0, current == 3, current == 2],
        [
            "closed",
            "omitted",
            "omitted",  # stalled for a quarter: left out of the forecast
            np.where(rng.random(_DEALS) < 0.65, "commit", "best_case"),
            np.where(rng.random(_DEALS) < 0.8, "best_case", "pipeline"),
        ],
        "pipeline",
    )
    # An open deal's expected close: the rest of its stage and the stages after it.
    left = np.cumsum(_STAGE_DAYS[::-1])[::-1] - _STAGE_DAYS
    here = _STAGE_DAYS[np.minimum(current, 3)] * cycle - age
    expected = END + np.maximum(here, 3.0) + left[np.minimum(current, 3)] * cycle
    close_day = np.floor(np.where(closed, close, expected + rng.integers(0, 10, size=_DEALS)))

    competitor = np.full(24, _COMPETITOR)
    competitor[list(_SPIKE)] = list(_SPIKE.values())
    to_rival = taken | (rng.random(_DEALS) < competitor[np.clip(month(close), 0, 23)])
    other = np.asarray(_REASONS)[rng.choice(len(_REASONS), size=_DEALS, p=_REASON_SHARE)]
    reason = np.where(to_rival, "competitor", other).astype(object)
    reason[~lost | (~taken & (rng.random(_DEALS) < 0.04))] = None

    share = np.where(source == 0, rng.uniform(0.02, 0.08, _DEALS), rng.uniform(0.05, 0.25, _DEALS))
    value = np.maximum(np.round(book.potential[account] * share, -2), 500.0)
    owner = np.where(
        (book.owner[account] == len(SELLERS) - 1) & (created < HIRED),
        book.previous_owner[account],
        book.owner[account],
    )
    deal_id = ids("D", _DEALS, 5)
    deals = pd.DataFrame(
        {
            "deal_id": deal_id,
            "account_id": book.frame["account_id"].to_numpy()[account],
            "owner": np.asarray(SELLERS)[owner],
            "stage": stage,
            "value": value,
            "probability": probability,
            "currency": CURRENCY,
            "created": stamps(created),
            "close_date": stamps(close_day),
            "status": np.where(won, "won", np.where(lost, "lost", "open")),
            "forecast_category": category,
            "source": np.asarray(_DEAL_SOURCES)[source],
            "lost_reason": reason,
        }
    )

    # Stage history: a row per funnel stage reached, then Closed Won or Closed Lost.
    last = np.where(closed, np.minimum(furthest, 3), current)
    deal, step = np.nonzero(np.arange(4)[None, :] <= last[:, None])
    entered = entry[deal, step]
    exited = entry[deal, step + 1]
    exited[~closed[deal] & (step == current[deal])] = np.nan
    ended = np.flatnonzero(closed)
    deal = np.concatenate([deal, ended])
    step = np.concatenate([step, np.full(ended.size, 4)])
    entered = np.concatenate([entered, close[ended]])
    exited = np.concatenate([exited, np.full(ended.size, np.nan)])
    names = np.asarray([*STAGES, ""], dtype=object)[step]
    names[step == 4] = np.where(won[ended], WON, LOST)
    order = np.lexsort((step, deal))
    history = pd.DataFrame(
        {
            "deal_id": deal_id[deal[order]],
            "stage": names[order],
            "entered": stamps(entered[order]),
            "exited": stamps(exited[order]),
        }
    )
    return deals, history, Wins(account=account[won], day=close_day[won], value=value[won])
