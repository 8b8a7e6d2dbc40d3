"""How do customers rate us? Net Promoter Score and customer satisfaction (CSAT).

Both are reductions over survey answers, one whole-number score per answer, and return
a ``float``. Answers that are not whole numbers on the scale are refused with their
positions; a missing answer (NaN) makes the result NaN unless ``skipna=True``.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from .._arrays import (
    FloatArray,
    Numeric,
    _describe_bad,
    check_range,
    coerce,
    option_count,
    option_flag,
)
from ..errors import InvalidInputError

__all__ = ["csat", "net_promoter_score"]

#: The widest CSAT scale accepted (surveys use 1–5, 1–7 or 1–10).
MAX_SCALE: Final = 1_000


def _answers(scores: Numeric, low: int, high: int, *, skipna: bool) -> FloatArray | None:
    """Validated scores as a float64 array; None when a missing answer makes it NaN."""
    (x,), _ = coerce(scores=scores)
    values = np.atleast_1d(np.asarray(x, dtype=np.float64))
    allowed = f"a whole number from {low} to {high}"
    check_range("scores", values, low=float(low), high=float(high), allowed=allowed)
    fractional = np.isfinite(values) & (values != np.floor(values))
    if fractional.any():
        raise InvalidInputError(_describe_bad("scores", values, fractional, allowed))
    missing = np.isnan(values)
    if missing.any():
        if not skipna:
            return None
        values = values[~missing]
    return values


def net_promoter_score(scores: Numeric, *, skipna: bool = False) -> float:
    r"""Net Promoter Score: % promoters minus % detractors, from −100 to 100.

    Customers answer "how likely are you to recommend us to a friend or colleague?" on a
    scale from 0 to 10. Those who answer 9 or 10 are promoters, 7 or 8 passives, 0 to 6
    detractors. Alexander Slotte's article on the profitability of a sale (Top of Heart)
    builds on customers as ambassadors who recommend the sellers; the NPS tracks how
    many are ready to.

    Parameters
    ----------
    scores : float, array_like or Series
        One answer per respondent, a whole number from 0 to 10 (integers, or floats
        with whole values; an integer Series with missing answers works).
    skipna : bool, keyword-only, default False
        Leave out missing answers (NaN). By default one missing answer makes the score
        NaN, so that a non-response is a decision of the caller.

    Returns
    -------
    float
        The score in percentage points, from −100 (everyone a detractor) to 100
        (everyone a promoter). Unlike the library's fractions, NPS is quoted on this
        scale everywhere. NaN for no answers.

    Raises
    ------
    InvalidInputError
        A score that is not a whole number, or is outside 0–10 (the message gives the
        positions); a ``skipna`` that is not a bool.

    See Also
    --------
    csat : share of satisfied answers.
    salescore.retention.referrals.referral_rate : how many customers do recommend.

    Notes
    -----
    With :math:`n` answers, :math:`P` of them 9 or 10 and :math:`D` of them 0 to 6:

    .. math::

        \mathrm{NPS} = 100 \, \frac{P - D}{n}, \qquad -100 \le \mathrm{NPS} \le 100 .

    References
    ----------
    .. [1] F. F. Reichheld, "The one number you need to grow", *Harvard Business
       Review* 81(12), 46–54, December 2003.
    .. [2] A. Slotte (Top of Heart), article for sales managers on the profitability of
       a sale (Swedish): customers as ambassadors; 87 % are willing to recommend. See
       Sources in the documentation.

    Examples
    --------
    Ten answers: four promoters (9, 10, 10, 9), three passives, three detractors:

    >>> from salescore.retention.surveys import net_promoter_score
    >>> net_promoter_score([9, 10, 10, 9, 7, 8, 8, 6, 3, 0])  # 100 × (4 − 3) / 10
    10.0
    >>> import pandas as pd
    >>> answers = pd.Series([10, 9, None, 5], dtype="Int64")  # one skipped the question
    >>> net_promoter_score(answers)
    nan
    >>> round(net_promoter_score(answers, skipna=True), 2)  # 100 × (2 − 1) / 3
    33.33
    >>> net_promoter_score([])
    nan
    """
    values = _answers(scores, 0, 10, skipna=option_flag("skipna", skipna))
    if values is None or values.size == 0:
        return float("nan")
    promoters = int(np.count_nonzero(values >= 9.0))
    detractors = int(np.count_nonzero(values <= 6.0))
    return 100.0 * (promoters - detractors) / values.size


def csat(scores: Numeric, *, scale: int = 5, skipna: bool = False) -> float:
    r"""Customer satisfaction (CSAT): the share of answers in the top two points of the scale.

    The Swedish article "Så sätter ni nya säljmål och utvärderar dem" counts customer
    satisfaction — how customers rate you and what you sell, followed up after the deal
    — among the goals to measure instead of quotas. On the usual 1–5 scale the satisfied
    answers are 4 ("satisfied") and 5 ("very satisfied"); on a 1–``scale`` scale, the
    top two points, ``scale − 1`` and ``scale``.

    Parameters
    ----------
    scores : float, array_like or Series
        One answer per respondent, a whole number from 1 to ``scale``.
    scale : int, keyword-only, default 5
        The highest point of the scale, at least 3 (with two points every answer would
        count as satisfied) and at most 1,000 (``MAX_SCALE``).
    skipna : bool, keyword-only, default False
        Leave out missing answers (NaN); by default one makes the result NaN.

    Returns
    -------
    float
        A fraction in [0, 1]; NaN for no answers.

    Raises
    ------
    InvalidInputError
        A score that is not a whole number from 1 to ``scale`` (positions named);
        ``scale`` not an integer from 3 to 1,000; a ``skipna`` that is not a bool.

    See Also
    --------
    net_promoter_score : promoters minus detractors.

    Notes
    -----
    With :math:`n` answers :math:`x_i` on a scale from 1 to :math:`k`:

    .. math::

        \mathrm{CSAT} = \frac{\#\{i : x_i \ge k - 1\}}{n} .

    References
    ----------
    .. [1] Closers, "Så sätter ni nya säljmål och utvärderar dem", knowledge-bank
       article on customer-focused sales goals (Swedish): customer satisfaction as a
       goal instead of quotas. See Sources in the documentation.

    Examples
    --------
    >>> from salescore.retention.surveys import csat
    >>> csat([5, 4, 4, 3, 2, 5, 1, 4])  # 5 of 8 answers are 4 or 5
    0.625
    >>> csat([9, 10, 7, float("nan")], scale=10, skipna=True)  # 2 of 3 are 9 or 10
    0.6666666666666666
    >>> csat([])
    nan
    """
    top = option_count("scale", scale, maximum=MAX_SCALE)
    if top < 3:
        raise InvalidInputError(f"scale must be at least 3 (a scale from 1 to scale); got {top}")
    values = _answers(scores, 1, top, skipna=option_flag("skipna", skipna))
    if values is None or values.size == 0:
        return float("nan")
    return int(np.count_nonzero(values >= top - 1)) / values.size
