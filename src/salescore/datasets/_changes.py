"""The sample CRM's change log: each deal's whole state after every change.

The log is written from the same drafts as the deals table and the stage history, with
a random generator of its own, so that it adds to the sample without changing any other
table. What it adds is what a CRM's field history records and the deals table forgets:

* **Close dates.** A seller expects a new deal to close sooner than deals do: the
  first expected close date is 55 to 100 % of the size's usual cycle after creation
  (two weeks at least). When the date is about to pass (from five days before to two
  days after), the seller pushes it out by a whole number of weeks (geometric, five
  weeks on average), as often as needed; about one in eleven is pulled in once by one
  to four weeks, to ten days away at the soonest. A renewal is expected on its
  anniversary and is not pushed. A won or lost deal's close date becomes the day it
  closed; an open deal's last change sets the expected close date the deals table
  holds.
* **Values.** Over a quarter of the deals change value before they close, a few
  twice: a discount of 5 to 20 % (three changes in five) or an upsizing of 10 to 40 %,
  rounded to 100, ending at the value the deals table holds.
* **Stages and probabilities.** A deal changes stage exactly when the stage history
  says it entered one. Its probability is the CRM's stage probability (EspoCRM's
  defaults, 0.6 to 0.9 for renewals) moved by the deal's nudge, 1 when won and 0 when
  lost, while the simulation wins with the rates of :data:`TRUE_WIN_RATE` and
  :data:`TRUE_RENEWAL_WIN_RATE`: the CRM's numbers are miscalibrated, low at the early
  stages and for renewals, high in Negotiation.
* **Owner, currency and source.** Each deal's own, the same on all its rows: the
  sample's deals change none of them.
* **Forecast categories.** Pipeline in the first two stages, best case or pipeline in
  Proposal, commit or best case in Negotiation, omitted after 90 days in one stage;
  closed when won, omitted when lost.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from ..money import convert
from ..schema.vocabularies import STATUSES
from ._accounts import SIZE_CYCLE, Book
from ._calendar import CURRENCY, END, START, FloatArray, IntArray, stamps
from ._deals import (
    LOST,
    RENEWAL,
    RENEWAL_PROBABILITY,
    STAGE_DAYS,
    STAGE_PROBABILITY,
    STAGES,
    WON,
    Drafts,
    whole_seconds,
)
from ._money import RATES

__all__ = ["TRUE_RENEWAL_WIN_RATE", "TRUE_WIN_RATE", "in_deal_currencies", "make_changes"]

#: The simulation's P(win | reached stage) for new business and upsells together, the
#: deals the CRM gives 0.1, 0.2, 0.5 and 0.8: the share of the deals drafted for seeds
#: 0 to 49 that reached the stage and were won (their future included, so open deals
#: count with the outcome the simulation holds for them).
TRUE_WIN_RATE: Final = {
    "Prospecting": 0.24,
    "Qualification": 0.38,
    "Proposal": 0.53,
    "Negotiation": 0.73,
}
#: The same for renewals, which the CRM gives 0.6, 0.7, 0.8 and 0.9.
TRUE_RENEWAL_WIN_RATE: Final = {
    "Prospecting": 0.84,
    "Qualification": 0.86,
    "Proposal": 0.88,
    "Negotiation": 0.94,
}

_CATEGORIES: Final = ("pipeline", "best_case", "commit", "omitted", "closed")
_PIPELINE, _BEST_CASE, _COMMIT, _OMITTED, _CLOSED = range(5)
_NAMES: Final = (*STAGES, WON, LOST)
_WON_CODE, _LOST_CODE = 4, 5
_OPTIMISM: Final = (0.55, 1.0)  # the first expected close: this share of the usual cycle
_SOONEST: Final = 14.0  # days from creation to the first expected close, at least
_PUSHES: Final = 24  # at most this many pushes per deal; a deal open longer goes stale
_WEEKS: Final = 0.2  # a push moves the date Geometric(0.2) weeks: 5 on average
_EARLY, _LATE = -2.0, 5.0  # a push happens from 5 days before to 2 days after the date
_PULL: Final = 1 / 12  # the share of deals pulled in once
_VALUE_CHANGES: Final = (0.72, 0.22, 0.06)  # deals with no, one and two value changes
_DISCOUNT: Final = 0.6  # the share of value changes that are discounts
_STALL: Final = 90.0  # days in one stage before a deal is left out of the forecast
_SECOND: Final = 1.0 / 86_400.0

# The order of events at the same second: the last one's state is the row's.
_CREATE, _STAGE, _VALUE, _DATE, _STALE, _REDATE, _CLOSE = range(7)


def _events(
    deal: IntArray,
    time: FloatArray,
    kind: int,
    *,
    stage: IntArray | None = None,
    value: FloatArray | None = None,
    close: FloatArray | None = None,
    category: IntArray | None = None,
) -> dict[str, np.ndarray]:
    """Events of one kind: what each sets (-1 or NaN: left as it was)."""
    size = deal.size

    def code(given: IntArray | None) -> IntArray:
        return np.full(size, -1, dtype=np.int64) if given is None else given.astype(np.int64)

    def number(given: FloatArray | None) -> FloatArray:
        return np.full(size, np.nan) if given is None else given.astype(np.float64)

    return {
        "deal": deal.astype(np.int64),
        "time": whole_seconds(time),
        "kind": np.full(size, kind, dtype=np.int64),
        "stage": code(stage),
        "value": number(value),
        "close": number(close),
        "category": code(category),
    }


def _replay(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The state after each moment of each deal: sorted, carried forward, one row a moment.

    A deal's creation sets every field and sorts first, so carrying the last set value
    forward never crosses from one deal to the next.
    """
    events = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    order = np.lexsort((events["kind"], events["time"], events["deal"]))
    events = {key: column[order] for key, column in events.items()}
    rows = np.arange(order.size)
    for key in ("stage", "category"):
        given = events[key] >= 0
        events[key] = events[key][np.maximum.accumulate(np.where(given, rows, 0))]
    for key in ("value", "close"):
        given = ~np.isnan(events[key])
        events[key] = events[key][np.maximum.accumulate(np.where(given, rows, 0))]
    deal, time = events["deal"], events["time"]
    last = np.append((deal[1:] != deal[:-1]) | (time[1:] != time[:-1]), True)
    return {key: column[last] for key, column in events.items()}


