"""The sample CRM: the record of its tables and the function that makes it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from .._arrays import option_count, option_number
from ..errors import InvalidInputError
from ..fiscal import FiscalCalendar
from ..money import ExchangeRates
from ._accounts import make_book, make_last_contact
from ._calendar import AS_OF, CURRENCY, stamps
from ._changes import in_deal_currencies, make_changes
from ._contracts import bill, lives, renewals, upsells
from ._deals import STAGES, WON, Drafts, new_business, write
from ._leads import TARGETS, make_activities, make_leads
from ._money import CURRENCIES, FISCAL_CALENDAR, RATES, in_currencies

__all__ = ["MAX_SEED", "SampleCRM", "sample"]

#: The largest seed: 128 bits, the entropy NumPy's SeedSequence is designed around.
MAX_SEED: Final = 2**128 - 1

_QUARTER_END: Final = pd.Timestamp("2026-04-01")  # the quota's quarter ends before this
_DEALS: Final = 5_000


# ------------------------------------------------------------------------ record


def _frame(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, pd.DataFrame):
        raise InvalidInputError(f"{attribute.name} must be a DataFrame; got {type(value).__name__}")


def _finite(name: str, value: object) -> float:
    number = option_number(name, value)
    if not 0.0 <= number < math.inf:
        raise InvalidInputError(f"{name} must be a finite number >= 0; got {value!r:.60}")
    return number


def _timestamp(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, pd.Timestamp):  # NaT is no Timestamp
        raise InvalidInputError(
            f"as_of must be a pandas Timestamp; got {type(value).__name__} {value!r:.60}"
        )


def _quota_field(value: object) -> float:
    return _finite("quota", value)


def _targets(value: object) -> dict[str, float]:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise InvalidInputError(
            f"targets must be a mapping of activity kind (str) to a number; got {value!r:.60}"
        )
    return {key: _finite(f"targets[{key!r:.40}]", number) for key, number in value.items()}


def _headcount(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, pd.Series):
        raise InvalidInputError(
            f"headcount must be a Series of sellers by month; got {type(value).__name__}"
        )
    if (
        pd.api.types.is_bool_dtype(value.dtype)
        or pd.api.types.is_complex_dtype(value.dtype)
        or not pd.api.types.is_numeric_dtype(value.dtype)
    ):
        raise InvalidInputError(f"headcount must hold numbers; got dtype {value.dtype}")
    numbers = value.to_numpy(dtype=np.float64, na_value=np.nan)
    if not (np.isfinite(numbers) & (numbers >= 0)).all():
        raise InvalidInputError("headcount must hold finite numbers >= 0")


def _stages(value: object) -> tuple[str, ...]:
    if (
        isinstance(value, (str, bytes))
        or not isinstance(value, (tuple, list))
        or not all(isinstance(stage, str) for stage in value)
    ):
        raise InvalidInputError(f"stages must be a tuple of str; got {value!r:.60}")
    return tuple(value)


def _currency(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"currency must be a currency code (str); got {value!r:.60}")


def _kind(kind: type) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise InvalidInputError(
                f"{attribute.name} must be a {kind.__name__}; got {type(value).__name__}"
            )

    return check


def _currencies(value: object) -> tuple[str, ...]:
    given = tuple(value) if isinstance(value, (tuple, list)) else None
    if given is None or given not in CURRENCIES:
        raise InvalidInputError(
            f"currencies must be one of {', '.join(map(repr, CURRENCIES))}; got {value!r:.60}"
        )
    return given


def _seed(value: object) -> int:
    return option_count("seed", value, maximum=MAX_SEED)


@attrs.frozen(kw_only=True, eq=False)
class SampleCRM:
    r"""A synthetic CRM: the canonical tables of one sales team, and its targets.

    Made by :func:`sample`. The frames are ordinary DataFrames: change a copy, not the
    record's own.

    Parameters
    ----------
    deals : DataFrame
        One row per deal: ``deal_id, account_id, owner, stage, value, probability,
        currency, created, close_date, status, forecast_category, source,
        lost_reason``. Open deals have an expected close date on or after ``as_of``.
        ``value`` is a yearly subscription value; ``source`` is ``"referral"``,
        ``"inbound"`` or ``"outbound"`` for new business, ``"existing customer"`` for
        an upsell and ``"renewal"`` for the renewal of a yearly contract (won on its
        anniversary, its close date).
    stage_history : DataFrame
        One row per visit of a deal to a stage: ``deal_id, stage, entered, exited``
        (``exited`` is NaT for the stage a deal is in now, Closed Won and Closed Lost
        included).
    deal_changes : DataFrame
        The CRM's field history: one row per change of a deal holding its whole state
        after the change, ``deal_id, changed_at, stage, value, probability,
        close_date, forecast_category, status, currency, owner, source`` (the canonical
        ``deal_changes`` table, the shape of Salesforce's OpportunityHistory). A
        deal's first row is its creation, its stage changes when the stage history
        says it entered one, and its last row equals its row of ``deals``. Expected
        close dates start optimistic and are pushed out, a few pulled in; values
        change now and then before the close; the probabilities are the CRM's, which
        the simulation does not win with (see :func:`sample`).
    accounts : DataFrame
        One row per account: ``account_id, name, owner, size, region, industry,
        annual_revenue`` (2025), ``previous_revenue`` (2024), ``last_contact`` (NaT
        for a few never contacted).
    leads : DataFrame
        One row per lead: ``lead_id, source, owner, channel, created,
        first_contact`` (NaT when never attempted), ``reached`` (the first attempts
        got through), ``converted``, ``value`` (the yearly revenue of a converted
        lead, NaN otherwise).
    activities : DataFrame
        One row per activity: ``owner, date, kind, outcome``.
    transactions : DataFrame
        One row per invoice: ``customer_id`` (an ``account_id``), ``date``,
        ``amount``: a twelfth of the yearly value of a won deal (new business,
        renewal or upsell) every month from its close date while the customer stays,
        or of the contract a customer from before 2024 had then.
    as_of : Timestamp
        The data set's "today": every event is before it.
    quota : float
        The target for the first quarter of 2026, for the open deals expected to close
        in it (``close_date`` before April 2026); see :func:`sample`.
    targets : mapping
        Activities per seller and week, per kind.
    headcount : Series
        Sellers per month (a monthly PeriodIndex over 2024 and 2025).
    stages : tuple of str
        The funnel in order, for :func:`~salescore.stage_funnel`.
    currency : str
        The corporate currency (EUR): of every amount, but of the deals in SEK when
        ``sample(currencies=("EUR", "SEK"))`` made the record.
    rates : ExchangeRates
        The dated exchange rates to convert the deals to ``currency`` with
        (:func:`salescore.money.convert`): SEK against EUR, one a month.
    fiscal_calendar : FiscalCalendar
        The company's fiscal year: from 1 April, named by the year it ends, so the
        quota's quarter (January to March 2026) is FY2026 Q4.
    seed : int
        The random seed the data was made from.

    Raises
    ------
    InvalidInputError
        A field of the wrong kind: a table not a DataFrame, ``as_of`` not a
        Timestamp, ``quota`` or a target not a finite number >= 0, ``headcount`` not a
        Series of them, ``stages`` not str, ``currency`` not a code, ``rates`` not an
        :class:`~salescore.money.ExchangeRates`, ``fiscal_calendar`` not a
        :class:`~salescore.fiscal.FiscalCalendar`, ``seed`` not an integer from 0 to
        :data:`MAX_SEED`.

    See Also
    --------
    sample : makes this record.

    Examples
    --------
    >>> from salescore.datasets import sample
    >>> crm = sample()
    >>> crm.stages
    ('Prospecting', 'Qualification', 'Proposal', 'Negotiation', 'Closed Won')
    >>> crm.targets["call"], crm.headcount.loc["2024-06":"2024-07"].tolist()
    (50.0, [7.0, 8.0])
    """

    deals: pd.DataFrame = attrs.field(validator=_frame, repr=False)
    stage_history: pd.DataFrame = attrs.field(validator=_frame, repr=False)
    deal_changes: pd.DataFrame = attrs.field(validator=_frame, repr=False)
    accounts: pd.DataFrame = attrs.field(validator=_frame, repr=False)
    leads: pd.DataFrame = attrs.field(validator=_frame, repr=False)
    activities: pd.DataFrame = attrs.field(validator=_frame, repr=False)
    transactions: pd.DataFrame = attrs.field(validator=_frame, repr=False)
    as_of: pd.Timestamp = attrs.field(validator=_timestamp)
    quota: float = attrs.field(converter=_quota_field)
    targets: Mapping[str, float] = attrs.field(converter=_targets)
    headcount: pd.Series[float] = attrs.field(repr=False, validator=_headcount)
    stages: tuple[str, ...] = attrs.field(default=(*STAGES, WON), converter=_stages)
    currency: str = attrs.field(default=CURRENCY, validator=_currency)
    rates: ExchangeRates = attrs.field(default=RATES, repr=False, validator=_kind(ExchangeRates))
    fiscal_calendar: FiscalCalendar = attrs.field(
        default=FISCAL_CALENDAR, validator=_kind(FiscalCalendar)
    )
    seed: int = attrs.field(default=0, converter=_seed)


# ------------------------------------------------------------------------ sample


def _quota(deals: pd.DataFrame) -> float:
    """Half a standard deviation above what the quarter's open deals should bring."""
    due = (deals["status"] == "open") & (deals["close_date"] < _QUARTER_END)
    value = deals.loc[due, "value"].to_numpy(dtype=np.float64)
    probability = deals.loc[due, "probability"].to_numpy(dtype=np.float64)
    mean = float(np.sum(value * probability))
    std = float(np.sqrt(np.sum(value**2 * probability * (1.0 - probability))))
    return float(np.ceil((mean + 0.5 * std) / 10_000.0) * 10_000.0)


def sample(seed: int = 0, *, currencies: tuple[str, ...] = ("EUR",)) -> SampleCRM:
    r"""A synthetic CRM of one sales team over 2024 and 2025, the same for the same seed.

    Every table of the canonical schema, consistent with each other and plausible
    enough to show what each of salescore's table functions tells a sales manager:
    5,000 deals with their stage history and their changes, 1,500 accounts, 10,000
    leads, about 90,000 activities and the customers' invoices, with the quota,
    activity targets and headcount to set them against. The invoices follow from the
    won deals, so the deals won in a year and the year's invoices agree in scale;
    about one customer in six is lost in a year. The module's docstring lists the
    assumptions. Nothing is read from disk or the network; it takes under a second.

    Parameters
    ----------
    seed : int, default 0
        Seed of NumPy's random generator, from 0 to :data:`MAX_SEED` (2**128 - 1).
        Another seed gives another team with the same character.
    currencies : tuple of str, keyword-only, default ("EUR",)
        The deals' currencies: ``("EUR",)``, every amount in euros, or ``("EUR",
        "SEK")``, the deals of the accounts of the North region in Swedish kronor at
        the rate of ``rates`` in force on their close date (rounded to the öre), as
        a Nordic team's CRM keeps them. :func:`salescore.money.convert` with the
        record's ``rates`` brings them back to euros; the tables that add amounts
        refuse them until then. The change log holds each deal's amounts in the
        deal's currency, at the rate of its final close date (so a moved close date
        alone leaves the amount as it was). Every other table is the same either
        way.

    Returns
    -------
    SampleCRM
        The tables, ``as_of`` (2026-01-01, every event is before it), ``quota``,
        ``targets``, ``headcount``, the funnel ``stages``, the ``currency``, the
        exchange ``rates`` and the ``fiscal_calendar``.

    Raises
    ------
    InvalidInputError
        ``seed`` is not an integer from 0 to :data:`MAX_SEED`, or ``currencies`` not
        one of the two choices.

    See Also
    --------
    SampleCRM : what each table holds.

    Notes
    -----
    A lead first attempted :math:`t` minutes after it arrived is reached with odds

    .. math::

        \frac{p(t)}{1 - p(t)} = \frac{p_c}{1 - p_c}
            \left(\frac{\max(t, 1)}{5}\right)^{-0.8},

    where :math:`p_c` is the rate of the channel at 5 minutes (0.75 by phone, 0.55
    by email, 0.40 on social networks): the power law :func:`~salescore.fit_decay`
    fits, so it recovers the exponent. A new-business or upsell deal from source
    :math:`s` leaves stage :math:`k` for the next with probability :math:`q_k^{e_s}`,
    with :math:`q = (0.55, 0.6, 0.6, 0.65)` and :math:`e_s` 0.4 for upsells, 0.6 for
    referrals, 1 for inbound and 1.4 for outbound deals. A new customer's
    subscription is worth its potential :math:`P_i` times the share :math:`r_i \sim
    \mathrm{Beta}(30, 5)` it realises a year; a yearly contract is renewed with
    probability :math:`\rho` (0.78 to 0.92 by size) on each anniversary, so a customer
    stays :math:`1 / (1 - \rho)` years on average; every month brings an invoice of
    a twelfth of the yearly value.

    The CRM's probabilities are EspoCRM's stage defaults, 0.1, 0.2, 0.5 and 0.8
    (0.6 to 0.9 for renewals), moved by 0.05 or 0.1 for a third of the deals; the
    simulation wins with other rates, :math:`P(\text{win} \mid \text{reached } k) =
    \prod_{j \ge k} q_j^{e_s}` for new business and upsells (0.24, 0.38, 0.53 and 0.73
    over the sample's mix) and 0.84 to 0.94 for renewals: the CRM's numbers are too
    low at the first two stages and for renewals and too high in Negotiation. In the
    change log a new deal's
    first expected close date is 55 to 100 % of its usual cycle away; when it is about
    to pass the seller pushes it out by a geometric number of weeks (five on average):
    about a third of the new-business and upsell deals are pushed, one in seven at
    least twice, one in eleven pulled in. Over a quarter of the deals change value
    before they close, by a discount of 5 to 20 % or an upsizing of 10 to 40 %.

    The quota is for the deals due in the first quarter of 2026, half a standard
    deviation above what they are expected to bring, :math:`\sum_i v_i p_i`, rounded
    up to 10,000: a target the pipeline reaches about one time in three.

    References
    ----------
    .. [1] Nutshell, the sales metrics a sales manager should track (Norwegian edition
       of the CRM vendor's article): lead response time, lead sources, stage conversion,
       upsells to existing customers, the forecast, activity reports and a spike of
       deals lost to a competitor.
    .. [2] Wilson Learning Russia (wl-r.ru), blog article on raising sales from existing
       customers: tiers by potential and blue (cold) A accounts.
    .. [3] J. B. Oldroyd, K. McElheran and D. Elkington, "The Short Life of Online
       Sales Leads", Harvard Business Review, March 2011.

    Examples
    --------
    >>> import salescore
    >>> from salescore.datasets import sample
    >>> crm = sample()
    >>> crm.as_of, crm.currency, crm.stages[-1]
    (Timestamp('2026-01-01 00:00:00'), 'EUR', 'Closed Won')
    >>> crm.deals["status"].value_counts().to_dict()
    {'lost': 3011, 'won': 1539, 'open': 450}
    >>> plan = salescore.tier_accounts(crm.accounts, today=crm.as_of)
    >>> plan["tier"].value_counts().sort_index().to_dict()
    {'A': 68, 'B': 256, 'C': 1053, 'D': 123}
    >>> crm.quota
    3770000.0

    With a second currency, the North accounts' deals are in kronor; the record's
    dated rates bring them back to euros, and its fiscal year starts in April:

    >>> nordic = sample(currencies=("EUR", "SEK"))
    >>> nordic.deals["currency"].value_counts().to_dict()
    {'EUR': 3643, 'SEK': 1357}
    >>> euros = salescore.convert(nordic.deals, to="EUR", rates=nordic.rates)
    >>> float((euros["value"] - crm.deals["value"]).abs().max()) < 0.01
    True
    >>> crm.fiscal_calendar.period_of(crm.as_of, kind="quarter")
    'FY2026 Q4'

    The change log ends where the deals table is:

    >>> last = crm.deal_changes.groupby("deal_id").tail(1).reset_index(drop=True)
    >>> columns = ["deal_id", "stage", "value", "probability", "close_date", "status"]
    >>> last[columns].equals(crm.deals[columns])
    True

    The same seed gives the same data; a seed must be a whole number:

    >>> sample(0).deals.equals(crm.deals)
    True
    >>> sample(1.5)
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: seed must be a non-negative integer; got float 1.5
    """
    seed = option_count("seed", seed, maximum=MAX_SEED)
    held = _currencies(currencies)
    # Accounts, deals and invoices depend on each other and share a stream; the leads
    # and activities have their own, so that a change to the deals leaves them alone.
    # The change log has a stream of its own too: the fifth child leaves the first four
    # as they were.
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)]
    rng = streams[0]
    book = make_book(rng)
    new = new_business(rng, book)
    life = lives(rng, book, new)
    renewal = renewals(rng, book, life)
    upsell = upsells(rng, book, life, _DEALS - new.created.size - renewal.created.size)
    renewal, transactions, annual, previous = bill(rng, book, life, renewal, upsell)
    drafts = Drafts.concat([new, upsell, renewal])
    deals, history = write(rng, book, drafts)
    changes = make_changes(streams[4], book, drafts, deals)
    last_contact = make_last_contact(streams[1], book, (annual + previous) > 0)
    accounts = book.frame.assign(
        annual_revenue=annual, previous_revenue=previous, last_contact=stamps(last_contact)
    )
    months = pd.period_range("2024-01", periods=24, freq="M")
    headcount = pd.Series(np.where(np.arange(24) < 6, 7.0, 8.0), index=months, name="headcount")
    held_deals = in_currencies(deals, accounts, held)
    return SampleCRM(
        deals=held_deals,
        stage_history=history,
        deal_changes=in_deal_currencies(changes, held_deals),
        accounts=accounts,
        leads=make_leads(streams[2]),
        activities=make_activities(streams[3]),
        transactions=transactions,
        as_of=AS_OF,
        quota=_quota(deals),
        targets=TARGETS,
        headcount=headcount,
        seed=seed,
    )
