"""Are we keeping and growing customers?

Alexander Slotte's article on the profitability of a sale (Top of Heart) and the Swedish
article "Så sätter ni nya säljmål och utvärderar dem" make keeping customers the goal.
Counts of customers kept and lost (:func:`retention_rate`, :func:`churn_rate`,
:func:`renewal_rate`); revenue kept and grown from the customers a period started with
(:func:`gross_revenue_retention`, :func:`net_revenue_retention`, and the whole
:func:`revenue_bridge` from start to end revenue, with :func:`quick_ratio`); revenue
from existing customers (:func:`upsell_share`); satisfaction and advocacy
(:func:`net_promoter_score`, :func:`csat`, :func:`referral_rate`,
:func:`referral_ask_rate`, :func:`referral_report`); and, from a transaction log, cohort
tables (:func:`cohort_retention`), customers kept and lost period by period
(:func:`retention_by_period`) and usage (:func:`usage_summary`).

Formula functions follow the container contract and the NaN policy of
:doc:`/conventions`; table functions take the canonical transactions frame
(``customer_id, date, amount``).
"""

from .bridge import RevenueBridge, gross_revenue_retention, net_revenue_retention, revenue_bridge
from .cohorts import cohort_retention, retention_by_period
from .metrics import churn_rate, quick_ratio, renewal_rate, retention_rate, upsell_share
from .referrals import referral_ask_rate, referral_rate, referral_report
from .surveys import csat, net_promoter_score
from .usage import usage_summary

__all__ = [
    "RevenueBridge",
    "churn_rate",
    "cohort_retention",
    "csat",
    "gross_revenue_retention",
    "net_promoter_score",
    "net_revenue_retention",
    "quick_ratio",
    "referral_ask_rate",
    "referral_rate",
    "referral_report",
    "renewal_rate",
    "retention_by_period",
    "retention_rate",
    "revenue_bridge",
    "upsell_share",
    "usage_summary",
]
