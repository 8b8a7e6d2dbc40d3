"""The deals of the sample CRM and their stage history.

Deals are drafted in three kinds — new business to prospects (here), upsells to
customers and renewals of yearly contracts (in ``_contracts``) — and then written out
together as the deals table and the stage history.
"""

from __future__ import annotations

from typing import Final

import attrs
import numpy as np
import pandas as pd

from ._accounts import SIZE_CYCLE, SIZE_DEALS, Book, pick
from ._calendar import (
    CURRENCY,
    END,
    HIRED,
    SELLERS,
    BoolArray,
    FloatArray,
    IntArray,
    calendar,
    ids,
    month,
    stamps,
)

__all__ = [
    "LOST",
    "RENEWAL",
    "RENEWAL_PROBABILITY",
    "STAGES",
    "STAGE_DAYS",
    "STAGE_PROBABILITY",
    "UPSELL",
    "WARM_UP",
    "WON",
    "Drafts",
    "new_business",
    "progress",
    "rival",
    "whole_seconds",
    "write",
]

STAGES: Final = ("Prospecting", "Qualification", "Proposal", "Negotiation")
WON: Final = "Closed Won"
LOST: Final = "Closed Lost"
STAGE_PROBABILITY: Final = np.array([0.1, 0.2, 0.5, 0.8])  # EspoCRM's defaults
RENEWAL_PROBABILITY: Final = np.array([0.6, 0.7, 0.8, 0.9])  # most customers renew
PASS: Final = np.array([0.55, 0.6, 0.6, 0.65])
STAGE_DAYS: Final = np.array([15.0, 25.0, 35.0, 30.0])
SOURCES: Final = ("existing customer", "referral", "inbound", "outbound", "renewal")
UPSELL: Final = 0
RENEWAL: Final = 4
_NEW_SOURCE_SHARE: Final = (0.16, 0.44, 0.40)  # referral, inbound, outbound
SOURCE_EASE: Final = np.array([0.4, 0.6, 1.0, 1.4, 1.0])  # power on PASS: < 1 is easier
_NEW_DEALS: Final = 2_900  # new-business deals drawn into the extract
_POOL: Final = 3_400  # simulated; those closed before 2024 are not in the extract
WARM_UP: Final = 120
_REASONS: Final = ("price", "no budget", "no decision", "timing", "product fit")
_REASON_SHARE: Final = np.array([0.30, 0.20, 0.22, 0.15, 0.13])
_COMPETITOR: Final = 0.15  # share of losses to a competitor, outside the spike
_SPIKE: Final = {7: 0.7, 8: 0.45, 9: 0.35, 10: 0.28, 11: 0.23, 12: 0.19}  # months since 2024-01


@attrs.define
class Drafts:
    """Deals before they are written out: one entry per deal in every array.

    ``entry[:, k]`` is when the deal entered funnel stage ``k`` (0 is its creation)
    and ``entry[:, 4]`` when it reached Closed Won; ``furthest`` is the last funnel
    stage it reaches (4: won). A lost deal closes when it would have left that
    stage. ``expected`` is the expected close day of a deal still open on ``END``
    (NaN: from the usual stage durations).
    """

    created: FloatArray
    account: IntArray
    source: IntArray
    value: FloatArray
    furthest: IntArray
    entry: FloatArray
    expected: FloatArray
    taken: BoolArray  # a win taken by the competitor's new offer

    @property
    def close(self) -> FloatArray:
        rows = np.arange(self.created.size)
        return np.asarray(self.entry[rows, np.minimum(self.furthest + 1, 4)], dtype=np.float64)

    def subset(self, keep: IntArray | BoolArray) -> Drafts:
        return Drafts(**{k: v[keep] for k, v in attrs.asdict(self, recurse=False).items()})

    @classmethod
    def concat(cls, parts: list[Drafts]) -> Drafts:
        fields = attrs.fields_dict(cls)
        return cls(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in fields})


def progress(
    rng: np.random.Generator, created: FloatArray, cycle: FloatArray, source: IntArray
) -> tuple[IntArray, FloatArray]:
    """How far each deal gets and when it enters each stage."""
    count = created.size
    passed = rng.random((count, 4)) < PASS[None, :] ** SOURCE_EASE[source][:, None]
    furthest = np.argmin(np.column_stack([passed, np.zeros(count, dtype=bool)]), axis=1)
    spent = rng.gamma(2.0, STAGE_DAYS / 2.0, size=(count, 4)) * cycle[:, None]
    # The close date is a date: at least a day after creation, so not before it.
    spent[:, 0] = np.maximum(spent[:, 0], 1.0)
    entry = created[:, None] + np.column_stack([np.zeros(count), np.cumsum(spent, axis=1)])
    return furthest.astype(np.int64), whole_seconds(entry)


def whole_seconds(days: FloatArray) -> FloatArray:
    """Days rounded to whole seconds, as the tables hold them."""
    return np.asarray(np.round(days * 86_400.0) / 86_400.0, dtype=np.float64)


def rival(rng: np.random.Generator, won: BoolArray, close: FloatArray) -> BoolArray:
    """Wins that a competitor's new offer takes in August and September 2024."""
    closing = month(close)
    chance = np.select([closing == 7, closing == 8], [0.35, 0.1])
    return won & (rng.random(won.shape) < chance)


