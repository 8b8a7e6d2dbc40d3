"""Lead sources: which sources bring leads that become customers?

:func:`source_performance` is a table function over the canonical leads frame
(``lead_id, source, owner, created, first_contact, converted, channel``). Channel
effectiveness and email engagement, which take counts, are in
:mod:`salescore.leads.channels` and importable from here too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import schema
from .._arrays import FloatArray, safe_divide
from .._tables import PERIOD as _PERIOD
from .._tables import float_column, option_column, row_ids, which
from .._tables import group_sums as _group_sums
from ..engines import Table, engine_name
from ..errors import InvalidInputError, SchemaError
from ..fiscal import FiscalFrequency
from ..fiscal._freq import Frequency, order, period_keys, period_kind
from .channels import (
    ChannelEffectiveness,
    EmailEngagement,
    channel_effectiveness,
    email_engagement,
)

BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]

__all__ = [
    "ChannelEffectiveness",
    "EmailEngagement",
    "channel_effectiveness",
    "email_engagement",
    "source_performance",
]


# -------------------------------------------------------------- source performance


def _which(ids: ObjectArray, mask: BoolArray, shown: list[Any] | None = None) -> str:
    return which(ids, mask, shown, noun="lead")


def _conversions(leads: pd.DataFrame, column: str, ids: ObjectArray) -> BoolArray:
    """The converted flags as a bool array; missing or invalid flags name the leads."""
    raw = leads[column]
    if raw.dtype == np.bool_:
        flags: BoolArray = raw.to_numpy(dtype=bool)
        return flags
    # Judged value by value: True == 1 and False == 0 in Python, so 1/0 pass too.
    objects = pd.Series(raw.to_numpy(dtype=object), dtype=object)
    missing = objects.isna().to_numpy()
    invalid = ~missing & ~objects.isin([True, False]).to_numpy()
    if invalid.any():
        raise InvalidInputError(
            f"{column} must be True or False (or 1 or 0); not so for "
            f"{_which(ids, invalid, objects.tolist())}"
        )
    if missing.any():
        raise InvalidInputError(
            f"{column} is missing for {_which(ids, missing)}; record False for leads not "
            "(yet) converted, or leave the undecided leads out explicitly"
        )
    return objects.isin([True]).to_numpy()


def _check_unique_ids(column: str, ids: ObjectArray) -> None:
    labels = pd.Series(ids, dtype=object)
    repeated = (labels.duplicated(keep=False) & labels.notna()).to_numpy()
    if repeated.any():
        raise InvalidInputError(
            f"{column} must name each lead once (one row per lead); repeated for "
            f"{_which(ids, repeated)}"
        )


def _check_revenue(column: str, values: FloatArray, ids: ObjectArray, used: BoolArray) -> None:
    bad = used & (np.isinf(values) | (values < 0.0))  # NaN passes: it propagates
    if bad.any():
        raise InvalidInputError(
            f"{column} must be a finite number >= 0 on converted leads; not so for "
            f"{_which(ids, bad, values.tolist())}"
        )


def _created_periods(
    leads: pd.DataFrame, column: str, ids: ObjectArray, dtype: Frequency
) -> pd.Series[Any]:
    kind = leads[column].dtype
    if not pd.api.types.is_datetime64_any_dtype(kind):
        raise SchemaError(
            f"leads: column {column!r} must hold datetimes (datetime64); it has dtype {kind} "
            "(convert it with pandas.to_datetime)"
        )
    undated = leads[column].isna().to_numpy()
    if undated.any():
        raise InvalidInputError(
            f"{column} is missing for {_which(ids, undated)} (a table by period needs "
            "the date each lead was created)"
        )
    return period_keys(dtype, leads[column], name=column, ids=ids)


def source_performance(
    leads: Table,
    *,
    source: str = "source",
    converted: str = "converted",
    value: str | None = None,
    freq: str | FiscalFrequency | None = None,
    created: str = "created",
    lead_id: str | None = "lead_id",
) -> pd.DataFrame:
    r"""Leads, conversions and revenue per lead source, optionally per period.

    Nutshell's article on the sales metrics a sales manager should track asks how many
    leads each source brings per period and how many become customers: a source that
    brings many leads (say, Facebook posts) may convert fewer than a smaller one (say,
    Google ads).

    Parameters
    ----------
    leads : DataFrame or engine frame
        Canonical leads table, one row per lead. A pandas DataFrame, or a frame of
        Polars (eager or lazy), DuckDB, Dask or PySpark, which is checked and reduced
        in its engine to one row per source (and period; see :doc:`/guides/scale`);
        there ``freq`` must be one of D, W, M, Q or Y (with an anchor such as Q-MAR,
        but no multiple), not fiscal periods.
    source : str, keyword-only, default "source"
        Column with each lead's source (any labels); a missing source forms its own
        group, labelled NaN, rather than being dropped.
    converted : str, keyword-only, default "converted"
        Column saying whether each lead converted: bool, pandas' nullable boolean, or
        the numbers 1 and 0 (integer or float columns; object columns of these; on an
        engine frame, a boolean or numeric column). Every lead needs a flag: record
        False for leads not (yet) converted.
    value : str or None, keyword-only, default None
        Column with the revenue of each lead (numeric), read on converted leads only;
        gives the ``revenue`` and ``revenue_per_lead`` columns.
    freq : str, FiscalFrequency or None, keyword-only, default None
        A pandas period alias ("W", "M", "Q", "Y" …) to split each source's leads by
        the period of their creation, in an extra ``period`` key; or fiscal periods
        (:class:`~salescore.fiscal.FiscalFrequency`, such as
        ``FiscalCalendar.from_start_month(4).freq("quarter")``), whose ``period`` key
        holds their labels (str, such as ``"FY2027 Q1"``).
    created : str, keyword-only, default "created"
        Column with each lead's creation time (datetime64, or an engine's datetimes
        or dates; read only when ``freq`` is given; a time-zone-aware column is split
        by its local calendar).
    lead_id : str or None, keyword-only, default "lead_id"
        Column naming each lead (once) in error messages; ``None`` uses the index (on
        an engine frame, which has none, the rows are shown by source and value).

    Returns
    -------
    DataFrame
        Indexed by ``source`` in order of first appearance; with ``freq``, by source
        and ``period`` (pandas Periods or fiscal labels, in time order; a source gets
        a row only for periods in which it brought leads). On an engine frame, whose
        rows have no order, the sources are in the order of their labels instead
        (sorted as Python sorts them, a missing source last; text labels in pandas'
        dtype for text); otherwise the table is the pandas path's. Columns ``leads`` and
        ``conversions`` (int64), ``conversion_rate``, and with ``value``, ``revenue``
        (of the converted leads) and ``revenue_per_lead`` (float64); a missing revenue
        on a converted lead makes its group's two NaN. No leads give no rows.

    Raises
    ------
    SchemaError
        A named column is missing, ``value`` is not numeric, or (with ``freq``)
        ``created`` does not hold datetimes (on an engine frame, datetimes or dates).
    InvalidInputError
        A converted flag that is missing or not True/False/1/0, a repeated lead id,
        a negative or infinite revenue on a converted lead; with ``freq``, a lead
        without a creation date, or ``source="period"``; an unknown ``freq``; a
        column option that is not a column name; a source's revenue beyond float
        range (about 1.8e308). Each message names the leads concerned (the first few
        and how many), on an engine frame in the same words. On an engine frame:
        fiscal periods, and a ``freq`` other than D, W, M, Q or Y.

    See Also
    --------
    channel_effectiveness : contact and conversion rates of outreach channels.
    salescore.profitability_by_source : profit of won customers per source.

    Notes
    -----
    For each source (and period) :math:`g` with leads :math:`i \in g`, conversion
    flags :math:`x_i \in \{0, 1\}` and revenue :math:`v_i`:

    .. math::

        n_g = |g|, \qquad k_g = \sum_{i \in g} x_i, \qquad r_g = \frac{k_g}{n_g},
        \qquad V_g = \sum_{i \in g} x_i\, v_i, \qquad \bar v_g = \frac{V_g}{n_g}.

    Groups are disjoint, so leads, conversions and revenue add up to the table's
    totals.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): count the leads each source brings per period and compare
       them with the customers won, for example Google ads against Facebook posts. See
       Sources in the documentation.

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.leads.sources import source_performance
    >>> leads = pd.DataFrame({
    ...     "lead_id": ["L1", "L2", "L3", "L4", "L5", "L6"],
    ...     "source": ["Google ads", "Facebook", "Google ads", "Facebook", "Facebook",
    ...                "Google ads"],
    ...     "created": pd.to_datetime(["2024-01-05", "2024-01-09", "2024-01-20",
    ...                                "2024-02-02", "2024-02-14", "2024-02-25"]),
    ...     "converted": [True, False, True, False, True, False],
    ...     "amount": [1_200.0, 0.0, 800.0, 0.0, 500.0, 0.0],
    ... })
    >>> source_performance(leads, value="amount")
                leads  conversions  conversion_rate  revenue  revenue_per_lead
    source
    Google ads      3            2         0.666667   2000.0        666.666667
    Facebook        3            1         0.333333    500.0        166.666667
    >>> source_performance(leads, freq="M")
                        leads  conversions  conversion_rate
    source     period
    Google ads 2024-01      2            2              1.0
    Facebook   2024-01      1            0              0.0
               2024-02      2            1              0.5
    Google ads 2024-02      1            0              0.0

    A lead without a converted flag is refused, naming it:

    >>> source_performance(leads.assign(converted=[True, None, True, False, True, False]))
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: converted is missing for 1 lead: 'L2'; ...
    """
    for name, column in (("source", source), ("converted", converted), ("created", created)):
        option_column(name, column)
    for name, optional in (("value", value), ("lead_id", lead_id)):
        option_column(name, optional, optional=True)
    period_dtype = None if freq is None else period_kind(freq)
    if period_dtype is not None and source == _PERIOD:
        raise InvalidInputError(
            f"source must not be a column named {_PERIOD!r} when freq is given "
            "(the period key has that name); rename the column"
        )
    engine = engine_name(leads)
    if engine is not None:
        from ._engine import source_counts

        sums, sizes = source_counts(
            leads,
            engine,
            source=source,
            converted=converted,
            value=value,
            freq=freq,
            period_dtype=period_dtype,
            created=created,
            lead_id=lead_id,
        )
        return _source_table(sums, sizes, revenue=value is not None, period_dtype=period_dtype)
    read = {"source": source, "converted": converted, "value": value, "lead_id": lead_id}
    read["created"] = None if period_dtype is None else created
    schema.check_columns(leads, "leads", read, kinds={"value": "number"})

    ids = row_ids(leads, lead_id)
    if lead_id is not None:
        _check_unique_ids(lead_id, ids)
    flags = _conversions(leads, converted, ids)
    keys: list[pd.Series[Any]] = [leads[source].reset_index(drop=True)]
    if period_dtype is not None:
        keys.append(_created_periods(leads, created, ids, period_dtype))

    parts: dict[str, Any] = {"conversions": flags.astype(np.float64)}
    if value is not None:
        revenue = np.asarray(float_column(leads, value), dtype=np.float64)
        _check_revenue(value, revenue, ids, flags)
        # NaN only where it counts: a lead that did not convert brings no revenue.
        parts["revenue"] = np.where(flags, revenue, 0.0)
    with np.errstate(over="ignore"):  # an overflowing sum is refused below
        sums, sizes = _group_sums(pd.DataFrame(parts), keys)
    return _source_table(sums, sizes, revenue=value is not None, period_dtype=period_dtype)


def _source_table(
    sums: pd.DataFrame,
    sizes: pd.Series[int],
    *,
    revenue: bool,
    period_dtype: Frequency | None,
) -> pd.DataFrame:
    """The table of :func:`source_performance` from its groups' sums and sizes.

    ``sums`` holds each group's conversions and, with ``revenue``, the revenue of its
    converted leads (NaN when one is unknown, ±inf when the sum overflowed), indexed
    by source (and period); ``sizes`` the number of leads of each group.
    """
    counts: FloatArray = np.asarray(sizes, dtype=np.float64)
    table = pd.DataFrame(
        {
            "leads": sizes.astype("int64"),
            "conversions": sums["conversions"].astype("int64"),
            "conversion_rate": safe_divide(sums["conversions"].to_numpy(dtype=np.float64), counts),
        },
        index=sums.index,
    )
    if revenue:
        total = sums["revenue"].to_numpy(dtype=np.float64)
        beyond = np.isinf(total)  # the amounts are finite: a group's sum overflowed
        if beyond.any():
            raise InvalidInputError(
                f"the revenue of {int(beyond.sum())} source group(s) is beyond float range "
                "(about 1.8e308); rescale the values, for example to thousands"
            )
        table["revenue"] = total
        table["revenue_per_lead"] = safe_divide(total, counts)
    if period_dtype is not None:
        table = table.iloc[order(period_dtype, table.index.get_level_values(_PERIOD))]
    return table
