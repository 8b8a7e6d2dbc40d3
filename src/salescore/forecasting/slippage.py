r"""Do our deals close when we say they will? How often each deal's close date moved.

A table function over the canonical ``deal_changes`` table:
:func:`close_date_slippage` follows each deal's close date from one change to the next
and counts the times it moved later (pushes) and earlier (pulls), with the days moved,
and gives the share of deals pushed at least once, twice, … — the slippage that a
forecast built on today's close dates does not see.
"""

from __future__ import annotations

import math
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import option_number
from .._tables import counted as _count
from ..engines import engine_name
from ..errors import InvalidInputError
from ..pipeline._deals import TOO_FAR, elapsed_days
from ._changes import changes_of, deals_named, moment
from ._fields import table_field

__all__ = ["CloseDateSlippage", "close_date_slippage"]

_COLUMNS: Final = (
    "deal_id",
    "pushes",
    "push_days",
    "pulls",
    "pull_days",
    "first_close_date",
    "last_close_date",
    "net_days",
    "status",
)

_AT_LEAST_COLUMNS: Final = ("k", "deals", "share")

IntArray = npt.NDArray[np.int64]


def _mean_field(value: object) -> float:
    number = option_number("mean_pushes", value, allow_nan=True)
    if not (math.isnan(number) or 0.0 <= number < math.inf):
        raise InvalidInputError(
            f"mean_pushes must be a finite number >= 0 or NaN; got {value!r:.60}"
        )
    return number


def _share_field(value: object) -> float:
    number = option_number("share_pushed", value, allow_nan=True)
    if not (math.isnan(number) or 0.0 <= number <= 1.0):
        raise InvalidInputError(f"share_pushed must be a share in [0, 1] or NaN; got {value!r:.60}")
    return number


@attrs.frozen(kw_only=True, eq=False)
class CloseDateSlippage:
    """How often and how far the deals' close dates moved.

    Made by :func:`close_date_slippage`; see there for the definitions.

    Parameters
    ----------
    deals : DataFrame
        One row per deal, sorted by ``deal_id``: ``pushes`` and ``pulls`` (int64, the
        times the close date moved later or earlier), ``push_days`` and ``pull_days``
        (float64, the days moved each way, both >= 0), ``first_close_date`` and
        ``last_close_date``, ``net_days`` (last minus first, in days) and ``status``
        (the deal's status at the last change counted).
    pushed_at_least : DataFrame
        One row per ``k`` = 1, 2, … up to the most pushes of a deal: ``k``, ``deals``
        (int64, the deals pushed at least ``k`` times) and ``share`` (of all deals).
        No row when no deal was pushed.
    mean_pushes : float
        The mean number of pushes per deal (NaN without deals).
    share_pushed : float
        The share of deals pushed at least once (NaN without deals).

    Raises
    ------
    InvalidInputError
        A field that is not what it says above: a table that is not a DataFrame with
        its columns in order, ``mean_pushes`` not a finite number >= 0 or NaN,
        ``share_pushed`` not in [0, 1] or NaN.

    See Also
    --------
    close_date_slippage : builds this record.
    """

    deals: pd.DataFrame = attrs.field(validator=table_field(_COLUMNS))
    pushed_at_least: pd.DataFrame = attrs.field(validator=table_field(_AT_LEAST_COLUMNS))
    mean_pushes: float = attrs.field(converter=_mean_field)
    share_pushed: float = attrs.field(converter=_share_field)


