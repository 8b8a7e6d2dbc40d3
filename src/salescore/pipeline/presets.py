"""Vendors' default stage → probability tables, to fill deals' probabilities from.

Each CRM ships a default sales pipeline whose stages carry a probability of winning.
These are those defaults, as read-only mappings from the stage as the CRM stores it to
the probability as a fraction (the CRMs show percentages: 10 % is 0.1 here). They are
the vendors' generic guesses, not anyone's measured win rates: once a team has a
history of won and lost deals, its own rates per stage forecast better.

Stage names are matched exactly, so each table holds the names the CRM stores and
exports. Every table was checked against the source named in its docstring. Use them
with :func:`~salescore.fill_probabilities`.

For example:

>>> from salescore.pipeline.presets import SALESFORCE_STAGE_PROBABILITIES
>>> SALESFORCE_STAGE_PROBABILITIES["Proposal/Price Quote"]
0.75
>>> SALESFORCE_STAGE_PROBABILITIES["Closed Won"] = 0.5
Traceback (most recent call last):
...
TypeError: 'mappingproxy' object does not support item assignment
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = [
    "ESPOCRM_STAGE_PROBABILITIES",
    "HUBSPOT_STAGE_PROBABILITIES",
    "SALESFORCE_STAGE_PROBABILITIES",
    "SUITECRM_STAGE_PROBABILITIES",
]

SALESFORCE_STAGE_PROBABILITIES: Final[Mapping[str, float]] = MappingProxyType(
    {
        "Prospecting": 0.10,
        "Qualification": 0.10,
        "Needs Analysis": 0.20,
        "Value Proposition": 0.50,
        "Id. Decision Makers": 0.60,
        "Perception Analysis": 0.70,
        "Proposal/Price Quote": 0.75,
        "Negotiation/Review": 0.90,
        "Closed Won": 1.00,
        "Closed Lost": 0.00,
    }
)
"""Salesforce's standard opportunity stages (``StageName``) and default probabilities.

Source: the ``OpportunityStage`` standard value set of a new Salesforce org, as the
Metadata API returns it (``standardValueSets/OpportunityStage``: each value's
``fullName`` and ``probability`` in percent), checked against value sets retrieved
from orgs that kept the defaults.
"""

HUBSPOT_STAGE_PROBABILITIES: Final[Mapping[str, float]] = MappingProxyType(
    {
        # Internal stage ids, as the API returns in a deal's ``dealstage``.
        "appointmentscheduled": 0.2,
        "qualifiedtobuy": 0.4,
        "presentationscheduled": 0.6,
        "decisionmakerboughtin": 0.8,
        "contractsent": 0.9,
        "closedwon": 1.0,
        "closedlost": 0.0,
        # Labels, as shown in the app and in exports made from it.
        "Appointment Scheduled": 0.2,
        "Qualified to Buy": 0.4,
        "Presentation Scheduled": 0.6,
        "Decision Maker Bought-In": 0.8,
        "Contract Sent": 0.9,
        "Closed Won": 1.0,
        "Closed Lost": 0.0,
    }
)
"""HubSpot's default deal pipeline: stage ids and labels with their deal probabilities.

Source: HubSpot's CRM Pipelines API, whose ``default`` deal pipeline has the stage ids
above and stores each stage's probability as a fraction in ``metadata.probability``
(HubSpot developer documentation, "CRM API | Pipelines"); the probabilities (20, 40,
60, 80, 90, 100 and 0 %) as published for HubSpot's default sales pipeline. The
labels are capitalised as they are most often published; where a portal shows them
in sentence case ("Qualified to buy"), use the ids or a table of your own.
"""

SUITECRM_STAGE_PROBABILITIES: Final[Mapping[str, float]] = MappingProxyType(
    {
        "Prospecting": 0.10,
        "Qualification": 0.20,
        "Needs Analysis": 0.25,
        "Value Proposition": 0.30,
        "Id. Decision Makers": 0.40,
        "Perception Analysis": 0.50,
        "Proposal/Price Quote": 0.65,
        "Negotiation/Review": 0.80,
        "Closed Won": 1.00,
        "Closed Lost": 0.00,
    }
)
"""SuiteCRM's (and SugarCRM Community Edition's) default sales stages and probabilities.

Source: ``sales_probability_dom`` in ``include/language/en_us.lang.php`` of SuiteCRM
7 (salesagility/SuiteCRM), keyed by the stage keys stored in the database
(``sales_stage_dom``; "Id. Decision Makers" is shown as "Identifying Decision
Makers").
"""

ESPOCRM_STAGE_PROBABILITIES: Final[Mapping[str, float]] = MappingProxyType(
    {
        "Prospecting": 0.10,
        "Qualification": 0.20,
        "Proposal": 0.50,
        "Negotiation": 0.80,
        "Closed Won": 1.00,
        "Closed Lost": 0.00,
    }
)
"""EspoCRM's default opportunity stages and probabilities.

Source: the ``probabilityMap`` of the Opportunity ``stage`` field in
``application/Espo/Modules/Crm/Resources/metadata/entityDefs/Opportunity.json``
(espocrm/espocrm).
"""
