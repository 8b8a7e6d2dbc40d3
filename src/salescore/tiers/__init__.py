"""Where should sellers spend their time?

Seed 003's method for raising sales from existing customers: rank accounts by potential
revenue into tiers A, B, C and D (:func:`classify_tiers`), estimate a non-buying
account's potential from the buying accounts that resemble it
(:func:`segment_potential`), contact each tier at its own cadence
(:func:`next_contact`, :func:`days_overdue`), paint a temperature map of what accounts
yield against what they should (:func:`temperature`, :func:`temperature_band`), and
watch for falling revenue (:func:`revenue_change`). :func:`pareto_classes` is the
classic ABC analysis for managers who use it instead. :class:`TierPolicy` holds every
number the method needs.

Numeric formula functions follow the container contract and the NaN policy of
:doc:`/conventions`. Functions that return labels give ``str`` (or ``None`` when
unknown) for a scalar, an object ndarray for an array, and an ordered categorical
Series on the same index for a Series.
"""

from .classify import classify_tiers, pareto_classes, segment_potential
from .contact import days_overdue, next_contact
from .policy import TIERS, TierPolicy
from .temperature import revenue_change, temperature, temperature_band

__all__ = [
    "TIERS",
    "TierPolicy",
    "classify_tiers",
    "days_overdue",
    "next_contact",
    "pareto_classes",
    "revenue_change",
    "segment_potential",
    "temperature",
    "temperature_band",
]
