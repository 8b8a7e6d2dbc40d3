"""Where does the pipeline leak? The stage funnel and the time deals spend in each stage.

Both functions read the canonical stage-history table: one row per visit of a deal to
a stage, with columns ``deal_id``, ``stage``, ``entered`` and ``exited`` (datetime64,
naive or tz-aware; ``exited`` is NaT while the deal is still in that stage). Column
names are keyword options whose defaults are these canonical names. Durations are in
days, as float64: a :class:`pandas.Timedelta` divided by one day. Timestamps follow
:data:`salescore.schema.TIMESTAMPS`: naive ones mean UTC, and an aware column or
``as_of`` beside a naive one is converted to UTC, which leaves every duration as it
was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import option_choice
from .._tables import counted as _count
from ..engines import Table, engine_name
from ..errors import InvalidInputError
from ._history import (
    _TABLE,
    _as_of,
    _column_names,
    _deals,
    _is_missing,
    _listed,
    _Pairs,
    _visits,
)

__all__ = ["stage_funnel", "time_in_stage"]

OtherStages = Literal["raise", "ignore"]
_OTHER_STAGES: Final = ("raise", "ignore")


# ------------------------------------------------------------------ stage_funnel


def stage_funnel(
    history: Table,
    *,
    stages: Iterable[Hashable],
    as_of: dt.date | np.datetime64 | None = None,
    other_stages: OtherStages = "raise",
    deal_id: str = "deal_id",
    stage: str = "stage",
    entered: str = "entered",
    exited: str = "exited",
) -> pd.DataFrame:
    r"""Stage funnel: deals reaching, advancing from and dropping out of each stage.

    The stage conversion of Nutshell's article on the sales metrics a sales manager
    should track (Norwegian edition): the conversion rate at each pipeline stage, how many
    prospects pass each stage and the average time spent in it, so that you can see
    where the pipeline leaks and fix that step — the first contact, the follow-up,
    or the final presentation.

    A deal counts as having *reached* a stage when it was ever in that stage or in
    any later one: skipped stages count as passed, so a deal that jumped from
    Prospecting straight to Proposal has reached Qualification too, and the counts
    can never increase down the funnel. A deal that moved back (Proposal, then
    Qualification again) is counted once, at the furthest stage it reached.

    Parameters
    ----------
    history : DataFrame or engine frame
        The stage history, one row per visit of a deal to a stage. A pandas
        DataFrame, or a frame of Polars (eager or lazy), DuckDB, Dask or PySpark,
        which is checked and reduced in its engine to counts per stage, and to the
        one or two totals around each stage's median (see :doc:`/guides/scale`);
        there ``entered`` and ``exited`` must hold datetimes, and the stages text or
        numbers.
    stages : sequence of hashable, keyword-only
        The funnel's stages, in order (for example ``["Prospecting",
        "Qualification", "Proposal", "Negotiation", "Closed Won"]``); not empty,
        without repeats.
    as_of : Timestamp, datetime, date, numpy.datetime64 or None, keyword-only
        When the history was taken. ``None`` (the default) measures time in stage
        from completed visits only: a deal that is still in a stage is left out of
        that stage's ``mean_days`` and ``median_days`` (its time there is not known
        yet). With a timestamp, an open visit counts up to ``as_of``, and ``as_of``
        must not be earlier than its entry. Naive (read as UTC) or tz-aware.
    other_stages : {"raise", "ignore"}, keyword-only, default "raise"
        What to do with rows whose stage is not in ``stages``. ``"raise"``: an
        error listing those stages. ``"ignore"``: leave those rows out of the funnel
        (a deal with no row in a funnel stage is then not counted at all); use it
        for stages outside the funnel such as "Closed Lost" or "On Hold".
    deal_id, stage, entered, exited : str, keyword-only
        Names of the columns holding the deal id, the stage, and the datetime64
        entry and exit of each visit; default to the canonical names.

    Returns
    -------
    DataFrame
        Indexed by stage, in the order of ``stages`` (the index is named after the
        ``stage`` column), with columns

        - ``reached`` (int64): deals that reached the stage;
        - ``advanced`` (int64): deals that reached the next stage; for the last
          stage, which has no next stage, every deal that reached it;
        - ``conversion`` (float64): ``advanced / reached``; NaN where no deal
          reached the stage, and NaN for the last stage;
        - ``dropped`` (int64): ``reached - advanced``, the deals whose furthest
          stage this is (0 for the last stage);
        - ``drop_share`` (float64): ``dropped / reached``; NaN as ``conversion``;
        - ``in_progress`` (int64): of the ``dropped`` deals, those still in the
          pipeline (a visit to a funnel stage with no exit), which have not leaked
          yet: ``dropped - in_progress`` deals left the funnel at this stage;
        - ``timed`` (int64): deals whose time in the stage is measured (see
          ``as_of``); skipped stages add no deal here;
        - ``mean_days`` and ``median_days`` (float64): time in the stage per deal
          in days, repeat visits summed, over the ``timed`` deals; NaN when none is
          timed, or when a visit's duration is unknown (``entered`` is NaT).

    Raises
    ------
    SchemaError
        A column is missing, ``entered`` or ``exited`` is not datetime64, or two
        options name the same column; on an engine frame, also a deal id that is
        neither text nor integers, or a ``stage`` column that is neither text
        (strings or categories) nor numbers.
    InvalidInputError
        ``stages`` empty, repeated, unordered (a set) or a string; a stage in the
        history that is not in ``stages`` (unless ``other_stages="ignore"``); a
        missing deal id or stage; a visit that exits before it enters; a deal with
        more than one open visit; an ``as_of`` that is not a timestamp, lies outside
        the range of datetime64[ns] (1677-09-22 to 2262-04-11) or precedes the entry
        of an open visit; an entry and an exit (or ``as_of``) more than 292 years
        apart, which a nanosecond duration cannot hold; a column option that is not
        a str. The message names the deals concerned (the first few, and how many).
        On an engine frame the same checks run in the engine, with the same
        messages, except that the deals (and stages) named first are the first by
        id (and label), and a row without a deal id is shown by its stage and entry
        rather than its position, as an engine's rows have neither order nor
        positions.

    See Also
    --------
    time_in_stage : the time per deal and stage that ``mean_days`` averages.

    Notes
    -----
    Number the stages :math:`1, \dots, K` and let :math:`f(d)` be the furthest stage
    deal :math:`d` ever visited. Then

    .. math::

        \text{reached}_k = \#\{d : f(d) \ge k\}, \qquad
        \text{advanced}_k = \begin{cases}
            \text{reached}_{k+1} & k < K \\
            \text{reached}_K & k = K
        \end{cases},

    .. math::

        \text{conversion}_k = \frac{\text{advanced}_k}{\text{reached}_k}, \qquad
        \text{dropped}_k = \text{reached}_k - \text{advanced}_k
            = \#\{d : f(d) = k\}, \qquad
        \text{drop\_share}_k = \frac{\text{dropped}_k}{\text{reached}_k}

    for :math:`k < K`. Because :math:`\text{reached}_k` counts the deals with
    :math:`f(d) \ge k`, it never increases with :math:`k`, and
    :math:`\sum_k \text{dropped}_k + \text{reached}_K = \text{reached}_1`.
    The time deal :math:`d` spent in stage :math:`k` sums its visits
    :math:`v` there,

    .. math::

        T_{d,k} = \sum_{v} \frac{\text{exited}_v - \text{entered}_v}{1\ \text{day}},

    with :math:`\text{exited}_v = \text{as\_of}` for an open visit; ``mean_days``
    and ``median_days`` are the mean and median of :math:`T_{d,k}` over the timed
    deals.

    HubSpot's funnel report of deals that "have gone through all stages" leaves a
    deal out of every stage after one it skipped [2]_; here such a deal counts as
    having passed the skipped stage, so a CRM in which sellers often skip a stage
    does not show a leak that is not there.

    On an engine frame each visit's duration is computed in the engine to the
    nanosecond, as pandas subtracts two datetime64[ns] columns; the sums and means
    add the same numbers in another order, so they may differ from the pandas
    path's in the last digits of a float. The totals are ranked in the
    engine, and only the one or two in the middle of each stage leave it, for the
    median. On Dask the visits of one stage are ranked in one partition.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): conversion at each pipeline stage, the prospects passing
       each stage and the average time spent in it. See Sources in the documentation.
    .. [2] HubSpot Knowledge Base, "Differences between funnel report types", 2022.

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.pipeline.stages import stage_funnel
    >>> history = pd.DataFrame({
    ...     "deal_id": ["A", "A", "A", "B", "B", "C"],
    ...     "stage": ["Lead", "Demo", "Won", "Lead", "Won", "Lead"],
    ...     "entered": pd.to_datetime(["2024-03-01", "2024-03-04", "2024-03-10",
    ...                                "2024-03-02", "2024-03-05", "2024-03-03"]),
    ...     "exited": pd.to_datetime(["2024-03-04", "2024-03-10", None,
    ...                               "2024-03-05", None, "2024-03-09"]),
    ... })
    >>> funnel = stage_funnel(history, stages=["Lead", "Demo", "Won"])
    >>> funnel[["reached", "advanced", "conversion", "dropped", "mean_days"]]
           reached  advanced  conversion  dropped  mean_days
    stage
    Lead         3         2    0.666667        1        4.0
    Demo         2         2    1.000000        0        6.0
    Won          2         2         NaN        0        NaN

    Deal B skipped the demo and still counts as having passed it. The time in "Won"
    is NaN because both deals are still there; pass ``as_of`` to count open visits:

    >>> stage_funnel(history, stages=["Lead", "Demo", "Won"],
    ...              as_of=pd.Timestamp("2024-03-12"))["mean_days"]
    stage
    Lead    4.0
    Demo    6.0
    Won     4.5
    Name: mean_days, dtype: float64

    A stage the funnel does not list is an error unless you ignore it:

    >>> lost = pd.DataFrame({"deal_id": ["C"], "stage": ["Lost"],
    ...                      "entered": pd.to_datetime(["2024-03-09"]),
    ...                      "exited": pd.to_datetime([None])})
    >>> stage_funnel(pd.concat([history, lost]), stages=["Lead", "Demo", "Won"])
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: history: 1 stage not in stages: 'Lost' ...
    >>> stage_funnel(pd.concat([history, lost]), stages=["Lead", "Demo", "Won"],
    ...              other_stages="ignore")["reached"].tolist()
    [3, 2, 2]
    """
    funnel = _stage_list(stages)
    ignore = option_choice("other_stages", other_stages, _OTHER_STAGES) == "ignore"
    engine = engine_name(history)
    if engine is not None:
        from ._stages_engine import funnel_counts

        names = _column_names(deal_id=deal_id, stage=stage, entered=entered, exited=exited)
        found = funnel_counts(history, engine, funnel, as_of=as_of, ignore=ignore, **names)
        return _funnel_table(funnel, stage, *found)
    visits = _visits(history, deal_id=deal_id, stage=stage, entered=entered, exited=exited)
    stamp = None if as_of is None else _as_of(as_of, visits)

    position = pd.Index(funnel, dtype=object).get_indexer(pd.Index(visits.stages, dtype=object))
    outside = position < 0
    if outside.any() and not ignore:
        unknown = visits.stages[outside].drop_duplicates().tolist()
        raise InvalidInputError(
            f"{_TABLE}: {_count(len(unknown), 'stage')} not in stages: {_listed(unknown)} "
            f"({_deals(visits.ids[outside])}); add them to stages in funnel order, or "
            "pass other_stages='ignore' to leave those rows out"
        )
    inside = ~outside
    size = len(funnel)
    deal = visits.deal[inside]
    where = position[inside]
    is_open = visits.is_open[inside]

    # Each deal's furthest funnel stage; -1 for a deal with no row in the funnel.
    furthest = np.full(visits.deal_count, -1, dtype=np.intp)
    np.maximum.at(furthest, deal, where)
    counted = furthest >= 0
    dropouts = np.bincount(furthest[counted], minlength=size).astype(np.int64)
    still_open = np.bincount(deal[is_open], minlength=visits.deal_count) > 0
    in_progress = np.bincount(furthest[counted & still_open], minlength=size).astype(np.int64)

    pairs = _Pairs(deal, where, visits.done[inside], visits.age(stamp)[inside], is_open)
    total = pairs.days + np.where(pairs.has_open, pairs.current_days, 0.0)
    pair_stage = where[pairs.first_row]
    if stamp is None:
        total = total[~pairs.has_open]
        pair_stage = pair_stage[~pairs.has_open]
    timed = np.bincount(pair_stage, minlength=size).astype(np.int64)
    mean_days = np.full(size, np.nan)
    median_days = np.full(size, np.nan)
    for k in np.flatnonzero(timed):  # a loop over the stages, not the rows
        spent = total[pair_stage == k]
        # NumPy's mean and median are NaN when a duration is unknown: nothing skipped.
        mean_days[k] = spent.mean()
        median_days[k] = np.median(spent)
    return _funnel_table(funnel, stage, dropouts, in_progress, timed, mean_days, median_days)


def _funnel_table(
    funnel: list[Hashable],
    stage: str,
    dropouts: npt.NDArray[np.int64],
    in_progress: npt.NDArray[np.int64],
    timed: npt.NDArray[np.int64],
    mean_days: npt.NDArray[np.float64],
    median_days: npt.NDArray[np.float64],
) -> pd.DataFrame:
    """The table of :func:`stage_funnel` from its counts per stage, in funnel order.

    ``dropouts`` counts the deals whose furthest stage each stage is, ``in_progress``
    those of them still in the pipeline (the last stage's are set to 0 here).
    """
    reached = np.cumsum(dropouts[::-1])[::-1]
    advanced = np.append(reached[1:], reached[-1])
    dropped = reached - advanced
    in_progress = in_progress.copy()
    in_progress[-1] = 0  # deals at the last stage have not dropped out
    conversion = _ratio(advanced, reached)
    drop_share = _ratio(dropped, reached)
    conversion[-1] = drop_share[-1] = np.nan
    return pd.DataFrame(
        {
            "reached": reached,
            "advanced": advanced,
            "conversion": conversion,
            "dropped": dropped,
            "drop_share": drop_share,
            "in_progress": in_progress,
            "timed": timed,
            "mean_days": mean_days,
            "median_days": median_days,
        },
        index=pd.Index(funnel, dtype=object, name=stage),
    )


def _stage_list(stages: object) -> list[Hashable]:
    if isinstance(stages, (str, bytes)) or not isinstance(stages, Iterable):
        raise InvalidInputError(
            "stages must be a list of stage labels in funnel order; "
            f"got {type(stages).__name__} {stages!r:.60}"
        )
    if isinstance(stages, (set, frozenset)):
        raise InvalidInputError(
            "stages must be ordered, first stage first (a list or tuple); got a set"
        )
    funnel = list(stages)
    if not funnel:
        raise InvalidInputError("stages must list at least one stage; got an empty list")
    for label in funnel:
        if not isinstance(label, Hashable) or _is_missing(label):
            raise InvalidInputError(f"stages must hold stage labels; got {label!r}")
    repeated = [label for label in dict.fromkeys(funnel) if funnel.count(label) > 1]
    if repeated:
        raise InvalidInputError(
            f"stages must list each stage once, in funnel order; repeated: {_listed(repeated)}"
        )
    return funnel


def _ratio(
    numerator: npt.NDArray[np.int64], denominator: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


# ------------------------------------------------------------------ time_in_stage


def time_in_stage(
    history: Table,
    *,
    as_of: dt.date | np.datetime64 | None = None,
    deal_id: str = "deal_id",
    stage: str = "stage",
    entered: str = "entered",
    exited: str = "exited",
) -> pd.DataFrame:
    r"""Days each deal spent in each stage, and how long it has been in its current one.

    Nutshell's article on the sales metrics a sales manager should track (Norwegian
    edition) asks how long prospects stay in each pipeline stage. This is the table
    per deal behind that average: the completed time in every stage it visited, a
    deal that came back to a stage having its visits added up, and, for a deal still
    sitting in a stage, the age of that visit — the deals that have waited too long
    for their next step.

    Parameters
    ----------
    history : DataFrame or engine frame
        The stage history, one row per visit of a deal to a stage. A pandas
        DataFrame, or a frame of Polars (eager or lazy), DuckDB, Dask or PySpark,
        which is checked and summed in its engine per (deal, stage) pair: the
        result, which has a row per pair, is what comes back to pandas (see
        :doc:`/guides/scale`); there ``entered`` and ``exited`` must hold datetimes.
    as_of : Timestamp, datetime, date, numpy.datetime64 or None, keyword-only
        The moment at which the age of open visits (``exited`` NaT) is measured;
        required when there is one, since salescore never assumes "now". Naive (read
        as UTC) or tz-aware, and not earlier than an open visit's entry.
    deal_id, stage, entered, exited : str, keyword-only
        Names of the columns holding the deal id, the stage, and the datetime64
        entry and exit of each visit; default to the canonical names.

    Returns
    -------
    DataFrame
        One row per deal and stage visited, indexed by a (``deal_id``, ``stage``)
        MultiIndex named after those columns, in order of first appearance in
        ``history`` (use ``reset_index()`` to have them as columns); on an engine
        frame, whose rows have no order, sorted by deal id and then stage instead
        (the pandas table's ``sort_index()``), with columns

        - ``days`` (float64): the completed visits to the stage, summed, in days;
          0.0 when the only visit is the open one; NaN when a completed visit has
          no ``entered``;
        - ``current_days`` (float64): the age of the open visit at ``as_of``, in
          days; NaN when the deal is not in this stage (or the open visit has no
          ``entered``);
        - ``visits`` (int64): the number of visits, open or completed.

        A deal's total time in a stage is ``days + current_days.fillna(0)``.

    Raises
    ------
    SchemaError
        A column is missing, ``entered`` or ``exited`` is not datetime64, or two
        options name the same column; on an engine frame, also a deal id that is
        neither text nor integers.
    InvalidInputError
        Open visits and no ``as_of``; a missing deal id or stage; a visit that
        exits before it enters; a deal with more than one open visit; an ``as_of``
        that is not a timestamp, lies outside the range of datetime64[ns]
        (1677-09-22 to 2262-04-11) or precedes the entry of an open visit; an entry
        and an exit (or ``as_of``) more than 292 years apart, which a nanosecond
        duration cannot hold; a column option that is not a str. The message names
        the deals concerned (the first few, and how many). On an engine frame the
        same checks run in the engine, with the same messages, the deals named
        first being the first by id (a row without a deal id is shown by its stage
        and entry).

    See Also
    --------
    stage_funnel : the funnel, with the mean and median of these times per stage.

    Notes
    -----
    For deal :math:`d`, stage :math:`s` and the visits :math:`v` of :math:`d` to
    :math:`s`,

    .. math::

        \text{days}_{d,s} = \sum_{v\ \text{completed}}
            \frac{\text{exited}_v - \text{entered}_v}{1\ \text{day}}, \qquad
        \text{current\_days}_{d,s} = \frac{\text{as\_of} - \text{entered}_o}{1\ \text{day}},

    where :math:`o` is the open visit of :math:`d` to :math:`s`, if any. A deal is
    in one stage at a time, so it has at most one open visit.

    On an engine frame the visits are summed per pair in the engine (on Dask after
    shuffling them by deal, on Polars in chunks of deals for a very long history),
    and only the pairs come back: as many rows as there are (deal, stage) pairs,
    which is the result. ``days`` may then differ from the pandas path's in the
    last digits, the visits being added in another order.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): the average time prospects spend in each pipeline stage.
       See Sources in the documentation.

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.pipeline.stages import time_in_stage
    >>> history = pd.DataFrame({
    ...     "deal_id": ["A", "A", "A", "A", "B"],
    ...     "stage": ["Lead", "Demo", "Lead", "Demo", "Lead"],
    ...     "entered": pd.to_datetime(["2024-03-01 00:00", "2024-03-03 00:00",
    ...                                "2024-03-05 00:00", "2024-03-06 12:00",
    ...                                "2024-03-02 00:00"]),
    ...     "exited": pd.to_datetime(["2024-03-03 00:00", "2024-03-05 00:00",
    ...                               "2024-03-06 12:00", None, "2024-03-04 00:00"]),
    ... })
    >>> time_in_stage(history, as_of=pd.Timestamp("2024-03-10"))
                   days  current_days  visits
    deal_id stage
    A       Lead    3.5           NaN       2
            Demo    2.0           3.5       2
    B       Lead    2.0           NaN       1

    Deal A went back from the demo to the lead stage, so both its visits to each
    stage are summed. Without ``as_of`` the age of its open demo cannot be told:

    >>> time_in_stage(history)
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: history has open visits, ... pass as_of= ...
    """
    engine = engine_name(history)
    if engine is not None:
        from ._stages_engine import pair_times

        names = _column_names(deal_id=deal_id, stage=stage, entered=entered, exited=exited)
        found = pair_times(history, engine, as_of=as_of, **names)
        return _times_table(
            found.labels, [deal_id, stage], found.days, found.current_days, found.visits
        )
    visits = _visits(history, deal_id=deal_id, stage=stage, entered=entered, exited=exited)
    if as_of is None:
        if visits.is_open.any():
            raise InvalidInputError(
                f"{_TABLE} has open visits, with {exited!r} NaT "
                f"({_deals(visits.ids[visits.is_open])}); pass as_of= (a timestamp) to "
                "measure how long they have been in their current stage"
            )
        stamp = None
    else:
        stamp = _as_of(as_of, visits)
    stage_code = pd.factorize(visits.stages, sort=False)[0]
    pairs = _Pairs(visits.deal, stage_code, visits.done, visits.age(stamp), visits.is_open)
    first = pairs.first_row
    return _times_table(
        [visits.ids.iloc[first], visits.stages.iloc[first]],
        [deal_id, stage],
        pairs.days,
        np.where(pairs.has_open, pairs.current_days, np.nan),
        pairs.visits,
    )


def _times_table(
    labels: list[pd.Series[Any]],
    names: list[str],
    days: npt.NDArray[np.float64],
    current_days: npt.NDArray[np.float64],
    visits: npt.NDArray[np.int64],
) -> pd.DataFrame:
    """The table of :func:`time_in_stage` from its (deal, stage) pairs, one per row."""
    return pd.DataFrame(
        {"days": days, "current_days": current_days, "visits": visits},
        index=pd.MultiIndex.from_arrays(labels, names=names),
    )
