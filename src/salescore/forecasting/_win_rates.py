"""The Wilson score interval and the deals table read by :func:`stage_win_rates`.

:func:`wilson_interval` is the interval of a binomial proportion, vectorised over
counts; :func:`read_deals` checks the deals table (ids present and unique, statuses
known) and returns its columns as arrays; :func:`stage_order` orders the stages of a
history by their first entry.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import schema
from .._tables import counted as _count
from ..errors import InvalidInputError
from ..pipeline._deals import _statuses, _which
from ..pipeline._history import _listed

__all__ = [
    "DealColumns",
    "finite_confidence",
    "read_deals",
    "stage_order",
    "unknown_deals",
    "unknown_stages",
    "wilson_interval",
    "z_score",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_DEALS = "deals"


def z_score(confidence: float) -> float:
    r"""The two-sided standard normal quantile :math:`z_{1-\alpha/2}` of ``confidence``."""
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def wilson_interval(
    won: IntArray, closed: IntArray, confidence: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The win rate ``won / closed`` and its Wilson score interval, element by element.

    Where ``closed`` is 0 the rate is NaN and the interval the whole of [0, 1]. The
    bounds are clipped to [0, 1] and are exactly 0 (1) when no deal (every deal) was
    won, where rounding could otherwise leave them a hair outside.
    """
    z = z_score(confidence)
    z2 = z * z
    x = won.astype(np.float64)
    n = closed.astype(np.float64)
    some = n > 0
    rate = np.full(n.shape, np.nan)
    np.divide(x, n, out=rate, where=some)
    centre = (x + z2 / 2.0) / (n + z2)
    spread = np.zeros(n.shape)
    np.divide(x * (n - x), n, out=spread, where=some)
    half = z / (n + z2) * np.sqrt(spread + z2 / 4.0)
    lower = np.where(some, np.clip(centre - half, 0.0, 1.0), 0.0)
    upper = np.where(some, np.clip(centre + half, 0.0, 1.0), 1.0)
    lower[x == 0] = 0.0
    upper[some & (x == n)] = 1.0
    return rate, lower, upper


class DealColumns:
    """The checked columns of a deals table, one element per row, in row order."""

    __slots__ = ("groups", "ids", "stages", "statuses")

    def __init__(
        self,
        ids: pd.Index[Any],
        stages: pd.Series[Any],
        statuses: npt.NDArray[np.object_],
        groups: list[pd.Series[Any]],
    ) -> None:
        self.ids = ids
        self.stages = stages
        self.statuses = statuses
        self.groups = groups


def read_deals(
    deals: pd.DataFrame, *, deal_id: str, stage: str, status: str, groups: list[str]
) -> DealColumns:
    """The deals table checked: ids present and unique, statuses open, won or lost."""
    schema.check_columns(
        deals, _DEALS, {"deal_id": deal_id, "stage": stage, "status": status}, others=groups
    )
    ids = deals[deal_id].reset_index(drop=True)
    missing = ids.isna().to_numpy()
    if missing.any():
        positions = np.flatnonzero(missing).tolist()
        raise InvalidInputError(
            f"{_DEALS}: {deal_id!r} is missing in {_count(len(positions), 'row')} "
            f"(0-based positions: {_listed(positions, quote=False)})"
        )
    objects = ids.to_numpy(dtype=object)
    repeated = ids.duplicated(keep=False).to_numpy()
    if repeated.any():
        raise InvalidInputError(
            f"{_DEALS}: {deal_id!r} must name each deal once; repeated: "
            f"{_listed(ids[repeated].drop_duplicates().tolist())}; "
            "the deals table has one row per deal, in its current state"
        )
    statuses = _statuses(deals, status, objects)
    keys = [deals[column].reset_index(drop=True) for column in groups]
    stages = deals[stage].reset_index(drop=True)
    return DealColumns(pd.Index(objects, dtype=object), stages, statuses, keys)


def unknown_deals(history_ids: pd.Series[Any], rows: npt.NDArray[np.intp], deal_id: str) -> None:
    """Refuse the history's deals that the deals table lacks (``rows`` is -1 for them)."""
    absent = rows < 0
    if absent.any():
        names = history_ids[absent].drop_duplicates().tolist()
        raise InvalidInputError(
            f"history: {_count(len(names), 'deal')} not in deals: {_listed(names)}; "
            f"every deal in the history needs its row in deals (by {deal_id!r}), whose "
            "status tells whether it was won"
        )


def unknown_stages(
    labels: list[Any], ids: npt.NDArray[np.object_], codes: npt.NDArray[np.intp]
) -> None:
    """Refuse stages outside ``stages``: ``codes`` is -1 where a reached stage is unknown."""
    outside = codes < 0
    if outside.any():
        raise InvalidInputError(
            f"stages: {_count(len(labels), 'stage')} reached but not listed: "
            f"{_listed(labels)} ({_which(ids, outside)}); add them to stages "
            "(the order they are listed in is the order of the table)"
        )


def stage_order(
    history_stages: pd.Series[Any], entered: pd.Series[Any], deal_stages: pd.Series[Any]
) -> list[Any]:
    """The stages in pipeline order: by first entry, then those only found in deals.

    Stages with the same first entry, or none known (``entered`` NaT), keep the order
    in which they first appear in the history; a stage that only appears as a deal's
    current stage comes after, in the order of first appearance in deals.
    """
    firsts = pd.DataFrame(
        {"stage": history_stages.to_numpy(dtype=object), "entered": entered.to_numpy()}
    )
    # groupby(sort=False) keeps the order of first appearance; min skips NaT.
    earliest = firsts.groupby("stage", sort=False, dropna=False)["entered"].min()
    order = earliest.sort_values(kind="stable", na_position="last").index.tolist()
    known = set(order)
    rest = [label for label in pd.unique(deal_stages.dropna()) if label not in known]
    return order + rest


def finite_confidence(value: float) -> float:
    """``confidence`` checked to lie strictly between 0 and 1."""
    if not 0.0 < value < 1.0 or math.isnan(value):
        hint = "; values above 1 look like percentages: divide by 100" if value > 1.0 else ""
        raise InvalidInputError(
            "confidence must be a fraction strictly between 0 and 1 (0.95 for a 95 % "
            f"interval); got {value!r}{hint}"
        )
    return value
