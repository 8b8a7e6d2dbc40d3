"""Is "60 % at Proposal" true for this team? Win rates per stage from its own closed deals.

:func:`stage_win_rates` reads the canonical stage history (``deal_id``, ``stage``,
``entered``, ``exited``) beside the canonical deals table (``deal_id``, ``status``,
``stage``) and tells, for each stage, how many of the closed deals that reached it
were won, with a Wilson score interval. Without ``by``, its ``win_rate`` column is a
stage → probability table that :func:`~salescore.fill_probabilities` takes as it is.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import option_number
from .._tables import group_columns, option_column
from ..errors import InvalidInputError
from ..pipeline._history import _visits
from ..pipeline.stages import _stage_list
from ._win_rates import (
    DealColumns,
    finite_confidence,
    read_deals,
    stage_order,
    unknown_deals,
    unknown_stages,
    wilson_interval,
)

__all__ = ["stage_win_rates"]

_COLUMNS = ("reached", "won", "lost", "win_rate", "lower", "upper", "open")


def stage_win_rates(
    history: pd.DataFrame,
    deals: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    stages: Iterable[Hashable] | None = None,
    deal_id: str = "deal_id",
    stage: str = "stage",
    status: str = "status",
    entered: str = "entered",
    exited: str = "exited",
) -> pd.DataFrame:
    r"""The team's own win rate per stage: P(win | reached the stage), with an interval.

    A CRM's stage probabilities ("60 % at Proposal") are a vendor's default or a
    guess. This counts, for each stage, the closed deals that reached it and how many
    of them were won, so that the forecast can weigh an open deal by what deals in its
    stage have actually done in this team. Each rate comes with its Wilson score
    interval: 8 wins out of 10 is 80 %, but ten deals cannot tell 80 % from 50 % or
    94 % (the 95 % interval is 49 % to 94 %), and the interval says so.

    A deal *reached* a stage when the history has a visit of it to that stage, or the
    stage is its current ``stage`` in ``deals``. Only closed deals (status won or lost)
    enter the rate. Open deals are left out of it because their outcome is unknown:
    counting them as lost would bias every rate down, most of all at the late stages
    a young pipeline is still in. How many open deals reached each stage is reported
    beside the rate, in ``open``.

    Parameters
    ----------
    history : DataFrame
        The stage history, one row per visit of a deal to a stage, checked as
        :func:`~salescore.stage_funnel` checks it. Every deal in it must have its row
        in ``deals``.
    deals : DataFrame
        Canonical deals table, one row per deal with a unique ``deal_id``, its
        ``status`` ('open', 'won' or 'lost', any case) and its current ``stage``
        (missing when unknown: the deal then reaches only the stages of its visits).
        A deal without visits counts at its current stage; one with neither visits
        nor a stage reached none, and counts in no row. The ``by`` columns come from
        here.
    by : str, list of str or None, keyword-only, default None
        Column(s) of ``deals`` to group by (owner, segment, source …). A missing label
        forms its own group rather than being dropped. Not the ``stage`` column.
    confidence : float, keyword-only, default 0.95
        The confidence level of the interval, strictly between 0 and 1.
    stages : sequence of hashable or None, keyword-only, default None
        The stages, in pipeline order, first stage first (a list or tuple; not empty,
        without repeats). Every stage a deal reached must be listed (the current
        stages of closed deals too, such as "Closed Won"); a listed stage no deal
        reached gets a row of zeros. ``None`` takes the stages found, ordered by their
        first entry in the history (the earliest ``entered`` of a visit to it; ties
        and stages without a known entry in order of first appearance), then the
        stages found only in ``deals``, in order of first appearance there.
    deal_id, stage : str, keyword-only
        Names of the deal id and stage columns, the same in both tables; default to
        the canonical names.
    status : str, keyword-only, default "status"
        Name of the status column of ``deals``.
    entered, exited : str, keyword-only
        Names of the history's datetime64 entry and exit columns.

    Returns
    -------
    DataFrame
        Indexed by stage (the index named after the ``stage`` column), in the order
        of ``stages`` or, with ``stages=None``, the order described there; with
        ``by``, by a MultiIndex of the group columns and the stage, each group (in
        order of first appearance in ``deals``) having a row for every stage.
        Columns:

        - ``reached`` (int64): closed deals that reached the stage, ``won + lost``;
        - ``won``, ``lost`` (int64): those of them won, and lost;
        - ``win_rate`` (float64): ``won / reached``; NaN when no closed deal reached
          the stage;
        - ``lower``, ``upper`` (float64): the Wilson score interval of the rate at
          ``confidence``; 0 and 1 (nothing is known) when no closed deal reached the
          stage;
        - ``open`` (int64): open deals that reached the stage, not in the rate.

        Without ``by``, ``rates["win_rate"]`` is a Series from stage to probability
        that :func:`~salescore.fill_probabilities` takes (with ``by``, take one
        group's, ``rates["win_rate"].xs(group, level=by)``, for that group's deals);
        drop the NaN of stages without a closed deal first
        (``rates["win_rate"].dropna()``), which it refuses as a
        probability. A deal in a stage left out then gets a clear error rather than
        a guessed rate.

    Raises
    ------
    SchemaError
        A column is missing from either table, ``entered`` or ``exited`` is not
        datetime64, two column options name the same column, or a table is not a
        pandas DataFrame.
    InvalidInputError
        A deal in ``history`` that is not in ``deals``; a missing or repeated deal id
        in ``deals``; an unknown status; a stage reached but not in ``stages`` (when
        given); ``stages`` empty, repeated, unordered (a set) or a string;
        ``confidence`` not a number strictly between 0 and 1; ``by`` naming the
        stage column; the history's own checks (a missing deal id or stage, a visit
        that exits before it enters, a deal with more than one open visit); a column
        option that is not a str. The messages name the deals concerned (the first
        few, and how many).

    See Also
    --------
    salescore.fill_probabilities : gives deals their stage's probability.
    salescore.stage_funnel : how many deals reach and pass each stage.

    Notes
    -----
    For stage :math:`s` let :math:`R_s` be the closed deals that reached it,
    :math:`n_s = |R_s|` and :math:`x_s` the number of them won. The win rate is
    :math:`\hat p_s = x_s / n_s`, and the Wilson score interval [1]_ at confidence
    :math:`1 - \alpha`, with :math:`z = \Phi^{-1}(1 - \alpha/2)` (1.959964 at 95 %),
    is

    .. math::

        \frac{x_s + z^2/2}{n_s + z^2} \;\pm\;
        \frac{z}{n_s + z^2} \sqrt{\frac{x_s (n_s - x_s)}{n_s} + \frac{z^2}{4}} ,

    the set of rates :math:`p` that a score test of :math:`p` would not reject. It
    always lies within [0, 1], is not empty when :math:`x_s` is 0 or :math:`n_s`,
    and holds its nominal coverage far better than the textbook
    :math:`\hat p \pm z \sqrt{\hat p (1 - \hat p) / n}` for the few dozen deals a
    stage often has [2]_, [3]_. With :math:`n_s = 0` the rate is undefined (NaN)
    and the interval is [0, 1].

    A deal that skipped a stage has not reached it here, unlike in
    :func:`~salescore.stage_funnel`: the rate of a stage is about deals that were
    in it, which is what an open deal sitting there is. A deal that came back to a
    stage is counted once.

    The rates are those of the deals closed so far. If deals that end up lost close
    sooner than deals that end up won (or the reverse), the closed deals of a young
    pipeline over-represent one outcome; rates learned on a period long enough for
    most deals to close avoid that.

    References
    ----------
    .. [1] Wilson, E. B. (1927). "Probable inference, the law of succession, and
       statistical inference". *Journal of the American Statistical Association*
       22 (158): 209-212.
    .. [2] Brown, L. D., Cai, T. T. and DasGupta, A. (2001). "Interval estimation
       for a binomial proportion". *Statistical Science* 16 (2): 101-133.
    .. [3] Newcombe, R. G. (1998). "Two-sided confidence intervals for the single
       proportion: comparison of seven methods". *Statistics in Medicine* 17 (8):
       857-872.

    Examples
    --------
    >>> import math
    >>> import pandas as pd
    >>> import salescore
    >>> from salescore.forecasting.win_rates import stage_win_rates
    >>> history = pd.DataFrame({
    ...     "deal_id": ["A", "A", "B", "B", "C", "C", "D", "E", "E"],
    ...     "stage": ["Lead", "Demo", "Lead", "Demo", "Lead", "Demo", "Lead",
    ...               "Lead", "Demo"],
    ...     "entered": pd.to_datetime(["2024-01-02", "2024-01-09", "2024-01-03",
    ...                                "2024-01-10", "2024-01-04", "2024-01-12",
    ...                                "2024-01-05", "2024-01-06", "2024-01-15"]),
    ...     "exited": pd.to_datetime(["2024-01-09", "2024-01-20", "2024-01-10",
    ...                               "2024-01-25", "2024-01-12", "2024-01-22",
    ...                               "2024-01-18", "2024-01-15", None]),
    ... })
    >>> deals = pd.DataFrame({
    ...     "deal_id": ["A", "B", "C", "D", "E", "F"],
    ...     "stage": ["Proposal", "Demo", "Proposal", "Lead", "Demo", "Proposal"],
    ...     "status": ["won", "lost", "lost", "lost", "open", "won"],
    ...     "probability": math.nan,
    ... })
    >>> rates = stage_win_rates(history, deals)
    >>> rates.round(3)
              reached  won  lost  win_rate  lower  upper  open
    stage
    Lead            4    1     3     0.250  0.046  0.699     1
    Demo            3    1     2     0.333  0.061  0.792     1
    Proposal        3    2     1     0.667  0.208  0.939     0

    Four closed deals reached the lead stage and one of them (A) was won; F, with
    no history, counts at its current stage only. The open deal E is left out of
    the rates. The rates feed the forecast's probabilities:

    >>> open_deals = deals[deals["status"] == "open"]
    >>> filled, report = salescore.fill_probabilities(open_deals, rates["win_rate"])
    >>> filled[["deal_id", "stage", "probability"]]
      deal_id stage  probability
    4       E  Demo     0.333333

    A stage no closed deal has reached has no rate (its interval is all of [0, 1]);
    drop it before filling:

    >>> stages = ["Lead", "Demo", "Proposal", "Contract"]
    >>> rates = stage_win_rates(history, deals, stages=stages)
    >>> rates.loc["Contract"].tolist()
    [0.0, 0.0, 0.0, nan, 0.0, 1.0, 0.0]
    >>> salescore.fill_probabilities(open_deals, rates["win_rate"].dropna())[0]["probability"]
    4    0.333333
    Name: probability, dtype: float64
    """
    level = finite_confidence(option_number("confidence", confidence))
    groups = group_columns(by)
    listed = None if stages is None else _stage_list(stages)
    for option, column in {"deal_id": deal_id, "stage": stage, "status": status}.items():
        option_column(option, column)
    if stage in groups:
        raise InvalidInputError(
            f"by must not include the stage column {stage!r}: the table has a row per stage already"
        )
    visits = _visits(history, deal_id=deal_id, stage=stage, entered=entered, exited=exited)
    table = read_deals(deals, deal_id=deal_id, stage=stage, status=status, groups=groups)
    rows = table.ids.get_indexer(pd.Index(visits.ids, dtype=object))
    unknown_deals(visits.ids, rows, deal_id)

    # Every (deal, stage) the deal reached: its visits, and its current stage.
    has_stage = table.stages.notna().to_numpy()
    deal = np.concatenate([rows, np.flatnonzero(has_stage)]).astype(np.intp)
    labels = pd.concat([visits.stages, table.stages[has_stage]], ignore_index=True)
    order = (
        listed if listed is not None else stage_order(visits.stages, visits.entered, table.stages)
    )
    code = pd.Index(order, dtype=object).get_indexer(pd.Index(labels, dtype=object))
    if listed is not None:
        outside = code < 0
        unknown_stages(
            labels[outside].drop_duplicates().tolist(),
            table.ids.to_numpy(dtype=object)[deal],
            code,
        )
    size = len(order)
    pairs = np.unique(deal.astype(np.int64) * size + code) if size else np.empty(0, np.int64)
    pair_deal = pairs // max(size, 1)
    pair_stage = pairs % max(size, 1)

    group, keys = _groups(table)
    cells = len(keys[0]) * size if keys else size
    where = (group[pair_deal] * size + pair_stage) if keys else pair_stage
    outcome = table.statuses[pair_deal]
    won = np.bincount(where[outcome == "won"], minlength=cells).astype(np.int64)
    lost = np.bincount(where[outcome == "lost"], minlength=cells).astype(np.int64)
    still_open = np.bincount(where[outcome == "open"], minlength=cells).astype(np.int64)
    reached = won + lost
    rate, lower, upper = wilson_interval(won, reached, level)
    columns = (reached, won, lost, rate, lower, upper, still_open)
    return pd.DataFrame(
        dict(zip(_COLUMNS, columns, strict=True)),
        index=_index(order, stage, groups, keys),
    )


def _groups(table: DealColumns) -> tuple[npt.NDArray[np.intp], list[pd.Index[Any]]]:
    """Each deal's group number (in order of first appearance) and the groups' labels.

    No ``by``: no keys, and every deal in group 0.
    """
    if not table.groups:
        return np.zeros(len(table.ids), dtype=np.intp), []
    frame = pd.DataFrame(dict(enumerate(table.groups)))
    numbered = frame.groupby(list(frame.columns), sort=False, dropna=False, observed=True)
    group = np.asarray(numbered.ngroup().to_numpy(), dtype=np.intp)
    first: npt.NDArray[np.intp] = np.unique(group, return_index=True)[1]
    return group, [pd.Index(key.iloc[first]) for key in table.groups]


def _index(
    order: list[Hashable], stage: str, groups: list[str], keys: list[pd.Index[Any]]
) -> pd.Index[Any]:
    """The result's index: the stages, or (with ``by``) every group × stage."""
    stages = pd.Index(order, dtype=object, name=stage)
    if not groups:
        return stages
    arrays = [key.repeat(len(order)) for key in keys] + [stages.tolist() * len(keys[0])]
    return pd.MultiIndex.from_arrays(arrays, names=[*groups, stage])
