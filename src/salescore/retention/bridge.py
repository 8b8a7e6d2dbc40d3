"""Are customers bringing more revenue? Revenue retention and the revenue bridge.

Everything here starts from each customer's revenue at two dates (MRR, ARR, or revenue
in two periods). :func:`gross_revenue_retention` and :func:`net_revenue_retention` are
reductions that return a ``float`` under the NaN policy of :doc:`/conventions`;
:func:`revenue_bridge` splits the change into new customers, returning customers,
upsell, downgrades and customers lost, and returns the frozen :class:`RevenueBridge`
record, whose lines add up from the starting revenue to the ending one.
"""

from __future__ import annotations

import math
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from .._arrays import (
    FloatArray,
    Numeric,
    check_nonnegative,
    coerce,
    option_flag,
    option_number,
    power_of_two_scale,
    representable,
)
from ..errors import InvalidInputError
from ._checks import MaskInput, _align_mask, _mask, _positions, _ratio_of_sums, _scaled
from .metrics import quick_ratio

__all__ = [
    "RevenueBridge",
    "gross_revenue_retention",
    "net_revenue_retention",
    "revenue_bridge",
]

#: The lines of a bridge, in the order a waterfall chart shows them.
LINES: Final = ("start", "new", "reactivated", "expansion", "contraction", "churned", "end")
_TOLERANCE: Final = 1e-9  # relative to the gross flows: the lines are rounded sums


def _amount(value: Any, attribute: attrs.Attribute[Any]) -> float:
    number = option_number(attribute.name, value, allow_nan=True)
    if not (math.isfinite(number) and number >= 0.0):
        raise InvalidInputError(f"{attribute.name} must be a finite number >= 0; got {number!r}")
    return number


def _field() -> Any:
    return attrs.field(converter=attrs.Converter(_amount, takes_field=True))


def _cohort(
    start_revenue: Numeric, end_revenue: Numeric, *, skipna: bool
) -> tuple[FloatArray, FloatArray] | None:
    """Validated per-customer revenue at the start and end; None when a NaN decides."""
    (s, e), _ = coerce(start_revenue=start_revenue, end_revenue=end_revenue)
    check_nonnegative("start_revenue", s)
    check_nonnegative("end_revenue", e)
    start, end = np.broadcast_arrays(np.atleast_1d(s), np.atleast_1d(e))
    unknown = np.isnan(start) | np.isnan(end)
    if unknown.any():
        if not skipna:
            return None
        start, end = start[~unknown], end[~unknown]
    return start, end


# ------------------------------------------------------------------ ratios


def gross_revenue_retention(
    start_revenue: Numeric, end_revenue: Numeric, *, skipna: bool = False
) -> float:
    r"""Gross revenue retention (GRR): the starting revenue kept, without expansion.

    Takes the revenue of each customer at the start and at the end of a period (say,
    ARR a year apart) and counts, for the customers who had revenue at the start,
    what they still bring up to what they brought: churn and downgrades lower it,
    upsell does not raise it. At most 1.

    Customers without revenue at the start are new (or returning) in the period and
    are excluded by definition: their end revenue is new business, shown as *new* (or
    *reactivated*) in :func:`revenue_bridge`, and counts
    neither here nor in :func:`net_revenue_retention`.

    Parameters
    ----------
    start_revenue : float, array_like or Series
        Revenue of each customer at (or in the period before) the start, >= 0.
    end_revenue : float, array_like or Series
        Revenue of the same customers at the end, >= 0, in the same currency and
        order (two Series must share their index).
    skipna : bool, keyword-only, default False
        Leave out customers whose start or end revenue is NaN. By default one unknown
        customer makes the result unknown (NaN).

    Returns
    -------
    float
        A fraction in [0, 1]; NaN when no customer had revenue at the start.

    Raises
    ------
    InvalidInputError
        A negative or infinite revenue (positions named), arrays of different lengths,
        or a ``skipna`` that is not a bool.
    IndexMismatchError
        Two Series with different indexes.

    See Also
    --------
    net_revenue_retention : counts expansion too.
    revenue_bridge : the movements behind both ratios.

    Notes
    -----
    Over the customers :math:`i` with start revenue :math:`s_i > 0` and end revenue
    :math:`e_i`:

    .. math::

        \mathrm{GRR} = \frac{\sum_{i:\,s_i>0} \min(e_i, s_i)}{\sum_{i:\,s_i>0} s_i}
        = 1 - \frac{\text{contraction} + \text{churned}}{\text{start}},
        \qquad 0 \le \mathrm{GRR} \le \mathrm{NRR} .

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): in B2B up to 90 % of customer revenue comes after the first
       sale. See Sources in the documentation.
    .. [2] Closers, "Så sätter ni nya säljmål och utvärderar dem", knowledge-bank
       article on customer-focused sales goals (Swedish): renewal as a goal.

    Examples
    --------
    Four customers a year apart: one grew, one shrank, one left, one is new:

    >>> from salescore.retention.bridge import gross_revenue_retention
    >>> gross_revenue_retention([100, 100, 100, 0], [150, 80, 0, 60])  # (100 + 80) / 300
    0.6
    >>> gross_revenue_retention([100, 100], [120, float("nan")])
    nan
    >>> gross_revenue_retention([100, 100], [120, float("nan")], skipna=True)
    1.0
    >>> gross_revenue_retention([0, 0], [50, 70])  # only new customers
    nan
    """
    cohort = _cohort(start_revenue, end_revenue, skipna=option_flag("skipna", skipna))
    if cohort is None:
        return float("nan")
    start, end = cohort
    existing = start > 0.0
    kept = np.minimum(end[existing], start[existing])
    # Divided by the largest amount first: sums of amounts near 1e308 cannot overflow.
    scale = power_of_two_scale(start[existing])
    return _ratio_of_sums(
        "gross revenue retention", _scaled(kept, scale), _scaled(start[existing], scale)
    )


