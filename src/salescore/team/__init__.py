"""How is the team performing?

The team metrics of Nutshell's article on the sales metrics a sales manager should
track: sales productivity, revenue per seller (:func:`sales_productivity`, and period by
period from the deals with :func:`productivity_report`); the return on the investment in
the sales team (:func:`sales_roi`); activity against targets
(:func:`activity_attainment`, :func:`activity_report`); contacts per win
(:func:`activities_per_win`); and where more contacts stop raising revenue
(:func:`activity_yield`).

Formula functions follow the container contract and the NaN policy of
:doc:`/conventions`; table functions take the canonical deals or activities frame.
"""

from .activity import ACTIVITY_KINDS, activity_report
from .metrics import activities_per_win, activity_attainment, sales_productivity, sales_roi
from .productivity import productivity_report
from .yields import activity_yield

__all__ = [
    "ACTIVITY_KINDS",
    "activities_per_win",
    "activity_attainment",
    "activity_report",
    "activity_yield",
    "productivity_report",
    "sales_productivity",
    "sales_roi",
]