def _days(dates: pd.Series[pd.Timestamp]) -> FloatArray:
    """Days since START of datetime64 values."""
    since = dates.to_numpy(dtype="datetime64[ns]") - START.astype("datetime64[ns]")
    return np.asarray(since / np.timedelta64(1, "D"), dtype=np.float64)


def _values(rng: np.random.Generator, final: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The value before each of two changes that end at ``final`` (NaN: no change)."""
    count = final.size
    changes = rng.choice(3, size=count, p=_VALUE_CHANGES)
    discount = rng.random((count, 2)) < _DISCOUNT
    factor = np.where(
        discount, rng.uniform(0.8, 0.95, (count, 2)), rng.uniform(1.1, 1.4, (count, 2))
    )
    second = np.maximum(np.round(final / factor[:, 1], -2), 100.0)
    first = np.maximum(np.round(second / factor[:, 0], -2), 100.0)
    second[changes < 1] = np.nan
    first[changes < 2] = np.nan
    return first, second


def make_changes(
    rng: np.random.Generator, book: Book, drafts: Drafts, deals: pd.DataFrame
) -> pd.DataFrame:
    """The change log of the deals ``write`` made from ``drafts``, in euros.

    ``deals`` is the deals table :func:`~._deals.write` returned for the same drafts
    (in the same order, by creation): each deal's last row equals its row there.
    """
    drafts = drafts.subset(np.argsort(drafts.created, kind="stable"))
    count = drafts.created.size
    rows = np.arange(count)
    created, entry, furthest = drafts.created, drafts.entry, drafts.furthest
    close = drafts.close
    closed = close < END
    won = closed & (furthest == 4)
    renewal = drafts.source == RENEWAL
    current = (entry[:, 1:4] < END).sum(axis=1)
    last = np.where(closed, np.minimum(furthest, 3), current)  # the last stage visited
    ends = np.where(closed, close, END)  # the deal is open from created to ends
    final_value = deals["value"].to_numpy(dtype=np.float64)
    final_close = _days(deals["close_date"])
    final_category = pd.Index(_CATEGORIES).get_indexer(pd.Index(deals["forecast_category"]))
    final_probability = deals["probability"].to_numpy(dtype=np.float64)

    # Close dates: optimistic at first, pushed when about to pass, now and then pulled in.
    usual = STAGE_DAYS.sum() * SIZE_CYCLE[book.size[drafts.account]]
    guess = created + np.maximum(_SOONEST, rng.uniform(*_OPTIMISM, size=count) * usual)
    first = np.where(renewal, drafts.expected, np.ceil(guess))
    steps = 7.0 * rng.geometric(_WEEKS, size=(count, _PUSHES))
    plan = first[:, None] + np.column_stack([np.zeros(count), np.cumsum(steps, axis=1)])
    at = plan[:, :-1] - rng.uniform(_EARLY, _LATE, size=(count, _PUSHES))  # push j: plan j+1
    pull_at = whole_seconds(created + rng.uniform(0.1, 1.0, size=count) * (ends - created))
    before = (at < pull_at[:, None]).sum(axis=1)  # the pushes before the pull-in
    held = plan[rows, before]
    pulled = np.maximum(held - 7.0 * rng.integers(1, 5, size=count), np.ceil(pull_at + 10.0))
    pull = ~renewal & (rng.random(count) < _PULL) & (pulled < held) & (pull_at > created)
    pull &= pull_at < ends
    later = np.arange(_PUSHES + 1)[None, :] >= before[:, None]
    moved = plan + np.where(later & pull[:, None], (pulled - held)[:, None], 0.0)
    at = whole_seconds(at + moved[:, :-1] - plan[:, :-1])  # the pushes after it move too
    pushed = np.where(renewal, 0, (at < ends[:, None]).sum(axis=1))
    deal, step = np.nonzero(np.arange(_PUSHES)[None, :] < pushed[:, None])
    target = np.where(step < before[deal], plan[deal, step + 1], moved[deal, step + 1])
    parts = [
        _events(deal, at[deal, step], _DATE, close=target),
        _events(rows[pull], pull_at[pull], _DATE, close=pulled[pull]),
    ]

    # Stages and forecast categories; an open deal's current stage has its final one.
    category = np.zeros((count, 4), dtype=np.int64)
    category[:, 2] = np.where(rng.random(count) < 0.8, _BEST_CASE, _PIPELINE)
    category[:, 3] = np.where(rng.random(count) < 0.65, _COMMIT, _BEST_CASE)
    kept = ~closed & (final_category != _OMITTED)
    category[rows[kept], current[kept]] = final_category[kept]
    first_value, second_value = _values(rng, final_value)
    start_value = np.where(
        np.isnan(first_value),
        np.where(np.isnan(second_value), final_value, second_value),
        first_value,
    )
    parts.append(
        _events(
            rows,
            created,
            _CREATE,
            stage=np.zeros(count, dtype=np.int64),
            value=start_value,
            close=first,
            category=category[:, 0],
        )
    )
    deal, step = np.nonzero((np.arange(4)[None, :] <= last[:, None]) & (np.arange(4) >= 1))
    parts.append(
        _events(deal, entry[deal, step], _STAGE, stage=step, category=category[deal, step])
    )
    deal, step = np.nonzero(np.arange(4)[None, :] <= last[:, None])
    exit_ = np.where(step < last[deal], entry[deal, np.minimum(step + 1, 3)], ends[deal])
    stalled = exit_ - entry[deal, step] > _STALL
    now = ~closed[deal] & (step == current[deal])
    stalled = np.where(now, final_category[deal] == _OMITTED, stalled)
    deal, step = deal[stalled], step[stalled]
    stall_at = np.minimum(whole_seconds(entry[deal, step] + _STALL), END - _SECOND)
    parts.append(
        _events(deal, stall_at, _STALE, category=np.full(deal.size, _OMITTED, dtype=np.int64))
    )

    # Value changes at moments while open; the second one ends at the final value.
    moments = np.sort(rng.uniform(0.05, 1.0, size=(count, 2)), axis=1)
    moments = whole_seconds(created[:, None] + moments * (ends - created)[:, None])
    second = ~np.isnan(second_value) & (second_value != final_value)
    first_ = ~np.isnan(first_value) & (first_value != second_value)
    parts.append(_events(rows[second], moments[second, 1], _VALUE, value=final_value[second]))
    parts.append(_events(rows[first_], moments[first_, 0], _VALUE, value=second_value[first_]))

    # The close: the stage and the day a deal was won or lost.
    shut = rows[closed]
    parts.append(
        _events(
            shut,
            close[shut],
            _CLOSE,
            stage=np.where(won[shut], _WON_CODE, _LOST_CODE),
            close=np.floor(close[shut]),
            category=np.where(won[shut], _CLOSED, _OMITTED),
        )
    )

    # An open deal's last change sets the expected close date the deals table holds.
    state = _replay(parts)
    tail = np.append(state["deal"][1:] != state["deal"][:-1], True)
    latest = state["time"][tail]
    redate = ~closed & (state["close"][tail] != final_close)
    moment = whole_seconds(latest + rng.uniform(0.2, 0.9, size=count) * (END - latest))
    moment = np.where((moment > latest) & (moment < END), moment, latest)
    parts.append(_events(rows[redate], moment[redate], _REDATE, close=final_close[redate]))
    state = _replay(parts)
    return _frame(state, drafts, deals, renewal, current, final_probability, rng)


def _frame(
    state: dict[str, np.ndarray],
    drafts: Drafts,
    deals: pd.DataFrame,
    renewal: np.ndarray,
    current: IntArray,
    final_probability: FloatArray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The change log as a table, with the CRM's probability of each row."""
    count = drafts.created.size
    closed_at_end = drafts.close < END
    # The nudge a seller gives a deal's probability: an open deal's is the deals table's.
    nudge = rng.choice([-0.1, -0.05, 0.05, 0.1], size=count) * (rng.random(count) < 1 / 3)
    usual = np.where(renewal, RENEWAL_PROBABILITY[current], STAGE_PROBABILITY[current])
    nudge = np.where(closed_at_end, nudge, final_probability - usual)
    deal, stage = state["deal"], state["stage"]
    funnel = np.minimum(stage, 3)
    table = np.where(renewal[deal], RENEWAL_PROBABILITY[funnel], STAGE_PROBABILITY[funnel])
    probability = np.clip(table + nudge[deal], 0.05, 0.95).round(2)
    probability = np.where(stage == _WON_CODE, 1.0, np.where(stage == _LOST_CODE, 0.0, probability))
    now = ~closed_at_end[deal] & (stage == current[deal])
    probability = np.where(now, final_probability[deal], probability)
    status = np.where(stage == _WON_CODE, 1, np.where(stage == _LOST_CODE, 2, 0))
    # Text columns are taken from small arrays of the deals table's text dtype: faster
    # than converting a column of Python strings.
    kind = deals["deal_id"].dtype
    return pd.DataFrame(
        {
            "deal_id": deals["deal_id"].array.take(deal),
            "changed_at": stamps(state["time"]),
            "stage": _texts(_NAMES, kind, stage),
            "value": state["value"],
            "probability": probability,
            "close_date": stamps(state["close"]),
            "forecast_category": _texts(_CATEGORIES, kind, state["category"]),
            "status": _texts(STATUSES, kind, status),
            "currency": deals["currency"].array.take(deal),
            "owner": deals["owner"].array.take(deal),
            "source": deals["source"].array.take(deal),
        }
    )


def _texts(names: tuple[str, ...], kind: Any, codes: IntArray) -> Any:
    """``names[codes]`` in the text dtype ``kind``."""
    return pd.Series(list(names), dtype=kind).array.take(codes)


def in_deal_currencies(changes: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """The change log with each deal's amounts in the currency ``deals`` holds it in.

    A deal's amounts are converted at the rate of its final close date, the rate its
    amount in ``deals`` was converted at, so that a change of close date alone does not
    change the amount, as in a CRM that keeps the deal in its own currency.
    """
    where = pd.Index(deals["deal_id"]).get_indexer(pd.Index(changes["deal_id"]))
    currency = deals["currency"].to_numpy()[where]
    local = currency != CURRENCY
    if not local.any():
        return changes
    amounts = pd.DataFrame(
        {
            "value": changes["value"].to_numpy()[local],
            "currency": CURRENCY,
            "close_date": deals["close_date"].to_numpy()[where[local]],
        }
    )
    out = changes.copy()
    for code in np.unique(currency[local]):
        mine = currency[local] == code
        converted = convert(amounts.loc[mine], to=str(code), rates=RATES)
        out.loc[np.flatnonzero(local)[mine], "value"] = converted["value"].round(2).to_numpy()
    out["currency"] = deals["currency"].array.take(where)
    return out
