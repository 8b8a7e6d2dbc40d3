"""The account plan: tiers with potential, temperature, cadence and next contact.

:func:`tier_accounts` is a table function over the canonical accounts frame
(``account_id, name, segment columns (size, region, industry …), annual_revenue,
last_contact, tier``). Every column name is a keyword argument whose default is the
canonical name. The lists that follow the plan (:func:`overdue_contacts`,
:func:`cold_accounts`, :func:`declining_accounts`) are in :mod:`salescore.tiers.lists`
and importable from here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import schema
from .._arrays import FloatArray, option_flag, safe_divide
from .._tables import option_column, row_ids, which
from ..errors import InvalidInputError
from ._accounts import _amounts, _column_list, _overdue, _required
from .classify import _peer_options, _tier_codes, segment_potential
from .lists import cold_accounts, declining_accounts, overdue_contacts
from .policy import _DEFAULT_POLICY, TIERS, TierPolicy, _codes_from, _policy

__all__ = ["cold_accounts", "declining_accounts", "overdue_contacts", "tier_accounts"]

ObjectArray = npt.NDArray[np.object_]

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

    The method of Wilson Learning Russia's article on raising sales from existing
    customers, in one call. Each account's potential is the larger of what it
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
    .. [1] Wilson Learning Russia (wl-r.ru), blog article on raising sales from existing
       customers (Russian). See Sources in the documentation.

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


# ---------------------------------------------------------------------- helpers


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
