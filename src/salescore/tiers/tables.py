"""Account-plan tables: tiers with cadence and temperature, and the lists that follow.

Table functions over the canonical accounts frame (``account_id, name, segment columns
(size, region, industry …), annual_revenue, last_contact, tier``). Every column name is
a keyword argument whose default is the canonical name. No account is dropped
silently: a list that cannot place an account (no tier, no temperature, no revenue
figure) says so with a :class:`~salescore.SalescoreWarning` naming it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import schema
from .._arrays import FloatArray, option_choice, option_flag, option_number, safe_divide
from .._tables import float_column, option_column, row_ids, which
from ..errors import InvalidInputError, SalescoreWarning
from .classify import _peer_options, _tier_codes, segment_potential
from .contact import _measure, _schedule
from .contact import _tier_codes as _label_codes
from .policy import _DEFAULT_POLICY, TIERS, TierPolicy, _codes_from, _policy

__all__ = ["cold_accounts", "declining_accounts", "overdue_contacts", "tier_accounts"]

ObjectArray = npt.NDArray[np.object_]
BoolArray = npt.NDArray[np.bool_]

_SEGMENTS: Final = ("size", "region", "industry")


# --------------------------------------------------------------------- the plan


def tier_accounts(
    accounts: pd.DataFrame,
    *,
    today: Any = None,
    revenue: str = "annual_revenue",
    segments: str | Sequence[str] = _SEGMENTS,
    last_contact: str | None = "last_contact",
    account_id: str | None = "account_id",
    benchmark: Literal["max", "quantile"] | float = "max",
    quantile: float | None = None,
    statistic: Literal["max", "median", "mean"] | float = "max",
    min_peers: int = 1,
    skipna: bool = False,
    policy: TierPolicy = _DEFAULT_POLICY,
) -> pd.DataFrame:
    r"""The account plan: each account's potential, tier, temperature and next contact.

    Seed 003's method in one call. Each account's potential is the larger of what it
    brings and what the buying accounts of its segment bring
    (:func:`segment_potential`), so a non-buyer that resembles the best customers is
    an A prospect. The potentials are tiered against the benchmark
    (:func:`classify_tiers`); each tier should yield its level of the benchmark, and
    revenue ÷ that is the account's temperature (:func:`temperature`). The tier sets
    the contact channel and cadence, and so the next contact date and the days
    overdue (:func:`days_overdue`).

    Parameters
    ----------
    accounts : DataFrame
        Canonical accounts table, one row per account.
    today : timestamp, keyword-only
        The date to measure overdue days from; required when ``last_contact`` is
        given (explicit, so that results do not depend on when the code runs). Naive
        (read as UTC) or time-zone aware; beside a column of the other kind, the aware
        one is converted to UTC (:data:`salescore.schema.TIMESTAMPS`).
    revenue : str, keyword-only, default "annual_revenue"
        Column of annual revenue per account (numeric, >= 0, one currency).
    segments : str or sequence of str, keyword-only, default ("size", "region", "industry")
        Columns whose values make accounts peers. Every value must be present: fill a
        missing one with a label such as ``"unknown"`` (which makes those accounts
        peers of each other) or leave the account out, so that the choice is yours.
        An empty sequence tiers the accounts by what they bring alone.
    last_contact : str or None, keyword-only, default "last_contact"
        Column of each account's last contact (datetime64; NaT where never contacted).
        ``None`` leaves the contact dates out of the plan.
    account_id : str or None, keyword-only, default "account_id"
        Column naming each account in the plan and in error messages; ``None`` uses
        the index.
    benchmark, quantile : keyword-only
        What a share of 1 means, as in :func:`classify_tiers`; computed over the
        potentials.
    statistic, min_peers : keyword-only
        The lookalike statistic and the fewest buying peers a segment needs, as in
        :func:`segment_potential`.
    skipna : bool, keyword-only, default False
        Leave accounts of unknown revenue out of the benchmark and out of their
        segment's statistic. By default an unknown revenue makes the statistics it
        enters unknown, following the NaN policy.
    policy : TierPolicy, keyword-only, default TierPolicy()
        Levels, cut-offs, cadences, channels and temperature bands.

    Returns
    -------
    DataFrame
        One row per account, on the index of ``accounts`` and in its order, with
        columns ``account_id`` (when given), ``revenue``, ``potential``, ``tier``
        (ordered categorical, A first), ``expected_revenue`` (the tier's level ×
        the benchmark), ``temperature`` (revenue ÷ expected revenue; NaN for D,
        which is expected to yield nothing), ``band`` (ordered categorical, hottest
        first), ``channel``, ``cadence_days`` and, with ``last_contact``,
        ``last_contact``, ``next_contact`` and ``days_overdue`` (negative: days
        left; NaN for an account never contacted). An account of unknown revenue has
        an unknown potential, tier and everything that follows from them.

    Raises
    ------
    SchemaError
        A named column is missing, ``revenue`` is not numeric, or ``last_contact``
        does not hold datetimes.
    InvalidInputError
        A negative or infinite revenue, a missing segment value, no ``today`` when
        ``last_contact`` is given, a ``today`` before a last contact or too far from
        a next contact for pandas' timestamps (naming the accounts), a benchmark so
        small that a temperature exceeds the float range, a column option that is not
        a column name (str), or an invalid option (``skipna`` not a bool …).

    See Also
    --------
    overdue_contacts : the accounts past their cadence.
    cold_accounts : the high tiers yielding least.
    declining_accounts : customers whose revenue fell.

    Notes
    -----
    With :math:`x_i` the revenue, :math:`S(i)` the segment peers, :math:`b` the
    benchmark and :math:`\ell_t` the level of tier :math:`t` (0 for D):

    .. math::

        p_i = \max\bigl(x_i,\ \operatorname{stat}\{x_j : j \in S(i),\ x_j > 0\}\bigr),
        \qquad t_i = \text{tier}(p_i / b), \qquad
        \theta_i = \frac{x_i}{\ell_{t_i}\, b}

    A segment with fewer than ``min_peers`` buyers gives no lookalike potential, so
    its accounts keep their own revenue as potential.

    References
    ----------
    .. [1] Seed article 003 of salescore's reference (Russian).

    Examples
    --------
    >>> import pandas as pd
    >>> import salescore
    >>> accounts = pd.DataFrame({
    ...     "account_id": ["a1", "a2", "a3", "a4"],
    ...     "size": ["large", "large", "large", "small"],
    ...     "annual_revenue": [120_000.0, 30_000.0, 0.0, 0.0],
    ...     "last_contact": pd.to_datetime(["2026-06-10", "2026-03-01", None, "2026-01-01"]),
    ... })
    >>> plan = salescore.tier_accounts(accounts, segments="size", today="2026-06-30")
    >>> plan[["account_id", "potential", "tier", "temperature", "band", "days_overdue"]]
      account_id  potential tier  temperature  band  days_overdue
    0         a1   120000.0    A         1.00   red         -10.0
    1         a2   120000.0    A         0.25  yellow       91.0
    2         a3   120000.0    A         0.00  blue          NaN
    3         a4        0.0    D          NaN   NaN          0.0

    a2 and a3 look like a1, so they are A accounts: a2 yields a quarter of what an
    A account should, a3 nothing (blue, near freezing), and a3 was never contacted.
    """
    revenue = _required("revenue", revenue)
    last_contact = option_column("last_contact", last_contact, optional=True)
    account_id = option_column("account_id", account_id, optional=True)
    policy = _policy(policy)
    skip = option_flag("skipna", skipna)
    _peer_options(statistic, min_peers)  # checked even when no segment reads them
    columns = _column_list("segments", segments, empty=True)
    read = {"annual_revenue": revenue, "last_contact": last_contact, "account_id": account_id}
    schema.check_columns(accounts, "accounts", read, others=columns)
    if last_contact is not None and today is None:
        raise InvalidInputError(
            "tier_accounts needs today= (a timestamp) to count the days overdue; "
            "pass last_contact=None to leave the contact dates out"
        )
    ids = row_ids(accounts, account_id)
    x = _amounts(accounts, revenue, ids)
    potential = x.copy()
    if columns:
        _require_segments(accounts, columns, ids)
        potential = _potential(accounts, x, columns, statistic, min_peers, skip)
    codes, scale = _tier_codes(potential, benchmark, quantile, skipna=skip, policy=policy)
    levels = np.array([*policy.levels, 0.0, np.nan])[codes]
    heat = _temperatures(x, levels, scale, ids, revenue)
    with np.errstate(all="ignore"):  # a level of a subnormal benchmark rounds to 0
        expected = levels * scale
    plan = pd.DataFrame(index=accounts.index)
    if account_id is not None:
        plan["account_id"] = accounts[account_id].to_numpy()
    plan["revenue"] = x
    plan["potential"] = potential
    plan["tier"] = pd.Categorical.from_codes(codes, categories=pd.Index(TIERS), ordered=True)
    plan["expected_revenue"] = expected
    plan["temperature"] = heat
    band_codes = _codes_from(heat, policy.band_thresholds, zero_last=False)
    plan["band"] = pd.Categorical.from_codes(
        band_codes, categories=pd.Index(policy.band_names), ordered=True
    )
    plan["channel"] = np.array([*policy.channels, None], dtype=object)[codes]
    plan["cadence_days"] = np.array([*policy.cadence_days, np.nan])[codes]
    if last_contact is not None:
        last = accounts[last_contact].reset_index(drop=True)
        tiers = pd.Series(plan["tier"].to_numpy(), dtype=object)
        _, due, days = _overdue(last, tiers, today, ids, policy)
        plan["last_contact"] = last.to_numpy()
        plan["next_contact"] = due.to_numpy()
        plan["days_overdue"] = days
    return plan


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
    .. [1] Seed article 003 of salescore's reference (Russian).

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
    r"""The high-tier accounts in the coldest bands: seed 003's "blue" list.

    An A account that yields little is marked blue, near freezing, and its seller and
    manager must rethink the approach (seed 003). This lists the accounts of the
    chosen tiers whose temperature falls in the chosen bands, best tier and coldest
    first.

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
    .. [1] Seed article 003 of salescore's reference (Russian).

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

    Seed 003: track falling revenue per customer, and ask those customers for
    feedback. The change is relative to the previous period's revenue, so a fall
    from 100,000 to 70,000 is −0.3.

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
    .. [1] Seed article 003 of salescore's reference (Russian).

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


