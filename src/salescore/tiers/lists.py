"""The lists that follow the account plan: who needs a seller now?

Table functions over the canonical accounts frame, such as the plan from
:func:`~salescore.tiers.tables.tier_accounts`: the accounts past their contact cadence
(:func:`overdue_contacts`), the high tiers yielding least (:func:`cold_accounts`) and
the customers whose revenue fell (:func:`declining_accounts`). Every column name is a
keyword argument whose default is the canonical name. No account is dropped silently:
a list that cannot place an account (no tier, no temperature, no revenue figure) says
so with a :class:`~salescore.SalescoreWarning` naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from .. import schema
from .._arrays import option_choice, option_number, safe_divide
from .._tables import option_column, row_ids
from ..errors import InvalidInputError
from ._accounts import _amounts, _labels_in, _overdue, _required, _warn_unplaced
from .contact import _tier_codes as _label_codes
from .policy import _DEFAULT_POLICY, TIERS, TierPolicy, _codes_from, _policy

__all__ = ["cold_accounts", "declining_accounts", "overdue_contacts"]


# ------------------------------------------------------------------------ lists


def overdue_contacts(
    accounts: pd.DataFrame,
    *,
    today: Any,
    tier: str = "tier",
    last_contact: str = "last_contact",
    account_id: str | None = "account_id",
    order: Literal["days", "tier"] = "days",
    policy: TierPolicy = _DEFAULT_POLICY,
) -> pd.DataFrame:
    r"""The accounts past their contact cadence, most overdue and highest tier first.

    Reads the tier and the last contact of each account (the plan from
    :func:`tier_accounts`, or the CRM's own tier column) and lists the accounts whose
    next contact is before ``today``, with those never contacted at the top.

    Parameters
    ----------
    accounts : DataFrame
        One row per account, with a tier and a last-contact column.
    today : timestamp, keyword-only
        The date to measure from. Naive (read as UTC) or time-zone aware; beside a
        column of the other kind, the aware one is converted to UTC
        (:data:`salescore.schema.TIMESTAMPS`).
    tier : str, keyword-only, default "tier"
        Column of tier labels ``"A"``–``"D"`` (strings or a categorical).
    last_contact : str, keyword-only, default "last_contact"
        Column of last contacts (datetime64; NaT where never contacted).
    account_id : str or None, keyword-only, default "account_id"
        Column naming each account in messages; ``None`` uses the index.
    order : {"days", "tier"}, keyword-only, default "days"
        ``"days"``: most overdue first, ties by tier; ``"tier"``: A accounts first,
        most overdue first within a tier. Never-contacted accounts count as the most
        overdue. Equal keys keep the table's order.
    policy : TierPolicy, keyword-only, default TierPolicy()
        Cadence in days per tier.

    Returns
    -------
    DataFrame
        The overdue rows of ``accounts`` with every column, plus ``next_contact`` and
        ``days_overdue`` (> 0; NaN for never contacted), recomputed for ``today``
        (replacing columns of those names).

    Raises
    ------
    SchemaError
        A named column is missing, or ``last_contact`` does not hold datetimes.
    InvalidInputError
        Unknown tier labels, a missing ``today``, a ``today`` before a last contact
        or too far from a next contact for pandas' timestamps (naming the accounts),
        a column option that is not a column name (str), or an unknown ``order``.

    Warns
    -----
    SalescoreWarning
        Accounts with no tier have no cadence and cannot be listed; the warning
        names them.

    See Also
    --------
    tier_accounts : the plan this reads.
    days_overdue : the formula.

    Notes
    -----
    An account is listed when :math:`t_\text{today} - (t^\text{last} + c_\text{tier})
    > 0` days, or when it has a tier and was never contacted.

    References
    ----------
    .. [1] Wilson Learning Russia (wl-r.ru), blog article on raising sales from existing
       customers (Russian). See Sources in the documentation.

    Examples
    --------
    >>> import pandas as pd
    >>> import salescore
    >>> accounts = pd.DataFrame({
    ...     "account_id": ["a1", "a2", "a3", "a4"],
    ...     "tier": ["A", "B", "A", "D"],
    ...     "last_contact": pd.to_datetime(["2026-06-10", "2026-01-15", "2026-05-01", None]),
    ... })
    >>> salescore.overdue_contacts(accounts, today="2026-06-30")
      account_id tier last_contact next_contact  days_overdue
    3         a4    D          NaT          NaT           NaN
    1         a2    B   2026-01-15   2026-04-15          76.0
    2         a3    A   2026-05-01   2026-05-31          30.0
    >>> by_tier = salescore.overdue_contacts(accounts, today="2026-06-30", order="tier")
    >>> by_tier["account_id"].tolist()
    ['a3', 'a2', 'a4']
    """
    tier = _required("tier", tier)
    last_contact = _required("last_contact", last_contact)
    account_id = option_column("account_id", account_id, optional=True)
    policy = _policy(policy)
    how = option_choice("order", order, ("days", "tier"))
    if today is None:
        raise InvalidInputError("overdue_contacts needs today= (a timestamp)")
    read = {"tier": tier, "last_contact": last_contact, "account_id": account_id}
    schema.check_columns(accounts, "accounts", read)
    ids = row_ids(accounts, account_id)
    labels = pd.Series(accounts[tier].to_numpy(dtype=object), dtype=object)
    codes, _ = _label_codes(labels)
    last = accounts[last_contact].reset_index(drop=True)
    _, due, days = _overdue(last, labels, today, ids, policy)
    _warn_unplaced(codes == -1, ids, "have no tier, so no cadence; they are not listed")
    never = (codes >= 0) & np.isnan(days)
    listed = never | (days > 0.0)
    # Never contacted sorts as the most overdue of all.
    urgency = np.where(never, np.inf, days)
    keys = (codes, -urgency) if how == "tier" else (-urgency, codes)
    rows = np.flatnonzero(listed)
    rows = rows[np.lexsort((rows, *reversed([key[rows] for key in keys])))]
    out = accounts.iloc[rows].copy()
    out["next_contact"] = due.to_numpy()[rows]
    out["days_overdue"] = days[rows]
    return out


def cold_accounts(
    accounts: pd.DataFrame,
    *,
    tiers: Sequence[str] = ("A", "B"),
    bands: Sequence[str] | None = None,
    tier: str = "tier",
    temperature: str = "temperature",
    account_id: str | None = "account_id",
    policy: TierPolicy = _DEFAULT_POLICY,
) -> pd.DataFrame:
    r"""The high-tier accounts in the coldest bands: Wilson Learning's "blue" list.

    An A account that yields little is marked blue, near freezing, and its seller and
    manager must rethink the approach (Wilson Learning Russia's article on raising
    sales from existing customers). This lists the accounts of the chosen tiers whose
    temperature falls in the chosen bands, best tier and coldest first.

    Parameters
    ----------
    accounts : DataFrame
        One row per account with a tier and a temperature column, such as the plan
        from :func:`tier_accounts`.
    tiers : sequence of str, keyword-only, default ("A", "B")
        Tiers to look at.
    bands : sequence of str or None, keyword-only, default None
        Band names to list (of ``policy.band_names``); ``None`` means the coldest
        band alone (``"blue"`` by default).
    tier : str, keyword-only, default "tier"
        Column of tier labels.
    temperature : str, keyword-only, default "temperature"
        Column of temperatures (numeric, >= 0), as from :func:`temperature`.
    account_id : str or None, keyword-only, default "account_id"
        Column naming each account in messages; ``None`` uses the index.
    policy : TierPolicy, keyword-only, default TierPolicy()
        Band names and thresholds.

    Returns
    -------
    DataFrame
        The listed rows of ``accounts`` with every column plus ``band`` (recomputed
        from the temperature with ``policy``), sorted by tier (A first), then
        temperature (coldest first), then the table's order.

    Raises
    ------
    SchemaError
        A named column is missing or ``temperature`` is not numeric.
    InvalidInputError
        Unknown tier labels or band names, a negative or infinite temperature, or a
        column option that is not a column name (str).

    Warns
    -----
    SalescoreWarning
        Accounts of the chosen tiers with an unknown temperature cannot be placed in
        a band; the warning names them.

    See Also
    --------
    tier_accounts, temperature_band

    References
    ----------
    .. [1] Wilson Learning Russia (wl-r.ru), blog article on raising sales from existing
       customers (Russian). See Sources in the documentation.

    Examples
    --------
    >>> import pandas as pd
    >>> import salescore
    >>> accounts = pd.DataFrame({
    ...     "account_id": ["a1", "a2", "a3", "a4"],
    ...     "tier": ["A", "A", "B", "C"],
    ...     "temperature": [0.9, 0.1, 0.2, 0.0],
    ... })
    >>> salescore.cold_accounts(accounts)
      account_id tier  temperature  band
    1         a2    A          0.1  blue
    2         a3    B          0.2  blue
    >>> colder = salescore.cold_accounts(accounts, tiers=["A"], bands=["blue", "yellow"])
    >>> colder["account_id"].tolist()
    ['a2']
    """
    tier = _required("tier", tier)
    temperature = _required("temperature", temperature)
    account_id = option_column("account_id", account_id, optional=True)
    policy = _policy(policy)
    wanted_tiers = set(_labels_in("tiers", tiers, TIERS))
    coldest = (policy.band_names[-1],) if bands is None else bands
    wanted_bands = _labels_in("bands", coldest, policy.band_names)
    read = {"tier": tier, "temperature": temperature, "account_id": account_id}
    schema.check_columns(accounts, "accounts", read, kinds={"temperature": "number"})
    ids = row_ids(accounts, account_id)
    labels = pd.Series(accounts[tier].to_numpy(dtype=object), dtype=object)
    codes, _ = _label_codes(labels)
    heat = _amounts(accounts, temperature, ids)
    band_codes = _codes_from(heat, policy.band_thresholds, zero_last=False)
    chosen = np.isin(codes, [TIERS.index(t) for t in wanted_tiers])
    _warn_unplaced(chosen & np.isnan(heat), ids, "have an unknown temperature; they are not listed")
    wanted_codes = [policy.band_names.index(name) for name in wanted_bands]
    rows = np.flatnonzero(chosen & np.isin(band_codes, wanted_codes))
    rows = rows[np.lexsort((rows, heat[rows], codes[rows]))]
    out = accounts.iloc[rows].copy()
    table = np.array([*policy.band_names, None], dtype=object)
    out["band"] = pd.Categorical(
        table[band_codes[rows]], categories=pd.Index(policy.band_names), ordered=True
    )
    return out


def declining_accounts(
    accounts: pd.DataFrame,
    *,
    current: str = "annual_revenue",
    previous: str = "previous_revenue",
    threshold: float = -0.2,
    account_id: str | None = "account_id",
) -> pd.DataFrame:
    r"""Customers whose revenue fell by more than a threshold, worst first.

    Wilson Learning Russia's article on raising sales from existing customers: track
    falling revenue per customer, and ask those customers for feedback. The change is
    relative to the previous period's revenue, so a fall from 100,000 to 70,000 is
    −0.3.

    Parameters
    ----------
    accounts : DataFrame
        One row per account with this and the previous period's revenue.
    current, previous : str, keyword-only
        Columns of revenue in the current and the previous period (numeric, >= 0,
        one currency); defaults ``"annual_revenue"`` and ``"previous_revenue"``.
    threshold : float, keyword-only, default -0.2
        A relative change in [−1, 0]; accounts whose change is below it are listed
        (−0.2: revenue fell by more than 20 %). −1 lists nobody, 0 every fall.
    account_id : str or None, keyword-only, default "account_id"
        Column naming each account in messages; ``None`` uses the index.

    Returns
    -------
    DataFrame
        The listed rows of ``accounts`` with every column plus ``revenue_change``,
        sorted from the largest fall (−1: the customer stopped buying) up, then by the
        table's order. Accounts with no previous revenue (new customers) have no
        change and are not listed.

    Raises
    ------
    SchemaError
        A named column is missing or not numeric.
    InvalidInputError
        A negative or infinite revenue (naming the accounts), a threshold outside
        [−1, 0], or a column option that is not a column name (str).

    Warns
    -----
    SalescoreWarning
        Accounts with an unknown current or previous revenue have no known change;
        the warning names them.

    See Also
    --------
    revenue_change : the formula.

    Notes
    -----
    .. math::

        \Delta_i = \frac{x_i^\text{current} - x_i^\text{previous}}{x_i^\text{previous}},
        \qquad \text{listed when } \Delta_i < \text{threshold}

    References
    ----------
    .. [1] Wilson Learning Russia (wl-r.ru), blog article on raising sales from existing
       customers (Russian). See Sources in the documentation.

    Examples
    --------
    >>> import pandas as pd
    >>> import salescore
    >>> accounts = pd.DataFrame({
    ...     "account_id": ["a1", "a2", "a3", "a4"],
    ...     "annual_revenue": [70_000.0, 95_000.0, 0.0, 20_000.0],
    ...     "previous_revenue": [100_000.0, 100_000.0, 40_000.0, 0.0],
    ... })
    >>> salescore.declining_accounts(accounts)
      account_id  annual_revenue  previous_revenue  revenue_change
    2         a3             0.0           40000.0            -1.0
    0         a1         70000.0          100000.0            -0.3
    """
    current = _required("current", current)
    previous = _required("previous", previous)
    account_id = option_column("account_id", account_id, optional=True)
    limit = option_number("threshold", threshold)
    if not -1.0 <= limit <= 0.0:
        raise InvalidInputError(
            f"threshold must be a relative change in [-1, 0] (-0.2 = a fall of more than "
            f"20 %); got {threshold!r}"
        )
    read = {"annual_revenue": current, "previous_revenue": previous, "account_id": account_id}
    schema.check_columns(accounts, "accounts", read, kinds={"previous_revenue": "number"})
    ids = row_ids(accounts, account_id)
    now = _amounts(accounts, current, ids)
    before = _amounts(accounts, previous, ids)
    _warn_unplaced(
        np.isnan(now) | np.isnan(before),
        ids,
        "have an unknown current or previous revenue; they are not listed",
    )
    # Amounts are >= 0, so the difference cannot overflow; a quotient beyond float range
    # is a rise (inf), one below it a change of 0.
    with np.errstate(all="ignore"):
        change = np.asarray(safe_divide(now - before, before), dtype=np.float64)
        falling = change < limit
    rows = np.flatnonzero(falling)
    rows = rows[np.lexsort((rows, change[rows]))]
    out = accounts.iloc[rows].copy()
    out["revenue_change"] = change[rows]
    return out