def net_revenue_retention(
    start_revenue: Numeric, end_revenue: Numeric, *, skipna: bool = False
) -> float:
    r"""Net revenue retention (NRR): the end revenue of the customers who started the period.

    What the period's starting customers bring at its end, as a share of what they
    brought at its start: churn and downgrades lower it, upsell and cross-sell raise it,
    so it can exceed 1. The "up to 90 % of customer revenue comes after the first sale"
    of Nutshell's article on the sales metrics a sales manager should track is what an
    NRR above 1 captures.

    A customer with no revenue at the start of the period is not silently dropped from
    NRR: it is counted as new, and its end revenue appears as *new* (or
    *reactivated*) revenue in :func:`revenue_bridge`. NRR
    is by definition about the customers who were there at the start.

    Parameters
    ----------
    start_revenue : float, array_like or Series
        Revenue of each customer at (or in the period before) the start, >= 0.
    end_revenue : float, array_like or Series
        Revenue of the same customers at the end, >= 0, in the same currency and
        order (two Series must share their index).
    skipna : bool, keyword-only, default False
        Leave out customers whose start or end revenue is NaN; by default one unknown
        customer makes the result NaN.

    Returns
    -------
    float
        A ratio >= 0 (1.1 is 110 %); NaN when no customer had revenue at the start.

    Raises
    ------
    InvalidInputError
        A negative or infinite revenue (positions named), arrays of different lengths,
        a ``skipna`` that is not a bool, or a ratio beyond float range (about 1.8e308:
        a subnormal start revenue beside an ordinary end revenue).
    IndexMismatchError
        Two Series with different indexes.

    See Also
    --------
    gross_revenue_retention : the same without expansion, at most 1.
    revenue_bridge : the movements behind both ratios.

    Notes
    -----
    .. math::

        \mathrm{NRR} = \frac{\sum_{i:\,s_i>0} e_i}{\sum_{i:\,s_i>0} s_i}
        = 1 + \frac{\text{expansion} - \text{contraction} - \text{churned}}{\text{start}} .

    Both ratios are unchanged when every amount is multiplied by the same positive
    number, so the currency unit (or MRR vs ARR) does not matter.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): existing customers respond to an upsell with 60–70 %
       probability, new prospects buy with 5–20 %; in B2B up to 90 % of customer revenue
       comes after the first sale. See Sources in the documentation.
    .. [2] D. Skok, "SaaS Metrics 2.0 – A Guide to Measuring and Improving What
       Matters", For Entrepreneurs, 2013 (expansion revenue and negative churn).

    Examples
    --------
    >>> from salescore.retention.bridge import net_revenue_retention
    >>> net_revenue_retention([100, 100, 100, 0], [150, 80, 0, 60])  # (150 + 80) / 300
    0.7666666666666667
    >>> import pandas as pd
    >>> start = pd.Series([100.0, 200.0], index=["acme", "globex"])
    >>> net_revenue_retention(start, pd.Series([130.0, 240.0], index=["acme", "globex"]))
    1.2333333333333334
    >>> net_revenue_retention([0.0], [500.0])  # a new customer only
    nan
    """
    cohort = _cohort(start_revenue, end_revenue, skipna=option_flag("skipna", skipna))
    if cohort is None:
        return float("nan")
    start, end = cohort
    existing = start > 0.0
    # Divided by the largest amount first: sums of amounts near 1e308 cannot overflow,
    # and the ratio is unchanged by the common factor.
    scale = power_of_two_scale(start[existing], end[existing])
    return _ratio_of_sums(
        "net revenue retention",
        _scaled(end[existing], scale),
        _scaled(start[existing], scale),
    )