def new_business(rng: np.random.Generator, book: Book) -> Drafts:
    """Deals with prospects; an account that signs gets no new-business deal after."""
    count = _POOL
    days, chance = calendar(-WARM_UP, int(END), weekend=0.0)
    created = rng.choice(days, size=count, p=chance) + rng.uniform(8 / 24, 18 / 24, size=count)
    source = 1 + rng.choice(3, size=count, p=_NEW_SOURCE_SHARE)
    account = pick(rng, ~book.legacy, SIZE_DEALS[book.size], count)
    furthest, entry = progress(rng, created, SIZE_CYCLE[book.size[account]], source)
    furthest[book.never[account]] = np.minimum(furthest[book.never[account]], 3)
    rows = np.arange(count)
    close = entry[rows, np.minimum(furthest + 1, 4)]
    taken = rival(rng, furthest == 4, close)
    furthest[taken] = 3
    # A subscription is worth what the account spends a year at the share it realises.
    value = np.round(book.potential[account] * book.realised[account], -2)
    drafts = Drafts(
        created=created,
        account=account,
        source=source,
        value=value,
        furthest=furthest,
        entry=entry,
        expected=np.full(count, np.nan),
        taken=taken,
    )
    kept = np.flatnonzero(close >= 0.0)  # deals closed before 2024 are not in the extract
    drafts = drafts.subset(np.sort(rng.choice(kept, size=_NEW_DEALS, replace=False)))
    # Once an account has signed, later deals with it are upsells (drafted elsewhere);
    # one signed while another was in progress closes that one too.
    close = drafts.close
    signed = np.full(book.size.size, np.inf)
    wins = (drafts.furthest == 4) & (close < END)
    np.minimum.at(signed, drafts.account[wins], close[wins])
    first = wins & (close == signed[drafts.account])
    return drafts.subset(first | (close < signed[drafts.account]))


def write(
    rng: np.random.Generator, book: Book, drafts: Drafts
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The deals table and the stage history, in order of creation."""
    drafts = drafts.subset(np.argsort(drafts.created, kind="stable"))
    count = drafts.created.size
    rows = np.arange(count)
    created, account, source = drafts.created, drafts.account, drafts.source
    furthest, entry, close, taken = drafts.furthest, drafts.entry, drafts.close, drafts.taken
    cycle = SIZE_CYCLE[book.size[account]]
    renewal = source == RENEWAL

    closed = close < END
    won = closed & (furthest == 4)
    lost = closed & ~won
    current = (entry[:, 1:4] < END).sum(axis=1)  # the open deals' stage
    stage = np.where(won, WON, np.where(lost, LOST, np.asarray(STAGES)[current]))

    nudge = rng.choice([-0.1, -0.05, 0.05, 0.1], size=count) * (rng.random(count) < 1 / 3)
    usual = np.where(renewal, RENEWAL_PROBABILITY[current], STAGE_PROBABILITY[current])
    guess = np.clip(usual + nudge, 0.05, 0.95).round(2)
    probability = np.where(won, 1.0, np.where(lost, 0.0, guess))

    age = END - entry[rows, current]
    category = np.select(
        [won, lost, age > 90.0, current == 3, current == 2],
        [
            "closed",
            "omitted",
            "omitted",  # stalled for a quarter: left out of the forecast
            np.where(rng.random(count) < 0.65, "commit", "best_case"),
            np.where(rng.random(count) < 0.8, "best_case", "pipeline"),
        ],
        "pipeline",
    )
    # An open deal's expected close: the rest of its stage and the stages after it.
    left = np.cumsum(STAGE_DAYS[::-1])[::-1] - STAGE_DAYS
    here = STAGE_DAYS[current] * cycle - age
    usual_close = END + np.maximum(here, 3.0) + left[current] * cycle
    usual_close = usual_close + rng.integers(0, 10, size=count)
    expected = np.where(np.isnan(drafts.expected), usual_close, drafts.expected)
    close_day = np.floor(np.where(closed, close, expected))

    competitor = np.full(24, _COMPETITOR)
    competitor[list(_SPIKE)] = list(_SPIKE.values())
    to_rival = taken | (rng.random(count) < competitor[np.clip(month(close), 0, 23)])
    other = np.asarray(_REASONS)[rng.choice(len(_REASONS), size=count, p=_REASON_SHARE)]
    reason = np.where(to_rival, "competitor", other).astype(object)
    reason[~lost | (~taken & (rng.random(count) < 0.04))] = None

    owner = np.where(
        (book.owner[account] == len(SELLERS) - 1) & (created < HIRED),
        book.previous_owner[account],
        book.owner[account],
    )
    deal_id = ids("D", count, 5)
    deals = pd.DataFrame(
        {
            "deal_id": deal_id,
            "account_id": book.frame["account_id"].to_numpy()[account],
            "owner": np.asarray(SELLERS)[owner],
            "stage": stage,
            "value": drafts.value,
            "probability": probability,
            "currency": CURRENCY,
            "created": stamps(created),
            "close_date": stamps(close_day),
            "status": np.where(won, "won", np.where(lost, "lost", "open")),
            "forecast_category": category,
            "source": np.asarray(SOURCES)[source],
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
    return deals, history
