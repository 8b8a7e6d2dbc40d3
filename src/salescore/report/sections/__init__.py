"""The report's sections, each a pure function of canonical frames.

Each function returns a :class:`Section`: named metrics (plain numbers under stable
keys, see ``docs/report-json.md``), small tables, notes for the reader (assumptions,
rows left out), and the library's own results for the charts. Every number comes from
one of salescore's table or formula functions; nothing here reads a file or prints.
One module per section; :mod:`._common` holds :class:`Section` and the time windows.
"""

from ._common import Section, days_text, months_text, quarter_end
from ._common import _bounds as _bounds
from ._common import _months as _months
from ._common import _own_words as _own_words
from ._common import _utc_naive as _utc_naive
from .accounts import accounts_section
from .accuracy import accuracy_section
from .forecast import forecast_section, probability_presets
from .funnel import funnel_section
from .funnel import funnel_stages as funnel_stages
from .leads import SLA_MINUTES, leads_section
from .retention import retention_section
from .team import _monthly as _monthly
from .team import team_section
from .value import value_section

__all__ = [
    "SLA_MINUTES",
    "Section",
    "accounts_section",
    "accuracy_section",
    "days_text",
    "forecast_section",
    "funnel_section",
    "leads_section",
    "months_text",
    "probability_presets",
    "quarter_end",
    "retention_section",
    "team_section",
    "value_section",
]
