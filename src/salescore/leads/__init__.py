"""Are we working our leads well?

The lead metrics of Nutshell's article on the sales metrics a sales manager should
track. How fast sellers answer: decay curves of the odds of reaching or qualifying a
lead as the response time grows (:class:`ExponentialDecay`, :class:`PowerLawDecay`,
:class:`PiecewiseDecay`, presets calibrated on the published studies in
:mod:`salescore.leads.presets`), the chance of contact they imply
(:func:`contact_probability`), a fit to a team's own leads (:func:`fit_decay`), response
times in elapsed or business time (:func:`response_times`, :class:`BusinessHours`), the
share answered within a target (:func:`sla_attainment`) and a report per seller
(:func:`response_report`). Which sources and channels convert:
:func:`source_performance`, :func:`channel_effectiveness` and :func:`email_engagement`.

Formula functions follow the container contract and the NaN policy of
:doc:`/conventions`; response times are durations, given as timedeltas or as numbers
of minutes.
"""

from . import presets as presets  # reachable as salescore.leads.presets after import
from .calendar import WEEKDAYS, BusinessHours
from .channels import ChannelEffectiveness, EmailEngagement, channel_effectiveness, email_engagement
from .decay import DecayCurve, ExponentialDecay, PiecewiseDecay, PowerLawDecay, contact_probability
from .fit import DecayFit, fit_decay
from .response import response_report, response_times, sla_attainment
from .sources import source_performance

__all__ = [
    "WEEKDAYS",
    "BusinessHours",
    "ChannelEffectiveness",
    "DecayCurve",
    "DecayFit",
    "EmailEngagement",
    "ExponentialDecay",
    "PiecewiseDecay",
    "PowerLawDecay",
    "channel_effectiveness",
    "contact_probability",
    "email_engagement",
    "fit_decay",
    "response_report",
    "response_times",
    "sla_attainment",
    "source_performance",
]