# ------------------------------------------------------------------ the bridge


@attrs.frozen(kw_only=True)
class RevenueBridge:
    r"""Revenue at the start of a period, its movements, and revenue at the end.

    A bridge (or waterfall) of recurring or repeat revenue between two dates. Each
    customer falls in exactly one line: new (no revenue at the start, some at the
    end), reactivated (the same, for a former customer who came back), expansion
    (more than at the start), contraction (less, but not nothing), churned (nothing
    left at the end), or unchanged. Every field is an amount >= 0 in one currency;
    contraction and churned are amounts lost.

    Parameters
    ----------
    start : float
        Revenue of all customers at the start.
    new : float
        End revenue of customers who had none at the start and are new.
    reactivated : float
        End revenue of customers who had none at the start and came back.
    expansion : float
        Increase of the customers whose revenue grew.
    contraction : float
        Decrease of the customers whose revenue fell but did not stop.
    churned : float
        Start revenue of the customers who had none left at the end.
    end : float
        Revenue of all customers at the end.

    Raises
    ------
    InvalidInputError
        A field that is not a finite number >= 0, lines that do not add up (see
        Notes), or lines whose NRR, GRR or quick ratio is beyond float range (a
        subnormal start beside a large expansion), which the properties could not
        return.

    See Also
    --------
    revenue_bridge : builds the record from revenue per customer.

    Notes
    -----
    The lines add up:

    .. math::

        \text{start} + \text{new} + \text{reactivated} + \text{expansion}
        - \text{contraction} - \text{churned} = \text{end},

    checked when the record is made to a relative tolerance of :math:`10^{-9}` of
    the sum of all lines (each line is a rounded floating-point sum).

    .. math::

        \mathrm{NRR} = \frac{\text{start} + \text{expansion} - \text{contraction}
            - \text{churned}}{\text{start}}, \qquad
        \mathrm{GRR} = \frac{\text{start} - \text{contraction} - \text{churned}}{\text{start}},

    and the quick ratio is :func:`~salescore.retention.metrics.quick_ratio` of the
    lines, with reactivated revenue counted as gained.

    Examples
    --------
    >>> from salescore.retention.bridge import RevenueBridge
    >>> bridge = RevenueBridge(
    ...     start=1000.0, new=200.0, reactivated=0.0, expansion=150.0,
    ...     contraction=50.0, churned=100.0, end=1200.0,
    ... )
    >>> bridge.nrr, bridge.grr, bridge.quick_ratio
    (1.0, 0.85, 2.3333333333333335)
    >>> RevenueBridge(
    ...     start=1000.0, new=0.0, reactivated=0.0, expansion=0.0,
    ...     contraction=0.0, churned=100.0, end=1000.0,
    ... )
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: the bridge does not add up: ...
    """

    start: float = _field()
    new: float = _field()
    reactivated: float = _field()
    expansion: float = _field()
    contraction: float = _field()
    churned: float = _field()
    end: float = _field()

    def __attrs_post_init__(self) -> None:
        # Checked on the lines divided by the largest, so that lines near 1e308 cannot
        # overflow the sums; the relative tolerance is unchanged by the common factor.
        lines = [getattr(self, line) for line in LINES]
        scale = power_of_two_scale(np.array(lines))
        start, new, reactivated, expansion, contraction, churned, end = (
            line / scale for line in lines
        )
        moved = (start + new + reactivated + expansion) - (contraction + churned)
        gross = start + new + reactivated + expansion + contraction + churned + end
        if abs(moved - end) > _TOLERANCE * gross:
            raise InvalidInputError(
                "the bridge does not add up: start + new + reactivated + expansion - "
                f"contraction - churned = {moved * scale!r}, but end = {self.end!r}"
            )
        # The ratios are computed once here: a bridge whose ratios are beyond float
        # range cannot be made, rather than fail when a property is read.
        for ratio in ("nrr", "grr", "quick_ratio"):
            getattr(self, ratio)

    @property
    def nrr(self) -> float:
        """Net revenue retention of the starting customers (NaN when start is 0)."""
        return self._retained("net revenue retention", self.expansion)

    @property
    def grr(self) -> float:
        """Gross revenue retention of the starting customers, in [0, 1] (NaN when start is 0)."""
        return self._retained("gross revenue retention", 0.0)

    def _retained(self, name: str, expansion: float) -> float:
        """(start + expansion − contraction − churned) / start, computed scale-safely."""
        if self.start == 0.0:
            return math.nan
        # Divided by the largest line first, so that lines near 1e308 cannot overflow.
        scale = power_of_two_scale(
            np.array([self.start, expansion, self.contraction, self.churned])
        )
        start = self.start / scale
        kept = start + expansion / scale - self.contraction / scale - self.churned / scale
        if start == 0.0:  # a subnormal start next to a large expansion
            return float(representable(name, math.inf))
        # The lines are rounded sums: keep a total loss from showing as -1e-17.
        return float(representable(name, max(kept, 0.0) / start))

    @property
    def quick_ratio(self) -> float:
        """Revenue gained (new, reactivated, expansion) per unit lost; NaN if nothing was lost."""
        return quick_ratio(
            self.new, self.expansion, self.churned, self.contraction, reactivation=self.reactivated
        )

    def to_series(self) -> pd.Series[float]:
        """The lines as a Series for a waterfall chart, losses negative.

        Returns
        -------
        Series
            Indexed ``start, new, reactivated, expansion, contraction, churned, end``;
            contraction and churned are negative, so every line but ``end`` adds up to
            ``end``.

        Examples
        --------
        >>> from salescore.retention.bridge import revenue_bridge
        >>> revenue_bridge([100.0, 50.0, 0.0], [120.0, 0.0, 30.0]).to_series()
        start          150.0
        new             30.0
        reactivated      0.0
        expansion       20.0
        contraction      0.0
        churned        -50.0
        end            150.0
        Name: revenue, dtype: float64
        """
        lost = ("contraction", "churned")
        return pd.Series(
            # 0.0 - x rather than -x: no lost revenue shows as 0.0, not -0.0.
            [0.0 - getattr(self, line) if line in lost else getattr(self, line) for line in LINES],
            index=pd.Index(LINES),
            name="revenue",
            dtype=np.float64,
        )


