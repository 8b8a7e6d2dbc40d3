"""How does CRM data get in? The canonical tables as code, and a check of a frame against them.

Every table function reads one of seven canonical tables (deals, stage history,
deal changes, accounts, transactions, leads, activities). :data:`TABLES` describes each one: its
columns, their dtypes, which must be present, which may hold missing values and which
values are allowed. :func:`validate` checks a frame against that description and
raises one :class:`~salescore.errors.SchemaError` that lists every problem at once, so
that a table is fixed in one go; :func:`row_problems` gives the value problems row by
row instead (the adapters use it to reject rows rather than whole calls).

The vocabularies (deal statuses, forecast categories, ISO 4217 currency codes, account
tiers, activity kinds) are defined here too, in :mod:`salescore.schema.vocabularies`,
and the rest of the library takes them from there: the schema is the foundation and
imports nothing from the packages that stand on it. The package's modules:
:mod:`~salescore.schema.vocabularies` (the allowed values),
:mod:`~salescore.schema.tables` (:data:`KINDS`, :class:`Column`, :class:`Table`,
:data:`TABLES`, :data:`TIMESTAMPS`) and :mod:`~salescore.schema.validation`
(:func:`validate`, :func:`row_problems`, :func:`check_columns`).

Timestamps follow one convention, :data:`TIMESTAMPS`, everywhere in the library:
canonical tables hold naive ``datetime64[ns]`` values that mean UTC. Instants
(``created``, ``entered``, ``exited``, ``first_contact``, an activity's date and time)
are UTC wall-clock times with the zone dropped; calendar dates (``close_date``, a
transaction's ``date``, ``last_contact``) are midnight of that date. The adapters
produce exactly this. Table functions and records accept time-zone-aware input too:
alone, aware timestamps keep their zone's calendar and clock; beside naive ones, they
are converted to UTC and their zone dropped, never refused.
"""

from .tables import KINDS, TABLES, TIMESTAMPS, Column, Table
from .validation import check_columns, row_problems, validate

__all__ = [
    "KINDS",
    "TABLES",
    "TIMESTAMPS",
    "Column",
    "Table",
    "check_columns",
    "row_problems",
    "validate",
]
