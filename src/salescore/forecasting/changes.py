r"""Where did the pipeline go? The pipeline as it stood at a moment, and how it moved.

Two table functions over the canonical ``deal_changes`` table (one row per change of a
deal, holding the deal's whole state after it, the shape of Salesforce's
``OpportunityHistory``): :func:`pipeline_as_of` rebuilds the deals table as it stood at
a moment, and :func:`pipeline_waterfall` explains how the pipeline for a period moved
between two moments — start, new, pulled in, pushed out, value up, value down, won,
lost, end — in value and in count, per group. Both compare snapshots only: a change
made and undone between two moments leaves no trace.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import attrs
import pandas as pd

from .. import schema
from .._arrays import align_zones
from .._tables import group_columns
from ..engines import engine_name
from ..errors import InvalidInputError
from ._changes import Changes, changes_of, moment
from ._waterfall import DEAL_COLUMNS, TERMS, check_terms, flows
from ._window import period_bounds

__all__ = ["TERMS", "PipelineWaterfall", "pipeline_as_of", "pipeline_waterfall"]

_DEALS_COLUMNS: Final = schema.TABLES["deals"].names


def _state(log: Changes, when: pd.Timestamp, extra: Sequence[str] = ()) -> pd.DataFrame:
    """The deals table at ``when`` from a checked log (see :func:`pipeline_as_of`).

    ``extra`` names further columns of the log to carry (the ``by`` groups).
    """
    rows = log.in_force(when)
    columns: dict[str, pd.Series[Any]] = {}
    for name in _DEALS_COLUMNS:
        if name == "created":
            columns[name] = log.column("changed_at", log.first[log.deal[rows]])
        elif name in log.frame.columns:
            columns[name] = log.column(name, rows)
    for name in extra:
        if name not in columns and name != "changed_at":
            columns[name] = log.column(name, rows)
    columns["changed_at"] = log.column("changed_at", rows)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(rows)))


def pipeline_as_of(changes: pd.DataFrame, when: object) -> pd.DataFrame:
    r"""The deals table as it stood at a moment, rebuilt from the deals' change history.

    What did the pipeline look like last Monday, or at the start of the quarter? Each
    deal's state at ``when`` is its last change at or before ``when``; deals created
    after ``when`` are left out.

    Parameters
    ----------
    changes : DataFrame or engine frame
        Canonical ``deal_changes`` table (:data:`salescore.schema.TABLES`): one row per
        change of a deal, holding the deal's whole state after the change, in any row
        order. A Polars, DuckDB, Dask or PySpark frame is checked and reduced in its
        engine (the rows in force found there), with the same messages except that
        deals are named in order of id, not of rows. Required: ``deal_id``,
        ``changed_at`` (datetime64, naive meaning UTC, or time-zone aware), ``value``
        (>= 0, finite), ``close_date`` (datetime64) and ``status`` ('open', 'won' or
        'lost', in any case); optional: ``stage``, ``probability`` (in [0, 1] or
        missing), ``forecast_category``, ``currency``, ``owner``, ``source``. A deal
        exists from its first row on.
    when : str, datetime, date, pandas.Timestamp or numpy.datetime64
        The moment. Changes made at exactly ``when`` are in force. A date, or text
        without a time, means midnight at its start: ``"2026-03-31"`` is the state
        before any change made on 31 March. Beside a naive ``changed_at`` an aware
        ``when`` is read in UTC, and the reverse (:data:`salescore.schema.TIMESTAMPS`).

    Returns
    -------
    DataFrame
        One row per deal existing at ``when``, sorted by ``deal_id``, on a fresh
        RangeIndex. Columns: those of the canonical deals table that the change log
        has, in the deals table's order, with ``created`` (the deal's first
        ``changed_at``) in its place; then ``changed_at``, the moment of the row in
        force. ``status`` is lower case; ``value`` and ``probability`` are float64.
        Other columns of the log are not carried.

    Raises
    ------
    SchemaError
        ``changes`` is not a DataFrame, lacks a required column, or has one of a
        dtype that cannot be read (``changed_at`` or ``close_date`` not datetime64,
        ``value`` not numeric).
    InvalidInputError
        ``when`` is not a timestamp; a missing ``deal_id`` (named by 0-based row
        position), ``changed_at``, ``value``, ``close_date`` or ``status``; a status
        other than open, won or lost; a value below 0 or not finite; a probability
        outside [0, 1]; two rows of one deal at the same ``changed_at`` (the order of
        the changes would be a guess); deal ids of types that cannot be sorted
        together. Each message names the first few deals concerned.

    See Also
    --------
    pipeline_waterfall : how the pipeline moved between two moments.

    Notes
    -----
    With rows :math:`(i, t_{ij}, x_{ij})` for deal :math:`i`, the state at :math:`w` is

    .. math::

        x_i(w) = x_{ij^*}, \qquad j^* = \arg\max_j \{\, t_{ij} : t_{ij} \le w \,\},

    defined when :math:`\min_j t_{ij} \le w`. The log is sorted once by deal and
    moment; each deal's rows at or before :math:`w` are then a prefix of its rows, and
    the row in force is found by counting them, without a loop over deals.

    References
    ----------
    Salesforce, "OpportunityHistory", Object Reference for the Salesforce Platform
    (a read-only record of each change of an opportunity's stage, amount,
    probability, close date and forecast category).
    https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunityhistory.htm

    Examples
    --------
    >>> import pandas as pd
    >>> changes = pd.DataFrame({
    ...     "deal_id": ["D1", "D1", "D2"],
    ...     "changed_at": pd.to_datetime(["2026-01-05", "2026-02-10", "2026-01-20"]),
    ...     "value": [10_000.0, 12_000.0, 5_000.0],
    ...     "close_date": pd.to_datetime(["2026-03-31", "2026-04-30", "2026-02-28"]),
    ...     "status": ["open", "open", "open"],
    ... })
    >>> pipeline_as_of(changes, "2026-02-01")[["deal_id", "value", "close_date"]]
      deal_id    value close_date
    0      D1  10000.0 2026-03-31
    1      D2   5000.0 2026-02-28

    Before the first change, no deal exists yet:

    >>> len(pipeline_as_of(changes, "2025-12-31"))
    0
    """
    engine = engine_name(changes)
    if engine is not None:  # the rows in force found in the engine
        from ._changes_engine import state_at

        return state_at(changes, engine, when)
    log = changes_of(changes)
    return _state(log, moment(when, "when"))


def _value_field(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_terms(attribute.name, value, integer=False)


def _count_field(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_terms(attribute.name, value, integer=True)


def _deals_field(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, pd.DataFrame):
        raise InvalidInputError(f"deals must be a DataFrame; got {type(value).__name__}")
    columns = list(value.columns)
    if isinstance(value.columns, pd.MultiIndex) or any(
        name not in columns for name in DEAL_COLUMNS
    ):
        raise InvalidInputError(
            f"deals must have the columns {list(DEAL_COLUMNS)!r}; got {columns!r:.200}"
        )


def _moment_field(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, pd.Timestamp):  # NaT is no Timestamp
        raise InvalidInputError(
            f"{attribute.name} must be a pandas Timestamp; got {type(value).__name__} {value!r:.60}"
        )


def _period_field(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(day, pd.Timestamp) and day.tz is None for day in value)
        and value[0] <= value[1]
    ):
        raise InvalidInputError(
            "period must be None or a tuple (first, last) of two naive pandas Timestamps, "
            f"first <= last; got {type(value).__name__} {value!r:.80}"
        )


@attrs.frozen(kw_only=True, eq=False)
class PipelineWaterfall:
    """How the pipeline for a period moved between two moments, in value and in count.

    Made by :func:`pipeline_waterfall`; see there for the definitions of the terms.

    Parameters
    ----------
    value : DataFrame
        One row per group (indexed by the ``by`` columns), or a single row ``"all"``;
        float64 columns ``start``, ``new``, ``pulled_in``, ``pushed_out``,
        ``value_up``, ``value_down``, ``won``, ``lost``, ``end``.
    count : DataFrame
        The same shape, int64: the number of deals in each term; ``value_up`` and
        ``value_down`` count the deals whose value rose or fell.
    deals : DataFrame
        One row per deal taking part, sorted by ``deal_id``: ``deal_id``, the ``by``
        columns (the deal's state at ``end``), ``entered`` ("new", "pulled_in" or
        None), ``left`` ("pushed_out", "won", "lost" or None), ``start_value`` (its
        value in the pipeline at ``start``; NaN when it was not in it) and
        ``end_value`` (its value at ``end``, at which it entered, left or stayed).
    start, end : pandas.Timestamp
        The two moments compared.
    period : tuple of pandas.Timestamp or None
        The first and last day (inclusive) of the period of close dates, or None for
        all close dates.

    Raises
    ------
    InvalidInputError
        A field that is not what it says above: ``value`` or ``count`` not a DataFrame
        with the columns of the terms in order, float64 finite amounts >= 0 or int64
        counts >= 0, each group once, ``value`` and ``count`` on the same rows;
        ``deals`` not a DataFrame with ``deal_id``, ``entered``, ``left``,
        ``start_value`` and ``end_value``; ``start`` or ``end`` not a Timestamp, or
        ``start`` not before ``end``; ``period`` neither None nor two naive Timestamps
        in order.

    See Also
    --------
    pipeline_waterfall : builds this record.
    """

    value: pd.DataFrame = attrs.field(validator=_value_field)
    count: pd.DataFrame = attrs.field(validator=_count_field)
    deals: pd.DataFrame = attrs.field(validator=_deals_field)
    start: pd.Timestamp = attrs.field(validator=_moment_field)
    end: pd.Timestamp = attrs.field(validator=_moment_field)
    period: tuple[pd.Timestamp, pd.Timestamp] | None = attrs.field(
        default=None, validator=_period_field
    )

    def __attrs_post_init__(self) -> None:
        if not self.value.index.equals(self.count.index):
            raise InvalidInputError(
                "value and count must have the same rows (one per group, in one order); "
                f"got {list(self.value.index)!r:.80} and {list(self.count.index)!r:.80}"
            )
        try:
            ordered = bool(self.start < self.end)
        except TypeError:  # one aware, one naive
            ordered = False
        if not ordered:
            raise InvalidInputError(
                "start must be before end, both naive or both aware; got "
                f"start={self.start}, end={self.end}"
            )

    def table(self) -> pd.DataFrame:
        """Value and count side by side, term by term.

        Returns
        -------
        DataFrame
            The rows of :attr:`value` and :attr:`count`, under two-level columns
            ``(term, "value")`` and ``(term, "count")`` in the order of the terms.
        """
        both = pd.concat({"value": self.value, "count": self.count}, axis=1)
        return both.swaplevel(axis=1)[list(TERMS)]


def pipeline_waterfall(
    changes: pd.DataFrame,
    start: object,
    end: object,
    *,
    period: object = None,
    by: str | Sequence[str] | None = None,
) -> PipelineWaterfall:
    r"""How the pipeline for a period moved between two moments, term by term.

    Where did the quarter's pipeline go between Monday and Friday? The deals expected
    to close in ``period`` are compared at ``start`` and at ``end``: what was there at
    the start, what came in (new deals, deals pulled in from other periods), what went
    out (deals pushed out of the period, won, lost), how the values of the deals that
    stayed changed, and what is there at the end — in value and in count, per group.

    Parameters
    ----------
    changes : DataFrame or engine frame
        Canonical ``deal_changes`` table, as for :func:`pipeline_as_of`. On an engine
        frame both states are found, joined and classified in the engine, and only the
        deals taking part come back for the sums.
    start, end : str, datetime, date, pandas.Timestamp or numpy.datetime64
        The two moments compared, ``start < end``; each read as ``when`` of
        :func:`pipeline_as_of` (changes made at exactly the moment are in force).
    period : pandas.Period, str or tuple of two dates, keyword-only, optional
        The period of close dates whose pipeline is followed: a Period of whole days
        (``pd.Period("2026Q1")``, a fiscal quarter), text that :class:`pandas.Period`
        reads (``"2026Q1"``, ``"2026-03"``) or ``(first, last)``, two dates both
        inclusive. ``None`` follows the whole open pipeline, whatever the close dates.
        An aware ``close_date`` is read on its own zone's calendar.
    by : str or sequence of str, keyword-only, optional
        Columns of the change log whose values make the groups (``"owner"``); a deal
        counts in the group of its state at ``end``. A missing label is a group of its
        own. ``None`` gives the single row ``"all"``.

    Returns
    -------
    PipelineWaterfall
        ``value`` and ``count``: one row per group (groups in sorted order, or in order
        of first deal id when their labels cannot be sorted; only groups with a deal
        taking part), columns ``start``, ``new``, ``pulled_in``, ``pushed_out``,
        ``value_up``, ``value_down``, ``won``, ``lost``, ``end``; ``deals``: one row per
        deal taking part, with how it entered and left; ``start``, ``end`` and
        ``period`` (its first and last day, or None).

    Raises
    ------
    SchemaError
        As for :func:`pipeline_as_of`, and a ``by`` column the log lacks.
    InvalidInputError
        As for :func:`pipeline_as_of`; ``start`` not before ``end``; a ``period`` that
        is not one of the kinds above; ``by`` not a column name or list of them; the
        deals taking part in more than one currency (when the log has ``currency``; a
        missing currency counts as one), naming the deals of each; a term whose
        values sum beyond float range.

    See Also
    --------
    pipeline_as_of : the deals table at one moment.
    close_date_slippage : how often each deal's close date moved.

    Notes
    -----
    Let :math:`S_i` and :math:`E_i` be deal :math:`i`'s states at ``start`` and ``end``
    (:math:`S_i` absent for a deal created after ``start``), :math:`P` the period, and

    .. math::

        \mathrm{in}_S(i) &= S_i \text{ exists},\ S_i \text{ open},\ \mathrm{close}(S_i) \in P \\
        \mathrm{in}_E(i) &= E_i \text{ open},\ \mathrm{close}(E_i) \in P

    A deal in the pipeline at the start (:math:`\mathrm{in}_S`) counts in ``start`` at
    :math:`v(S_i)`; its change :math:`d_i = v(E_i) - v(S_i)` goes to ``value_up``
    (:math:`d_i > 0`) or ``value_down`` (:math:`-d_i`, when :math:`d_i < 0`); then at
    :math:`v(E_i)` it stays (``end``) if :math:`\mathrm{in}_E`, is ``pushed_out`` if
    it is open with its close date outside :math:`P` (later in practice; a date moved
    before :math:`P` counts too), or is ``won`` or ``lost`` if so closed, whatever its
    close date. A deal not in at the start whose ``end`` close date is in :math:`P`,
    and which is in at the end or closed in the window (:math:`E_i` won or lost while
    :math:`S_i` was absent or open), enters at :math:`v(E_i)`: as ``new`` if it did not
    exist at ``start``, else as ``pulled_in`` (its close date was outside :math:`P`, or
    it was closed and has been reopened); then it is ``won``, ``lost`` or in ``end``.
    Every other deal takes no part. Per deal the terms add up, hence so do the sums:

    .. math::

        \mathrm{start} + \mathrm{new} + \mathrm{pulled\_in} - \mathrm{pushed\_out}
        + \mathrm{value\_up} - \mathrm{value\_down} - \mathrm{won} - \mathrm{lost}
        = \mathrm{end}

    and in count, without the value terms. Each value term is the correctly rounded
    sum of its deals' exact values (:func:`math.fsum`; ``value_up`` and ``value_down``
    as sums of exact differences), so the identity is exact in floating point when
    the values are whole numbers (or multiples of a power of two such as 0.25) with
    totals below :math:`2^{53}`; otherwise it holds to within the rounding of each
    term, a few units in the last place of the largest one. Only the two snapshots
    matter: a deal pushed out and pulled back between ``start`` and ``end`` shows no
    movement, and a deal created and lost in between takes part only if its close
    date is in :math:`P`.

    References
    ----------
    Salesforce, "OpportunityHistory", Object Reference for the Salesforce Platform.
    https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunityhistory.htm

    Examples
    --------
    >>> import pandas as pd
    >>> changes = pd.DataFrame({
    ...     "deal_id": ["D1", "D1", "D2", "D2", "D3"],
    ...     "changed_at": pd.to_datetime(["2026-01-05", "2026-02-10", "2026-01-10",
    ...                                   "2026-02-20", "2026-02-01"]),
    ...     "value": [10_000.0, 12_000.0, 5_000.0, 5_000.0, 3_000.0],
    ...     "close_date": pd.to_datetime(["2026-03-31", "2026-03-31", "2026-03-15",
    ...                                   "2026-05-15", "2026-03-20"]),
    ...     "status": ["open", "open", "open", "open", "open"],
    ... })
    >>> flow = pipeline_waterfall(changes, "2026-01-31", "2026-02-28", period="2026Q1")
    >>> flow.value.loc["all"].to_dict()
    {'start': 15000.0, 'new': 3000.0, 'pulled_in': 0.0, 'pushed_out': 5000.0,
     'value_up': 2000.0, 'value_down': 0.0, 'won': 0.0, 'lost': 0.0, 'end': 15000.0}
    >>> flow.count.loc["all", ["start", "new", "pushed_out", "value_up", "end"]].tolist()
    [2, 1, 1, 1, 2]
    """
    groups = group_columns(by)
    bounds = None if period is None else period_bounds(period)
    first, last = moment(start, "start"), moment(end, "end")
    first, last = align_zones(first, last)
    if not first < last:
        raise InvalidInputError(f"start must be before end; got start={first}, end={last}")
    engine = engine_name(changes)
    if engine is not None:  # both states joined and classified in the engine
        from ._changes_engine import waterfall_of

        value, count, deals = waterfall_of(changes, engine, first, last, period=bounds, by=groups)
    else:
        log = changes_of(changes, others=groups)
        carried = [*groups, *(["currency"] if "currency" in log.frame.columns else [])]
        value, count, deals = flows(
            _state(log, first, carried), _state(log, last, carried), period=bounds, by=groups
        )
    return PipelineWaterfall(
        value=value, count=count, deals=deals, start=first, end=last, period=bounds
    )
