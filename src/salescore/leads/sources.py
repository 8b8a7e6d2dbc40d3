"""Lead sources, channel effectiveness and email engagement: which efforts bring customers?

:func:`source_performance` is a table function over the canonical leads frame
(``lead_id, source, owner, created, first_contact, converted, channel``); the other
two take counts and return a frozen record of rates, each in the counts' container.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar, overload

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import schema
from .._arrays import (
    ArrayInput,
    FloatArray,
    Numeric,
    Scalar,
    Values,
    _describe_bad,
    check_probability,
    check_range,
    coerce,
    safe_divide,
)
from .._tables import PERIOD as _PERIOD
from .._tables import SHOWN, float_column, option_column, row_ids, which
from .._tables import group_sums as _group_sums
from .._tables import period_dtype as _period_dtype
from .._tables import periods as _periods
from ..errors import InvalidInputError, SchemaError

BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]

__all__ = [
    "ChannelEffectiveness",
    "EmailEngagement",
    "channel_effectiveness",
    "email_engagement",
    "source_performance",
]

#: The container of a record's rates: float, float64 ndarray or Series.
_R = TypeVar("_R", float, "FloatArray", "pd.Series[float]")

# ------------------------------------------------------------------ rate records


@attrs.frozen(kw_only=True, eq=False)
class _RateRecord(Generic[_R]):
    """Rates of the same counts, in one container; compare records by :meth:`to_frame`."""

    def __attrs_post_init__(self) -> None:
        fields = self._fields()
        values, _ = coerce(**fields)
        for name, value in zip(fields, values, strict=True):
            check_probability(name, value)
        for name, field in fields.items():
            # Each rate as floats in its own container: pd.NA becomes NaN, a list or a
            # 0-d array a float64 array or a float, as a formula function returns them.
            (rate,), wrap = coerce(**{name: field})
            object.__setattr__(self, name, wrap(rate))

    def _fields(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in attrs.fields(type(self))}

    def to_frame(self) -> pd.DataFrame:
        """The rates as columns of a DataFrame.

        Returns
        -------
        DataFrame
            One float64 column per rate; indexed like the input Series, or by a
            RangeIndex (one row for scalar counts).
        """
        fields = self._fields()
        index = next((v.index for v in fields.values() if isinstance(v, pd.Series)), None)
        arrays = np.broadcast_arrays(
            *(np.atleast_1d(np.asarray(value, dtype=np.float64)) for value in fields.values())
        )
        columns = {name: np.array(array) for name, array in zip(fields, arrays, strict=True)}
        if index is None:
            index = pd.RangeIndex(arrays[0].shape[0] if arrays else 0)
        return pd.DataFrame(columns, index=index)


@attrs.frozen(kw_only=True, eq=False)
class ChannelEffectiveness(_RateRecord[_R]):
    r"""Contact rate, conversion rate and yield per attempt of outreach channels.

    Made by :func:`channel_effectiveness`; each field has the container of the
    counts given to it (a float, a float64 ndarray, or a Series on their index).
    Creating one checks that every rate is in [0, 1] or NaN and that Series fields
    share their index.

    Parameters
    ----------
    contact_rate : float, ndarray or Series
        Share of attempts that reached someone.
    conversion_rate : float, ndarray or Series
        Share of those reached who converted.
    yield_per_attempt : float, ndarray or Series
        Conversions per attempt.

    Examples
    --------
    >>> from salescore.leads.sources import channel_effectiveness
    >>> channel_effectiveness(1_000, 400, 8)
    ChannelEffectiveness(contact_rate=0.4, conversion_rate=0.02, yield_per_attempt=0.008)
    """

    contact_rate: _R
    conversion_rate: _R
    yield_per_attempt: _R


@attrs.frozen(kw_only=True, eq=False)
class EmailEngagement(_RateRecord[_R]):
    r"""Open rate, click rate and click-to-open rate of email sends.

    Made by :func:`email_engagement`, like :class:`ChannelEffectiveness`.

    Parameters
    ----------
    open_rate : float, ndarray or Series
        Share of the emails sent that were opened.
    click_rate : float, ndarray or Series
        Share of the emails sent in which a link was clicked (click-through rate).
    click_to_open_rate : float, ndarray or Series
        Share of the opened emails in which a link was clicked.

    Examples
    --------
    >>> from salescore.leads.sources import email_engagement
    >>> email_engagement(2_000, 500, 50)
    EmailEngagement(open_rate=0.25, click_rate=0.025, click_to_open_rate=0.1)
    """

    open_rate: _R
    click_rate: _R
    click_to_open_rate: _R


# ------------------------------------------------------------------ count checks


def _check_counts(name: str, value: Values) -> None:
    """Refuse negative, infinite and fractional counts (NaN passes: it propagates)."""
    allowed = "a whole number >= 0"
    check_range(name, value, low=0.0, allowed=allowed)
    if isinstance(value, float):
        if value == value and not value.is_integer():
            raise InvalidInputError(f"{name} must be {allowed}; got {value!r}")
        return
    fractional = np.isfinite(value) & (value != np.floor(value))
    if fractional.any():
        raise InvalidInputError(_describe_bad(name, value, fractional, allowed))


def _check_at_most(name: str, value: Values, limit_name: str, limit: Values) -> None:
    """Refuse ``value > limit`` element-wise, naming both (NaN passes)."""
    if isinstance(value, float) and isinstance(limit, float):
        if value > limit:
            raise InvalidInputError(
                f"{name} must be at most {limit_name}; got {name} {value!r} > "
                f"{limit_name} {limit!r}"
            )
        return
    part, whole = np.broadcast_arrays(value, limit)
    above = part > whole
    if above.any():
        positions = np.flatnonzero(above)
        shown = ", ".join(
            f"[{p}] {float(part[p])!r} > {float(whole[p])!r}" for p in positions[:SHOWN]
        )
        more = ", …" if positions.size > SHOWN else ""
        raise InvalidInputError(
            f"{name} must be at most {limit_name}; {positions.size} of {part.size} values "
            f"are not (0-based positions, {name} > {limit_name}: {shown}{more})"
        )


def _funnel_rates(**counts: Numeric) -> tuple[Any, Any, Any]:
    """Rates of three nested counts ``top >= middle >= bottom``, in the input's container.

    Returns middle / top, bottom / middle and bottom / top, after checking that the
    counts are whole numbers >= 0 and nested (each message names the positions).
    """
    (top_name, middle_name, bottom_name) = counts
    (top, middle, bottom), wrap = coerce(**counts)
    for name, value in zip(counts, (top, middle, bottom), strict=True):
        _check_counts(name, value)
    _check_at_most(middle_name, middle, top_name, top)
    _check_at_most(bottom_name, bottom, middle_name, middle)
    return (
        wrap(safe_divide(middle, top)),
        wrap(safe_divide(bottom, middle)),
        wrap(safe_divide(bottom, top)),
    )


# ---------------------------------------------------------- channel effectiveness


@overload
def channel_effectiveness(  # type: ignore[overload-overlap]
    attempts: Scalar, contacts: Scalar, conversions: Scalar
) -> ChannelEffectiveness[float]: ...
@overload
def channel_effectiveness(  # type: ignore[overload-overlap]
    attempts: Scalar | ArrayInput,
    contacts: Scalar | ArrayInput,
    conversions: Scalar | ArrayInput,
) -> ChannelEffectiveness[FloatArray]: ...
@overload
def channel_effectiveness(
    attempts: Numeric, contacts: Numeric, conversions: Numeric
) -> ChannelEffectiveness[pd.Series[float]]: ...
def channel_effectiveness(
    attempts: Numeric, contacts: Numeric, conversions: Numeric
) -> ChannelEffectiveness[Any]:
    r"""Contact rate, conversion rate and yield per attempt of each outreach channel.

    Seed 002 asks how well each channel — cold calls, cold email, social messages —
    reaches people and how many of those reached buy. A channel that reaches many but
    converts few can lose to one that reaches few but converts most: what counts is
    the product, the customers won per attempt.

    Parameters
    ----------
    attempts : float, array_like or Series
        Outreach attempts (calls dialled, emails sent, messages sent): a whole number
        >= 0, a total rather than an average; for example a Series by channel.
    contacts : float, array_like or Series
        Attempts that reached someone (a conversation, a reply), a whole number
        between 0 and ``attempts``.
    conversions : float, array_like or Series
        Contacts that converted (a meeting booked, a sale), a whole number between 0
        and ``contacts``.

    Returns
    -------
    ChannelEffectiveness
        ``contact_rate``, ``conversion_rate`` and ``yield_per_attempt``, each a float,
        a float64 ndarray or a Series on the counts' index (``.to_frame()`` gives a
        DataFrame). NaN where the denominator is 0: all three without attempts, the
        conversion rate alone when nobody was reached (the yield is then 0).

    Raises
    ------
    InvalidInputError
        A count that is negative, infinite or not a whole number, more contacts than
        attempts or more conversions than contacts; the message names the positions.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    email_engagement : opens and clicks of follow-up emails.
    source_performance : conversions and revenue by lead source.

    Notes
    -----
    With :math:`a` attempts, :math:`c` contacts and :math:`k` conversions:

    .. math::

        \text{contact rate} = \frac{c}{a}, \qquad
        \text{conversion rate} = \frac{k}{c}, \qquad
        \text{yield per attempt} = \frac{k}{a}
        = \frac{c}{a} \cdot \frac{k}{c} \quad (c > 0).

    References
    ----------
    .. [1] Seed article 002 of salescore's reference (a sales manager's metrics,
       after Nutshell): email reaches 40 % of prospects and 2 % of those convert;
       phone reaches 10 % and nearly all of those buy, so the phone is the more
       effective channel.

    Examples
    --------
    Seed 002's channels, 1,000 attempts each (the phone's "nearly all" taken as all),
    and a channel not tried:

    >>> import pandas as pd
    >>> from salescore.leads.sources import channel_effectiveness
    >>> channel_effectiveness(1_000, 400, 8).yield_per_attempt
    0.008
    >>> counts = pd.DataFrame(
    ...     {"attempts": [1_000, 1_000, 0], "contacts": [400, 100, 0], "won": [8, 100, 0]},
    ...     index=pd.Index(["email", "phone", "social"], name="channel"),
    ... )
    >>> channel_effectiveness(counts["attempts"], counts["contacts"], counts["won"]).to_frame()
             contact_rate  conversion_rate  yield_per_attempt
    channel
    email             0.4             0.02              0.008
    phone             0.1             1.00              0.100
    social            NaN              NaN                NaN
    """
    contact, conversion, overall = _funnel_rates(
        attempts=attempts, contacts=contacts, conversions=conversions
    )
    return ChannelEffectiveness(
        contact_rate=contact, conversion_rate=conversion, yield_per_attempt=overall
    )


# --------------------------------------------------------------- email engagement


@overload
def email_engagement(  # type: ignore[overload-overlap]
    sent: Scalar, opened: Scalar, clicked: Scalar
) -> EmailEngagement[float]: ...
@overload
def email_engagement(  # type: ignore[overload-overlap]
    sent: Scalar | ArrayInput, opened: Scalar | ArrayInput, clicked: Scalar | ArrayInput
) -> EmailEngagement[FloatArray]: ...
@overload
def email_engagement(
    sent: Numeric, opened: Numeric, clicked: Numeric
) -> EmailEngagement[pd.Series[float]]: ...
def email_engagement(sent: Numeric, opened: Numeric, clicked: Numeric) -> EmailEngagement[Any]:
    r"""Open rate, click rate and click-to-open rate of follow-up emails.

    Seed 002's reading: a low open rate points at the subject lines; a low click
    rate among those who opened points at the content. Pass a Series of counts per
    campaign or template to compare them.

    Parameters
    ----------
    sent : float, array_like or Series
        Emails sent, a whole number >= 0; pass the delivered count instead to leave
        bounces out of every rate.
    opened : float, array_like or Series
        Emails opened at least once (unique opens), a whole number between 0 and
        ``sent``.
    clicked : float, array_like or Series
        Emails in which a link was clicked at least once (unique clicks), a whole
        number between 0 and ``opened``: a click implies an open, as most email
        tools record one with each click.

    Returns
    -------
    EmailEngagement
        ``open_rate``, ``click_rate`` (the click-through rate) and
        ``click_to_open_rate``, each a float, a float64 ndarray or a Series on the
        counts' index (``.to_frame()`` gives a DataFrame). NaN where the denominator
        is 0: all three with nothing sent, the click-to-open rate alone with nothing
        opened.

    Raises
    ------
    InvalidInputError
        A count that is negative, infinite or not a whole number, more opens than
        emails sent or more clicks than opens; the message names the positions.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    channel_effectiveness : contact and conversion rates of outreach channels.

    Notes
    -----
    With :math:`s` emails sent, :math:`o` opened and :math:`k` clicked:

    .. math::

        \text{open rate} = \frac{o}{s}, \qquad
        \text{click rate} = \frac{k}{s}, \qquad
        \text{click-to-open rate} = \frac{k}{o}, \qquad
        \frac{k}{s} = \frac{o}{s} \cdot \frac{k}{o} \quad (o > 0).

    References
    ----------
    .. [1] Seed article 002 of salescore's reference (a sales manager's metrics,
       after Nutshell): track the open and click-through rates of follow-up emails;
       low opens call for better subject lines, low clicks for better content.

    Examples
    --------
    >>> from salescore.leads.sources import email_engagement
    >>> email_engagement(2_000, 500, 50).click_to_open_rate
    0.1

    Four campaigns, one whose emails nobody opened and one never sent:

    >>> email_engagement([2_000, 1_000, 400, 0], [500, 100, 0, 0], [50, 30, 0, 0]).to_frame()
       open_rate  click_rate  click_to_open_rate
    0       0.25       0.025                 0.1
    1       0.10       0.030                 0.3
    2       0.00       0.000                 NaN
    3        NaN         NaN                 NaN
    """
    opens, click_to_open, clicks = _funnel_rates(sent=sent, opened=opened, clicked=clicked)
    return EmailEngagement(open_rate=opens, click_rate=clicks, click_to_open_rate=click_to_open)


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
    leads: pd.DataFrame, column: str, ids: ObjectArray, dtype: pd.PeriodDtype
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
    return _periods(leads[column], dtype)


def source_performance(
    leads: pd.DataFrame,
    *,
    source: str = "source",
    converted: str = "converted",
    value: str | None = None,
    freq: str | None = None,
    created: str = "created",
    lead_id: str | None = "lead_id",
) -> pd.DataFrame:
    r"""Leads, conversions and revenue per lead source, optionally per period.

    Seed 002 asks how many leads each source brings per period and how many become
    customers: a source that brings many leads (say, Facebook posts) may convert
    fewer than a smaller one (say, Google ads).

    Parameters
    ----------
    leads : DataFrame
        Canonical leads table, one row per lead.
    source : str, keyword-only, default "source"
        Column with each lead's source (any labels); a missing source forms its own
        group, labelled NaN, rather than being dropped.
    converted : str, keyword-only, default "converted"
        Column saying whether each lead converted: bool, pandas' nullable boolean, or
        the numbers 1 and 0 (integer or float columns; object columns of these).
        Every lead needs a flag: record False for leads not (yet) converted.
    value : str or None, keyword-only, default None
        Column with the revenue of each lead (numeric), read on converted leads only;
        gives the ``revenue`` and ``revenue_per_lead`` columns.
    freq : str or None, keyword-only, default None
        A pandas period alias ("W", "M", "Q", "Y" …) to split each source's leads by
        the period of their creation, in an extra ``period`` key.
    created : str, keyword-only, default "created"
        Column with each lead's creation time (datetime64; read only when ``freq`` is
        given; a time-zone-aware column is split by its local calendar).
    lead_id : str or None, keyword-only, default "lead_id"
        Column naming each lead (once) in error messages; ``None`` uses the index.

    Returns
    -------
    DataFrame
        Indexed by ``source`` in order of first appearance; with ``freq``, by source
        and ``period`` (pandas Periods, in time order; a source gets a row only for
        periods in which it brought leads). Columns ``leads`` and ``conversions``
        (int64), ``conversion_rate``, and with ``value``, ``revenue`` (of the
        converted leads) and ``revenue_per_lead`` (float64); a missing revenue on a
        converted lead makes its group's two NaN. No leads give no rows.

    Raises
    ------
    SchemaError
        A named column is missing, ``value`` is not numeric, or (with ``freq``)
        ``created`` does not hold datetimes.
    InvalidInputError
        A converted flag that is missing or not True/False/1/0, a repeated lead id,
        a negative or infinite revenue on a converted lead; with ``freq``, a lead
        without a creation date, or ``source="period"``; an unknown ``freq``; a
        column option that is not a column name; a source's revenue beyond float
        range (about 1.8e308). Each message names the leads concerned (the first few
        and how many).

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
    .. [1] Seed article 002 of salescore's reference (a sales manager's metrics,
       after Nutshell): count the leads each source brings per period and compare
       them with the customers won, for example Google ads against Facebook posts.

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
    period_dtype = None if freq is None else _period_dtype(freq)
    if period_dtype is not None and source == _PERIOD:
        raise InvalidInputError(
            f"source must not be a column named {_PERIOD!r} when freq is given "
            "(the period key has that name); rename the column"
        )
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
    counts: FloatArray = np.asarray(sizes, dtype=np.float64)
    table = pd.DataFrame(
        {
            "leads": sizes.astype("int64"),
            "conversions": sums["conversions"].astype("int64"),
            "conversion_rate": safe_divide(sums["conversions"].to_numpy(dtype=np.float64), counts),
        },
        index=sums.index,
    )
    if value is not None:
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
        periods = pd.PeriodIndex(table.index.get_level_values(_PERIOD))
        order = np.argsort(periods.asi8, kind="stable")
        table = table.iloc[order]
    return table
