"""How Salesforce hands records out: query responses, API field names, the Recycle Bin.

The reading shared by the opportunity, opportunity-history and lead importers of
:mod:`salescore.adapters.salesforce`: the records of a REST query response (with a
warning when it is only its first page), fields renamed to their API names when an
export spells them in another case or in snake_case, and the reason ``"deleted"`` for
records in the Recycle Bin or soft-deleted by a warehouse sync.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from .._core import field, match_fields, parse_bool, plain

__all__ = ["SOURCE", "_api_named", "_deleted", "_records"]

SOURCE: Final = "salesforce"
# Fivetran's soft-delete flag on warehouse copies of Salesforce objects.
_SYNC_DELETED: Final = "_fivetran_deleted"


def _records(records: object) -> tuple[object, list[str]]:
    """The records of a query response, and a warning when it is only a first page.

    A REST query response (``{"totalSize": ..., "done": ..., "records": [...]}``), as
    simple-salesforce's ``query`` and ``query_all`` return it (an ``OrderedDict``),
    gives its ``records``; anything else is returned as given.
    """
    records = plain(records)
    if not (isinstance(records, Mapping) and "records" in records):
        return records, []
    notes = []
    if records.get("done") is False:
        rows = records["records"]
        count = len(rows) if isinstance(rows, (list, tuple)) else "some"
        notes.append(
            f"the query response is one page: it holds {count} of its {records.get('totalSize')} "
            "records (done is false); fetch them all (simple-salesforce's query_all, or "
            "follow nextRecordsUrl) and import the whole list"
        )
    return records["records"], notes


def _api_named(received: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The records with fields renamed to their API names, for reading.

    A field that differs from its API name only in case or underscores
    (``opportunity_id``, ``createddate``) is read under the API name.
    """
    found = match_fields(received, {name: name for name in names}, source=SOURCE, underscores=True)
    renames = {actual: name for name, actual in found.items() if actual != name}
    return received.rename(columns=renames) if renames else received


def _deleted(raw: pd.DataFrame, flag: str | None = None) -> pd.Series[Any]:
    """The reason "deleted" for records in the Recycle Bin (IsDeleted true).

    A warehouse copy's ``_fivetran_deleted`` true is read the same way.
    """
    flags = parse_bool(field(raw, flag or "IsDeleted"), field=flag or "IsDeleted")
    deleted = flags.canonical.eq(True)
    synced = match_fields(raw, {"sync": _SYNC_DELETED}, source=SOURCE).get("sync")
    if synced is not None:
        deleted |= parse_bool(raw[synced], field=synced).canonical.eq(True)
    return flags.reasons.where(~deleted, "deleted")
