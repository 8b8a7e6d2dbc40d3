"""Activity against targets: Nutshell's activity report per seller, period and kind.

A table function over the canonical activities frame (``owner, date, kind,
outcome``). Every column name is a keyword argument whose default is the canonical
name. Every seller × period × kind in range gets a row, with 0 where nothing was
logged; bad values raise :class:`~salescore.InvalidInputError` naming the rows
(index labels) concerned, the first few and how many.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._arrays import FloatArray, check_nonnegative, coerce
from .._tables import PERIOD as _PERIOD
from .._tables import float_column, option_column, row_ids, which
from ..engines import Table, engine_name
from ..errors import InvalidInputError, SchemaError
from ..fiscal import FiscalFrequency
from ..fiscal._freq import Frequency, IntArray, fiscal_bound, period_kind, period_ordinals
from ..schema import check_columns
from ..schema.vocabularies import ACTIVITY_KINDS
from ._periods import check_span, period_index
from .metrics import activity_attainment

__all__ = ["ACTIVITY_KINDS", "activity_report"]


def _target_kinds(targets: object) -> list[str]:
    kinds: list[Any]
    if isinstance(targets, pd.DataFrame):
        repeated = targets.columns[targets.columns.duplicated()].unique().tolist()
        if repeated:
            raise SchemaError(f"targets: more than one column is named {repeated[0]!r}")
        kinds = list(targets.columns)
    elif isinstance(targets, Mapping):
        kinds = list(targets)
    else:
        raise InvalidInputError(
            "targets must be a mapping {kind: target per seller per period} or a DataFrame "
            f"with one row per seller and one column per kind; got {type(targets).__name__}"
        )
    if not kinds:
        raise InvalidInputError("targets must give a target for at least one kind")
    wrong = [k for k in kinds if not isinstance(k, str) or not k]
    if wrong:
        raise InvalidInputError(
            f"targets must be keyed by activity kinds (non-empty str); got {wrong[0]!r:.60}"
        )
    return kinds


def _selected_kinds(kinds: object, available: list[str]) -> list[str]:
    if kinds is None:
        return available
    chosen = [kinds] if isinstance(kinds, str) else kinds
    if not isinstance(chosen, (list, tuple)) or not all(isinstance(k, str) for k in chosen):
        raise InvalidInputError(f"kinds must be None, a kind or a list of kinds; got {kinds!r:.60}")
    chosen = list(dict.fromkeys(chosen))
    without = [k for k in chosen if k not in available]
    if without:
        raise InvalidInputError(
            f"kinds: no target for {', '.join(map(repr, without))}; targets has "
            f"{', '.join(map(repr, available))}"
        )
    if not chosen:
        raise InvalidInputError("kinds must name at least one kind")
    return chosen


def _target_matrix(
    targets: Mapping[Any, Any] | pd.DataFrame, kinds: list[str]
) -> tuple[list[Any] | None, FloatArray]:
    """The owners a frame of targets names (None for a mapping), and targets (owner × kind)."""
    if not isinstance(targets, pd.DataFrame):
        row = np.empty((1, len(kinds)), dtype=np.float64)
        for position, k in enumerate(kinds):
            name = f"targets[{k!r}]"
            (target,), _ = coerce(**{name: targets[k]})
            if not isinstance(target, float):
                raise InvalidInputError(
                    f"{name} must be one number (the target of every seller); got "
                    f"{targets[k]!r:.60}; give per-seller targets as a DataFrame"
                )
            check_nonnegative(name, target)
            row[0, position] = target
        return None, row
    read = dict(zip(kinds, kinds, strict=True))
    check_columns(targets, "targets", read, kinds=dict.fromkeys(kinds, "number"))
    if isinstance(targets.index, pd.MultiIndex):
        raise SchemaError(
            f"targets: the rows have {targets.index.nlevels} index levels (a MultiIndex); "
            "give one row per seller, indexed by the values of the by column"
        )
    owners = targets.index.to_numpy(dtype=object)
    labels = pd.Series(owners, dtype=object)
    missing = labels.isna().to_numpy()
    if missing.any():
        raise InvalidInputError("targets: the index must name every seller; a label is missing")
    repeated = labels.duplicated(keep=False).to_numpy()
    if repeated.any():
        raise InvalidInputError(
            f"targets: more than one row for a seller: {which(owners, repeated, noun='row')}"
        )
    columns = []
    for k in kinds:
        column = float_column(targets, k).to_numpy()
        with np.errstate(invalid="ignore"):
            bad = np.isinf(column) | (column < 0.0)
        if bad.any():
            raise InvalidInputError(
                f"targets: {k!r} must be a finite number >= 0; not so for "
                f"{which(owners, bad, column.tolist(), noun='seller')}"
            )
        columns.append(column)
    return owners.tolist(), np.column_stack(columns) if columns else np.empty((0, 0))


def _period_bound(name: str, bound: object, dtype: Frequency) -> int | None:
    if bound is None:
        return None
    if isinstance(dtype, FiscalFrequency):
        label = fiscal_bound(dtype, name, bound)
        if label is not None:
            return label
    elif isinstance(bound, pd.Period):
        if bound.freq != dtype.freq:
            raise InvalidInputError(
                f"{name} is a Period of another frequency than the table's {dtype}; got {bound!r}"
            )
        return int(bound.ordinal)
    stamp: Any = pd.NaT
    # A number would be read as nanoseconds since 1970: refuse it rather than guess.
    if isinstance(bound, (str, datetime.date, np.datetime64)):
        try:
            # Texts are read as ISO 8601 only, as everywhere: "5/3/2024" is not guessed.
            stamp = (
                pd.to_datetime(bound, format="ISO8601")
                if isinstance(bound, str)
                else pd.Timestamp(bound)
            )
        except (TypeError, ValueError, OverflowError):
            stamp = pd.NaT
    if pd.isna(stamp):
        raise InvalidInputError(f"{name} must be None, a date or a Period; got {bound!r:.60}")
    return int(period_ordinals(dtype, pd.Series([stamp]), name=name)[0])


def activity_report(
    activities: Table,
    targets: Mapping[str, float] | pd.Series[float] | pd.DataFrame,
    *,
    by: str = "owner",
    kind: str = "kind",
    date: str = "date",
    kinds: str | Sequence[str] | None = None,
    freq: str | FiscalFrequency = "W",
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    r"""Activities per seller, period and kind against targets: Nutshell's activity report.

    Counts the calls, field visits (or any kind with a target) each seller logged in
    each period and sets them against the target. Every seller × every period in
    range × every reported kind gets a row: a week without a single call shows as 0
    calls, not as a missing row.

    Parameters
    ----------
    activities : DataFrame or engine frame
        Canonical activities table, one row per activity. A pandas DataFrame, or a
        frame of Polars (eager or lazy), DuckDB, Dask or PySpark, which is checked and
        reduced in its engine to the number of activities per seller, period and kind
        (see :doc:`/guides/scale`); there ``freq`` must be one of D, W, M, Q or Y (with
        an anchor such as W-WED or Q-MAR, but no multiple), not fiscal periods.
    targets : mapping, Series or DataFrame
        How many activities of each kind a seller should log in each period of
        ``freq`` (so a weekly target with ``freq="W"``), >= 0 (NaN for an unknown
        target). A mapping such as ``{"call": 50, "visit": 5}`` (or a Series indexed
        by kind) sets the same target for every seller; the sellers are then those
        the activities table names. A DataFrame with one row per seller (its index
        holding the values of the ``by`` column) and one numeric column per kind
        sets each seller's own targets; its sellers are the rows of the report, so
        a seller without any activity still appears, and an activity by a seller it
        does not list is an error.
    by, kind, date : str, keyword-only
        Column names: the seller, the kind of activity and when it happened
        (datetime64, or an engine's datetimes or dates; a time-zone-aware column is
        split by its local calendar).
    kinds : str, list of str or None, keyword-only, default None
        The kinds to report, each with a target; ``None`` reports every kind of
        ``targets``. Activities of other kinds are not counted.
    freq : str or FiscalFrequency, keyword-only, default "W"
        A pandas period alias ("D", "W", "M", "Q" …) for the periods, or fiscal
        periods (:class:`~salescore.fiscal.FiscalFrequency`, such as
        ``FiscalCalendar.from_start_month(4).freq("month")``), labelled
        ``"FY2027 M01"``; the targets are then per fiscal period.
    start, end : date, Period or None, keyword-only
        First and last period of the report (a date stands for its period; with
        fiscal periods, a fiscal label such as ``"FY2027 Q1"`` may stand for one,
        a pandas Period not); ``None`` takes the period of the first (last)
        reported activity. Activities outside the range are not counted.

    Returns
    -------
    DataFrame
        Indexed by seller (level named after ``by``, in the order of ``targets``' rows
        or of first appearance in the activities; on an engine frame, whose rows have
        no order, sellers the activities name are sorted instead, as Python sorts
        their values), ``period`` (every period in range) and kind (level named
        after ``kind``, in the order of ``kinds``), with columns
        ``actual`` (int64), ``target`` and ``attainment`` (actual ÷ target; NaN where
        the target is 0) as float64. ``actual`` adds up to the number of reported
        activities.

    Raises
    ------
    SchemaError
        A named column is missing, ``date`` does not hold datetimes (or, on an engine
        frame, dates), a kind's column of a targets DataFrame is not numeric, or a
        targets DataFrame has more than one index level (a MultiIndex).
    InvalidInputError
        An activity without a kind, or of a kind that is neither canonical
        ('call', 'visit', 'email', 'meeting') nor given a target; a reported
        activity without a date or a seller, or by a seller the targets DataFrame
        does not list; a negative or infinite target, a seller listed twice;
        a kind in ``kinds`` without a target; ``start`` after ``end``; an unknown
        ``freq``; more than 100,000 periods in range (a freq too fine for the dates).
        Messages name the rows (index labels) concerned; on an engine frame, whose
        rows have no labels, the first few rows by their seller, kind and date. On an
        engine frame also: fiscal periods, and a ``freq`` other than D, W, M, Q or Y.

    See Also
    --------
    activity_attainment : the ratio for numbers you already have.
    activity_yield : whether more contacts bring more revenue.

    Notes
    -----
    With :math:`a_{s,t,k}` the number of activities of kind :math:`k` seller
    :math:`s` logged in period :math:`t` and :math:`T_{s,k}` the target:

    .. math::

        \text{attainment}_{s,t,k} = \frac{a_{s,t,k}}{T_{s,k}}, \qquad
        \sum_{s,t,k} a_{s,t,k} = \text{number of reported activities} .

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): the activity report shows calls and field visits per team
       member against targets, for an adjustable period and type of activity. See
       Sources in the documentation.

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.team import activity_report
    >>> activities = pd.DataFrame({
    ...     "owner": ["Ann", "Ann", "Ann", "Bo", "Bo", "Ann"],
    ...     "kind": ["call", "call", "visit", "call", "email", "call"],
    ...     "date": pd.to_datetime(
    ...         ["2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-07",
    ...          "2024-03-12"]
    ...     ),
    ... })
    >>> report = activity_report(activities, {"call": 2, "visit": 1})
    >>> report
                                       actual  target  attainment
    owner period                kind
    Ann   2024-03-04/2024-03-10 call        2     2.0         1.0
                                visit       1     1.0         1.0
          2024-03-11/2024-03-17 call        1     2.0         0.5
                                visit       0     1.0         0.0
    Bo    2024-03-04/2024-03-10 call        1     2.0         0.5
                                visit       0     1.0         0.0
          2024-03-11/2024-03-17 call        0     2.0         0.0
                                visit       0     1.0         0.0

    Monthly, calls only, with each seller's own target:

    >>> monthly = pd.DataFrame({"call": [8, 4]}, index=["Ann", "Bo"])
    >>> activity_report(activities, monthly, freq="M")["attainment"].tolist()
    [0.375, 0.25]

    A kind with neither a canonical name nor a target is refused, naming the rows:

    >>> activity_report(activities.assign(kind="Call"), {"call": 2})
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: kind must be one of 'call', 'visit', 'email',
    'meeting' (the canonical kinds and those with a target); not so for 6 rows: 0 ('Call'), ...
    """
    period_dtype = period_kind(freq)
    for name, column in (("by", by), ("kind", kind), ("date", date)):
        option_column(name, column)
    if len({by, kind, _PERIOD}) < 3:
        raise InvalidInputError(
            f"by and kind must name different columns, neither named {_PERIOD!r}; "
            f"got by={by!r}, kind={kind!r}"
        )
    table: Mapping[Any, Any] | pd.DataFrame = (
        dict(targets.items()) if isinstance(targets, pd.Series) else targets
    )
    available = _target_kinds(table)
    reported = _selected_kinds(kinds, available)
    engine = engine_name(activities)
    if engine is None:  # an engine frame's columns are checked in the engine
        check_columns(activities, "activities", {"owner": by, "kind": kind, "date": date})
    owners_of_targets, target_matrix = _target_matrix(table, reported)
    lo = _period_bound("start", start, period_dtype)
    hi = _period_bound("end", end, period_dtype)
    if lo is not None and hi is not None and lo > hi:
        raise InvalidInputError(f"start ({start!r}) is after end ({end!r})")
    known = list(dict.fromkeys([*ACTIVITY_KINDS, *available]))
    if engine is not None:
        from ._engine import activity_counts

        found = activity_counts(
            activities,
            engine,
            by=by,
            kind=kind,
            date=date,
            freq=freq,
            reported=reported,
            known=known,
            start=lo,
            end=hi,
            owners_of_targets=owners_of_targets,
        )
        owner_index = pd.Index(found.owners, dtype=object, name=by)
        kind_index = pd.Index(reported, dtype=object, name=kind)
        cells = (
            np.asarray(owner_index.get_indexer(pd.Index(found.sellers, dtype=object))),
            found.ordinals - found.first,
            np.asarray(kind_index.get_indexer(pd.Index(found.kinds, dtype=object))),
        )
        return _report(
            owner_index,
            kind_index,
            target_matrix,
            period_dtype,
            found.first,
            found.span,
            cells,
            found.counts,
        )

    ids = row_ids(activities, None)
    kind_values = pd.Series(activities[kind].to_numpy(dtype=object), dtype=object)
    unnamed = kind_values.isna().to_numpy()
    if unnamed.any():
        raise InvalidInputError(f"{kind} is missing for {which(ids, unnamed)}")
    unknown = ~kind_values.isin(known).to_numpy()
    if unknown.any():
        raise InvalidInputError(
            f"{kind} must be one of {', '.join(map(repr, known))} (the canonical kinds and "
            f"those with a target); not so for {which(ids, unknown, kind_values.tolist())}"
        )
    selected = kind_values.isin(reported).to_numpy()
    undated = selected & activities[date].isna().to_numpy()
    if undated.any():
        raise InvalidInputError(f"{date} is missing for {which(ids, undated)}")

    ordinals = np.zeros(len(activities), dtype=np.int64)
    ordinals[selected] = period_ordinals(
        period_dtype, activities.loc[selected, date], name=date, ids=ids[selected]
    )
    first = lo if lo is not None else (int(ordinals[selected].min()) if selected.any() else 0)
    last = hi if hi is not None else (int(ordinals[selected].max()) if selected.any() else -1)
    span = max(last - first + 1, 0)
    check_span(span, freq)
    counted = selected & (ordinals >= first) & (ordinals <= last)

    owner_values = pd.Series(activities[by].to_numpy(dtype=object), dtype=object)
    anonymous = counted & owner_values.isna().to_numpy()
    if anonymous.any():
        raise InvalidInputError(f"{by} is missing for {which(ids, anonymous)}")
    if owners_of_targets is None:
        owners = list(pd.unique(owner_values[owner_values.notna()]))
    else:
        owners = owners_of_targets
    owner_index = pd.Index(owners, dtype=object, name=by)
    owner_codes = owner_index.get_indexer(pd.Index(owner_values[counted], dtype=object))
    strangers = np.zeros(len(activities), dtype=bool)
    strangers[counted] = owner_codes < 0
    if strangers.any():
        raise InvalidInputError(
            f"targets has no row for the {by} of {which(ids, strangers, owner_values.tolist())}"
        )
    kind_index = pd.Index(reported, dtype=object, name=kind)
    kind_codes = kind_index.get_indexer(pd.Index(kind_values[counted], dtype=object))
    offsets = ordinals[counted] - first
    return _report(
        owner_index,
        kind_index,
        target_matrix,
        period_dtype,
        first,
        span,
        (owner_codes, offsets, kind_codes),
    )


def _report(
    owners: pd.Index[Any],
    kinds: pd.Index[Any],
    target_matrix: FloatArray,
    dtype: Frequency,
    first: int,
    span: int,
    cells: tuple[IntArray, IntArray, IntArray],
    counts: IntArray | None = None,
) -> pd.DataFrame:
    """The report of :func:`activity_report` from its counted activities.

    ``cells`` gives each entry's seller (position in ``owners``), period (0 … span − 1)
    and kind (position in ``kinds``); an entry is one activity (a row of a pandas
    frame), or ``counts`` of them.
    """
    owner_codes, offsets, kind_codes = cells
    shape = (len(owners), span, len(kinds))
    size = int(np.prod(shape))
    flat = (owner_codes * span + offsets) * len(kinds) + kind_codes
    if counts is None:
        actual = np.bincount(flat, minlength=size).astype(np.int64)
    else:
        actual = np.zeros(size, dtype=np.int64)
        np.add.at(actual, flat, counts)
    per_owner = target_matrix[:, np.newaxis, :]
    target = np.broadcast_to(per_owner, shape).reshape(-1).copy()
    attainment = np.asarray(activity_attainment(actual, target), dtype=np.float64)

    periods = period_index(first, span, dtype)
    index = pd.MultiIndex.from_product([owners, periods, kinds])
    return pd.DataFrame({"actual": actual, "target": target, "attainment": attainment}, index=index)
