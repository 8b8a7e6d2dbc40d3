"""Channel effectiveness and email engagement: which outreach efforts reach people?

:func:`channel_effectiveness` (attempts, contacts and conversions of outreach channels)
and :func:`email_engagement` (emails sent, opened and clicked) take counts and return a
frozen record of rates, each in the counts' container. The table of lead sources is
:func:`~salescore.leads.sources.source_performance`.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar, overload

import attrs
import numpy as np
import pandas as pd

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
from .._tables import SHOWN
from ..errors import InvalidInputError

__all__ = [
    "ChannelEffectiveness",
    "EmailEngagement",
    "channel_effectiveness",
    "email_engagement",
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
    >>> from salescore.leads.channels import channel_effectiveness
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
    >>> from salescore.leads.channels import email_engagement
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

    Nutshell's article on the sales metrics a sales manager should track asks how well
    each channel — cold calls, cold email, social messages — reaches people and how
    many of those reached buy. A channel that reaches many but converts few can lose to
    one that reaches few but converts most: what counts is the product, the customers
    won per attempt.

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
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): email reaches 40 % of prospects and 2 % of those convert;
       phone reaches 10 % and nearly all of those buy, so the phone is the more
       effective channel. See Sources in the documentation.

    Examples
    --------
    Nutshell's channels, 1,000 attempts each (the phone's "nearly all" taken as all),
    and a channel not tried:

    >>> import pandas as pd
    >>> from salescore.leads.channels import channel_effectiveness
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

    As Nutshell's article on the sales metrics a sales manager should track reads them,
    a low open rate points at the subject lines and a low click rate among those who
    opened points at the content. Pass a Series of counts per campaign or template to
    compare them.

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
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): track the open and click-through rates of follow-up emails;
       low opens call for better subject lines, low clicks for better content. See
       Sources in the documentation.

    Examples
    --------
    >>> from salescore.leads.channels import email_engagement
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
