"""How does CRM data get in? Adapters from CRM records to the canonical tables.

Each adapter converts data the caller already has (API records as a list of dicts, or
an export as a DataFrame) into a canonical table of :mod:`salescore.schema`, and
accounts for every row in an :class:`ImportResult`: the accepted rows in canonical
form, and the rejected rows with their original values and a reason. No adapter makes
a network call.

The vendor adapters are submodules: :mod:`salescore.adapters.salesforce`,
:mod:`salescore.adapters.hubspot`, :mod:`salescore.adapters.pipedrive` and
:mod:`salescore.adapters.odoo`; :func:`from_records` reads any other CRM's records
through a mapping of field names, and :mod:`salescore.adapters.webhook` turns a
webhook-style payload into metrics.

Every canonical frame holds naive ``datetime64[ns]`` timestamps meaning UTC, and each
import's problems can be counted per field and kind with
:meth:`ImportResult.reason_groups`.
"""

import importlib
from types import ModuleType

from ._core import OPTIONAL, REASON, ImportResult
from .generic import from_records, to_records

__all__ = ["OPTIONAL", "REASON", "ImportResult", "from_records", "to_records"]

#: The vendor adapters, imported on first access as ``salescore.adapters.<vendor>``.
_VENDORS = frozenset({"hubspot", "odoo", "pipedrive", "salesforce", "webhook"})


def __getattr__(name: str) -> ModuleType:
    """Import the vendor adapter ``salescore.adapters.<name>`` on first access."""
    if name in _VENDORS:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _VENDORS)