# ---------------------------------------------------------------------- helpers


def _required(name: str, value: object) -> str:
    """A column-name option that must name a column (never None)."""
    column = option_column(name, value)
    assert column is not None  # option_column refuses None unless optional
    return column


def _column_list(name: str, value: object, *, empty: bool = False) -> list[str]:
    """Column names (or labels) given as one str or a list or tuple of str."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return list(dict.fromkeys(value))
    noun = "a sequence (possibly empty)" if empty else "a sequence"
    raise InvalidInputError(
        f"{name} must be a column name or {noun} of column names; got "
        f"{type(value).__name__} {value!r:.60}"
    )


def _labels_in(name: str, value: object, allowed: Sequence[str]) -> list[str]:
    labels = _column_list(name, value)
    unknown = [label for label in labels if label not in allowed]
    if unknown or not labels:
        raise InvalidInputError(
            f"{name} must hold labels among {list(allowed)!r}; got {value!r:.80}"
        )
    return labels


def _amounts(accounts: pd.DataFrame, column: str, ids: ObjectArray) -> FloatArray:
    values = np.asarray(float_column(accounts, column), dtype=np.float64)
    bad = np.isinf(values) | (values < 0.0)
    if bad.any():
        raise InvalidInputError(
            f"{column} must be a finite number >= 0; not so for "
            f"{which(ids, bad, values.tolist(), noun='account')}"
        )
    return values


def _require_segments(accounts: pd.DataFrame, columns: list[str], ids: ObjectArray) -> None:
    for column in columns:
        missing = accounts[column].isna().to_numpy()
        if missing.any():
            raise InvalidInputError(
                f"segment column {column!r} is missing for {which(ids, missing, noun='account')}; "
                "their peers are unknown: fill the gaps with a label such as 'unknown' "
                "(fillna), or leave those accounts out"
            )


def _potential(
    accounts: pd.DataFrame,
    x: FloatArray,
    columns: list[str],
    statistic: object,
    min_peers: int,
    skipna: bool,
) -> FloatArray:
    """max(own revenue, lookalike statistic); unknown where the revenue or statistic is."""
    positions = pd.RangeIndex(len(accounts))
    revenue = pd.Series(x, index=positions)
    segments = accounts[columns].reset_index(drop=True)
    peers = segment_potential(
        revenue,
        segments,
        statistic=statistic,  # type: ignore[arg-type]
        min_peers=min_peers,
        skipna=True,
    ).to_numpy()
    potential = np.fmax(x, peers)  # a segment without enough buyers: own revenue
    potential[np.isnan(x)] = np.nan
    if not skipna and np.isnan(x).any():
        keys = [segments[column].to_numpy() for column in columns]
        unknown = revenue.isna().groupby(keys, sort=False).transform("any")
        potential[unknown.to_numpy(dtype=bool)] = np.nan
    return potential


def _temperatures(
    x: FloatArray, levels: FloatArray, scale: float, ids: ObjectArray, revenue: str
) -> FloatArray:
    """Revenue ÷ (the tier's level × the benchmark); NaN for D and unknown tiers.

    Where level × benchmark underflows (a subnormal benchmark), the same ratio is taken
    as (revenue ÷ benchmark) ÷ level; a temperature beyond float range is refused.
    """
    with np.errstate(all="ignore"):
        expected = levels * scale
        heat = np.asarray(safe_divide(x, expected), dtype=np.float64)
        redo = (levels > 0.0) & (scale > 0.0) & ((expected == 0.0) | np.isinf(heat))
        if redo.any():
            heat[redo] = (x[redo] / scale) / levels[redo]
    huge = np.isinf(heat)
    if huge.any():
        raise InvalidInputError(
            f"the benchmark ({scale!r}) is so small that the temperature ({revenue} ÷ "
            "the tier's level × the benchmark) exceeds the float range for "
            f"{which(ids, huge, x.tolist(), noun='account')}; pass a larger benchmark"
        )
    return heat


def _overdue(
    last: pd.Series[Any], tiers: pd.Series[Any], today: Any, ids: ObjectArray, policy: TierPolicy
) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex, FloatArray]:
    """Last and next contacts and days overdue; a today before a last contact names them."""

    def describe(mask: npt.NDArray[np.bool_]) -> str:
        return which(ids, mask, list(last.astype(object)), noun="account")

    stamps, due, _, _ = _schedule(last, tiers, policy, describe)
    now, days, early = _measure(stamps, due, today, describe)
    if early.any():
        raise InvalidInputError(
            f"today ({now}) is earlier than the last contact of "
            f"{which(ids, early, list(stamps.astype(object)), noun='account')}"
        )
    return stamps, due, days


def _warn_unplaced(mask: BoolArray, ids: ObjectArray, what: str) -> None:
    if mask.any():
        warnings.warn(
            f"{which(ids, mask, noun='account')} {what}",
            SalescoreWarning,
            stacklevel=3,
        )
