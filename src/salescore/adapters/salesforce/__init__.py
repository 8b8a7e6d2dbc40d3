"""Salesforce records to canonical tables: opportunities, their stage history, and leads.

Reads what the REST or SOAP API returns for a SOQL query (a list of records as dicts,
or the whole query response with its ``records``) or what a Data Loader or report
export holds (a DataFrame), with the field names and formats Salesforce documents:

- ``Opportunity``: ``Amount`` (currency), ``Probability`` (percent, 0 to 100),
  ``StageName``, ``ForecastCategory`` (API values ``Omitted``, ``Pipeline``,
  ``BestCase``, ``MostLikely``, ``Forecast``, ``Closed``) or ``ForecastCategoryName``
  (labels such as ``Best Case`` and ``Commit``), ``CloseDate`` (a date),
  ``CreatedDate`` (a dateTime such as ``2024-03-04T09:30:00.000+0000``, in UTC),
  ``IsClosed`` and ``IsWon`` (booleans), ``LeadSource``, ``OwnerId``, ``AccountId``,
  ``CurrencyIsoCode`` (multi-currency orgs) and ``IsDeleted`` (records in the
  Recycle Bin, returned by ``queryAll``). ``ExpectedRevenue`` is Salesforce's own
  ``Amount × Probability / 100``; it is not imported, only compared.
- ``OpportunityHistory``: one record per change of an opportunity's amount,
  probability, stage or close date, with ``OpportunityId``, ``StageName`` and
  ``CreatedDate`` (when the change was made), and the opportunity's ``Amount``,
  ``Probability``, ``CloseDate`` and ``ForecastCategory`` after it: its stage
  visits (:func:`opportunity_history`) or its change log (:func:`opportunity_changes`).
- ``Lead`` and ``Task``: ``CreatedDate``, ``LeadSource``, ``OwnerId``,
  ``IsConverted``; a lead's first contact is the first task logged on it
  (``WhoId``), at its ``CreatedDate``.

Each function returns an :class:`~salescore.adapters.ImportResult`; every record is
either accepted into the canonical frame or rejected with a reason. Money stays in the
record's currency. No network call is made: query Salesforce with your own client.

The field names, types and formats are Salesforce's, from its Object Reference for the
Salesforce Platform (`Opportunity
<https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunity.htm>`__,
`Lead
<https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_lead.htm>`__,
`Task
<https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm>`__)
and SOAP API Developer Guide (`OpportunityHistory
<https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_objects_opportunityhistory.htm>`__,
`date and dateTime formats
<https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/primitive_data_types.htm>`__).
"""

from ._changes import opportunity_changes
from ._history import opportunity_history
from ._leads import leads
from ._opportunities import FLAG_FIELDS, OPPORTUNITY_FIELDS, STANDARD_STAGES, opportunities

__all__ = [
    "FLAG_FIELDS",
    "OPPORTUNITY_FIELDS",
    "STANDARD_STAGES",
    "leads",
    "opportunities",
    "opportunity_changes",
    "opportunity_history",
]