def revenue_bridge(
    start_revenue: Numeric,
    end_revenue: Numeric,
    *,
    reactivated: MaskInput | None = None,
    skipna: bool = False,
) -> RevenueBridge:
    r"""Revenue bridge: how revenue moved from the start of a period to its end.

    Takes each customer's revenue at the start and at the end of a period (MRR, ARR,
    or revenue in two consecutive periods) and sorts the change into new business,
    returning customers, upsell, downgrades and customers lost. From the bridge come
    net and gross revenue retention and the quick ratio.

    A customer with no revenue at the start and some at the end is *new*, and its end
    revenue is new revenue: it is not part of the starting customers whose retention
    NRR and GRR measure. Mark former customers who came back with ``reactivated``, and
    their revenue moves from new to reactivated.

    Parameters
    ----------
    start_revenue : float, array_like or Series
        Revenue of each customer at (or in the period before) the start, >= 0.
    end_revenue : float, array_like or Series
        Revenue of the same customers at the end, >= 0, same currency and order (two
        Series must share their index). Include every customer with revenue at either
        date.
    reactivated : bool, array_like, Series or None, keyword-only, default None
        Which customers are former customers (booleans, or integers 0/1), for example
        "bought before the start period". Only customers with no revenue at the start
        and some at the end are affected; for the others the flag changes nothing.
        ``None``: every such customer is new.
    skipna : bool, keyword-only, default False
        Leave out customers whose start or end revenue is NaN. By default an unknown
        revenue is an error: the customer cannot be placed in any line.

    Returns
    -------
    RevenueBridge
        The lines of the bridge; all 0 for no customers.

    Raises
    ------
    InvalidInputError
        A negative or infinite revenue; a NaN revenue without ``skipna=True``; a
        ``reactivated`` flag that is not a boolean or 0/1, or is missing; arrays of
        different lengths; a line whose sum, or a ratio, is beyond float range (about
        1.8e308). Messages give the 0-based positions.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    RevenueBridge : the record, with ``nrr``, ``grr`` and ``quick_ratio``.
    net_revenue_retention : NRR without the bridge.

    Notes
    -----
    For customer :math:`i` with start revenue :math:`s_i` and end revenue :math:`e_i`:

    .. math::

        \text{new} &= \textstyle\sum_{s_i = 0 < e_i,\ i \notin R} e_i, \qquad
        \text{reactivated} = \textstyle\sum_{s_i = 0 < e_i,\ i \in R} e_i, \\
        \text{expansion} &= \textstyle\sum_{0 < s_i < e_i} (e_i - s_i), \qquad
        \text{contraction} = \textstyle\sum_{0 < e_i < s_i} (s_i - e_i), \\
        \text{churned} &= \textstyle\sum_{s_i > 0 = e_i} s_i,

    with :math:`R` the reactivated customers; start and end are :math:`\sum s_i` and
    :math:`\sum e_i`. The lines add up exactly in real arithmetic, and to a few units
    in the last place in floating point (checked by :class:`RevenueBridge`).

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): upsell to existing customers, up to 90 % of B2B customer
       revenue after the first sale. See Sources in the documentation.
    .. [2] Closers, "Så sätter ni nya säljmål och utvärderar dem", knowledge-bank
       article on customer-focused sales goals (Swedish): how many customers come back
       and how many leave.

    Examples
    --------
    Six customers' ARR a year apart: two grew, one shrank, one left, one is new and
    one came back:

    >>> from salescore.retention.bridge import revenue_bridge
    >>> start = [1_000, 2_000, 1_500, 500, 0, 0]
    >>> end = [1_200, 2_600, 1_000, 0, 800, 300]
    >>> bridge = revenue_bridge(start, end, reactivated=[0, 0, 0, 0, 0, 1])
    >>> bridge
    RevenueBridge(start=5000.0, new=800.0, reactivated=300.0, expansion=800.0,
                  contraction=500.0, churned=500.0, end=5900.0)
    >>> bridge.nrr, bridge.grr, bridge.quick_ratio  # 4,800 / 5,000; 4,000 / 5,000; 1,900 / 1,000
    (0.96, 0.8, 1.9)
    >>> revenue_bridge([], [])
    RevenueBridge(start=0.0, new=0.0, reactivated=0.0, expansion=0.0,
                  contraction=0.0, churned=0.0, end=0.0)
    """
    skip = option_flag("skipna", skipna)
    (s, e), _ = coerce(start_revenue=start_revenue, end_revenue=end_revenue)
    check_nonnegative("start_revenue", s)
    check_nonnegative("end_revenue", e)
    start, end = np.broadcast_arrays(np.asarray(s), np.asarray(e))
    if reactivated is None:
        start, end = np.atleast_1d(start), np.atleast_1d(end)
        back = np.zeros(start.shape, dtype=bool)
    else:
        mask, index = _mask("reactivated", reactivated)
        owner, data = (
            ("end_revenue", end_revenue)
            if isinstance(end_revenue, pd.Series)
            else ("start_revenue", start_revenue)
        )
        start, back = _align_mask(owner, data, start, "reactivated", mask, index)
        end = np.broadcast_to(end, start.shape)
    unknown = np.isnan(start) | np.isnan(end)
    if unknown.any():
        if not skip:
            raise InvalidInputError(
                "revenue must be known for every customer to place it in the bridge; "
                "start_revenue or end_revenue is NaN for "
                f"{_positions(unknown, lambda p: (float(start[p]), float(end[p])), 'customers')}; "
                "pass skipna=True to leave those customers out"
            )
        start, end, back = start[~unknown], end[~unknown], back[~unknown]

    existing = start > 0.0
    arrived = ~existing & (end > 0.0)
    grew = existing & (end > start)
    shrank = existing & (end > 0.0) & (end < start)
    gone = existing & (end == 0.0)
    with np.errstate(over="ignore"):
        lines = {
            "start": float(np.sum(start)),
            "new": float(np.sum(end[arrived & ~back])),
            "reactivated": float(np.sum(end[arrived & back])),
            "expansion": float(np.sum(end[grew] - start[grew])),
            "contraction": float(np.sum(start[shrank] - end[shrank])),
            "churned": float(np.sum(start[gone])),
            "end": float(np.sum(end)),
        }
    beyond = [line for line, amount in lines.items() if math.isinf(amount)]
    if beyond:
        raise InvalidInputError(
            f"the bridge's {', '.join(beyond)} revenue is beyond float range (the sum of "
            "the amounts exceeds about 1.8e308): rescale the amounts, for example to "
            "thousands"
        )
    return RevenueBridge(**lines)