def close_date_slippage(changes: pd.DataFrame, *, as_of: object = None) -> CloseDateSlippage:
    r"""Per deal, how many times and by how many days its close date moved out and in.

    A deal whose expected close date keeps moving out is a forecast risk: it was in
    last quarter's commit and is in this quarter's too. Each deal's rows are taken in
    time order, and each change of the close date from one row to the next counts as a
    push (later) or a pull (earlier), with the days it moved.

    Parameters
    ----------
    changes : DataFrame or engine frame
        Canonical ``deal_changes`` table, as for
        :func:`~salescore.forecasting.changes.pipeline_as_of`. On an engine frame the
        close-date moves are counted per deal in the engine (a window ordered by
        ``changed_at``; on Dask each deal's rows are gathered in one partition).
    as_of : str, datetime, date, pandas.Timestamp or numpy.datetime64, keyword-only, optional
        Count only the changes made at or before this moment (as ``when`` of
        ``pipeline_as_of``), and only the deals existing then; ``None`` counts every
        change.

    Returns
    -------
    CloseDateSlippage
        ``deals`` (one row per deal), ``pushed_at_least`` (deals pushed at least
        ``k`` times, and their share of all deals), ``mean_pushes`` and
        ``share_pushed``.

    Raises
    ------
    SchemaError
        As for ``pipeline_as_of``.
    InvalidInputError
        As for ``pipeline_as_of``, and an ``as_of`` that is not a timestamp, or two
        consecutive close dates of a deal more than 292 years apart.

    See Also
    --------
    pipeline_waterfall : the value pushed out of a period between two moments.

    Notes
    -----
    With close dates :math:`c_{i1}, \dots, c_{in_i}` of deal :math:`i` in the order of
    its changes and :math:`\Delta_{ij} = c_{ij} - c_{i,j-1}` in days:

    .. math::

        \mathrm{pushes}_i = \#\{j : \Delta_{ij} > 0\}, \quad
        \mathrm{push\_days}_i = \sum_{j : \Delta_{ij} > 0} \Delta_{ij}, \quad
        \mathrm{pulls}_i = \#\{j : \Delta_{ij} < 0\}, \quad
        \mathrm{pull\_days}_i = -\sum_{j : \Delta_{ij} < 0} \Delta_{ij},

    and :math:`\mathrm{net\_days}_i = c_{in_i} - c_{i1} = \mathrm{push\_days}_i -
    \mathrm{pull\_days}_i`. Every move counts, also the one at closing (the close date
    then becomes the actual date: a deal won after its expected date was pushed) and a
    correction made after closing. Only recorded changes are seen: a date moved out
    and back between two rows of the log is invisible.

    References
    ----------
    Salesforce, "OpportunityHistory", Object Reference for the Salesforce Platform
    (each change of an opportunity's close date is a row with the new CloseDate).
    https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunityhistory.htm

    Examples
    --------
    >>> import pandas as pd
    >>> changes = pd.DataFrame({
    ...     "deal_id": ["D1", "D1", "D1", "D2"],
    ...     "changed_at": pd.to_datetime(["2026-01-05", "2026-02-10", "2026-03-01",
    ...                                   "2026-01-20"]),
    ...     "value": [10_000.0, 10_000.0, 10_000.0, 5_000.0],
    ...     "close_date": pd.to_datetime(["2026-03-31", "2026-04-30", "2026-04-20",
    ...                                   "2026-02-28"]),
    ...     "status": ["open", "open", "open", "open"],
    ... })
    >>> slip = close_date_slippage(changes)
    >>> slip.deals[["deal_id", "pushes", "push_days", "pulls", "pull_days", "net_days"]]
      deal_id  pushes  push_days  pulls  pull_days  net_days
    0      D1       1       30.0      1       10.0      20.0
    1      D2       0        0.0      0        0.0       0.0
    >>> slip.share_pushed
    0.5
    """
    engine = engine_name(changes)
    if engine is not None:  # the per-deal counts in the engine, the rest as below
        from ._changes_engine import slippage_table

        return _record(slippage_table(changes, engine, as_of))
    log = changes_of(changes)
    if as_of is None:
        positions = np.arange(log.deal.size, dtype=np.intp)
    else:
        positions = np.flatnonzero(log.known(moment(as_of, "as_of")))
    # Deals existing then, renumbered 0, 1, … in order of deal id.
    present, deal = np.unique(log.deal[positions], return_inverse=True)
    deal = deal.reshape(-1)
    size = present.size
    ids = pd.Series(log.ids.take(present), name="deal_id")
    close = pd.DatetimeIndex(log.frame["close_date"]).take(log.order[positions])
    step, far = elapsed_days(close[1:], close[:-1])
    if far is not None:
        same = (deal[1:] == deal[:-1]) & far
        if same.any():
            raise InvalidInputError(
                f"deal_changes: two consecutive 'close_date' of a deal are {TOO_FAR} in "
                f"{_count(int(same.sum()), 'row')} ({deals_named(ids.take(deal[1:][same]))})"
            )
        step = _days_apart(close, deal)
    same = deal[1:] == deal[:-1]
    later = same & (step > 0.0)
    earlier = same & (step < 0.0)
    owner = deal[1:]
    pushes = np.bincount(owner[later], minlength=size).astype(np.int64)
    pulls = np.bincount(owner[earlier], minlength=size).astype(np.int64)
    push_days = np.asarray(
        np.bincount(owner[later], weights=step[later], minlength=size), dtype=np.float64
    )
    pull_days = np.asarray(
        np.bincount(owner[earlier], weights=-step[earlier], minlength=size), dtype=np.float64
    )
    starts = np.searchsorted(deal, np.arange(size), side="left")
    ends = np.searchsorted(deal, np.arange(size), side="right") - 1
    first_close = log.column("close_date", positions[starts]).rename("first_close_date")
    last_close = log.column("close_date", positions[ends]).rename("last_close_date")
    net, _ = elapsed_days(pd.DatetimeIndex(last_close), pd.DatetimeIndex(first_close))
    if net.size != size:  # far apart in total although each step fits: add the steps
        net = push_days - pull_days
    deals = pd.DataFrame(
        {
            "deal_id": ids,
            "pushes": pushes,
            "push_days": push_days,
            "pulls": pulls,
            "pull_days": pull_days,
            "first_close_date": first_close,
            "last_close_date": last_close,
            "net_days": net,
            "status": log.column("status", positions[ends]),
        },
        columns=list(_COLUMNS),
    )
    return _record(deals)


