"""Where should sellers spend their time?

The method of Wilson Learning Russia's article on raising sales from existing customers:
rank accounts by potential revenue into tiers A, B, C and D (:func:`classify_tiers`),
estimate a non-buying account's potential from the buying accounts that resemble it
(:func:`segment_potential`), contact each tier at its own cadence (:func:`next_contact`,
:func:`days_overdue`), paint a temperature map of what accounts yield against what they
should (:func:`temperature`, :func:`temperature_band`), and watch for falling revenue
(:func:`revenue_change`). :func:`pareto_classes` is the classic ABC analysis for
managers who use it instead. :class:`TierPolicy` holds every number the method needs.
Over an accounts table, :func:`tier_accounts` builds the account plan in one call, and
:func:`overdue_contacts`, :func:`cold_accounts` and :func:`declining_accounts` list the
accounts that need a seller now.

Numeric formula functions follow the container contract and the NaN policy of
:doc:`/conventions`. Functions that return labels give ``str`` (or ``None`` when
unknown) for a scalar, an object ndarray for an array, and an ordered categorical
Series on the same index for a Series.
"""

from .classify import classify_tiers, pareto_classes, segment_potential
from .contact import days_overdue, next_contact
from .lists import cold_accounts, declining_accounts, overdue_contacts
from .policy import TIERS, TierPolicy
from .tables import tier_accounts
from .temperature import revenue_change, temperature, temperature_band

__all__ = [
    "TIERS",
    "TierPolicy",
    "classify_tiers",
    "cold_accounts",
    "days_overdue",
    "declining_accounts",
    "next_contact",
    "overdue_contacts",
    "pareto_classes",
    "revenue_change",
    "segment_potential",
    "temperature",
    "temperature_band",
    "tier_accounts",
]