def _record(deals: pd.DataFrame) -> CloseDateSlippage:
    """The record of the per-deal counts: the deals pushed at least k times, the summary."""
    pushes = deals["pushes"].to_numpy(dtype=np.int64)
    size = pushes.size
    return CloseDateSlippage(
        deals=deals,
        pushed_at_least=_at_least(pushes),
        mean_pushes=float(pushes.mean()) if size else float("nan"),
        share_pushed=float((pushes > 0).mean()) if size else float("nan"),
    )


def _days_apart(close: pd.DatetimeIndex, deal: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
    """Days between consecutive close dates of one deal, where other pairs are too far."""
    same = np.flatnonzero(deal[1:] == deal[:-1])
    step = np.zeros(max(close.size - 1, 0), dtype=np.float64)
    days, _ = elapsed_days(close[same + 1], close[same])
    step[same] = days
    return step


def _at_least(pushes: IntArray) -> pd.DataFrame:
    """Deals pushed at least k times, k = 1 … the most pushes, and their share of all deals."""
    tally = np.bincount(pushes) if pushes.size else np.zeros(1, dtype=np.int64)
    reached: Any = np.cumsum(tally[::-1])[::-1][1:]  # deals with >= k pushes, k = 1, 2, …
    with np.errstate(invalid="ignore", divide="ignore"):
        share = reached / pushes.size if pushes.size else np.zeros(0)
    return pd.DataFrame(
        {
            "k": np.arange(1, reached.size + 1, dtype=np.int64),
            "deals": np.asarray(reached, dtype=np.int64),
            "share": np.asarray(share, dtype=np.float64),
        }
    )
